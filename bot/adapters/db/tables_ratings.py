"""The question "how was the handling?" waiting for a resident's answer (migration 0006).

One row per chat account: the ticket whose rating was asked last, and when. The
answer itself goes to ``ticket_ratings`` (``tables_staff``). Queried with SQLAlchemy
Core from :mod:`bot.adapters.db.rating_repository`.
"""

from __future__ import annotations

from bot.adapters.db.columns import reference, timestamp
from bot.adapters.db.metadata import table_with_id

rating_requests = table_with_id(
    "rating_requests",
    reference("identity_id", "chat_identities", cascade=True, unique=True),
    reference("ticket_id", "tickets", cascade=True),
    timestamp("asked_at", nullable=False),
)
