"""Handoff requests with their route, the officers' replies and the resident's messages
while a handoff is open, in the unit of work's session (``uow.handoffs``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import Row

from bot.adapters.db import orm
from bot.adapters.db.repository import _SessionRepository
from bot.adapters.db.tables_staff import (
    handoff_messages,
    handoff_replies,
    handoff_routes,
    staff_accounts,
)
from bot.domain.model import HandoffRequest, HandoffStatus
from bot.domain.staff import Area
from bot.services.repositories import (
    HandoffMessageRow,
    HandoffRepository,
    HandoffRow,
    ReplyRow,
)

__all__ = ["SqlAlchemyHandoffRepository"]


class SqlAlchemyHandoffRepository(_SessionRepository, HandoffRepository):
    def add(self, request: HandoffRequest) -> None:
        self._insert("handoff request", request)

    def get(self, reference: str) -> HandoffRequest | None:
        return self._one(select(HandoffRequest).filter_by(reference=reference))

    def count_opened_since(self, identity_id: int, since: datetime) -> int:
        requests = orm.handoff_requests
        query = select(func.count()).where(
            requests.c.identity_id == identity_id, requests.c.created_at >= since
        )
        return int(self.session.execute(query).scalar_one())

    def route(self, handoff_id: int, area: Area) -> None:
        self.session.execute(
            insert(handoff_routes).values(
                handoff_id=handoff_id,
                kabupaten_kota=area.kabupaten_kota,
                kecamatan=area.kecamatan,
                desa=area.desa,
            )
        )

    @staticmethod
    def _latest_ticket(column: Any) -> Any:
        """``column`` of the requesting resident's latest ticket (correlated, None if none)."""
        tickets, requests = orm.tickets, orm.handoff_requests
        return (
            select(column)
            .where(tickets.c.filed_by_identity_id == requests.c.identity_id)
            .order_by(tickets.c.created_at.desc(), tickets.c.id.desc())
            .limit(1)
            .correlate(requests)
            .scalar_subquery()
        )

    def _handoff_query(self) -> Any:
        requests, identities = orm.handoff_requests, orm.chat_identities
        return (
            select(
                requests,
                identities.c.channel,
                identities.c.account,
                handoff_routes.c.kabupaten_kota,
                handoff_routes.c.kecamatan,
                handoff_routes.c.desa,
                handoff_routes.c.closed_at,
                handoff_routes.c.closed_by,
                self._latest_ticket(orm.tickets.c.agency_code).label("agency_code"),
                self._latest_ticket(orm.tickets.c.escalated_to).label("escalated_to"),
            )
            .join(identities, identities.c.id == requests.c.identity_id)
            .outerjoin(handoff_routes, handoff_routes.c.handoff_id == requests.c.id)
        )

    @staticmethod
    def _handoff(row: Row) -> HandoffRow:
        v = row._mapping
        return HandoffRow(
            id=int(v["id"]),
            reference=str(v["reference"]),
            channel=str(v["channel"]),
            account=str(v["account"]),
            reason=v["reason"],
            transcript=list(v["transcript"] or []),
            status=HandoffStatus(v["status"]),
            created_at=v["created_at"],
            # A request with no route (recorded before routing, or routing failed)
            # belongs to the province: someone must see it.
            area=Area(v["kabupaten_kota"], v["kecamatan"], v["desa"]),
            closed_at=v["closed_at"],
            closed_by=v["closed_by"],
            agency_code=v["agency_code"],
            escalated_to=v["escalated_to"],
        )

    def newest(
        self,
        status: HandoffStatus | None,
        *,
        limit: int,
        kabupaten_kota: str | None = None,
        agency_code: str | None = None,
    ) -> list[HandoffRow]:
        """The newest handoffs; with ``kabupaten_kota``, only those routed there, with
        ``agency_code`` only those whose resident's latest ticket it holds or watches (in
        the query, so other handoffs cannot push these out of the limit)."""
        requests = orm.handoff_requests
        query = self._handoff_query()
        if status is not None:
            query = query.where(requests.c.status == status.value)
        if kabupaten_kota is not None:
            query = query.where(
                func.lower(handoff_routes.c.kabupaten_kota) == kabupaten_kota.strip().lower()
            )
        if agency_code is not None:
            tickets = orm.tickets
            query = query.where(
                or_(
                    self._latest_ticket(tickets.c.agency_code) == agency_code,
                    self._latest_ticket(tickets.c.escalated_to) == agency_code,
                )
            )
        query = query.order_by(requests.c.created_at.desc(), requests.c.id.desc()).limit(limit)
        return [self._handoff(row) for row in self.session.execute(query)]

    def row(self, reference: str) -> HandoffRow | None:
        row = self.session.execute(
            self._handoff_query().where(orm.handoff_requests.c.reference == reference)
        ).first()
        return None if row is None else self._handoff(row)

    def add_reply(self, handoff_id: int, staff_id: int, text: str, at: datetime) -> None:
        self.session.execute(
            insert(handoff_replies).values(
                handoff_id=handoff_id, staff_id=staff_id, text=text, created_at=at
            )
        )

    def replies(self, handoff_id: int) -> list[ReplyRow]:
        rows = self.session.execute(
            select(handoff_replies.c.text, handoff_replies.c.created_at, staff_accounts.c.username)
            .join(staff_accounts, staff_accounts.c.id == handoff_replies.c.staff_id)
            .where(handoff_replies.c.handoff_id == handoff_id)
            .order_by(handoff_replies.c.id)
        )
        return [ReplyRow(username=r.username, text=r.text, created_at=r.created_at) for r in rows]

    def add_message(
        self, handoff_id: int, author: str, text: str, at: datetime, *, emergency: bool = False
    ) -> None:
        self.session.execute(
            insert(handoff_messages).values(
                handoff_id=handoff_id, author=author, text=text, emergency=emergency, created_at=at
            )
        )

    def messages(self, handoff_id: int) -> list[HandoffMessageRow]:
        rows = self.session.execute(
            select(
                handoff_messages.c.author,
                handoff_messages.c.text,
                handoff_messages.c.emergency,
                handoff_messages.c.created_at,
            )
            .where(handoff_messages.c.handoff_id == handoff_id)
            .order_by(handoff_messages.c.id)
        )
        return [
            HandoffMessageRow(
                author=r.author, text=r.text, emergency=bool(r.emergency), created_at=r.created_at
            )
            for r in rows
        ]

    def latest_reply_at(self, handoff_id: int) -> datetime | None:
        """When an officer last answered this handoff (None: not yet)."""
        return self.session.execute(
            select(func.max(handoff_replies.c.created_at)).where(
                handoff_replies.c.handoff_id == handoff_id
            )
        ).scalar_one_or_none()

    def close(self, handoff: HandoffRow, actor: str, at: datetime) -> None:
        self.session.execute(
            update(orm.handoff_requests)
            .where(orm.handoff_requests.c.id == handoff.id)
            .values(status=HandoffStatus.CLOSED.value)
        )
        updated = self.session.execute(
            update(handoff_routes)
            .where(handoff_routes.c.handoff_id == handoff.id)
            .values(closed_at=at, closed_by=actor)
        )
        if not updated.rowcount:
            self.session.execute(
                insert(handoff_routes).values(handoff_id=handoff.id, closed_at=at, closed_by=actor)
            )
