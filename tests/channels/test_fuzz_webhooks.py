"""Fuzzing the webhooks with hypothesis: whatever arrives, never a 5xx, never a stray exception.

Payloads are generated around the platforms' real shapes (so the parsers'
deep branches are reached) with any part replaced by arbitrary JSON. The
parsers may refuse a payload only with the errors their webhook handler turns
into "ignored"; the HTTP handlers, driven through a real Sanic server, answer
below 500 for signed and unsigned garbage alike, storing what they accept in
SQLite and in PostgreSQL (``TEST_DATABASE_URL``, a schema of their own), whose
columns and JSON are stricter: NaN, NUL characters, lone surrogates and over-long
sender ids are in the mix. Seeded and bounded: the same examples on every run.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
import urllib3
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from rasa.core.channels.channel import InputChannel
from telegram import Bot

from bot.adapters.kv import MemoryStore
from bot.adapters.media import PlatformMedia
from bot.adapters.rate_limit import MemoryRateLimiter
from bot.bootstrap import channel_stores
from bot.config import TelegramSettings, WhatsAppSettings
from channels.queues import ChannelQueues
from channels.telegram import TelegramInput, parse_update
from channels.text import Replies
from channels.whatsapp import WhatsAppInput, parse_webhook
from tests.auxil import fake_telegram, fake_whatsapp
from tests.auxil.outbox import database_from, migrated_template
from tests.auxil.sanic_app import ScriptedAgent, serve
from tests.auxil.services import postgres_schema

# What the handlers catch around parsing (WhatsApp: "ignored"; Telegram: 400).
HANDLED = (TypeError, KeyError, ValueError, AttributeError, OverflowError, OSError)
SEED = 20261129
UNREACHABLE = "http://127.0.0.1:9"  # the silent agent never sends; nothing may go out

FUZZ = settings(
    deadline=None,
    database=None,  # no example database: the same examples on every run
    # No shrinking: a failure is reported as found, so the run stays bounded in time.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# What PostgreSQL refuses and SQLite keeps (json.dumps writes NaN and Infinity).
awkward = st.sampled_from(
    [float("nan"), float("inf"), "a\x00b", "\ud800", "x\udfff", "9" * 250, "6" * 161]
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | awkward
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=6,
)


def shaped(required: dict[str, Any], optional: dict[str, Any] | None = None) -> Any:
    return st.fixed_dictionaries(required, optional=optional or {})


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _paths(child, (*path, index))
    return found


def _mutate(case: tuple[Any, list[tuple[int, Any]]]) -> Any:
    """Replace a few parts of a well-formed payload (chosen by index) with arbitrary JSON."""
    payload, replacements = case
    for pick, junk in replacements:
        paths = _paths(payload)
        path = paths[pick % len(paths)]
        if not path:
            return junk
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = junk
    return payload


def mutated(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The real shape, with up to three parts anywhere in it replaced by anything at all."""
    replacements = st.lists(st.tuples(st.integers(0, 10_000), json_values), max_size=3)
    return st.tuples(strategy, replacements).map(_mutate)


# --------------------------------------------------------------------------- WhatsApp

digits = st.one_of(
    *[st.from_regex(r"\A628\d{8,11}\Z")] * 3,
    st.text("0123456789+ ", max_size=16),
    st.text("0123456789", min_size=120, max_size=300),  # longer than any column holds
)
wa_kinds = st.sampled_from(
    ["text", "interactive", "button", "image", "location", "audio", "video", "document",
     "sticker", "reaction", "contacts", "order", "system", "unsupported", "unknown", "",
     "edit", "revoke"]
)  # fmt: skip
wa_message = shaped(
    {"from": digits, "id": st.one_of(st.text(max_size=20), awkward), "type": wa_kinds},
    {
        "timestamp": st.one_of(st.text("0123456789", max_size=12), awkward),
        "group_id": st.text(max_size=30),
        "edit": shaped(
            {"original_message_id": st.text(max_size=20)},
            {"message": shaped({"type": st.just("text"), "text": shaped({"body": st.text()})})},
        ),
        "revoke": shaped({"original_message_id": st.text(max_size=20)}),
        "text": shaped({"body": st.text(max_size=60)}),
        "interactive": shaped(
            {"type": st.sampled_from(["button_reply", "list_reply", "nfm_reply", "x"])},
            {
                "button_reply": shaped({"id": st.text(max_size=40), "title": st.text()}),
                "list_reply": shaped({"id": st.text(max_size=40), "title": st.text()}),
            },
        ),
        "button": shaped({"payload": st.text(max_size=40), "text": st.text()}),
        "image": shaped({"id": st.text(max_size=20), "mime_type": st.text(), "caption": st.text()}),
        "location": shaped({"latitude": scalars, "longitude": scalars}, {"name": st.text()}),
        "context": shaped({"id": st.text(), "from": digits}),
        "errors": st.lists(shaped({"code": scalars, "title": st.text()}), max_size=2),
    },
)
wa_status = shaped(
    {
        "id": st.text(max_size=20),
        "status": st.sampled_from(["sent", "delivered", "read", "failed"]),
    },
    {"recipient_id": digits, "errors": st.lists(shaped({"code": scalars}), max_size=2)},
)
wa_value = shaped(
    {
        "messaging_product": st.just("whatsapp"),
        "messages": st.lists(wa_message, min_size=1, max_size=3),
        "metadata": shaped(
            {"phone_number_id": st.sampled_from([fake_whatsapp.PHONE_NUMBER_ID] * 4 + ["1", ""])}
        ),
    },
    {
        "contacts": st.lists(shaped({"wa_id": digits, "profile": shaped({"name": st.text()})})),
        "statuses": st.lists(wa_status, max_size=2),
    },
)
wa_payloads = mutated(
    shaped(
        {
            "object": st.sampled_from(["whatsapp_business_account"] * 4 + ["page", ""]),
            "entry": st.lists(
                shaped(
                    {
                        "id": st.text(max_size=10),
                        "changes": st.lists(
                            shaped({"field": st.just("messages"), "value": wa_value}),
                            min_size=1,
                            max_size=2,
                        ),
                    }
                ),
                min_size=1,
                max_size=2,
            ),
        }
    )
)


@settings(FUZZ, max_examples=500)
@seed(SEED)
@given(payload=wa_payloads)
def test_whatsapp_parser_never_lets_an_unexpected_error_out(payload: Any) -> None:
    if not isinstance(payload, dict):
        return  # the handler answers 400 before parsing
    try:
        inbound = parse_webhook(payload, phone_number_id=fake_whatsapp.PHONE_NUMBER_ID)
    except HANDLED:
        return
    for message in inbound:
        assert message.sender_id.startswith("wa:") and message.dedupe_key.startswith("wa:")


# --------------------------------------------------------------------------- Telegram

chat = shaped(
    {"id": st.integers(min_value=-(10**13), max_value=10**13), "type": st.sampled_from(
        ["private"] * 4 + ["group", "supergroup", "channel", "x"])},
    {"first_name": st.text()},
)  # fmt: skip
user = shaped(
    {"id": st.integers(min_value=1, max_value=10**12), "is_bot": st.booleans(),
     "first_name": st.text(max_size=20)},
)  # fmt: skip
tg_message = shaped(
    {"message_id": st.integers(min_value=0, max_value=10**9), "date": st.integers(0, 2**33),
     "chat": chat},
    {
        "from": user,
        "text": st.text(max_size=60),
        "caption": st.text(max_size=50),
        "photo": st.lists(
            shaped({"file_id": st.text(max_size=10), "file_unique_id": st.text(max_size=5),
                    "width": st.integers(0, 5000), "height": st.integers(0, 5000)}),
            max_size=3,
        ),
        "location": shaped({"latitude": st.floats(-90, 90), "longitude": st.floats(-180, 180)}),
        "contact": shaped({"phone_number": digits, "first_name": st.text()}),
        "voice": shaped({"file_id": st.text(), "file_unique_id": st.text(),
                         "duration": st.integers(0, 2**31)}),
        "sticker": json_values,
        "entities": st.lists(shaped({"type": st.text(), "offset": st.integers(0, 2**31),
                                     "length": st.integers(0, 2**31)})),
    },
)  # fmt: skip
update_id = st.integers(min_value=-(2**31), max_value=2**40)
callback_query = shaped(
    {"id": st.text(max_size=10), "from": user, "chat_instance": st.text(max_size=5)},
    {"data": st.text(max_size=64), "message": tg_message},
)
tg_updates = mutated(
    st.one_of(
        shaped({"update_id": update_id, "message": tg_message}),
        shaped({"update_id": update_id, "message": tg_message}),
        shaped({"update_id": update_id, "callback_query": callback_query}),
        shaped(
            {"update_id": update_id},
            {
                "edited_message": tg_message,
                "my_chat_member": json_values,
                "channel_post": tg_message,
            },
        ),
    )
)


# Found by this fuzzer: python-telegram-bot raises OverflowError for integers its
# datetime fields cannot hold (a voice message's duration); the webhook answers 400.
OVERFLOWING_UPDATE = {
    "update_id": 1,
    "message": {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 1, "type": "private"},
        "voice": {"file_id": "a", "file_unique_id": "b", "duration": -86_399_999_913_601},
    },
}


@pytest.fixture(scope="module")
def bot() -> Bot:
    return Bot(fake_telegram.BOT_TOKEN, base_url=f"{UNREACHABLE}/bot")


@settings(FUZZ, max_examples=500)
@seed(SEED)
@given(update=tg_updates)
def test_telegram_parser_never_lets_an_unexpected_error_out(bot: Bot, update: Any) -> None:
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return  # the handler answers 400 before parsing
    try:
        inbound = parse_update(update, bot)
    except HANDLED:
        return
    if inbound is not None:
        assert inbound.sender_id.startswith("tg:") and inbound.dedupe_key.startswith("tg:")


def test_telegram_parser_refuses_an_overflowing_integer_with_a_handled_error(bot: Bot) -> None:
    with pytest.raises(HANDLED):
        parse_update(OVERFLOWING_UPDATE, bot)


# --------------------------------------------------------------------------- HTTP handlers


class LiveChannel:
    """A channel served by a real Sanic server in a background loop, for sync hypothesis tests."""

    def __init__(self, make: Callable[[], InputChannel]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.make = make
        self.http = urllib3.PoolManager(retries=False, timeout=10)
        self.url = ""
        self._context: AbstractAsyncContextManager[str] | None = None

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    def __enter__(self) -> LiveChannel:
        self.thread.start()

        async def start() -> str:
            self.channel = self.make()
            self._context = serve(self.channel, ScriptedAgent(lambda _: []))
            return await self._context.__aenter__()

        self.url = self._run(start()).rstrip("/")
        return self

    def post(self, body: bytes, headers: dict[str, str]) -> int:
        answer = self.http.request("POST", self.url + "/webhook", body=body, headers=headers)
        return int(answer.status)

    def __exit__(self, *exc: Any) -> None:
        async def stop() -> None:
            assert self._context is not None
            await self._context.__aexit__(None, None, None)

        self._run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def _sqlite() -> str:
    """A migrated SQLite file of its own."""
    directory = Path(tempfile.mkdtemp(prefix="tabik-fuzz-"))
    return database_from(migrated_template(directory), directory)


def _queues(database_url: str) -> ChannelQueues:
    """The channel's stores (accepted payloads are kept) on ``database_url``."""
    return ChannelQueues.on(channel_stores(database_url), poll_interval=0.05)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def fuzz_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each HTTP fuzz runs on SQLite and on PostgreSQL (a migrated schema of its own)."""
    if request.param == "sqlite":
        yield _sqlite()
        return
    with postgres_schema("tabik_fuzz") as url:
        yield url


def _media(**credentials: Any) -> PlatformMedia:
    """Where photos would go: nothing reaches the platforms from a fuzzed delivery."""
    return PlatformMedia(Path(tempfile.mkdtemp(prefix="tabik-fuzz-media-")), **credentials)


def _whatsapp(database_url: str) -> WhatsAppInput:
    store = MemoryStore(prefix="fuzz-wa:")
    wa_settings = WhatsAppSettings(
        verify_token=fake_whatsapp.VERIFY_TOKEN,
        app_secret=fake_whatsapp.APP_SECRET,
        access_token=fake_whatsapp.ACCESS_TOKEN,
        phone_number_id=fake_whatsapp.PHONE_NUMBER_ID,
        api_base=f"{UNREACHABLE}/v21.0",
    )
    return WhatsAppInput(
        wa_settings,
        store=store,
        replies=Replies.load(),
        queues=_queues(database_url),
        limiter=MemoryRateLimiter(),
        media=_media(whatsapp=wa_settings),
    )


def _telegram(database_url: str) -> TelegramInput:
    store = MemoryStore(prefix="fuzz-tg:")
    tg_settings = TelegramSettings(
        bot_token=fake_telegram.BOT_TOKEN,
        secret_token=fake_telegram.SECRET_TOKEN,
        api_base=UNREACHABLE,
    )
    return TelegramInput(
        tg_settings,
        store=store,
        replies=Replies.load(),
        queues=_queues(database_url),
        limiter=MemoryRateLimiter(),
        media=_media(telegram=tg_settings),
    )


@pytest.fixture(scope="module")
def live_whatsapp(fuzz_database: str) -> Iterator[LiveChannel]:
    with LiveChannel(lambda: _whatsapp(fuzz_database)) as live:
        yield live


@pytest.fixture(scope="module")
def live_telegram(fuzz_database: str) -> Iterator[LiveChannel]:
    with LiveChannel(lambda: _telegram(fuzz_database)) as live:
        yield live


raw_bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.text(max_size=100).map(str.encode),
)


@settings(FUZZ, max_examples=500)
@seed(SEED)
@given(payload=st.one_of(wa_payloads.map(lambda p: json.dumps(p).encode()), raw_bodies),
       signing=st.sampled_from(["good", "good", "good", "none", "wrong"]))  # fmt: skip
def test_whatsapp_webhook_never_answers_5xx(
    live_whatsapp: LiveChannel, payload: bytes, signing: str
) -> None:
    headers = {"Content-Type": "application/json"}
    if signing != "none":
        secret = fake_whatsapp.APP_SECRET if signing == "good" else "not-the-secret"
        headers["X-Hub-Signature-256"] = fake_whatsapp.signature(payload, secret)

    status = live_whatsapp.post(payload, headers)

    assert status < 500
    if signing != "good":
        assert status in (401, 403)


@settings(FUZZ, max_examples=500)
@seed(SEED)
@given(payload=st.one_of(tg_updates.map(lambda u: json.dumps(u).encode()), raw_bodies),
       secret=st.sampled_from([fake_telegram.SECRET_TOKEN] * 3 + [None, "wrong"]))  # fmt: skip
def test_telegram_webhook_never_answers_5xx(
    live_telegram: LiveChannel, payload: bytes, secret: str | None
) -> None:
    status = live_telegram.post(payload, fake_telegram.headers(secret))

    assert status < 500
    if secret != fake_telegram.SECRET_TOKEN:
        assert status in (401, 403)


def test_telegram_webhook_with_an_overflowing_integer(live_telegram: LiveChannel) -> None:
    status = live_telegram.post(json.dumps(OVERFLOWING_UPDATE).encode(), fake_telegram.headers())

    assert status == 400
