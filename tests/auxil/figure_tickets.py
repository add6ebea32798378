"""Tickets written straight into a migrated database for the figures' tests and benchmark.

Each :class:`TicketRecord` becomes a ticket (with a resident, a description and a
number the figures must never show), its change into a final status and its rating.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime, timezone

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from bot.adapters.db import orm
from bot.adapters.db.tables_staff import ticket_ratings
from bot.domain.figures import TicketRecord

# What a resident tells and what no figure may carry.
PERSONAL = {
    "full_name": "Siti Rahayuningsih",
    "nik": "1871014107900003",
    "phone": "+6281299887766",
    "description": "Rumah Bu Siti Rahayuningsih di Gang Mawar 7 kebanjiran",
}
_serial = itertools.count(1)


def insert_records(
    engine: Engine,
    records: Iterable[TicketRecord],
    *,
    escalated_to: str | None = None,
    batch: int = 5000,
) -> list[str]:
    """Insert one ticket per record (a resident each); their numbers, in order."""
    numbers: list[str] = []
    records = list(records)
    with engine.begin() as connection:
        for offset in range(0, len(records), batch):
            chunk = records[offset : offset + batch]
            resident_ids = [
                connection.execute(
                    insert(orm.residents).values(
                        full_name=PERSONAL["full_name"],
                        nik=PERSONAL["nik"],
                        phone=PERSONAL["phone"],
                        created_at=datetime.now(timezone.utc),
                    )
                ).inserted_primary_key[0]
                for _ in chunk[:1]
            ]
            rows, changes, ratings = [], [], []
            for record in chunk:
                serial = next(_serial)
                number = f"ADU-{record.received_at:%y%m%d}-{serial:06d}"
                numbers.append(number)
                application = record.category.startswith("mhn:")
                rows.append(
                    {
                        "number": number,
                        "kind": "MHN" if application else "ADU",
                        "category": None if application else record.category,
                        "document_type": record.category[4:] if application else None,
                        "kabupaten_kota": record.kabupaten_kota,
                        "kecamatan": record.kecamatan,
                        "desa": record.desa,
                        "description": PERSONAL["description"],
                        "status": record.status.value,
                        "resident_id": resident_ids[0],
                        "created_at": record.received_at,
                        "updated_at": record.done_at or record.received_at,
                        "agency_code": record.agency,
                        "escalated_to": escalated_to,
                    }
                )
            connection.execute(insert(orm.tickets), rows)
            id_of = dict(
                connection.execute(
                    select(orm.tickets.c.number, orm.tickets.c.id).where(
                        orm.tickets.c.number.in_([row["number"] for row in rows])
                    )
                ).all()
            )
            ids = [id_of[row["number"]] for row in rows]
            for ticket_id, record in zip(ids, chunk, strict=True):
                if record.done_at is not None:
                    changes.append(
                        {
                            "ticket_id": ticket_id,
                            "from_status": "diproses",
                            "to_status": record.status.value,
                            "actor": "staff:petugas",
                            "created_at": record.done_at,
                        }
                    )
                if record.rating is not None:
                    ratings.append(
                        {
                            "ticket_id": ticket_id,
                            "score": record.rating,
                            "comment": PERSONAL["description"],
                            "created_at": record.done_at or record.received_at,
                        }
                    )
            if changes:
                connection.execute(insert(orm.status_changes), changes)
            if ratings:
                connection.execute(insert(ticket_ratings), ratings)
    return numbers
