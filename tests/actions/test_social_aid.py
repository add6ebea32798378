"""Social aid: programme names only, the NIK never repeated, upstream down."""

from __future__ import annotations

from actions.social_aid import ActionCheckSocialAid
from bot.domain.errors import UpstreamBadResponse
from tests.auxil.actions import Raises, message, responses

NIK = "1871015505900002"


async def test_programme_names_are_listed(make_tracker, domain, dispatcher, fake_services):
    await ActionCheckSocialAid().run(dispatcher, make_tracker(slots={"nik": NIK}), domain)
    assert message(dispatcher, "utter_social_aid_registered")["programmes"] == "• PKH\n• BPNT"
    assert "utter_demo_data" in responses(dispatcher)
    assert NIK not in str(dispatcher.messages)
    assert fake_services.upstream.social_aid.calls == [(NIK,)]


async def test_garbage_from_upstream_is_a_polite_answer(
    make_tracker, domain, dispatcher, fake_services
):
    fake_services.upstream.social_aid.answer = Raises(UpstreamBadResponse("bansos", "bad json"))
    await ActionCheckSocialAid().run(dispatcher, make_tracker(slots={"nik": NIK}), domain)
    assert responses(dispatcher) == ["utter_upstream_down_social_aid"]
