"""SQL of personal data that ends: finding one resident's rows, erasing them, and expiring
what is past its retention period, in the system of record.

One :class:`PersonalDataTables` (the port of :mod:`bot.services.personal_data_store`)
works inside one transaction (a ``Connection``), opened by
``bot.adapters.db.personal_data_store``; :mod:`bot.services.privacy` decides what goes
and when. Erasing a
ticket keeps its non-personal facts (number, kind, category or document type, place,
status, dates, the status words of its history) so it still counts in the figures.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from bot.adapters.db.orm import (
    attachments,
    audit_log,
    chat_identities,
    handoff_requests,
    officers,
    residents,
    status_changes,
    tickets,
)
from bot.adapters.db.tables_messaging import inbound_messages, outbox
from bot.adapters.db.tables_nlu import nlu_inbox_items, nlu_inbox_occurrences
from bot.adapters.db.tables_ratings import rating_requests
from bot.adapters.db.tables_staff import handoff_routes, ticket_ratings
from bot.domain.model import TicketStatus
from bot.services.message_store import DONE, FAILED, SENT
from bot.services.personal_data_store import Account, Found

# A ticket is finished in these states (its retention period runs from then).
FINISHED = tuple(status.value for status in TicketStatus if status.is_final)
# Audit details that are free text someone typed (a status note may name the resident).
FREE_TEXT_KEYS = ("note", "comment", "text")
# Keeps IN (…) lists well below every database's parameter limit.
_CHUNK = 500


def digits(text: str | None) -> str:
    """A phone number's national digits (``0812…``), however it was typed."""
    found = re.sub(r"\D", "", text or "")
    return "0" + found[2:] if found.startswith("62") else found


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    items = sorted(set(ids))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class PersonalDataTables:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _ids(self, query: Any) -> list[int]:
        return [int(row[0]) for row in self.connection.execute(query)]

    def _count(self, table: Any, column: Any, ids: Collection[int]) -> int:
        return sum(
            int(self.connection.execute(select(func.count()).where(column.in_(c))).scalar_one())
            for c in _chunks(ids)
        )

    def _delete(self, table: Any, column: Any, ids: Collection[int]) -> int:
        return sum(
            self.connection.execute(delete(table).where(column.in_(c))).rowcount
            for c in _chunks(ids)
        )

    # ------------------------------------------------------------------ finding

    def find(self, *, nik: str | None = None, phone: str | None = None) -> Found:
        """The residents with this NIK or phone, the chat accounts that are theirs (linked,
        the WhatsApp account of the phone, or one that filed their tickets), and the tickets
        of either."""
        wanted = digits(phone) if phone else None
        resident_ids: set[int] = set()
        names: set[str] = set()
        query = select(residents.c.id, residents.c.nik, residents.c.phone, residents.c.full_name)
        if nik is not None and wanted is None:
            query = query.where(residents.c.nik == nik)
        for row in self.connection.execute(query):
            if (nik is not None and row.nik == nik) or (
                wanted is not None and row.phone and digits(row.phone) == wanted
            ):
                resident_ids.add(int(row.id))
                if row.full_name:
                    names.add(str(row.full_name))
        account_filter = [chat_identities.c.resident_id.in_(resident_ids or [-1])]
        if wanted is not None:
            account_filter.append(
                and_(
                    chat_identities.c.channel == "whatsapp",
                    chat_identities.c.account == "62" + wanted.removeprefix("0"),
                )
            )
        if resident_ids:
            filers = select(tickets.c.filed_by_identity_id).where(
                tickets.c.resident_id.in_(resident_ids)
            )
            account_filter.append(chat_identities.c.id.in_(filers))
        accounts = tuple(
            Account(int(r.id), str(r.channel), str(r.account))
            for r in self.connection.execute(
                select(
                    chat_identities.c.id, chat_identities.c.channel, chat_identities.c.account
                ).where(or_(*account_filter))
            )
        )
        account_ids = [a.id for a in accounts] or [-1]
        ticket_ids = self._ids(
            select(tickets.c.id).where(
                or_(
                    tickets.c.resident_id.in_(resident_ids or [-1]),
                    tickets.c.filed_by_identity_id.in_(account_ids),
                )
            )
        )
        # The people named on those tickets (a complaint's reporter) are theirs too.
        for c in _chunks(ticket_ids):
            for row in self.connection.execute(
                select(residents.c.id, residents.c.full_name).where(
                    residents.c.id.in_(select(tickets.c.resident_id).where(tickets.c.id.in_(c)))
                )
            ):
                resident_ids.add(int(row.id))
                if row.full_name:
                    names.add(str(row.full_name))
        return Found(
            residents=tuple(sorted(resident_ids)),
            accounts=accounts,
            tickets=tuple(sorted(ticket_ids)),
            names=tuple(sorted(names)),
        )

    def ticket_numbers(self, ticket_ids: Collection[int]) -> list[str]:
        return [
            str(row[0])
            for c in _chunks(ticket_ids)
            for row in self.connection.execute(select(tickets.c.number).where(tickets.c.id.in_(c)))
        ]

    def attachment_refs(self, ticket_ids: Collection[int]) -> list[str]:
        return [
            str(row[0])
            for c in _chunks(ticket_ids)
            for row in self.connection.execute(
                select(attachments.c.ref).where(attachments.c.ticket_id.in_(c))
            )
        ]

    # ------------------------------------------------------------------ erasing

    def erase_tickets(self, ticket_ids: Collection[int]) -> int:
        """Strip the tickets of everything personal; their facts for the figures stay."""
        erased = 0
        for c in _chunks(ticket_ids):
            erased += self.connection.execute(
                update(tickets)
                .where(tickets.c.id.in_(c))
                .values(
                    description=None,
                    location_text=None,
                    latitude=None,
                    longitude=None,
                    resident_id=None,
                    filed_by_identity_id=None,
                    idempotency_key=None,
                )
            ).rowcount
            self.connection.execute(delete(attachments).where(attachments.c.ticket_id.in_(c)))
            # Notes are free text officers wrote to the resident (they may name them).
            self.connection.execute(
                update(status_changes).where(status_changes.c.ticket_id.in_(c)).values(note=None)
            )
            self.connection.execute(
                update(ticket_ratings).where(ticket_ratings.c.ticket_id.in_(c)).values(comment=None)
            )
            self.connection.execute(
                delete(rating_requests).where(rating_requests.c.ticket_id.in_(c))
            )
        return erased

    def erase_audit_texts(self, subjects: Collection[str]) -> int:
        """Drop the free text from the audit details of these tickets (who did what stays)."""
        changed = 0
        for start in range(0, len(subjects), _CHUNK):
            chunk = sorted(subjects)[start : start + _CHUNK]
            rows = self.connection.execute(
                select(audit_log.c.id, audit_log.c.details).where(audit_log.c.subject.in_(chunk))
            ).all()
            for row in rows:
                details = row.details if isinstance(row.details, dict) else {}
                if not any(key in details for key in FREE_TEXT_KEYS):
                    continue
                kept = {k: v for k, v in details.items() if k not in FREE_TEXT_KEYS}
                self.connection.execute(
                    update(audit_log).where(audit_log.c.id == row.id).values(details=kept)
                )
                changed += 1
        return changed

    def erase_handoffs(self, account_ids: Collection[int]) -> int:
        """The accounts' handoffs with their transcripts, routes and staff replies."""
        return self._delete(handoff_requests, handoff_requests.c.identity_id, account_ids)

    def erase_messages(self, sender_ids: Collection[str]) -> tuple[int, int]:
        """Received messages and queued or sent replies of these senders."""
        senders = sorted(set(sender_ids))
        if not senders:
            return 0, 0
        received = self.connection.execute(
            delete(inbound_messages).where(inbound_messages.c.sender_id.in_(senders))
        ).rowcount
        sent = self.connection.execute(
            delete(outbox).where(outbox.c.sender_id.in_(senders))
        ).rowcount
        return received, sent

    def erase_accounts(self, account_ids: Collection[int]) -> int:
        """The chat accounts themselves (a WhatsApp account id is a phone number)."""
        ids = list(account_ids)
        for c in _chunks(ids):
            # An officer linked to a chat account keeps the officer row, not the link.
            self.connection.execute(
                update(officers)
                .where(officers.c.chat_identity_id.in_(c))
                .values(chat_identity_id=None)
            )
            self.connection.execute(
                update(tickets)
                .where(tickets.c.filed_by_identity_id.in_(c))
                .values(filed_by_identity_id=None)
            )
        self.erase_handoffs(ids)
        return self._delete(chat_identities, chat_identities.c.id, ids)

    def erase_residents(self, resident_ids: Collection[int]) -> int:
        ids = list(resident_ids)
        for c in _chunks(ids):
            self.connection.execute(
                update(tickets).where(tickets.c.resident_id.in_(c)).values(resident_id=None)
            )
            self.connection.execute(
                update(chat_identities)
                .where(chat_identities.c.resident_id.in_(c))
                .values(resident_id=None)
            )
        return self._delete(residents, residents.c.id, ids)

    def erase_inbox_items(self, event_ids: Collection[int], names: Collection[str]) -> int:
        """NLU inbox items counted from these tracker events, or whose text holds a name."""
        items: set[int] = set()
        for c in _chunks(event_ids):
            items.update(
                self._ids(
                    select(nlu_inbox_occurrences.c.item_id).where(
                        nlu_inbox_occurrences.c.event_id.in_(c)
                    )
                )
            )
        for name in names:
            pattern = f"%{name.strip().lower()}%"
            items.update(
                self._ids(
                    select(nlu_inbox_items.c.id).where(
                        func.lower(nlu_inbox_items.c.text).like(pattern)
                    )
                )
            )
        # An item shared with other residents keeps its count; only their text is shown,
        # and the text kept is the newest occurrence's, which may be this resident's.
        return self._delete(nlu_inbox_items, nlu_inbox_items.c.id, items)

    # ---------------------------------------------------------------- retention

    def expired_inbound(self, before: datetime) -> list[int]:
        m = inbound_messages
        return self._ids(select(m.c.id).where(m.c.state.in_((DONE, FAILED)), m.c.done_at < before))

    def expired_outbox(self, sent_before: datetime, failed_before: datetime) -> list[int]:
        o = outbox
        return self._ids(
            select(o.c.id).where(
                or_(
                    and_(o.c.status == SENT, o.c.sent_at < sent_before),
                    and_(o.c.status == FAILED, o.c.created_at < failed_before),
                )
            )
        )

    def expired_handoffs(self, before: datetime) -> list[int]:
        h, r = handoff_requests, handoff_routes
        closed = func.coalesce(r.c.closed_at, h.c.created_at)
        return self._ids(
            select(h.c.id)
            .select_from(h.outerjoin(r, r.c.handoff_id == h.c.id))
            .where(h.c.status == "closed", closed < before)
        )

    def expired_tickets(self, before: datetime) -> list[int]:
        """Finished before ``before`` and still holding something personal."""
        t = tickets
        personal = or_(
            t.c.resident_id.is_not(None),
            t.c.filed_by_identity_id.is_not(None),
            t.c.description.is_not(None),
            t.c.location_text.is_not(None),
            t.c.latitude.is_not(None),
            exists().where(attachments.c.ticket_id == t.c.id),
        )
        return self._ids(
            select(t.c.id).where(t.c.status.in_(FINISHED), t.c.updated_at < before, personal)
        )

    def orphan_residents(self) -> list[int]:
        """Residents no ticket refers to any more."""
        return self._ids(
            select(residents.c.id).where(~exists().where(tickets.c.resident_id == residents.c.id))
        )

    def idle_accounts(self, before: datetime) -> list[int]:
        """Chat accounts with nothing of theirs left and no message since ``before``."""
        c = chat_identities
        last = func.coalesce(c.c.last_inbound_at, c.c.created_at)
        return self._ids(
            select(c.c.id).where(
                last < before,
                ~exists().where(tickets.c.filed_by_identity_id == c.c.id),
                ~exists().where(handoff_requests.c.identity_id == c.c.id),
                ~exists().where(officers.c.chat_identity_id == c.c.id),
            )
        )

    def expired_inbox_items(self, before: datetime) -> list[int]:
        return self._ids(select(nlu_inbox_items.c.id).where(nlu_inbox_items.c.last_seen < before))

    def delete_inbound(self, ids: Collection[int]) -> int:
        return self._delete(inbound_messages, inbound_messages.c.id, ids)

    def delete_outbox(self, ids: Collection[int]) -> int:
        return self._delete(outbox, outbox.c.id, ids)

    def delete_handoffs(self, ids: Collection[int]) -> int:
        return self._delete(handoff_requests, handoff_requests.c.id, ids)

    def delete_inbox_items(self, ids: Collection[int]) -> int:
        return self._delete(nlu_inbox_items, nlu_inbox_items.c.id, ids)

    # ------------------------------------------------------------------ audit

    def audit(
        self, *, actor: str, action: str, subject: str, details: Mapping[str, Any], at: datetime
    ) -> None:
        self.connection.execute(
            insert(audit_log).values(
                actor=actor, action=action, subject=subject, details=dict(details), created_at=at
            )
        )
