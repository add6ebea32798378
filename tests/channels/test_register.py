"""``python -m channels.register``: webhook registration kept apart from start-up."""

from __future__ import annotations

import pytest

from bot.config import Settings
from channels.register import main, register_telegram, telegram_webhook_url
from tests.auxil import fake_telegram as tg
from tests.auxil.fake_telegram import FakeBotApi


def test_a_bare_host_gets_tabiks_route() -> None:
    assert (
        telegram_webhook_url("https://tabik.example.go.id")
        == "https://tabik.example.go.id/webhooks/telegram/webhook"
    )
    assert telegram_webhook_url("https://x.id/custom/hook") == "https://x.id/custom/hook"
    with pytest.raises(ValueError, match="https"):
        telegram_webhook_url("http://tabik.example.go.id")


async def test_set_webhook_sends_the_secret_and_the_update_kinds(
    bot_api: tuple[FakeBotApi, str],
) -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": tg.BOT_TOKEN,
            "TELEGRAM_SECRET_TOKEN": tg.SECRET_TOKEN,
            "TELEGRAM_API_BASE": bot_api[1],
        }
    )
    assert settings.telegram is not None
    url = "https://tabik.example.go.id/webhooks/telegram/webhook"
    assert await register_telegram(settings.telegram, url)
    ((method, params),) = bot_api[0].calls
    assert method == "setWebhook"
    assert params["url"] == url and params["secret_token"] == tg.SECRET_TOKEN
    assert params["allowed_updates"] == [
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
    ]


def test_registration_without_a_secret_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": tg.BOT_TOKEN, "TELEGRAM_API_BASE": "http://127.0.0.1:9"}
    )
    assert main(["telegram", "--url", "https://x.id"], settings) == 2
    assert "TELEGRAM_SECRET_TOKEN" in capsys.readouterr().err


def test_whatsapp_prints_what_to_set_in_metas_dashboard(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings.from_env(
        {
            "WHATSAPP_VERIFY_TOKEN": "verify-XYZ",
            "WHATSAPP_APP_SECRET": "secret-XYZ",
            "WHATSAPP_ACCESS_TOKEN": "access-XYZ",
            "WHATSAPP_PHONE_NUMBER_ID": "1",
        }
    )
    assert main(["whatsapp", "--url", "https://tabik.example.go.id"], settings) == 0
    out = capsys.readouterr().out
    assert "https://tabik.example.go.id/webhooks/whatsapp/webhook" in out
    assert "messages" in out
    assert "XYZ" not in out  # secrets are named, never printed
