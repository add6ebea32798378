"""The service flows on the real databases (PostgreSQL in its own schema, and SQLite)."""

import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from bot.adapters.db.message_queue import outbox_on
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.domain.errors import RejectionNeedsReason, TicketNotFound
from bot.domain.identity import ChatIdentity
from bot.domain.model import TicketKind, TicketStatus
from bot.services.tabik import Tabik
from bot.services.views import ApplicationDraft, Attachment, ComplaintDraft


def identity(channel: str = "whatsapp") -> ChatIdentity:
    return ChatIdentity(channel=channel, account=uuid.uuid4().hex[:12])


async def test_complaint_owner_and_stranger_views(tabik: Tabik) -> None:
    owner, stranger = identity(), identity("telegram")
    draft = ComplaintDraft(
        category="penerangan",
        description="Lampu jalan mati sejak seminggu",
        kabupaten_kota="Lampung Selatan",
        kecamatan="Natar",
        latitude=Decimal("-5.305123"),
        longitude=Decimal("105.204567"),
        attachments=(Attachment(kind="photo", ref="wa:1234567890", caption="gelap"),),
    )

    receipt = await tabik.file_complaint(draft, identity=owner, idempotency_key="k")
    again = await tabik.file_complaint(draft, identity=owner, idempotency_key="k")
    mine = await tabik.ticket_status(receipt.number, identity=owner)
    theirs = await tabik.ticket_status(receipt.number, identity=stranger)

    assert receipt.kind is TicketKind.COMPLAINT and receipt.status is TicketStatus.DITERIMA
    assert (again.number, again.created) == (receipt.number, False)
    assert receipt.created_at.tzinfo is not None
    assert mine.created_at == receipt.created_at  # aware UTC survives the round trip
    assert mine.details is not None and mine.details.attachments == 1
    assert mine.details.kecamatan == "Natar"
    assert [h.to_status for h in mine.history] == [TicketStatus.DITERIMA]
    assert (theirs.details, theirs.history, theirs.is_owner) == (None, (), False)
    with pytest.raises(TicketNotFound):
        await tabik.ticket_status("ADU-200101-ZZZZ", identity=stranger)


async def test_application_with_a_known_resident(tabik: Tabik) -> None:
    first, second = identity(), identity()
    # Born 15-08-19xx (a woman: day + 40); year and serial vary so runs rarely share a NIK.
    nik = f"1871015508{uuid.uuid4().int % 100:02d}{uuid.uuid4().int % 9999 + 1:04d}"
    draft = ApplicationDraft(
        document_type="akta_kelahiran",
        nik=nik,
        full_name="Siti Aminah",
        kabupaten_kota="Bandar Lampung",
        phone_number="081234567890",
    )

    one = await tabik.apply_for_document(draft, identity=first)
    two = await tabik.apply_for_document(draft, identity=second)  # same NIK, other account

    assert one.kind is TicketKind.APPLICATION and one.number != two.number
    view = await tabik.ticket_status(two.number, identity=second)
    assert view.details is not None
    assert view.details.nik_masked == nik[:4] + "********" + nik[-4:]
    assert view.details.full_name == "Siti Aminah"


async def test_status_lifecycle_with_audit_and_outbox(
    tabik: Tabik, uow_factory: Callable[[], SqlAlchemyUnitOfWork], engine: Engine
) -> None:
    owner = identity()
    receipt = await tabik.file_complaint(
        ComplaintDraft(category="banjir", description="Banjir setinggi lutut"), identity=owner
    )

    for status in ("diverifikasi", "diteruskan", "diproses"):
        await tabik.change_status(receipt.number, to=TicketStatus(status), actor="officer:1")
    with pytest.raises(RejectionNeedsReason):
        await tabik.change_status(receipt.number, to=TicketStatus.DITOLAK, actor="officer:1")
    done = await tabik.change_status(
        receipt.number, to=TicketStatus.SELESAI, actor="officer:1", note="Saluran dibersihkan"
    )

    assert done.status is TicketStatus.SELESAI
    (latest,) = await tabik.tickets_of(owner)
    assert [h.to_status.value for h in latest.history] == [
        "diterima",
        "diverifikasi",
        "diteruskan",
        "diproses",
        "selesai",
    ]
    assert latest.note == "Saluran dibersihkan"
    with uow_factory() as uow:
        ticket = uow.tickets.get(receipt.number)
        assert ticket is not None and ticket.id is not None
        assert len(uow.audit.for_subject(receipt.number)) == 5
    queued = [i for i in await outbox_on(engine).list(limit=1000) if i.recipient == owner]
    notices = [i for i in reversed(queued) if i.kind == "notification"]
    assert [i.messages[0]["custom"]["template_params"][1] for i in notices] == [
        "diverifikasi",
        "diteruskan",
        "diproses",
        "selesai",
    ]
    # After selesai the rating question follows the notice.
    assert [i.kind for i in queued] == ["reply", "notification", *["notification"] * 3]
    pending = await tabik.pending_rating(owner)
    assert pending is not None and pending.number == receipt.number


async def test_an_uncommitted_unit_of_work_leaves_nothing_behind(
    tabik: Tabik, uow_factory: Callable[[], SqlAlchemyUnitOfWork]
) -> None:
    receipt = await tabik.file_complaint(
        ComplaintDraft(category="air", description="Air PDAM mati"), identity=identity()
    )
    with uow_factory() as uow:
        ticket = uow.tickets.get(receipt.number)
        assert ticket is not None
        ticket.change_status(TicketStatus.DIVERIFIKASI, actor="x", at=datetime.now(timezone.utc))
        # no commit

    with uow_factory() as uow:
        ticket = uow.tickets.get(receipt.number)
        assert ticket is not None and ticket.status is TicketStatus.DITERIMA
        assert len(ticket.history) == 1
