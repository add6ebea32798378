"""Register Tabik's webhooks (kept out of start-up so starting never needs the network).

    python -m channels.register telegram --url https://tabik.example.go.id
    python -m channels.register whatsapp [--url https://tabik.example.go.id]

Telegram: calls setWebhook with the secret token and the update kinds Tabik
handles. WhatsApp: Meta has no API for this; prints what to set in the dashboard.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

from telegram.error import TelegramError

from bot.config import Settings, TelegramSettings, get_settings
from channels.telegram import ALLOWED_UPDATES, BotApi
from channels.whatsapp import describe_setup

TELEGRAM_ROUTE = "/webhooks/telegram/webhook"


def telegram_webhook_url(url: str) -> str:
    """A bare host gets Tabik's route appended; a full webhook URL is kept."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise ValueError("Telegram only delivers to https:// URLs")
    if parts.path in ("", "/"):
        return url.rstrip("/") + TELEGRAM_ROUTE
    return url


async def register_telegram(
    settings: TelegramSettings,
    url: str,
    *,
    drop_pending_updates: bool = False,
    max_connections: int | None = None,
) -> bool:
    api = BotApi(settings)
    try:
        return await api.bot.set_webhook(
            url=url,
            secret_token=settings.secret_token,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=drop_pending_updates,
            max_connections=max_connections,
        )
    finally:
        await api.close()


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m channels.register",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    channels = parser.add_subparsers(dest="channel", required=True)
    telegram = channels.add_parser("telegram", help="call setWebhook")
    telegram.add_argument("--url", required=True, help="public https URL of Tabik")
    telegram.add_argument("--drop-pending-updates", action="store_true")
    telegram.add_argument("--max-connections", type=int, default=None)
    telegram.add_argument(
        "--allow-unauthenticated",
        action="store_true",
        help="register even though TELEGRAM_SECRET_TOKEN is not set",
    )
    whatsapp = channels.add_parser("whatsapp", help="print the dashboard settings")
    whatsapp.add_argument("--url", default=None, help="public https URL of Tabik")
    args = parser.parse_args(argv)
    settings = settings or get_settings()

    if args.channel == "whatsapp":
        if settings.whatsapp is None:
            print(
                "WhatsApp is off: set WHATSAPP_VERIFY_TOKEN, WHATSAPP_APP_SECRET, "
                "WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID.",
                file=sys.stderr,
            )
            return 2
        for line in describe_setup(settings.whatsapp, args.url):
            print(line)
        return 0

    if settings.telegram is None:
        print(
            "Telegram is off: set TELEGRAM_BOT_TOKEN (and TELEGRAM_SECRET_TOKEN).", file=sys.stderr
        )
        return 2
    if not settings.telegram.secret_token and not args.allow_unauthenticated:
        print(
            "TELEGRAM_SECRET_TOKEN is not set: anyone could post updates to the webhook. "
            "Set it (1-256 of A-Z a-z 0-9 _ -) or pass --allow-unauthenticated.",
            file=sys.stderr,
        )
        return 2
    try:
        url = telegram_webhook_url(args.url)
        done = asyncio.run(
            register_telegram(
                settings.telegram,
                url,
                drop_pending_updates=args.drop_pending_updates,
                max_connections=args.max_connections,
            )
        )
    except (ValueError, TelegramError) as error:
        print(f"setWebhook failed: {error}", file=sys.stderr)
        return 1
    print(f"Telegram webhook set to {url}" if done else "Telegram refused the webhook")
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(main())
