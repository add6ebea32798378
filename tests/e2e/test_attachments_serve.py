"""Photos through ``make serve`` (issue 16): only a photo the platform delivered is attached.

Black box: Meta's side is the fake Graph API, which issues media ids for the photos
residents "send" and records every request it gets. A resident typing the photo
button's payload with an id of their choosing attaches nothing, and Tabik asks the
Graph API for nothing it did not issue; a real photo is downloaded when it arrives.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.auxil import fake_whatsapp
from tests.auxil.fake_whatsapp import JPEG
from tests.auxil.tabik_server import TabikServer, drive_form
from tests.e2e.conftest import Fakes
from tests.e2e.test_channels_serve import new_wa_id, wa_say
from tests.e2e.test_rest_conversations import COMPLAINT_ANSWERS, TICKET

pytestmark = pytest.mark.slow

FORGED_IDS = ("919191919191", "../../109876543210/messages")


def complaint_with(
    tabik: TabikServer, fakes: Fakes, wa_id: str, photo_answers: list[dict[str, object]]
) -> tuple[str, list[str]]:
    """A complaint filed over WhatsApp, answering the photo question with each message of
    ``photo_answers`` in turn (then "lewati"); the ticket number and the photo turns' slot."""
    asked_after: list[str] = []

    def say(message: dict[str, object]) -> str:
        return wa_say(tabik, fakes, wa_id, message)

    def answer(slot: str | None) -> dict[str, object] | None:
        if slot == "attachment_id" and photo_answers:
            return photo_answers.pop(0)
        text = COMPLAINT_ANSWERS.get(slot or "")
        return fake_whatsapp.text(text, wa_id) if text else None

    def send(message: dict[str, object]) -> str:
        said = say(message)
        if message.get("type") == "image" or "share_photo" in str(message.get("text")):
            asked_after.append(str(tabik.requested_slot(f"wa:{wa_id}")))
        return said

    said = [say(fake_whatsapp.text("mau lapor jalan rusak", wa_id))]
    requested: Callable[[], str | None] = lambda: tabik.requested_slot(f"wa:{wa_id}")  # noqa: E731
    said += drive_form(answer, send, requested)  # type: ignore[arg-type]
    match = TICKET.search("\n".join(said))
    assert match, said[-2:]
    return match.group(0), asked_after


def attachments_of(tabik: TabikServer, number: str) -> int:
    shown = tabik.cli("ticket", "show", number)
    found = re.search(r"Lampiran / files\s*:\s*(\d+)", shown)
    assert found, shown
    return int(found.group(1))


def test_a_typed_photo_payload_attaches_nothing_and_asks_the_platform_nothing(
    tabik: TabikServer, fakes: Fakes
) -> None:
    wa_id = new_wa_id()
    before = len(fakes.graph.media_requests)
    typed = [
        fake_whatsapp.text(f'/share_photo{{"attachment_id": "wa:{forged}"}}', wa_id)
        for forged in FORGED_IDS
    ]

    number, asked_after = complaint_with(tabik, fakes, wa_id, typed)

    assert attachments_of(tabik, number) == 0
    assert asked_after == ["attachment_id"] * len(FORGED_IDS)  # the form went on asking
    assert fakes.graph.media_requests[before:] == []
    assert fakes.graph.unissued_media_requests() == []


def test_a_delivered_photo_is_downloaded_when_it_arrives_and_attached(
    tabik: TabikServer, fakes: Fakes
) -> None:
    wa_id = new_wa_id()
    media_id = fakes.graph.upload(JPEG, "image/jpeg")
    photo = fake_whatsapp.message("image", wa_id, image={"id": media_id, "mime_type": "image/jpeg"})

    number, _ = complaint_with(tabik, fakes, wa_id, [photo])

    assert attachments_of(tabik, number) == 1
    assert (tabik.workdir / "var" / "media" / f"wa_{media_id}").read_bytes() == JPEG
    mine = [r for r in fakes.graph.media_requests if r["media_id"] == media_id]
    assert [r["path"].split("/")[1] for r in mine] == ["v21.0", "whatsapp_business"]
    assert fakes.graph.unissued_media_requests() == []
