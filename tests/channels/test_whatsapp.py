"""WhatsApp channel: signatures and parsing (unit), and the webhook driven as Meta would
drive it against a local fake Graph API (integration)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from prometheus_client import REGISTRY
from rasa.core.channels.channel import UserMessage
from rasa.shared.exceptions import RasaException

from bot.adapters.rate_limit import WHATSAPP_PAIR, MemoryRateLimiter
from bot.config import Settings
from bot.domain.identity import ChatIdentity
from channels.queues import read_queues
from channels.text import Replies
from channels.whatsapp import (
    BUTTON_TITLE_MAX,
    WhatsAppInput,
    parse_message,
    parse_webhook,
    verify_signature,
)
from tests.auxil import fake_whatsapp as meta
from tests.auxil.fake_whatsapp import FakeGraphApi
from tests.auxil.sanic_app import Script, ScriptedAgent, Served, broken, serve
from tests.channels.conftest import assert_shared_photo

WA_ID = "6281234567890"
NOW = int(time.time())
SENDER = f"wa:{WA_ID}"

# --------------------------------------------------------------------------- signatures


def test_signature_of_the_raw_body_with_the_app_secret_is_accepted() -> None:
    body = b'{"object": "whatsapp_business_account"}'
    assert verify_signature(meta.APP_SECRET, body, meta.signature(body))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        meta.signature(b"{}", "another-secret"),
        meta.signature(b'{"tampered": true}'),
        meta.signature(b"{}").removeprefix("sha256="),
        "sha1=" + "0" * 40,  # the header never chooses the algorithm
    ],
)
def test_wrong_missing_or_other_algorithm_signatures_are_refused(header: str | None) -> None:
    assert not verify_signature(meta.APP_SECRET, b"{}", header)


# --------------------------------------------------------------------------- parsing


def test_text_becomes_a_message_for_rasa_with_a_qualified_sender() -> None:
    inbound = parse_message(meta.text("halo", message_id="wamid.A"))
    assert inbound is not None
    assert inbound.sender_id == SENDER
    assert inbound.text == "halo"
    assert inbound.metadata == {"channel": "whatsapp", "message_id": "wamid.A"}
    assert inbound.dedupe_key == "wa:wamid.A"


@pytest.mark.parametrize(
    "interactive",
    [
        {"type": "button_reply", "button_reply": {"id": "/check_status", "title": "Cek status"}},
        {
            "type": "list_reply",
            "list_reply": {"id": "/check_status", "title": "Cek status", "description": "..."},
        },
    ],
)
def test_interactive_replies_arrive_as_the_buttons_payload(interactive: dict[str, Any]) -> None:
    inbound = parse_message(meta.message("interactive", interactive=interactive))
    assert inbound is not None
    assert inbound.text == "/check_status"
    assert inbound.metadata["button"] is True


def test_location_becomes_share_location_with_coordinates() -> None:
    location = {"latitude": -5.43, "longitude": 105.26, "name": "Kantor", "address": "Jl. A"}
    inbound = parse_message(meta.message("location", location=location))
    assert inbound is not None
    assert inbound.text == '/share_location{"latitude": -5.43, "longitude": 105.26}'
    assert inbound.metadata["location"] == location


def test_image_becomes_share_photo_with_the_media_id_and_caption() -> None:
    image = {"id": "1234567", "mime_type": "image/jpeg", "sha256": "x", "caption": "jalan rusak"}
    assert_shared_photo(
        parse_message(meta.message("image", image=image)), "wa:1234567", "jalan rusak"
    )


@pytest.mark.parametrize(
    "phone",
    [
        {"phone": "+62 812-3456-7890", "type": "CELL", "wa_id": "6281234567890"},
        {"phone": "+62 812-3456-7890", "type": "CELL"},  # not on WhatsApp: no wa_id
    ],
)
def test_contact_card_becomes_inform_phone_number(phone: dict[str, str]) -> None:
    contact = {"name": {"formatted_name": "Budi", "first_name": "Budi"}, "phones": [phone]}
    inbound = parse_message(meta.message("contacts", contacts=[contact]))
    assert inbound is not None
    assert inbound.text == '/inform{"phone_number": "081234567890"}'


@pytest.mark.parametrize(
    ("kind", "content", "answer"),
    [
        ("audio", {"audio": {"id": "A1", "voice": True}}, "voice"),
        ("audio", {"audio": {"id": "A1"}}, "audio"),
        ("sticker", {"sticker": {"id": "S1"}}, "sticker"),
        ("video", {"video": {"id": "V1"}}, "video"),
        ("document", {"document": {"id": "D1"}}, "document"),
        ("reaction", {"reaction": {"message_id": "wamid.X", "emoji": "👍"}}, "reaction"),
        ("unsupported", {"errors": [{"code": 131051}]}, "default"),
        ("order", {"order": {}}, "default"),
    ],
)
def test_media_tabik_cannot_read_gets_its_own_answer(
    kind: str, content: dict[str, Any], answer: str
) -> None:
    inbound = parse_message(meta.message(kind, **content))
    assert inbound is not None
    assert inbound.unsupported == answer and inbound.text is None


def test_removed_reactions_and_system_messages_need_no_answer() -> None:
    removed = meta.message("reaction", reaction={"message_id": "x", "emoji": ""})
    assert parse_message(removed) is None
    assert parse_message(meta.message("system", system={"body": "changed number"})) is None


def test_a_batched_delivery_yields_every_message_in_order() -> None:
    first = meta.delivery(meta.text("satu", timestamp=100), meta.text("dua", timestamp=101))
    second = meta.delivery(meta.text("tiga", wa_id="6289999", timestamp=102))
    payload = {**first, "entry": first["entry"] + second["entry"]}
    payload["entry"][0]["changes"].append(
        {
            "field": "messages",
            "value": meta.delivery(meta.text("nol", timestamp=99))["entry"][0]["changes"][0][
                "value"
            ],
        }
    )
    texts = [m.text for m in parse_webhook(payload, phone_number_id=meta.PHONE_NUMBER_ID)]
    assert texts == ["nol", "satu", "dua", "tiga"]


def test_other_numbers_and_contacts_without_wa_id_are_handled() -> None:
    foreign = meta.delivery(meta.text("halo"), phone_number_id="999")
    assert parse_webhook(foreign, phone_number_id=meta.PHONE_NUMBER_ID) == []
    anonymous = meta.delivery(meta.text("halo"), contacts=[{"profile": {"name": "X"}}])
    assert [m.text for m in parse_webhook(anonymous, phone_number_id=meta.PHONE_NUMBER_ID)] == [
        "halo"
    ]


# --------------------------------------------------------------------------- webhook


class Harness(Served[FakeGraphApi]):
    fixtures = ("whatsapp", "graph_api")

    async def post(
        self,
        payload: dict[str, Any],
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> int:
        signed_body, signed_headers = meta.signed(payload)
        return await self.send(
            body if body is not None else signed_body,
            signed_headers if headers is None else headers,
        )

    async def verify(self, params: dict[str, str]) -> tuple[int, str]:
        async with self.http.get(f"{self.url}/webhook", params=params) as answer:
            return answer.status, await answer.text()

    async def reply_to(self, text: str) -> dict[str, Any]:
        """The first message sent back once the resident wrote ``text``."""
        await self.post(meta.delivery(meta.text(text)))
        return (await self.fake.wait_for_sent(1))[0]

    def texts(self) -> list[str]:
        return [m["text"]["body"] for m in self.fake.sent if m["type"] == "text"]


async def test_verification_echoes_the_challenge_only_for_the_right_token(
    harness: Harness,
) -> None:
    right = {
        "hub.mode": "subscribe",
        "hub.verify_token": meta.VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    assert await harness.verify(right) == (200, "1158201444")
    for wrong in (
        {**right, "hub.verify_token": "guess"},
        {**right, "hub.mode": "unsubscribe"},
        {"hub.challenge": "1"},
    ):
        status, text = await harness.verify(wrong)
        assert status == 403 and "1158201444" not in text


async def test_unsigned_and_forged_posts_are_rejected_with_nothing_sent(harness: Harness) -> None:
    body = json.dumps(meta.delivery(meta.text("halo"))).encode()
    assert await harness.post({}, body=body, headers={"Content-Type": "application/json"}) == 401
    forged = {"X-Hub-Signature-256": meta.signature(body, "stolen-guess")}
    assert await harness.post({}, body=body, headers=forged) == 403
    await harness.settle()
    assert harness.agent.handled == [] and harness.fake.requests == []


async def test_malformed_json_is_400_and_unknown_objects_are_ignored(harness: Harness) -> None:
    body = b"{not json"
    assert (
        await harness.post({}, body=body, headers={"X-Hub-Signature-256": meta.signature(body)})
        == 400
    )
    assert await harness.post({"object": "page", "entry": []}) == 200
    assert harness.agent.handled == []


async def test_a_message_is_acknowledged_before_it_is_processed(
    whatsapp: WhatsAppInput,
    graph_api: tuple[FakeGraphApi, str],
) -> None:
    release = asyncio.Event()

    class SlowAgent(ScriptedAgent):
        async def handle_message(self, message: UserMessage) -> None:
            await release.wait()
            await super().handle_message(message)

    async with serve(whatsapp, SlowAgent()) as url, aiohttp.ClientSession() as http:
        body, headers = meta.signed(meta.delivery(meta.text("halo")))
        async with http.post(f"{url}/webhook", data=body, headers=headers) as answer:
            assert answer.status == 200  # while Rasa has not even started
        assert graph_api[0].sent == []
        release.set()
        sent = await graph_api[0].wait_for_sent(1)
    request = graph_api[0].requests[0]
    assert request["path"] == f"/v21.0/{meta.PHONE_NUMBER_ID}/messages"
    assert request["headers"]["Authorization"] == f"Bearer {meta.ACCESS_TOKEN}"
    assert sent[0]["to"] == WA_ID and sent[0]["text"]["body"] == "echo: halo"


async def test_rasa_gets_the_sender_channel_and_metadata(harness: Harness) -> None:
    await harness.post(meta.delivery(meta.text("halo", message_id="wamid.M1")))
    await harness.fake.wait_for_sent(1)
    message = harness.agent.handled[0]
    assert message.sender_id == SENDER
    assert message.input_channel == "whatsapp"
    assert message.metadata == {"tabik": {"channel": "whatsapp", "message_id": "wamid.M1"}}


async def test_a_redelivered_message_is_answered_once(harness: Harness) -> None:
    payload = meta.delivery(meta.text("halo", message_id="wamid.SAME"))
    assert [await harness.post(payload) for _ in range(3)] == [200, 200, 200]
    await harness.settle()
    assert harness.texts() == ["echo: halo"]


async def test_concurrent_duplicates_are_answered_once(harness: Harness) -> None:
    payload = meta.delivery(meta.text("halo", message_id="wamid.TWIN"))
    statuses = await asyncio.gather(*(harness.post(payload) for _ in range(6)))
    assert set(statuses) == {200}
    await harness.settle()
    assert harness.texts() == ["echo: halo"]


async def test_a_burst_from_one_resident_is_answered_in_order(harness: Harness) -> None:
    harness.agent.delay = 0.01
    for n in range(6):
        assert await harness.post(meta.delivery(meta.text(f"pesan {n}"))) == 200
    await harness.settle()
    assert harness.texts() == [f"echo: pesan {n}" for n in range(6)]
    assert harness.agent.max_active_per_sender[SENDER] == 1


async def test_statuses_are_acknowledged_and_never_answered(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    statuses: list[dict[str, Any]] = [
        {"id": "wamid.OUT1", "status": "delivered", "timestamp": "1", "recipient_id": WA_ID},
        {
            "id": "wamid.OUT2",
            "status": "failed",
            "timestamp": "1",
            "recipient_id": WA_ID,
            "errors": [{"code": 131026, "title": "Message undeliverable"}],
        },
    ]
    with caplog.at_level(logging.WARNING):
        assert await harness.post(meta.delivery(statuses=statuses)) == 200
    await harness.settle()
    assert harness.fake.requests == [] and harness.agent.handled == []
    assert "131026" in caplog.text and WA_ID not in caplog.text


async def test_throughput_429_is_retried_honouring_retry_after(
    harness: Harness, sleeps: Any
) -> None:
    harness.fake.fail_next(429, code=130429, message="Rate limit hit", headers={"Retry-After": "2"})
    harness.fake.fail_next(400, code=131056, message="pair rate limit")
    await harness.post(meta.delivery(meta.text("halo")))
    await harness.fake.wait_for_sent(1)
    assert harness.texts() == ["echo: halo"]
    assert sleeps.delays[:2] == [2.0, 0.02]  # Retry-After, then the pair-rate pause


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_message_and_its_reply_show_in_the_metrics_once(
    harness: Harness,
) -> None:
    received = sample("tabik_messages_received_total", channel="whatsapp")
    sent = sample("tabik_messages_sent_total", channel="whatsapp", outcome="sent")
    turns = sample("tabik_turn_seconds_count", channel="whatsapp")
    delivery = meta.delivery(meta.text("halo", message_id="wamid.METRICS"))
    assert await harness.post(delivery) == 200
    assert await harness.post(delivery) == 200  # Meta's redelivery: not a new message
    await harness.settle()
    assert sample("tabik_messages_received_total", channel="whatsapp") == received + 1
    assert sample("tabik_messages_sent_total", channel="whatsapp", outcome="sent") == sent + 1
    assert sample("tabik_turn_seconds_count", channel="whatsapp") == turns + 1


async def test_queue_gauges_show_what_waits_and_for_how_long(whatsapp: WhatsAppInput) -> None:
    queues = whatsapp.queues
    await queues.outbox.enqueue(
        ChatIdentity.from_sender_id(SENDER), [{"text": "tunggu"}], kind="staff", key="gauge-1"
    )
    await asyncio.sleep(0.05)
    await read_queues(queues)
    assert sample("tabik_queue_depth", queue="outbox") == 1
    assert sample("tabik_outbox_oldest_age_seconds") > 0


async def test_a_resident_over_the_pair_rate_waits_alone_and_nothing_is_lost(
    harness: Harness,
) -> None:
    # WhatsApp's pair rate scaled down: one message, then one every 0.5 s; a wait
    # longer than 0.1 s is not slept in place but makes the row due again later.
    harness.channel.client.pair = replace(WHATSAPP_PAIR, rate=2.0, burst=1)
    harness.channel.client.limiter = MemoryRateLimiter(max_wait=0.1)
    other = "6281298765432"
    retries = sample("tabik_retries_total", target="whatsapp", reason="RateLimited")
    assert await harness.post(meta.delivery(meta.text("satu"))) == 200
    await harness.fake.wait_for_sent(1)
    started = time.monotonic()
    assert await harness.post(meta.delivery(meta.text("dua"))) == 200
    assert await harness.post(meta.delivery(meta.text("halo", other))) == 200
    await harness.settle()
    assert [(m["to"], m["text"]["body"]) for m in harness.fake.sent] == [
        (WA_ID, "echo: satu"),
        (other, "echo: halo"),  # not held up by the first resident's limit
        (WA_ID, "echo: dua"),
    ]
    assert time.monotonic() - started >= 0.3
    assert sample("tabik_retries_total", target="whatsapp", reason="RateLimited") == retries + 1


async def test_a_dead_graph_api_loses_no_reply_and_keeps_their_order(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # Longer than one send's own retries (4 tries): the outbox tries again later.
    harness.fake.fail_next(500, code=2, message="Service temporarily unavailable", times=10)
    assert await harness.post(meta.delivery(meta.text("satu"))) == 200
    assert await harness.post(meta.delivery(meta.text("dua"))) == 200
    await harness.settle()
    assert "Service temporarily unavailable" in caplog.text
    assert harness.texts() == ["echo: satu", "echo: dua"]
    assert len(harness.fake.requests) == 12  # 10 refused, then each reply once


@pytest.mark.parametrize("script", [broken])
async def test_rasa_failing_gets_the_resident_an_apology(
    harness: Harness, replies: Replies
) -> None:
    assert await harness.post(meta.delivery(meta.text("halo"))) == 200
    sent = await harness.fake.wait_for_sent(1)
    assert sent[0]["text"]["body"] == replies["processing_failed"]


async def test_image_and_location_go_to_rasa(
    harness: Harness,
) -> None:
    image = {"id": harness.fake.upload(), "mime_type": "image/jpeg", "caption": "sampah menumpuk"}
    await harness.post(
        meta.delivery(
            meta.message("image", image=image, timestamp=NOW),
            meta.message(
                "location", location={"latitude": -5.4, "longitude": 105.3}, timestamp=NOW + 1
            ),
        )
    )
    await harness.settle()
    first, second = harness.agent.handled
    assert first.text == '/share_photo{"attachment_id": "wa:' + image["id"] + '"}'
    assert first.metadata["tabik"]["attachment"]["caption"] == "sampah menumpuk"
    assert second.text == '/share_location{"latitude": -5.4, "longitude": 105.3}'


async def test_voice_and_sticker_are_answered_by_the_channel(
    harness: Harness, replies: Replies
) -> None:
    await harness.post(
        meta.delivery(
            meta.message("audio", audio={"id": "A", "voice": True}, timestamp=NOW),
            meta.message("sticker", sticker={"id": "S"}, timestamp=NOW + 1),
        )
    )
    await harness.settle()
    assert harness.agent.handled == []
    assert harness.texts() == [replies.for_unsupported("voice"), replies.for_unsupported("sticker")]


def _menu(count: int, title: str = "Pilihan") -> Script:
    buttons = [
        {"title": f"{title} {i}", "payload": f'/inform{{"choice": {i}}}'}
        for i in range(1, count + 1)
    ]
    return lambda message: [{"text": "Silakan pilih layanan:", "buttons": buttons}]


LONG_TITLES = [
    "Pengaduan jalan rusak di desa",
    "Permohonan KTP elektronik baru",
    "Cek status tiket",
]


@pytest.mark.parametrize(
    "script",
    [
        lambda m: [
            {
                "text": "Silakan pilih:",
                "buttons": [
                    {"title": t, "payload": f"/choice_{i}"} for i, t in enumerate(LONG_TITLES)
                ],
            }
        ]
    ],
)
async def test_three_buttons_become_reply_buttons_within_the_limits(harness: Harness) -> None:
    sent = await harness.reply_to("menu")  # the fake refuses broken limits
    interactive = sent["interactive"]
    assert interactive["type"] == "button"
    buttons = [b["reply"] for b in interactive["action"]["buttons"]]
    assert [b["id"] for b in buttons] == ["/choice_0", "/choice_1", "/choice_2"]
    assert [b["title"] for b in buttons] == [
        "Pengaduan jalan…",
        "Permohonan KTP…",
        "Cek status tiket",
    ]
    assert all(len(b["title"]) <= BUTTON_TITLE_MAX for b in buttons)


@pytest.mark.parametrize("script", [_menu(3, "Surat Keterangan Tidak Mampu")])
async def test_buttons_whose_short_titles_collide_become_a_list(harness: Harness) -> None:
    sent = await harness.reply_to("menu")
    # "Surat Keterangan…" three times would be ambiguous (and refused by Meta).
    assert sent["interactive"]["type"] == "list"
    rows = sent["interactive"]["action"]["sections"][0]["rows"]
    assert [r["description"] for r in rows] == [
        f"Surat Keterangan Tidak Mampu {i}" for i in (1, 2, 3)
    ]


@pytest.mark.parametrize("script", [_menu(3)])
async def test_tapping_a_reply_button_reaches_rasa_as_its_payload(harness: Harness) -> None:
    sent = await harness.reply_to("menu")
    assert sent["interactive"]["type"] == "button"
    tapped = sent["interactive"]["action"]["buttons"][1]["reply"]
    await harness.post(
        meta.delivery(
            meta.message(
                "interactive", interactive={"type": "button_reply", "button_reply": tapped}
            )
        )
    )
    await harness.settle()
    assert harness.agent.handled[-1].text == '/inform{"choice": 2}'
    assert harness.agent.handled[-1].metadata["tabik"]["button"] is True


@pytest.mark.parametrize("script", [_menu(8, "Akta Kelahiran untuk anak yang baru lahir")])
async def test_up_to_ten_buttons_become_a_list_within_the_limits(harness: Harness) -> None:
    sent = await harness.reply_to("menu")  # the fake refuses broken limits
    interactive = sent["interactive"]
    assert interactive["type"] == "list"
    rows = interactive["action"]["sections"][0]["rows"]
    assert len(rows) == 8
    assert rows[0]["title"].endswith("…")
    assert rows[0]["description"].startswith("Akta Kelahiran untuk anak")


@pytest.mark.parametrize("script", [_menu(12)])
async def test_more_than_ten_buttons_become_numbered_text(
    harness: Harness, replies: Replies
) -> None:
    text = (await harness.reply_to("menu"))["text"]["body"]
    assert "1. Pilihan 1" in text and "12. Pilihan 12" in text
    assert replies["numbered_hint"] in text


@pytest.mark.parametrize(
    "script", [lambda m: [{"text": "Kirim lokasi kejadian.", "custom": {"request_location": True}}]]
)
async def test_a_form_asking_for_the_location_sends_a_location_request(
    harness: Harness,
) -> None:
    sent = await harness.reply_to("aduan")
    assert sent["interactive"] == {
        "type": "location_request_message",
        "body": {"text": "Kirim lokasi kejadian."},
        "action": {"name": "send_location"},
    }


@pytest.mark.parametrize("script", [lambda m: [{"text": "Informasi. " * 700}]])
async def test_long_answers_are_split_into_messages_within_the_limit(harness: Harness) -> None:
    await harness.post(meta.delivery(meta.text("info")))
    await harness.settle()
    texts = harness.texts()
    assert len(texts) == 2 and all(len(t) <= 4096 for t in texts)


async def test_notifications_use_the_template_outside_the_24_hour_window(
    harness: Harness,
) -> None:
    output = harness.channel.get_output_channel()
    await output.send_notification("wa:6280000000001", "Tiket ADU-1 selesai.", ["ADU-1", "selesai"])
    template = harness.fake.sent[-1]
    assert template["type"] == "template"
    assert template["template"]["name"] == "tabik_status_update"
    assert template["template"]["components"][0]["parameters"][0] == {
        "type": "text",
        "text": "ADU-1",
    }
    await harness.post(meta.delivery(meta.text("halo", timestamp=int(time.time()))))
    await harness.settle()
    await output.send_notification(SENDER, "Tiket ADU-1 selesai.", ["ADU-1", "selesai"])
    assert harness.fake.sent[-1]["text"]["body"] == "Tiket ADU-1 selesai."


async def test_no_graph_api_call_at_start_up(harness: Harness) -> None:
    await asyncio.sleep(0.05)
    assert harness.fake.requests == []


# --------------------------------------------------------------------------- configuration


def test_configuration_comes_from_the_environment_with_overrides() -> None:
    env = {
        "WHATSAPP_VERIFY_TOKEN": "v",
        "WHATSAPP_APP_SECRET": "s",
        "WHATSAPP_ACCESS_TOKEN": "a",
        "WHATSAPP_PHONE_NUMBER_ID": "1",
    }
    channel = WhatsAppInput.from_settings(Settings.from_env(env), {"api_base": "http://x/v1/"})
    assert channel.name() == "whatsapp"
    assert channel.settings.app_secret == "s"
    assert channel.client.messages_url == "http://x/v1/1/messages"


def test_without_credentials_the_channel_refuses_to_start() -> None:
    with pytest.raises(RasaException):
        WhatsAppInput.from_settings(Settings.from_env({}), None)


async def test_replies_after_the_window_closed_go_as_the_reply_template(
    whatsapp: WhatsAppInput, graph_api: tuple[FakeGraphApi, str], replies: Replies
) -> None:
    # A staff answer to a resident whose last message is older than 24 hours.
    resident = ChatIdentity("whatsapp", "6280000000002")
    menu = {
        "text": "Balasan petugas:\nJalan akan diperbaiki.",
        "buttons": [{"title": "Cek status", "payload": "/check_status"}],
    }
    await whatsapp.queues.outbox.enqueue(resident, [menu], kind="staff", key="staff:1")
    whatsapp.start_workers()
    await whatsapp.queues.settled()
    [sent] = graph_api[0].sent
    assert sent["type"] == "template" and sent["template"]["name"] == "tabik_reply"
    [parameter] = sent["template"]["components"][0]["parameters"]
    # One line (Meta refuses line breaks in parameters), the menu as a numbered choice.
    assert "\n" not in parameter["text"]
    assert "Jalan akan diperbaiki." in parameter["text"] and "1. Cek status" in parameter["text"]


async def test_meta_closing_the_window_first_gets_the_template_instead(
    harness: Harness,
) -> None:
    harness.fake.fail_next(400, code=131047, message="Re-engagement message")
    assert await harness.post(meta.delivery(meta.text("halo"))) == 200
    await harness.settle()
    [sent] = harness.fake.sent
    assert sent["type"] == "template" and sent["template"]["name"] == "tabik_reply"
    assert sent["template"]["components"][0]["parameters"][0]["text"] == "echo: halo"
