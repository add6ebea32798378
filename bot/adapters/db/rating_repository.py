"""Ratings after ``selesai``: the pending question per chat account and the stored answers.

SQLAlchemy Core over ``rating_requests`` and ``ticket_ratings``, in the caller's session
(the unit of work's ``ratings``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from bot.adapters.db import orm
from bot.adapters.db.tables_ratings import rating_requests
from bot.adapters.db.tables_staff import ticket_ratings
from bot.services.repositories import PendingRatingRow, RatingRepository, StoredRating

__all__ = ["SqlAlchemyRatingRepository"]


class SqlAlchemyRatingRepository(RatingRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def ask(self, identity_id: int, ticket_id: int, at: datetime) -> None:
        """The account's pending question is now this ticket's (a newer one replaces it)."""
        updated = self.session.execute(
            update(rating_requests)
            .where(rating_requests.c.identity_id == identity_id)
            .values(ticket_id=ticket_id, asked_at=at)
        )
        if not updated.rowcount:
            self.session.execute(
                insert(rating_requests).values(
                    identity_id=identity_id, ticket_id=ticket_id, asked_at=at
                )
            )

    def pending(self, identity_id: int) -> PendingRatingRow | None:
        row = self.session.execute(
            select(rating_requests.c.ticket_id, rating_requests.c.asked_at, orm.tickets.c.number)
            .join(orm.tickets, orm.tickets.c.id == rating_requests.c.ticket_id)
            .where(rating_requests.c.identity_id == identity_id)
        ).first()
        if row is None:
            return None
        return PendingRatingRow(
            ticket_id=int(row.ticket_id), number=str(row.number), asked_at=row.asked_at
        )

    def forget(self, identity_id: int) -> None:
        self.session.execute(
            delete(rating_requests).where(rating_requests.c.identity_id == identity_id)
        )

    def get(self, ticket_id: int) -> StoredRating | None:
        row = self.session.execute(
            select(
                ticket_ratings.c.score, ticket_ratings.c.comment, ticket_ratings.c.created_at
            ).where(ticket_ratings.c.ticket_id == ticket_id)
        ).first()
        if row is None:
            return None
        return StoredRating(score=int(row.score), comment=row.comment, created_at=row.created_at)

    def add(self, ticket_id: int, score: int, at: datetime) -> None:
        self.session.execute(
            insert(ticket_ratings).values(ticket_id=ticket_id, score=score, created_at=at)
        )

    def set_comment(self, ticket_id: int, comment: str) -> None:
        self.session.execute(
            update(ticket_ratings)
            .where(ticket_ratings.c.ticket_id == ticket_id)
            .values(comment=comment)
        )
