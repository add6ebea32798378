"""Driving ``make serve`` as Meta's and Telegram's servers would (issue 4).

The fake Graph API and Bot API validate what Tabik sends against the
platforms' limits, so a reply they accepted is a reply a resident would see.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import pytest

from tests.auxil import fake_telegram, fake_whatsapp
from tests.auxil.tabik_server import TabikServer, drive_form, wait_until
from tests.e2e.conftest import Fakes
from tests.e2e.test_rest_conversations import COMPLAINT_ANSWERS, TICKET

pytestmark = pytest.mark.slow

WA_HOOK = "/webhooks/whatsapp/webhook"
TG_HOOK = "/webhooks/telegram/webhook"


# --- WhatsApp -------------------------------------------------------------------


def new_wa_id() -> str:
    return "6281" + str(uuid.uuid4().int)[:9]


def wa_sent(fakes: Fakes, wa_id: str) -> list[dict[str, Any]]:
    return [m for m in list(fakes.graph.sent) if m.get("to") == wa_id]


def wa_text(message: dict[str, Any]) -> str:
    if message.get("type") == "text":
        return str(message["text"]["body"])
    if message.get("type") == "interactive":
        return str(message["interactive"]["body"]["text"])
    return json.dumps(message)


def wa_post(tabik: TabikServer, payload: dict[str, Any]) -> tuple[int, float]:
    body, headers = fake_whatsapp.signed(payload)
    status, _, elapsed = tabik.request("POST", WA_HOOK, body, headers)
    return status, elapsed


def wa_say(tabik: TabikServer, fakes: Fakes, wa_id: str, message: dict[str, Any]) -> str:
    before = len(wa_sent(fakes, wa_id))
    turns = tabik.user_turns(f"wa:{wa_id}")
    status, _ = wa_post(tabik, fake_whatsapp.delivery(message))
    assert status == 200
    assert wait_until(lambda: len(wa_sent(fakes, wa_id)) > before), tabik.tail_log()
    if message.get("type") in ("text", "interactive", "location", "image"):
        tabik.wait_turn_done(f"wa:{wa_id}", turns)
    wait_until(lambda: False, timeout=0.5)  # the last send of the turn
    return "\n".join(wa_text(m) for m in wa_sent(fakes, wa_id)[before:])


def test_whatsapp_verification(tabik: TabikServer) -> None:
    ok = tabik.request(
        "GET",
        f"{WA_HOOK}?hub.mode=subscribe&hub.verify_token={fake_whatsapp.VERIFY_TOKEN}"
        "&hub.challenge=8412",
    )
    assert ok[0] == 200 and ok[1] == b"8412"
    wrong = tabik.request(
        "GET", f"{WA_HOOK}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=8412"
    )
    assert wrong[0] == 403 and b"8412" not in wrong[1]


def test_unsigned_and_forged_posts_are_rejected_with_nothing_sent(
    tabik: TabikServer, fakes: Fakes
) -> None:
    wa_id = new_wa_id()
    payload = fake_whatsapp.delivery(fake_whatsapp.text("halo", wa_id))
    body = json.dumps(payload).encode()
    unsigned = tabik.request("POST", WA_HOOK, body, {"Content-Type": "application/json"})
    forged = tabik.request(
        "POST",
        WA_HOOK,
        body,
        {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": fake_whatsapp.signature(body, "not-the-secret"),
        },
    )
    sha1 = tabik.request(
        "POST",
        WA_HOOK,
        body,
        {"Content-Type": "application/json", "X-Hub-Signature": "sha1=" + "0" * 40},
    )
    assert unsigned[0] in (401, 403) and forged[0] in (401, 403) and sha1[0] in (401, 403)
    time.sleep(2)
    assert wa_sent(fakes, wa_id) == []


def test_signed_message_is_acknowledged_fast_and_answered_with_a_menu(
    tabik: TabikServer, fakes: Fakes
) -> None:
    wa_id = new_wa_id()
    status, elapsed = wa_post(tabik, fake_whatsapp.delivery(fake_whatsapp.text("halo min", wa_id)))
    assert status == 200 and elapsed < 2.0
    assert wait_until(lambda: any(m.get("type") == "interactive" for m in wa_sent(fakes, wa_id))), (
        tabik.tail_log()
    )
    menu = next(m for m in wa_sent(fakes, wa_id) if m.get("type") == "interactive")
    interactive = menu["interactive"]
    assert interactive["type"] in ("list", "button")
    if interactive["type"] == "list":
        rows = [r for s in interactive["action"]["sections"] for r in s["rows"]]
        assert 4 <= len(rows) <= 10 and all(len(r["title"]) <= 24 for r in rows)
    # sent to /PNID/messages with the bearer token
    mine = [r for r in fakes.graph.requests if r["json"].get("to") == wa_id]
    assert mine and all(
        r["path"].endswith(f"/{fake_whatsapp.PHONE_NUMBER_ID}/messages")
        and r["headers"].get("Authorization") == f"Bearer {fake_whatsapp.ACCESS_TOKEN}"
        for r in mine
    )


def test_redelivered_and_concurrent_duplicates_are_answered_once(
    tabik: TabikServer, fakes: Fakes
) -> None:
    import threading

    wa_id = new_wa_id()
    message = fake_whatsapp.text("terima kasih", wa_id, message_id=f"wamid.DUP{uuid.uuid4().hex}")
    payload = fake_whatsapp.delivery(message)
    threads = [threading.Thread(target=wa_post, args=(tabik, payload)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wait_until(lambda: len(wa_sent(fakes, wa_id)) >= 1)
    tabik.wait_turn_done(f"wa:{wa_id}", 0)
    time.sleep(0.5)  # the last send of the turn
    first = len(wa_sent(fakes, wa_id))
    assert tabik.user_turns(f"wa:{wa_id}") == 1
    assert wa_post(tabik, payload)[0] == 200  # a later redelivery
    time.sleep(3)
    assert len(wa_sent(fakes, wa_id)) == first


def test_statuses_are_acknowledged_and_never_answered(tabik: TabikServer, fakes: Fakes) -> None:
    wa_id = new_wa_id()
    statuses = [
        {
            "id": "wamid.OUT1",
            "status": "delivered",
            "timestamp": "1700000000",
            "recipient_id": wa_id,
        },
        {
            "id": "wamid.OUT2",
            "status": "failed",
            "timestamp": "1700000001",
            "recipient_id": wa_id,
            "errors": [{"code": 131026, "title": "Message undeliverable"}],
        },
    ]
    status, _ = wa_post(tabik, fake_whatsapp.delivery(statuses=statuses))
    assert status == 200
    time.sleep(2)
    assert wa_sent(fakes, wa_id) == []


def test_tapping_a_menu_entry_is_understood(tabik: TabikServer, fakes: Fakes) -> None:
    wa_id = new_wa_id()
    reply = wa_say(
        tabik,
        fakes,
        wa_id,
        fake_whatsapp.message(
            "interactive",
            wa_id,
            interactive={
                "type": "list_reply",
                "list_reply": {"id": "/check_status", "title": "Cek status tiket"},
            },
        ),
    )
    assert "nomor tiket" in reply.lower()
    assert tabik.requested_slot(f"wa:{wa_id}") == "ticket_id"


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("image", {"image": {"id": "MEDIA-IMG-1", "mime_type": "image/jpeg"}}),
        ("location", {"location": {"latitude": -5.3971, "longitude": 105.2668}}),
        ("audio", {"audio": {"id": "MEDIA-VOICE-1", "mime_type": "audio/ogg", "voice": True}}),
        (
            "sticker",
            {"sticker": {"id": "MEDIA-STK-1", "mime_type": "image/webp", "animated": False}},
        ),
    ],
)
def test_media_is_answered(
    tabik: TabikServer, fakes: Fakes, kind: str, content: dict[str, Any]
) -> None:
    wa_id = new_wa_id()
    if kind == "image":
        # Photos are downloaded when they arrive: the fake Graph API must have issued it.
        content = {"image": {"id": fakes.graph.upload(), "mime_type": "image/jpeg"}}
    reply = wa_say(tabik, fakes, wa_id, fake_whatsapp.message(kind, wa_id, **content))
    assert reply.strip()


def wa_complaint(tabik: TabikServer, fakes: Fakes, wa_id: str) -> re.Match[str]:
    """A pothole reported over WhatsApp from start to confirmation; the ticket number found."""
    said = [wa_say(tabik, fakes, wa_id, fake_whatsapp.text("mau lapor jalan rusak", wa_id))]
    said += drive_form(
        lambda slot: COMPLAINT_ANSWERS.get(slot),
        lambda text: wa_say(tabik, fakes, wa_id, fake_whatsapp.text(text, wa_id)),
        lambda: tabik.requested_slot(f"wa:{wa_id}"),
    )
    match = TICKET.search("\n".join(said))
    assert match, said[-2:]
    return match


def test_a_whole_complaint_over_whatsapp(tabik: TabikServer, fakes: Fakes) -> None:
    wa_id = new_wa_id()
    match = wa_complaint(tabik, fakes, wa_id)
    assert match.group(1) == "ADU", match.group(0)

    # An officer verifies it; the resident hears about it in the same chat.
    before = len(wa_sent(fakes, wa_id))
    tabik.cli("ticket", "set-status", match.group(0), "diverifikasi", "--actor", "petugas-e2e")
    assert wait_until(lambda: len(wa_sent(fakes, wa_id)) > before, timeout=30), tabik.tail_log()
    notice = wa_sent(fakes, wa_id)[before]
    assert match.group(0) in json.dumps(notice)


# --- Telegram --------------------------------------------------------------------


def tg_sent(fakes: Fakes, chat_id: int, method: str = "sendMessage") -> list[dict[str, Any]]:
    return [p for p in fakes.bot_api.accepted(method) if str(p.get("chat_id")) == str(chat_id)]


def tg_post(
    tabik: TabikServer, update: dict[str, Any], secret: str | None = fake_telegram.SECRET_TOKEN
) -> int:
    status, _, _ = tabik.request(
        "POST", TG_HOOK, json.dumps(update).encode(), fake_telegram.headers(secret)
    )
    return status


def tg_say(tabik: TabikServer, fakes: Fakes, chat_id: int, update: dict[str, Any]) -> str:
    before = len(tg_sent(fakes, chat_id))
    turns = tabik.user_turns(f"tg:{chat_id}")
    assert tg_post(tabik, update) == 200
    assert wait_until(lambda: len(tg_sent(fakes, chat_id)) > before), tabik.tail_log()
    content = update.get("message", {})
    if "callback_query" in update or {"text", "location", "photo"} & set(content):
        tabik.wait_turn_done(f"tg:{chat_id}", turns)
    wait_until(lambda: False, timeout=0.5)  # the last send of the turn
    return "\n".join(str(p.get("text")) for p in tg_sent(fakes, chat_id)[before:])


def new_chat() -> int:
    return 700_000_000 + uuid.uuid4().int % 100_000_000


def test_no_bot_api_call_at_start_up(tabik: TabikServer, fakes: Fakes) -> None:
    assert not any(
        method in ("getMe", "setWebhook", "deleteWebhook") for method, _ in fakes.bot_api.calls
    )


def test_telegram_secret_token_is_checked(tabik: TabikServer, fakes: Fakes) -> None:
    chat = new_chat()
    update = fake_telegram.message_update(chat, text="halo")
    assert tg_post(tabik, update, secret="wrong") in (401, 403)
    assert tg_post(tabik, update, secret=None) in (401, 403)
    bad_json = tabik.request("POST", TG_HOOK, b"{not json", fake_telegram.headers())
    assert bad_json[0] == 400
    time.sleep(2)
    assert tg_sent(fakes, chat) == []


def test_start_shows_the_menu_as_an_inline_keyboard(tabik: TabikServer, fakes: Fakes) -> None:
    chat = new_chat()
    tg_say(tabik, fakes, chat, fake_telegram.message_update(chat, text="/start"))
    keyboards = [p["reply_markup"] for p in tg_sent(fakes, chat) if p.get("reply_markup")]
    assert keyboards, tg_sent(fakes, chat)
    buttons = [b for row in keyboards[0]["inline_keyboard"] for b in row]
    assert len(buttons) >= 4
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)


def test_redelivered_update_is_answered_once(tabik: TabikServer, fakes: Fakes) -> None:
    chat = new_chat()
    update = fake_telegram.message_update(chat, text="makasih ya")
    assert tg_post(tabik, update) == 200
    assert wait_until(lambda: len(tg_sent(fakes, chat)) >= 1)
    tabik.wait_turn_done(f"tg:{chat}", 0)
    time.sleep(0.5)  # the last send of the turn
    first = len(tg_sent(fakes, chat))
    assert tg_post(tabik, update) == 200
    time.sleep(3)
    assert len(tg_sent(fakes, chat)) == first
    assert tabik.user_turns(f"tg:{chat}") == 1


def test_callback_query_is_answered_and_understood(tabik: TabikServer, fakes: Fakes) -> None:
    chat = new_chat()
    update = fake_telegram.callback_update("/check_status", chat)
    reply = tg_say(tabik, fakes, chat, update)
    answered = [
        p
        for p in fakes.bot_api.accepted("answerCallbackQuery")
        if p.get("callback_query_id") == update["callback_query"]["id"]
    ]
    assert answered
    assert "nomor tiket" in reply.lower()


@pytest.mark.parametrize(
    "content",
    [
        {"photo": fake_telegram.photo_sizes("TGPHOTO")},
        {"location": {"latitude": -5.3971, "longitude": 105.2668}},
        {"voice": {"file_id": "VOICE1", "file_unique_id": "v1", "duration": 3}},
        {
            "sticker": {
                "file_id": "STK1",
                "file_unique_id": "s1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
    ],
    ids=["photo", "location", "voice", "sticker"],
)
def test_telegram_media_is_answered(
    tabik: TabikServer, fakes: Fakes, content: dict[str, Any]
) -> None:
    chat = new_chat()
    for size in content.get("photo") or ():
        # Photos are downloaded when they arrive: the fake Bot API must serve the file.
        fakes.bot_api.upload(size["file_id"], fake_whatsapp.JPEG)
    assert tg_say(tabik, fakes, chat, fake_telegram.message_update(chat, **content)).strip()


def test_a_whole_complaint_over_telegram(tabik: TabikServer, fakes: Fakes) -> None:
    chat = new_chat()
    said = [
        tg_say(
            tabik, fakes, chat, fake_telegram.message_update(chat, text="lapor lampu jalan mati")
        )
    ]
    answers = {**COMPLAINT_ANSWERS, "complaint_category": "lampu jalan"}
    said += drive_form(
        lambda slot: answers.get(slot),
        lambda text: tg_say(tabik, fakes, chat, fake_telegram.message_update(chat, text=text)),
        lambda: tabik.requested_slot(f"tg:{chat}"),
    )
    match = re.search(TICKET, "\n".join(said))
    assert match and match.group(1) == "ADU", said[-2:]


def test_no_secret_reaches_the_log(tabik: TabikServer, fakes: Fakes) -> None:
    chat = new_chat()
    tg_say(tabik, fakes, chat, fake_telegram.message_update(chat, text="halo"))
    log = tabik.log_path.read_text(errors="replace")
    for secret in (
        fake_telegram.BOT_TOKEN,
        fake_telegram.SECRET_TOKEN,
        fake_whatsapp.ACCESS_TOKEN,
        fake_whatsapp.APP_SECRET,
    ):
        assert secret not in log
