"""The admins' agencies and routing rules over a Session (tables of migration 0013)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from bot.adapters.db.tables_agencies import agencies, routing_rules
from bot.domain.tickets import TicketKind
from bot.services.repositories import AgencyRepository, AgencyRow, RuleRow

__all__ = ["SqlAlchemyAgencyRepository"]


class SqlAlchemyAgencyRepository(AgencyRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def version(self) -> tuple[int, ...]:
        # A replaced agency is deleted and inserted again, so its id moves on too.
        counted: list[int] = []
        for table in (agencies, routing_rules):
            count, top = self.session.execute(
                select(func.count(), func.coalesce(func.max(table.c.id), 0)).select_from(table)
            ).one()
            counted.extend((int(count), int(top)))
        return tuple(counted)

    def agencies(self) -> list[AgencyRow]:
        rows = self.session.execute(select(agencies).order_by(agencies.c.id))
        return [
            AgencyRow(
                code=r.code,
                name=r.name,
                level=r.level,
                kabupaten_kota=r.kabupaten_kota,
                handles=dict(r.handles or {}),
            )
            for r in rows
        ]

    def rules(self) -> list[RuleRow]:
        rows = self.session.execute(select(routing_rules).order_by(routing_rules.c.id))
        return [
            RuleRow(
                ticket_kind=TicketKind(r.ticket_kind),
                subject=r.subject,
                target=r.target,
                kabupaten_kota=r.kabupaten_kota,
            )
            for r in rows
        ]

    def save_agency(self, row: AgencyRow, *, at: datetime) -> None:
        self.session.execute(delete(agencies).where(agencies.c.code == row.code))
        self.session.execute(
            insert(agencies).values(
                code=row.code,
                name=row.name,
                level=row.level,
                kabupaten_kota=row.kabupaten_kota,
                handles=row.handles or {},
                created_at=at,
            )
        )

    def add_rule(self, row: RuleRow, *, created_by: str, at: datetime) -> None:
        self.session.execute(
            insert(routing_rules).values(
                ticket_kind=row.ticket_kind.value,
                subject=row.subject,
                kabupaten_kota=row.kabupaten_kota,
                target=row.target,
                created_by=created_by,
                created_at=at,
            )
        )
