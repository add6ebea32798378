"""Social aid: the HTTP client against the fake upstream, and the demo provider."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.adapters.upstream.social_aid import DemoSocialAid, HttpSocialAid
from bot.domain.errors import InvalidQuery, UpstreamBadResponse
from bot.domain.public_data import SocialAidProvider
from tests.auxil.fake_upstreams import SOCIAL_AID_PATH, wrong_schema

REGISTERED = "1871015505900001"
UNREGISTERED = "1801020101800002"


@pytest.fixture
def aid(http_provider) -> HttpSocialAid:
    return http_provider(HttpSocialAid, "social_aid")


async def test_registered_nik_lists_programmes(aid):
    status = await aid.lookup(REGISTERED)
    assert status.registered
    assert status.programmes == ("PKH", "PBI-JK")
    assert status.is_demo is False
    assert status.checked_at == datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)


async def test_unregistered_nik(aid):
    status = await aid.lookup(UNREGISTERED)
    assert not status.registered and status.programmes == ()


async def test_nik_travels_in_the_body_never_the_url(aid, upstreams):
    await aid.lookup(REGISTERED)
    request = upstreams.requests[-1]
    assert request.method == "POST" and request.path == SOCIAL_AID_PATH
    assert REGISTERED not in request.path and REGISTERED not in str(request.query)
    assert request.body == {"nik": REGISTERED}


async def test_other_personal_fields_from_upstream_are_dropped(aid, upstreams):
    upstreams.fail_next(
        wrong_schema(
            {"registered": True, "programmes": ["PKH"], "name": "Siti", "address": "Jl. X"}
        )
    )
    status = await aid.lookup(REGISTERED)
    assert "Siti" not in repr(status) and "Jl. X" not in repr(status)


@pytest.mark.parametrize(
    "body",
    [
        {"registered": "ya", "programmes": []},
        {"registered": True, "programmes": "PKH"},
        {"registered": False, "programmes": ["PKH"]},
        {"registered": True, "programmes": [], "checked_at": "2026-11-28T09:00:00"},
    ],
    ids=["flag-not-bool", "programmes-not-list", "unregistered-with-programmes", "naive-time"],
)
async def test_answers_outside_the_contract_are_bad_responses(aid, upstreams, body):
    upstreams.fail_next(wrong_schema(body))
    with pytest.raises(UpstreamBadResponse):
        await aid.lookup(REGISTERED)


async def test_malformed_nik_is_refused_before_any_request(aid, upstreams):
    with pytest.raises(InvalidQuery) as caught:
        await aid.lookup("1871 0155 0590 0001")
    assert "1871" not in str(caught.value)  # the value is never echoed into messages/logs
    assert upstreams.count(SOCIAL_AID_PATH) == 0


async def test_demo_is_labelled_and_deterministic():
    moment = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)
    demo = DemoSocialAid(clock=lambda: moment)
    assert isinstance(demo, SocialAidProvider)
    answers = [await demo.lookup(f"18710155059{n:05d}") for n in range(1, 120)]
    assert all(a.is_demo and a.source == "demo" and a.checked_at == moment for a in answers)
    assert answers[0] == await demo.lookup("1871015505900001")
    registered = [a for a in answers if a.registered]
    assert 0 < len(registered) < len(answers)
    assert all(a.programmes for a in registered)
    assert all(not a.programmes for a in answers if not a.registered)
    known = {"PKH", "BPNT/Sembako", "PBI-JK", "BLT Dana Desa"}
    assert set().union(*(a.programmes for a in registered)) <= known
