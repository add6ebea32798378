"""Personal data that ends (UU 27/2022): retention periods, and erasing one resident.

Where personal data is kept, and for how long, is docs/privacy.md. Two use cases:

* :meth:`PersonalData.retention` removes what is past its period: raw received
  messages once answered, sent messages, conversations in the tracker store and the NLU
  inbox, closed handoffs' transcripts, and the photos and personal fields of finished
  tickets; then residents and chat accounts nothing refers to any more. The worker in
  ``make serve`` (``bot.workers.retention``) runs it periodically, the CLI on demand.
* :meth:`PersonalData.erase` removes one resident's personal data everywhere it is kept,
  found by phone or NIK, and writes the erasure to the audit log. Tickets keep their
  non-personal facts (number, kind, category or document type, place, status, dates),
  so the figures still count them.

On SQLite every connection deletes securely (``PRAGMA secure_delete``) and the files are
compacted afterwards, so deleted rows leave no trace in free pages or the write-ahead log.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from bot.config import Settings
from bot.domain.errors import InvalidDraft, ResidentNotFound
from bot.domain.identity import ChatIdentity
from bot.domain.nik import validate_nik
from bot.services.conversation_log import ConversationCleaner
from bot.services.personal_data_store import Found, PersonalDataStore, PersonalDataTables
from bot.services.photo_files import PhotoFiles
from bot.services.shared import Clock, utc_now

log = logging.getLogger(__name__)

ERASED = "resident.erased"


@dataclass(frozen=True)
class RetentionPeriods:
    """How long each kind of personal data is kept (``RETENTION_*_DAYS``)."""

    inbound: timedelta = timedelta(days=7)  # raw received messages, once answered
    outbox: timedelta = timedelta(days=7)  # messages sent, once sent
    conversations: timedelta = timedelta(days=180)  # tracker store, NLU inbox, idle accounts
    handoffs: timedelta = timedelta(days=180)  # closed handoffs and their transcripts
    tickets: timedelta = timedelta(days=730)  # finished tickets' photos and personal fields

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPeriods:
        return cls(
            inbound=timedelta(days=settings.retention_inbound_days),
            outbox=timedelta(days=settings.retention_outbox_days),
            conversations=timedelta(days=settings.retention_conversations_days),
            handoffs=timedelta(days=settings.retention_handoffs_days),
            tickets=timedelta(days=settings.retention_tickets_days),
        )


@dataclass(frozen=True)
class Erasure:
    """What an erasure removed; ``tickets`` are the numbers that stay for the figures."""

    tickets: tuple[str, ...]
    removed: dict[str, int]


@dataclass(eq=False)
class PersonalData:
    store: PersonalDataStore  # the system of record
    tracker: ConversationCleaner | None = None  # None: no SQL tracker store to clean
    media: PhotoFiles | None = None  # None: no photos kept
    periods: RetentionPeriods = field(default_factory=RetentionPeriods)
    clock: Clock = utc_now

    def _compact(self) -> None:
        self.store.compact()
        if self.tracker is not None:
            self.tracker.compact()

    def close(self) -> None:
        """Let go of the stores' connections."""
        self.store.close()
        if self.tracker is not None:
            self.tracker.close()

    # ------------------------------------------------------------------ erasure

    async def erase(
        self, *, actor: str, nik: str | None = None, phone: str | None = None
    ) -> Erasure:
        """Erase the resident known by ``nik`` or ``phone`` (one of them) everywhere.

        ResidentNotFound when no record holds it; InvalidNik / InvalidDraft for a value
        that cannot be one.
        """
        if (nik is None) == (phone is None):
            raise InvalidDraft("resident", "give a phone or a NIK")
        if nik is not None:
            nik = validate_nik(nik)
        elif len("".join(c for c in phone or "" if c.isdigit())) < 8:
            raise InvalidDraft("phone", "")
        by = "nik" if nik is not None else "phone"
        refs: list[str] = []

        def work(tables: PersonalDataTables) -> Erasure:
            found = tables.find(nik=nik, phone=phone)
            if found.empty:
                raise ResidentNotFound(by=by)
            senders = self._senders(found)
            events = self.tracker.event_ids(senders) if self.tracker is not None else []
            # The conversations first: should the rest fail, running it again finds the
            # accounts (and so the conversations) still there.
            conversation_events = (
                self.tracker.delete_senders(senders) if self.tracker is not None else 0
            )
            numbers = tuple(tables.ticket_numbers(found.tickets))
            refs.extend(tables.attachment_refs(found.tickets))
            removed = {
                "tickets_stripped": tables.erase_tickets(found.tickets),
                "audit_notes": tables.erase_audit_texts(numbers),
            }
            received, sent = tables.erase_messages(senders)
            removed |= {
                "received_messages": received,
                "sent_messages": sent,
                "nlu_inbox_items": tables.erase_inbox_items(events, found.names),
                "handoffs": tables.erase_handoffs([a.id for a in found.accounts]),
                "chat_accounts": tables.erase_accounts([a.id for a in found.accounts]),
                "residents": tables.erase_residents(found.residents),
                "conversation_events": conversation_events,
                "photos": len(refs),
            }
            # The audit says that and what, never whom: no NIK, phone or name.
            tables.audit(
                actor=actor,
                action=ERASED,
                subject=f"by-{by}",
                details={"tickets": list(numbers), **removed},
                at=self.clock(),
            )
            return Erasure(tickets=numbers, removed=removed)

        def in_thread() -> Erasure:
            with self.store.transaction() as tables:
                erasure = work(tables)
            if self.media is not None:
                erasure.removed["photo_files"] = self.media.remove(self.media.find(refs))
            self._compact()
            return erasure

        erasure = await asyncio.to_thread(in_thread)
        log.info("erased a resident by %s: %s", by, erasure.removed)
        return erasure

    @staticmethod
    def _senders(found: Found) -> list[str]:
        return [
            ChatIdentity(channel=a.channel, account=a.account).sender_id for a in found.accounts
        ]

    # ---------------------------------------------------------------- retention

    async def retention(self, *, dry_run: bool = False) -> dict[str, int]:
        """Remove (or, ``dry_run``, count) what is past its period; counts by kind."""
        now = self.clock()
        periods = self.periods
        refs: list[str] = []

        def work(tables: PersonalDataTables) -> dict[str, int]:
            tickets = tables.expired_tickets(now - periods.tickets)
            refs.extend(tables.attachment_refs(tickets))
            tables.erase_audit_texts(tables.ticket_numbers(tickets))
            counts = {
                "received_messages": tables.delete_inbound(
                    tables.expired_inbound(now - periods.inbound)
                ),
                "sent_messages": tables.delete_outbox(
                    tables.expired_outbox(now - periods.outbox, now - periods.conversations)
                ),
                "handoffs": tables.delete_handoffs(tables.expired_handoffs(now - periods.handoffs)),
                "tickets_stripped": tables.erase_tickets(tickets),
                "photos": len(refs),
                "nlu_inbox_items": tables.delete_inbox_items(
                    tables.expired_inbox_items(now - periods.conversations)
                ),
            }
            # What nothing refers to any more: only once the tickets let go of them.
            counts["residents"] = tables.erase_residents(tables.orphan_residents())
            counts["chat_accounts"] = tables.erase_accounts(
                tables.idle_accounts(now - periods.conversations)
            )
            return counts

        def in_thread() -> dict[str, int]:
            with self.store.transaction(commit=not dry_run) as tables:
                counts = work(tables)
            if self.media is not None:
                files = self.media.find(refs)
                counts["photo_files"] = len(files) if dry_run else self.media.remove(files)
            if self.tracker is not None:
                before = (now - periods.conversations).timestamp()
                counts["conversation_events"] = (
                    self.tracker.count_before(before)
                    if dry_run
                    else self.tracker.delete_before(before)
                )
            if not dry_run and any(value > 0 for value in counts.values()):
                self._compact()
            return counts

        return await asyncio.to_thread(in_thread)
