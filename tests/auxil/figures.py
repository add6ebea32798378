"""Synthetic ticket records for figures: tests, the benchmark and the sample charts."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from bot.domain.figures import OPEN_STATUSES, TicketRecord
from bot.domain.model import TicketStatus
from bot.domain.vocabulary import region_names

# The 15 kabupaten/kota in the menu's order (the seeded figures depend on it).
REGIONS = tuple(region_names())
CATEGORIES = ("jalan", "sampah", "penerangan", "banjir", "air", "pelayanan", "pungli", "lainnya")
AGENCIES = ("Dinas PUPR", "Dinas Lingkungan Hidup", "Disdukcapil", "PDAM")
START = datetime(2026, 9, 1, 1, 0, tzinfo=timezone.utc)


def synthetic_records(
    count: int, *, seed: int = 7, start: datetime = START, days: int = 98
) -> Iterator[TicketRecord]:
    """``count`` plausible records received over ``days`` days from ``start`` (seeded).

    Busy regions and common categories get more tickets; about three in four are
    done, most of them before their six-day deadline; half of the done ones are rated.
    """
    rng = random.Random(seed)
    region_weights = [1 / (rank + 1) for rank in range(len(REGIONS))]
    category_weights = [1 / (rank + 1) for rank in range(len(CATEGORIES))]
    for _ in range(count):
        received = start + timedelta(seconds=rng.uniform(0, days * 86400))
        due = received + timedelta(days=6)
        done_at = None
        status = rng.choice(OPEN_STATUSES)
        rating = None
        if rng.random() < 0.75:
            done_at = received + timedelta(days=rng.expovariate(1 / 3.5))
            status = TicketStatus.SELESAI if rng.random() < 0.9 else TicketStatus.DITOLAK
            rating = rng.randint(2, 5) if rng.random() < 0.5 else None
        yield TicketRecord(
            received_at=received,
            status=status,
            category=rng.choices(CATEGORIES, category_weights)[0],
            kabupaten_kota=rng.choices(REGIONS, region_weights)[0],
            agency=rng.choice(AGENCIES),
            due_at=due,
            done_at=done_at,
            rating=rating,
        )
