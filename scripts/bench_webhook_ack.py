"""Benchmark: how fast the WhatsApp and Telegram webhooks acknowledge a delivery.

Platforms redeliver when a webhook is slow (Meta expects well under 2 s), so
Tabik acknowledges as soon as the delivery is stored (a SQLite file here, as
without DATABASE_URL) and lets Rasa work in the background. This measures
the acknowledgement latency of signed deliveries while a stand-in agent takes
``--processing`` seconds per message, and prints medians and the ratio to the
processing time. Everything runs on loopback; no platform is contacted.

    .venv/bin/python scripts/bench_webhook_ack.py --requests 200 --processing 1.0
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.adapters.db import migrate
from bot.adapters.kv import MemoryStore
from bot.adapters.media import PlatformMedia
from bot.adapters.rate_limit import MemoryRateLimiter
from bot.bootstrap import channel_stores
from bot.config import TelegramSettings, WhatsAppSettings
from channels.queues import ChannelQueues
from channels.telegram import TelegramInput
from channels.whatsapp import WhatsAppInput
from tests.auxil import fake_telegram, fake_whatsapp
from tests.auxil.sanic_app import ScriptedAgent, serve


def summary(name: str, latencies: list[float], processing: float) -> str:
    latencies.sort()
    median = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    return (
        f"{name:<9} n={len(latencies):<4} median {median * 1000:7.1f} ms  "
        f"p95 {p95 * 1000:7.1f} ms  median/processing {median / processing:.3f}"
    )


async def bench(requests: int, processing: float, database: Path) -> None:
    url = f"sqlite:///{database}"
    migrate.upgrade(url)

    def silent(_message: object) -> list[dict[str, object]]:
        return []  # nothing is sent: only the acknowledgement is measured

    wa = WhatsAppInput(
        WhatsAppSettings(
            verify_token=fake_whatsapp.VERIFY_TOKEN,
            app_secret=fake_whatsapp.APP_SECRET,
            access_token=fake_whatsapp.ACCESS_TOKEN,
            phone_number_id=fake_whatsapp.PHONE_NUMBER_ID,
            api_base="http://127.0.0.1:9/v21.0",
        ),
        store=MemoryStore(),
        queues=ChannelQueues.on(channel_stores(url)),
        limiter=MemoryRateLimiter(),
        media=PlatformMedia(database.parent / "media"),
    )
    tg = TelegramInput(
        TelegramSettings(
            bot_token=fake_telegram.BOT_TOKEN,
            secret_token=fake_telegram.SECRET_TOKEN,
            api_base="http://127.0.0.1:9",
        ),
        store=MemoryStore(),
        queues=ChannelQueues.on(channel_stores(url)),
        limiter=MemoryRateLimiter(),
        media=PlatformMedia(database.parent / "media"),
    )
    async with aiohttp.ClientSession() as http:
        async with serve(wa, ScriptedAgent(silent, delay=processing)) as base:
            latencies = []
            for i in range(requests):
                body, headers = fake_whatsapp.signed(
                    fake_whatsapp.delivery(fake_whatsapp.text(f"halo {i}", f"62812{i:07d}"))
                )
                started = time.perf_counter()
                async with http.post(f"{base}/webhook", data=body, headers=headers) as response:
                    assert response.status == 200, await response.text()
                latencies.append(time.perf_counter() - started)
            print(summary("whatsapp", latencies, processing))
        async with serve(tg, ScriptedAgent(silent, delay=processing)) as base:
            latencies = []
            for i in range(requests):
                update = fake_telegram.message_update(700_000 + i, text=f"halo {i}")
                started = time.perf_counter()
                async with http.post(
                    f"{base}/webhook", data=json.dumps(update), headers=fake_telegram.headers()
                ) as response:
                    assert response.status == 200, await response.text()
                latencies.append(time.perf_counter() - started)
            print(summary("telegram", latencies, processing))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--processing", type=float, default=1.0, help="seconds per message")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(bench(args.requests, args.processing, Path(directory) / "bench.db"))


if __name__ == "__main__":
    main()
