"""Telegram channel: update parsing (unit), and the webhook driven as Telegram would drive
it against a local fake Bot API (integration)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

import pytest
from rasa.shared.exceptions import RasaException
from telegram import Bot

from bot.adapters.rate_limit import TELEGRAM_OVERALL, TELEGRAM_PER_CHAT, RateLimited
from bot.config import Settings
from channels.retry import Retry
from channels.telegram import TelegramInput, classify_for_outbox, parse_update
from channels.text import Replies
from tests.auxil import fake_telegram as tg
from tests.auxil.fake_telegram import FakeBotApi
from tests.auxil.fake_whatsapp import JPEG
from tests.auxil.sanic_app import Served, broken
from tests.channels.conftest import assert_shared_photo

SENDER = f"tg:{tg.CHAT_ID}"
STICKER = {
    "file_id": "s",
    "file_unique_id": "s",
    "width": 1,
    "height": 1,
    "is_animated": False,
    "is_video": False,
    "type": "regular",
}

# --------------------------------------------------------------------------- parsing


@pytest.fixture
def bot() -> Bot:
    return Bot(tg.BOT_TOKEN, base_url="http://127.0.0.1:9/bot")  # never called


def test_text_becomes_a_message_for_rasa_with_a_qualified_sender(bot: Bot) -> None:
    update = tg.message_update(text="halo", update_id=77)
    inbound = parse_update(update, bot)
    assert inbound is not None
    assert (inbound.sender_id, inbound.text, inbound.dedupe_key) == (SENDER, "halo", "tg:77")
    assert inbound.metadata == {
        "channel": "telegram",
        "message_id": update["message"]["message_id"],
    }


@pytest.mark.parametrize(
    ("typed", "intent"),
    [
        ("/start", "/greet"),
        ("/start@TabikBot", "/greet"),
        ("/start kode-undangan", "/greet"),
        ("/help", "/help"),
        ("/check_status", "/check_status"),
    ],
)
def test_bot_commands_become_rasa_intents(bot: Bot, typed: str, intent: str) -> None:
    inbound = parse_update(tg.message_update(text=typed), bot)
    assert inbound is not None and inbound.text == intent


def test_location_becomes_share_location(bot: Bot) -> None:
    inbound = parse_update(
        tg.message_update(location={"latitude": -5.43, "longitude": 105.26}), bot
    )
    assert inbound is not None
    assert inbound.text == '/share_location{"latitude": -5.43, "longitude": 105.26}'
    assert inbound.metadata["location"]["latitude"] == -5.43


def test_photo_becomes_share_photo_with_the_largest_size(bot: Bot) -> None:
    update = tg.message_update(photo=tg.photo_sizes("P1"), caption="lampu jalan mati")
    assert_shared_photo(parse_update(update, bot), "tg:P1-l", "lampu jalan mati")


def test_shared_contact_becomes_inform_phone_number(bot: Bot) -> None:
    contact = {"phone_number": "6281234567890", "first_name": "Warga", "user_id": tg.CHAT_ID}
    inbound = parse_update(tg.message_update(contact=contact), bot)
    assert inbound is not None
    assert inbound.text == '/inform{"phone_number": "081234567890"}'
    assert inbound.metadata["contact"]["own"] is True


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ({"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}}, "voice"),
        ({"sticker": STICKER}, "sticker"),
        (
            {
                "video": {
                    "file_id": "v",
                    "file_unique_id": "v",
                    "width": 1,
                    "height": 1,
                    "duration": 1,
                }
            },
            "video",
        ),
        ({"audio": {"file_id": "a", "file_unique_id": "a", "duration": 1}}, "audio"),
        ({"document": {"file_id": "d", "file_unique_id": "d"}}, "document"),
        ({"dice": {"emoji": "🎲", "value": 3}}, "default"),
    ],
)
def test_media_tabik_cannot_read_gets_its_own_answer(
    bot: Bot, content: dict[str, Any], kind: str
) -> None:
    inbound = parse_update(tg.message_update(**content), bot)
    assert inbound is not None and inbound.unsupported == kind


def test_callback_query_data_is_the_payload(bot: Bot) -> None:
    inbound = parse_update(tg.callback_update("/check_status"), bot)
    assert inbound is not None
    assert inbound.text == "/check_status" and inbound.metadata["button"] is True
    assert inbound.callback_query_id and inbound.sender_id == SENDER


def test_edits_member_changes_groups_and_other_kinds_need_no_answer(bot: Bot) -> None:
    edited = tg.message_update(text="halo")
    edited["edited_message"] = {**edited.pop("message"), "edit_date": 1}
    member = {
        "update_id": 5,
        "my_chat_member": {
            "chat": {"id": 1, "type": "private"},
            "from": {"id": 1, "is_bot": False, "first_name": "W"},
            "date": 1,
            "old_chat_member": {
                "status": "member",
                "user": {"id": 9, "is_bot": True, "first_name": "T"},
            },
            "new_chat_member": {
                "status": "kicked",
                "until_date": 0,
                "user": {"id": 9, "is_bot": True, "first_name": "T"},
            },
        },
    }
    group = tg.message_update(text="halo", chat_id=-100, chat_type="supergroup")
    future = {"update_id": 6, "some_future_kind": {"id": "1"}}
    for update in (edited, member, group, future):
        assert parse_update(update, bot) is None


# --------------------------------------------------------------------------- webhook


class Harness(Served[FakeBotApi]):
    fixtures = ("telegram", "bot_api")

    async def post(
        self,
        update: dict[str, Any] | None = None,
        *,
        secret: str | None = tg.SECRET_TOKEN,
        body: bytes | None = None,
    ) -> int:
        return await self.send(
            body if body is not None else json.dumps(update).encode(), tg.headers(secret)
        )

    def texts(self) -> list[str]:
        return [str(p["text"]) for p in self.fake.accepted("sendMessage")]


async def test_posts_without_or_with_a_wrong_secret_are_rejected_with_nothing_sent(
    harness: Harness,
) -> None:
    update = tg.message_update(text="halo")
    assert await harness.post(update, secret=None) == 401
    assert await harness.post(update, secret="tebakan") == 403
    await harness.settle()
    assert harness.agent.handled == [] and harness.fake.calls == []


async def test_malformed_json_is_400_and_unknown_kinds_are_200(harness: Harness) -> None:
    assert await harness.post(body=b"{oops") == 400
    assert await harness.post(body=b'["not", "an", "update"]') == 400
    assert await harness.post({"update_id": 9, "some_future_kind": {"x": 1}}) == 200
    # Authentic but not what this ptb version can read (fields it requires are missing).
    assert await harness.post({"update_id": 10, "poll": {"id": "1", "question": "?"}}) == 400
    await harness.settle()
    assert harness.agent.handled == []


async def test_a_message_is_answered_through_the_bot_api(harness: Harness) -> None:
    assert await harness.post(tg.message_update(text="halo")) == 200
    await harness.fake.wait_for("sendMessage", 1)
    assert harness.texts() == ["echo: halo"]
    assert harness.fake.accepted("sendMessage")[0]["chat_id"] == str(tg.CHAT_ID)
    message = harness.agent.handled[0]
    assert (message.sender_id, message.input_channel) == (SENDER, "telegram")
    assert message.metadata["tabik"]["channel"] == "telegram"


async def test_a_redelivered_or_concurrently_duplicated_update_is_answered_once(
    harness: Harness,
) -> None:
    update = tg.message_update(text="halo")
    assert [await harness.post(update) for _ in range(2)] == [200, 200]
    twin = tg.message_update(text="lagi")
    assert set(await asyncio.gather(*(harness.post(twin) for _ in range(5)))) == {200}
    await harness.settle()
    assert harness.texts() == ["echo: halo", "echo: lagi"]


async def test_a_burst_from_one_chat_is_answered_in_order(harness: Harness) -> None:
    harness.agent.delay = 0.01
    for n in range(6):
        await harness.post(tg.message_update(text=f"pesan {n}"))
    await harness.settle()
    assert harness.texts() == [f"echo: pesan {n}" for n in range(6)]
    assert harness.agent.max_active_per_sender[SENDER] == 1


async def test_flood_control_429_is_retried_after_the_given_time(
    harness: Harness,
    sleeps: Any,
) -> None:
    harness.fake.fail_next(
        "sendMessage", 429, description="Too Many Requests: retry after 3", retry_after=3
    )
    harness.fake.fail_next("sendMessage", 502, description="Bad Gateway")
    await harness.post(tg.message_update(text="halo"))
    await harness.fake.wait_for("sendMessage", 1)
    assert harness.texts() == ["echo: halo"]
    assert sleeps.delays[0] == 3.0
    assert len(sleeps.delays) == 2  # and once more, with backoff, after the 502


async def test_a_dead_bot_api_loses_no_reply_and_keeps_their_order(
    harness: Harness,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Longer than one send's own retries (4 tries): the outbox tries again later.
    harness.fake.fail_next("sendMessage", 500, description="Internal Server Error", times=10)
    assert await harness.post(tg.message_update(text="satu")) == 200
    assert await harness.post(tg.message_update(text="dua")) == 200
    await harness.settle()
    assert "Internal Server Error" in caplog.text
    assert harness.texts() == ["echo: satu", "echo: dua"]


async def test_a_blocked_bot_is_not_retried(harness: Harness) -> None:
    harness.fake.fail_next("sendMessage", 403, description="Forbidden: bot was blocked by the user")
    await harness.post(tg.message_update(text="halo"))
    await harness.settle()
    assert len([c for c in harness.fake.calls if c[0] == "sendMessage"]) == 1


async def test_callback_query_is_answered_first_then_understood(harness: Harness) -> None:
    await harness.post(tg.callback_update("/check_status"))
    await harness.fake.wait_for("sendMessage", 1)
    methods = [name for name, _ in harness.fake.calls]
    assert methods == ["answerCallbackQuery", "sendMessage"]
    assert harness.agent.handled[0].text == "/check_status"
    assert harness.agent.handled[0].metadata["tabik"]["button"] is True


async def test_photo_location_voice_and_sticker_are_each_answered(
    harness: Harness,
    replies: Replies,
) -> None:
    harness.fake.upload("P9-l", JPEG)
    await harness.post(tg.message_update(photo=tg.photo_sizes("P9")))
    await harness.post(tg.message_update(location={"latitude": -5.1, "longitude": 105.2}))
    await harness.post(
        tg.message_update(voice={"file_id": "v", "file_unique_id": "v", "duration": 2})
    )
    await harness.post(tg.message_update(sticker=STICKER))
    await harness.settle()
    assert [m.text for m in harness.agent.handled] == [
        '/share_photo{"attachment_id": "tg:P9-l"}',
        '/share_location{"latitude": -5.1, "longitude": 105.2}',
    ]
    assert harness.texts()[2:] == [
        replies.for_unsupported("voice"),
        replies.for_unsupported("sticker"),
    ]


LONG_PAYLOAD = '/inform{"document_type": "akta_kelahiran", "kabupaten_kota": "Tulang Bawang Barat"}'


@pytest.mark.parametrize(
    "script",
    [
        lambda m: (
            []
            if m.text != "menu"
            else [
                {
                    "text": "Silakan pilih:",
                    "buttons": [
                        {"title": "Cek status", "payload": "/check_status"},
                        {"title": "Akta kelahiran", "payload": LONG_PAYLOAD},
                    ],
                }
            ]
        )
    ],
)
async def test_menu_as_inline_keyboard_and_long_payloads_survive_a_tap(
    harness: Harness,
) -> None:
    await harness.post(tg.message_update(text="menu"))
    sent = (await harness.fake.wait_for("sendMessage", 1))[0]  # the fake checks 64 bytes
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["Cek status", "Akta kelahiran"]
    assert keyboard[0][0]["callback_data"] == "/check_status"
    short = keyboard[1][0]["callback_data"]
    assert short != LONG_PAYLOAD and len(short.encode()) <= 64
    await harness.post(tg.callback_update(short))
    await harness.settle()
    assert harness.agent.handled[-1].text == LONG_PAYLOAD


async def test_an_expired_button_gets_a_polite_answer(
    harness: Harness,
    replies: Replies,
) -> None:
    await harness.post(tg.callback_update("~gone"))
    await harness.settle()
    assert harness.agent.handled == []
    assert harness.texts() == [replies["button_expired"]]


@pytest.mark.parametrize(
    "script", [lambda m: [{"text": "Di mana lokasinya?", "custom": {"request_location": True}}]]
)
async def test_a_form_asking_for_the_location_shows_a_share_location_keyboard(
    harness: Harness,
    replies: Replies,
) -> None:
    await harness.post(tg.message_update(text="aduan"))
    sent = (await harness.fake.wait_for("sendMessage", 1))[0]
    assert sent["text"] == "Di mana lokasinya?"
    button = sent["reply_markup"]["keyboard"][0][0]
    assert button == {"text": replies["location_button"], "request_location": True}
    assert sent["reply_markup"]["one_time_keyboard"] is True


@pytest.mark.parametrize("script", [lambda m: [{"text": "Informasi lengkap. " * 400}]])
async def test_long_answers_are_split_within_the_limit(harness: Harness) -> None:
    await harness.post(tg.message_update(text="info"))
    await harness.settle()
    assert len(harness.texts()) == 2  # the fake refuses texts over 4,096 characters


async def test_no_bot_api_call_at_start_up(harness: Harness) -> None:
    await asyncio.sleep(0.05)
    assert harness.fake.calls == []


@pytest.mark.parametrize("script", [broken])
async def test_rasa_failing_gets_the_resident_an_apology(
    harness: Harness, replies: Replies
) -> None:
    assert await harness.post(tg.message_update(text="x")) == 200
    sent = await harness.fake.wait_for("sendMessage", 1)
    assert sent[0]["text"] == replies["processing_failed"]


async def test_notifications_are_plain_messages(
    telegram: TelegramInput,
    bot_api: tuple[FakeBotApi, str],
) -> None:
    await telegram.get_output_channel().send_notification(SENDER, "Tiket ADU-1 selesai.", [])
    assert bot_api[0].accepted("sendMessage")[0]["text"] == "Tiket ADU-1 selesai."


async def test_without_a_secret_token_every_update_is_refused(
    make_telegram: Any,
    bot_api: tuple[FakeBotApi, str],
) -> None:
    channel = make_telegram(secret=None)
    assert channel.authenticate(None) == 403
    assert channel.authenticate("anything") == 403


# --------------------------------------------------------------------------- configuration


def test_configuration_comes_from_the_environment_with_overrides() -> None:
    env = {"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_SECRET_TOKEN": "s3cret"}
    channel = TelegramInput.from_settings(Settings.from_env(env), {"api_base": "http://x/"})
    assert channel.name() == "telegram"
    assert channel.settings.secret_token == "s3cret"
    assert channel.api.bot.base_url == "http://x/bot1:abc"


def test_without_credentials_the_channel_refuses_to_start() -> None:
    with pytest.raises(RasaException):
        TelegramInput.from_settings(Settings.from_env({}), None)


async def test_sends_to_one_chat_are_paced_to_telegrams_limit(
    make_telegram: Any,
    bot_api: tuple[FakeBotApi, str],
) -> None:
    # Telegram's pace scaled up 20 times: a burst of three, then one per 50 ms.
    channel = make_telegram(per_chat=replace(TELEGRAM_PER_CHAT, rate=20.0))
    loop = asyncio.get_running_loop()
    started = loop.time()
    for n in range(5):
        await channel.get_output_channel().send_text_message(SENDER, f"bagian {n}")
    elapsed = loop.time() - started
    assert len(bot_api[0].accepted("sendMessage")) == 5
    assert 0.08 <= elapsed < 1.0


def test_a_slot_refused_by_the_shared_limiter_is_tried_again_after_its_wait() -> None:
    # One chat's limit holds up only that chat; the bot's overall limit, everyone.
    per_chat = RateLimited([TELEGRAM_PER_CHAT, TELEGRAM_OVERALL], 75.0)
    assert classify_for_outbox(per_chat) == Retry(after=75.0, recipient_only=True)
    overall = RateLimited([TELEGRAM_OVERALL], 61.0)
    assert classify_for_outbox(overall) == Retry(after=61.0, recipient_only=False)
