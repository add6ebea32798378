"""WhatsApp deliveries as Meta documents them: photos kept when they arrive, group
messages, deleted and edited messages, and deliveries the store cannot hold.

The payloads follow the Cloud API's webhook reference (messages: image, document,
group, revoke, edit, unsupported).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from bot.domain.identity import ChatIdentity
from bot.services.inbound import IncomingMessage, UnstorableMessage
from channels.queues import ChannelQueues
from channels.text import Replies
from channels.whatsapp import parse_message, parse_webhook
from tests.auxil import fake_whatsapp as meta
from tests.auxil.fake_whatsapp import JPEG, PNG, SVG, FakeGraphApi
from tests.auxil.sanic_app import Served

WA_ID = "6281234567890"
NOW = int(time.time())


class Harness(Served[FakeGraphApi]):
    fixtures = ("whatsapp", "graph_api")

    async def post(self, payload: dict[str, Any]) -> int:
        body, headers = meta.signed(payload)
        return await self.send(body, headers)

    def texts(self) -> list[str]:
        return [m["text"]["body"] for m in self.fake.sent if m.get("type") == "text"]


# --------------------------------------------------------------------------- parsing


def test_a_group_message_is_never_answered_in_the_senders_private_chat() -> None:
    group = meta.text("halo semua", group_id="120363025246125244@g.us")
    assert parse_message(group) is None
    assert parse_webhook(meta.delivery(group), phone_number_id=meta.PHONE_NUMBER_ID) == []


@pytest.mark.parametrize(
    "deleted",
    [
        meta.message("revoke", revoke={"original_message_id": "wamid.ORIG1"}),
        meta.message(
            "unsupported",
            unsupported={"type": "revoke"},
            errors=[{"code": 131051, "title": "Message type unknown"}],
        ),
    ],
)
def test_a_deleted_message_gets_no_reply(deleted: dict[str, Any]) -> None:
    assert parse_message(deleted) is None


def test_an_edit_is_the_corrected_message_marked_as_amending_its_original() -> None:
    edit = meta.message(
        "edit",
        message_id="wamid.EDIT1",
        edit={
            "original_message_id": "wamid.ORIG1",
            "message": {"type": "text", "text": {"body": "jalan rusak di Natar"}},
        },
    )
    inbound = parse_message(edit)
    assert inbound is not None
    assert inbound.text == "jalan rusak di Natar"
    assert inbound.amends == "wa:wamid.ORIG1" and inbound.dedupe_key == "wa:wamid.EDIT1"


@pytest.mark.parametrize(
    "edit",
    [{}, {"original_message_id": "wamid.X"}, {"message": {"type": "text", "text": {"body": "a"}}},
     {"original_message_id": "wamid.X", "message": {"type": "edit", "edit": {}}}],
)  # fmt: skip
def test_an_edit_without_its_parts_is_ignored(edit: dict[str, Any]) -> None:
    assert parse_message(meta.message("edit", edit=edit)) is None


@pytest.mark.parametrize("media_id", ["../me", "MEDIA1", "12 34", "", None, True, ["1"]])
def test_a_photo_without_a_numeric_media_id_attaches_nothing(media_id: Any) -> None:
    inbound = parse_message(meta.message("image", image={"id": media_id}))
    assert inbound is not None and "attachment" not in inbound.metadata


def test_an_image_sent_as_a_document_is_a_photo_other_documents_are_not() -> None:
    photo = parse_message(
        meta.message("document", document={"id": "5550001", "mime_type": "image/png"})
    )
    pdf = parse_message(
        meta.message("document", document={"id": "5550002", "mime_type": "application/pdf"})
    )
    assert photo is not None and photo.metadata["attachment"]["id"] == "wa:5550001"
    assert pdf is not None and pdf.unsupported == "document"


def test_a_nan_timestamp_is_no_time() -> None:
    inbound = parse_message({**meta.text("halo"), "timestamp": float("nan")})
    assert inbound is not None and inbound.sent_at is None


# --------------------------------------------------------------------------- the store


def incoming(platform_id: str, text: str, amends: str | None = None) -> IncomingMessage:
    return IncomingMessage(
        sender=ChatIdentity(channel="whatsapp", account=WA_ID),
        platform_id=platform_id,
        message={"text": text, "metadata": {"channel": "whatsapp"}, "message_id": platform_id},
        amends=amends,
    )


async def test_an_edit_of_a_waiting_message_is_read_in_its_place(queues: ChannelQueues) -> None:
    inbound = queues.inbound
    await inbound.accept([incoming("wa:ORIG", "jalan rusak di Natra")])
    stored = await inbound.accept([incoming("wa:EDIT", "jalan rusak di Natar", amends="wa:ORIG")])
    again = await inbound.accept([incoming("wa:EDIT", "jalan rusak di Natar", amends="wa:ORIG")])

    claimed = await inbound.claim(channel="whatsapp", worker="w")
    assert stored == [] and again == []
    assert [(c.platform_id, c.message["text"]) for c in claimed] == [
        ("wa:ORIG", "jalan rusak di Natar")
    ]
    assert claimed[0].message["message_id"] == "wa:ORIG"  # its own ids and place in line


async def test_an_edit_after_its_original_was_taken_is_a_new_message(
    queues: ChannelQueues,
) -> None:
    inbound = queues.inbound
    await inbound.accept([incoming("wa:ORIG", "lapor jalan")])
    await inbound.claim(channel="whatsapp", worker="w")
    stored = await inbound.accept([incoming("wa:EDIT", "lapor sampah", amends="wa:ORIG")])
    assert len(stored) == 1


async def test_another_senders_edit_never_rewrites_a_message(queues: ChannelQueues) -> None:
    inbound = queues.inbound
    await inbound.accept([incoming("wa:ORIG", "lapor jalan")])
    forged = IncomingMessage(
        sender=ChatIdentity(channel="whatsapp", account="6289999999999"),
        platform_id="wa:EDIT",
        message={"text": "something else"},
        amends="wa:ORIG",
    )
    await inbound.accept([forged])
    claimed = await inbound.claim(channel="whatsapp", worker="w", limit=5)
    assert {c.message["text"] for c in claimed} == {"lapor jalan", "something else"}


async def test_nan_nul_and_lone_surrogates_are_stored_as_json_every_database_keeps(
    queues: ChannelQueues,
) -> None:
    message = IncomingMessage(
        sender=ChatIdentity(channel="whatsapp", account=WA_ID),
        platform_id="wa:ODD",
        message={"text": "a\x00b\ud800c", "sent_at": float("nan"), "x": [float("inf")]},
    )
    await queues.inbound.accept([message])
    claimed = await queues.inbound.claim(channel="whatsapp", worker="w")
    assert claimed[0].message["sent_at"] is None and claimed[0].message["x"] == [None]
    assert "\x00" not in claimed[0].message["text"]
    json.dumps(claimed[0].message, allow_nan=False).encode("utf-8")


@pytest.mark.parametrize(
    ("account", "platform_id"), [("6" * 129, "wa:A"), (WA_ID, "wa:" + "x" * 200)]
)
async def test_ids_longer_than_the_store_holds_are_refused_for_good(
    queues: ChannelQueues, account: str, platform_id: str
) -> None:
    message = IncomingMessage(
        sender=ChatIdentity(channel="whatsapp", account=account),
        platform_id=platform_id,
        message={"text": "halo"},
    )
    with pytest.raises(UnstorableMessage):
        await queues.inbound.accept([message])


# --------------------------------------------------------------------------- served


def nothing_in(folder: Path) -> bool:
    return not folder.exists() or list(folder.iterdir()) == []


def block(folder: Path) -> None:
    """A file where the media folder should be: nothing can be written (as on a full disk)."""
    folder.write_text("not a folder")


async def test_a_photo_is_kept_when_it_arrives_and_typed_by_its_bytes(
    harness: Harness, media_dir: Path
) -> None:
    media_id = harness.fake.upload(PNG, "image/jpeg")
    await harness.post(meta.delivery(meta.message("image", image={"id": media_id})))
    await harness.settle()

    (handled,) = harness.agent.handled
    assert handled.metadata["tabik"]["attachment"]["mime_type"] == "image/png"
    assert (media_dir / f"wa_{media_id}").read_bytes() == PNG
    assert harness.fake.unissued_media_requests() == []


@pytest.mark.parametrize(
    ("upload", "reply"),
    [((SVG, "image/svg+xml"), "photo_not_image"), ((JPEG * 0, "image/jpeg"), "photo_not_image"),
     (None, "photo_failed")],
)  # fmt: skip
async def test_a_photo_that_cannot_be_kept_gets_a_request_to_resend_and_no_turn(
    harness: Harness,
    replies: Replies,
    media_dir: Path,
    upload: tuple[bytes, str] | None,
    reply: str,
) -> None:
    media_id = harness.fake.upload(*upload) if upload else "777000777"  # unknown to Meta
    assert await harness.post(meta.delivery(meta.message("image", image={"id": media_id}))) == 200
    await harness.settle()

    assert harness.agent.handled == []
    assert harness.texts() == [replies[reply]]
    assert nothing_in(media_dir)


async def test_a_full_media_folder_gets_a_request_to_resend(
    harness: Harness, replies: Replies, media_dir: Path
) -> None:
    block(media_dir)
    await harness.post(meta.delivery(meta.message("image", image={"id": harness.fake.upload()})))
    await harness.settle()
    assert harness.agent.handled == [] and harness.texts() == [replies["photo_failed"]]


async def test_a_typed_photo_payload_reaches_rasa_as_text_with_no_attachment(
    harness: Harness,
) -> None:
    typed = '/share_photo{"attachment_id": "wa:../../me?fields=id"}'
    await harness.post(meta.delivery(meta.text(typed)))
    await harness.settle()
    (handled,) = harness.agent.handled
    assert "attachment" not in handled.metadata["tabik"]
    assert harness.fake.media_requests == []


async def test_group_and_deleted_messages_get_no_reply(harness: Harness) -> None:
    group = meta.text("halo", group_id="120363025246125244@g.us", timestamp=NOW)
    deleted = meta.message("revoke", revoke={"original_message_id": "wamid.X"}, timestamp=NOW)
    assert await harness.post(meta.delivery(group, deleted)) == 200
    await harness.settle()
    assert harness.agent.handled == [] and harness.fake.sent == []


@pytest.mark.parametrize(
    "sender", ["6" * 300, "62812\x0034", {"not": "a number"}, ["628"], 6.0e300]
)
async def test_a_delivery_the_store_cannot_hold_is_acknowledged_and_dropped(
    harness: Harness, sender: Any
) -> None:
    message = {**meta.text("halo"), "from": sender, "timestamp": "NaN"}
    assert await harness.post(meta.delivery(message, contacts=[])) == 200
    await harness.settle()
