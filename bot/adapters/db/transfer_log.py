"""Transfers of tickets between agencies (``ticket_transfers``), in the caller's session."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.adapters.db.tables_agencies import ticket_transfers
from bot.services.repositories import TicketTransfer, TransferLog

__all__ = ["SqlAlchemyTransferLog"]


class SqlAlchemyTransferLog(TransferLog):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, transfer: TicketTransfer) -> None:
        self.session.execute(
            insert(ticket_transfers).values(
                ticket_id=transfer.ticket_id,
                from_agency=transfer.from_agency,
                to_agency=transfer.to_agency,
                reason=transfer.reason,
                note=transfer.note,
                actor=transfer.actor,
                created_at=transfer.created_at,
            )
        )

    def of_ticket(self, ticket_id: int) -> list[TicketTransfer]:
        t = ticket_transfers
        rows = self.session.execute(
            select(t.c.from_agency, t.c.to_agency, t.c.reason, t.c.note, t.c.actor, t.c.created_at)
            .where(t.c.ticket_id == ticket_id)
            .order_by(t.c.created_at, t.c.id)
        )
        return [
            TicketTransfer(
                ticket_id=ticket_id,
                from_agency=row.from_agency,
                to_agency=row.to_agency,
                reason=row.reason,
                note=row.note,
                actor=row.actor,
                created_at=row.created_at,
            )
            for row in rows
        ]
