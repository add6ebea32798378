"""The question "how was the handling?" waiting for a resident's answer (migration 0006).

One row per chat account: the ticket whose rating was asked last, and when. The
answer itself goes to ``ticket_ratings`` (``tables_staff``). Queried with SQLAlchemy
Core from :mod:`bot.adapters.db.rating_repository`.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, Table

from bot.adapters.db.orm import UtcDateTime, metadata

rating_requests = Table(
    "rating_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "identity_id",
        Integer,
        ForeignKey("chat_identities.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("ticket_id", Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("asked_at", UtcDateTime(), nullable=False),
)
