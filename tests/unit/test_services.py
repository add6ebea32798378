"""The service facade on a real SQLite database made by the Alembic migrations."""

import asyncio
import functools
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.adapters.db import migrate, orm
from bot.adapters.db.engine import make_engine, make_session_factory
from bot.adapters.db.message_queue import outbox_on
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.knowledge import load_knowledge
from bot.adapters.kv import MemoryStore
from bot.domain.errors import (
    InvalidDraft,
    InvalidNik,
    InvalidTicketNumber,
    InvalidTransition,
    NotConfigured,
    RejectionNeedsReason,
    TicketNotFound,
    TicketNumberUnavailable,
    TooManyLookups,
)
from bot.domain.identity import ChatIdentity
from bot.domain.model import Officer, OfficerRole, TicketKind, TicketStatus
from bot.domain.tickets import TicketNumber
from bot.services.lookups import SHARED_LOOKUP_FACTOR
from bot.services.outbox import Outbox
from bot.services.tabik import Tabik
from bot.services.views import ApplicationDraft, Attachment, ComplaintDraft

# Saturday 28 Nov 2026, 20:00 UTC = Sunday 29 Nov 03:00 WIB: the ticket date is Lampung's.
T0 = datetime(2026, 11, 28, 20, 0, tzinfo=timezone.utc)
RESIDENT = ChatIdentity(channel="whatsapp", account="6281234567890")
STRANGER = ChatIdentity(channel="telegram", account="555123")
NIK = "1871015508900003"
KNOWLEDGE = load_knowledge()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database per module; each test gets a copy (migrating is the slow bit)."""
    path = tmp_path_factory.mktemp("template") / "tabik.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def engine(migrated_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "tabik.db"
    shutil.copy(migrated_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> object:
    return make_session_factory(engine)


@pytest.fixture
def outbox(engine: Engine, clock: Clock) -> Outbox:
    return outbox_on(engine, clock=clock)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def uow_factory(session_factory: object) -> functools.partial:
    return functools.partial(SqlAlchemyUnitOfWork, session_factory)


@pytest.fixture
def tabik(uow_factory: functools.partial, clock: Clock, outbox: Outbox) -> Tabik:
    return Tabik(
        uow_factory,
        store=MemoryStore(prefix="test:"),
        messenger=outbox,
        clock=clock,
        knowledge=KNOWLEDGE,
    )


POTHOLE = ComplaintDraft(
    category="jalan",
    description="Jalan berlubang besar di depan pasar",
    kabupaten_kota="Bandar Lampung",
    kecamatan="Kedaton",
    location_text="Depan Pasar Kedaton",
)
KK_APPLICATION = ApplicationDraft(
    "kk",
    nik="1871 0155 0890 0003",
    full_name="Siti Aminah",
    kabupaten_kota="Bandar Lampung",
    phone_number="081234567890",
)


def pothole(**fields: Any) -> ComplaintDraft:
    return replace(POTHOLE, **fields)


def kk_application(**fields: Any) -> ApplicationDraft:
    return replace(KK_APPLICATION, **fields)


async def test_a_complaint_becomes_a_received_adu_ticket_with_a_history_line(tabik: Tabik) -> None:
    receipt = await tabik.file_complaint(pothole(), identity=RESIDENT, idempotency_key="draft-1")

    assert receipt.kind is TicketKind.COMPLAINT
    assert receipt.status is TicketStatus.DITERIMA
    assert receipt.created is True
    assert receipt.created_at == T0
    assert receipt.number.startswith("ADU-261129-")  # the date in Lampung (WIB), not UTC
    view = await tabik.ticket_status(receipt.number.lower().replace("-", " "), identity=RESIDENT)
    assert view.number == receipt.number
    assert view.subject == "jalan"
    assert [(h.from_status, h.to_status, h.at) for h in view.history] == [
        (None, TicketStatus.DITERIMA, T0)
    ]


async def test_an_application_becomes_an_mhn_ticket_with_masked_personal_data(
    tabik: Tabik,
) -> None:
    receipt = await tabik.apply_for_document(kk_application(), identity=RESIDENT)

    assert receipt.kind is TicketKind.APPLICATION
    assert receipt.number.startswith("MHN-")
    view = await tabik.ticket_status(receipt.number, identity=RESIDENT)
    assert view.subject == "kk"
    assert view.details is not None
    assert view.details.full_name == "Siti Aminah"
    assert view.details.nik_masked == "1871********0003"
    assert view.details.phone_masked == "0812******90"
    assert view.details.kabupaten_kota == "Bandar Lampung"


async def test_an_application_with_an_invalid_nik_files_nothing(tabik: Tabik) -> None:
    with pytest.raises(InvalidNik) as raised:
        await tabik.apply_for_document(kk_application(nik="1871011508900000"), identity=RESIDENT)

    assert raised.value.reason == "serial"
    assert await tabik.tickets_of(RESIDENT) == []


@pytest.mark.parametrize(
    "draft",
    [
        pothole(category="jalan raya"),
        pothole(description="   "),
        pothole(kabupaten_kota="Jakarta"),
    ],
)
async def test_a_draft_with_values_outside_the_vocabulary_is_refused(
    tabik: Tabik, draft: ComplaintDraft
) -> None:
    with pytest.raises(InvalidDraft):
        await tabik.file_complaint(draft, identity=RESIDENT)
    assert await tabik.tickets_of(RESIDENT) == []


@pytest.mark.parametrize(
    "ref", ["wa:../../v21.0/me", "wa:MEDIA", "tg:123", "rest:1", "https://example.org/x.svg"]
)
async def test_an_attachment_no_platform_delivered_to_this_chat_is_not_filed(
    tabik: Tabik, ref: str
) -> None:
    photo = Attachment(kind="photo", ref=ref, mime_type="image/jpeg")
    receipt = await tabik.file_complaint(pothole(attachments=(photo,)), identity=RESIDENT)
    owner = await tabik.ticket_status(receipt.number, identity=RESIDENT)
    assert owner.details is not None and owner.details.attachments == 0


async def test_the_owner_sees_details_and_history_a_stranger_only_status_and_dates(
    tabik: Tabik,
) -> None:
    receipt = await tabik.file_complaint(
        pothole(attachments=(Attachment(kind="photo", ref="wa:123", mime_type="image/jpeg"),)),
        identity=RESIDENT,
    )

    owner = await tabik.ticket_status(receipt.number, identity=RESIDENT)
    stranger = await tabik.ticket_status(receipt.number, identity=STRANGER)

    assert owner.is_owner is True
    assert owner.details is not None
    assert owner.details.description == "Jalan berlubang besar di depan pasar"
    assert owner.details.location_text == "Depan Pasar Kedaton"
    assert owner.details.attachments == 1
    assert owner.details.full_name is None  # no name given: an anonymous report
    assert len(owner.history) == 1
    assert stranger.is_owner is False
    assert stranger.details is None
    assert stranger.history == ()
    assert (stranger.status, stranger.status_at, stranger.created_at) == (
        TicketStatus.DITERIMA,
        T0,
        T0,
    )
    # The same account on another channel is someone else.
    other_channel = ChatIdentity(channel="telegram", account=RESIDENT.account)
    assert (await tabik.ticket_status(receipt.number, identity=other_channel)).details is None


async def test_a_named_complaint_shows_the_reporters_name_to_the_owner(tabik: Tabik) -> None:
    receipt = await tabik.file_complaint(pothole(reporter_name="Budi Santoso"), identity=RESIDENT)

    view = await tabik.ticket_status(receipt.number, identity=RESIDENT)
    assert view.details is not None and view.details.full_name == "Budi Santoso"


async def test_an_officer_of_the_area_sees_details_but_is_not_the_owner(
    tabik: Tabik, uow_factory: functools.partial
) -> None:
    receipt = await tabik.file_complaint(pothole(), identity=RESIDENT)
    officer_chat = ChatIdentity(channel="telegram", account="777")
    await tabik.request_handoff(identity=officer_chat, reason=None, transcript=[])  # registers it
    with uow_factory() as uow:
        account = uow.identities.get("telegram", "777")
        uow.officers.add(
            Officer(
                name="Petugas Balam",
                role=OfficerRole.OFFICER,
                kabupaten_kota="Bandar Lampung",
                chat_identity_id=account.id,
            )
        )
        uow.commit()

    view = await tabik.ticket_status(receipt.number, identity=officer_chat)

    assert view.is_owner is False
    assert view.details is not None and view.details.description is not None


async def test_unknown_and_malformed_numbers_are_told_apart(tabik: Tabik) -> None:
    with pytest.raises(TicketNotFound) as raised:
        await tabik.ticket_status("adu 261128 7kq2", identity=STRANGER)
    assert raised.value.number == "ADU-261128-7KQ2"

    with pytest.raises(InvalidTicketNumber):
        await tabik.ticket_status("nomor saya 12345", identity=STRANGER)


async def test_guessing_numbers_is_blocked_after_five_misses_until_the_window_passes(
    uow_factory: functools.partial, clock: Clock
) -> None:
    tabik = Tabik(
        uow_factory, store=MemoryStore(prefix="t:"), clock=clock, lookup_window_seconds=0.3
    )
    receipt = await tabik.file_complaint(pothole(), identity=RESIDENT)
    for _ in range(10):  # lookups of real tickets do not count
        await tabik.ticket_status(receipt.number, identity=STRANGER)
    for suffix in ("AAAA", "AAAB", "AAAC", "AAAD", "AAAE"):
        with pytest.raises(TicketNotFound):
            await tabik.ticket_status(f"ADU-261128-{suffix}", identity=STRANGER)

    with pytest.raises(TooManyLookups) as raised:
        await tabik.ticket_status(receipt.number, identity=STRANGER)  # even a real one now
    assert 0 < raised.value.retry_after <= 0.3
    with pytest.raises(InvalidTicketNumber):  # typos are still explained
        await tabik.ticket_status("adu", identity=STRANGER)
    # Someone else is not blocked by the guesser.
    assert (await tabik.ticket_status(receipt.number, identity=RESIDENT)).is_owner

    await asyncio.sleep(0.35)
    assert (await tabik.ticket_status(receipt.number, identity=STRANGER)).details is None


async def test_rotating_rest_ids_does_not_reset_the_guessing_budget(
    uow_factory: functools.partial, clock: Clock
) -> None:
    tabik = Tabik(uow_factory, store=MemoryStore(prefix="t:"), clock=clock, lookup_miss_limit=2)
    receipt = await tabik.file_complaint(pothole(), identity=RESIDENT)
    budget = 2 * SHARED_LOOKUP_FACTOR
    for attempt in range(budget):
        with pytest.raises(TicketNotFound):
            await tabik.ticket_status(
                "ADU-261128-" + "".join("ABCDEFGH"[int(d) % 8] for d in f"{attempt:04o}"),
                identity=ChatIdentity(channel="rest", account=f"wa:62812{attempt}"),
            )
    with pytest.raises(TooManyLookups):
        await tabik.ticket_status(
            receipt.number, identity=ChatIdentity(channel="rest", account="fresh-id")
        )
    # WhatsApp and Telegram residents keep their own budgets.
    assert (await tabik.ticket_status(receipt.number, identity=STRANGER)).details is None


async def test_a_repeated_confirmation_files_one_ticket(tabik: Tabik) -> None:
    first = await tabik.file_complaint(pothole(), identity=RESIDENT, idempotency_key="draft-9")
    again = await tabik.file_complaint(pothole(), identity=RESIDENT, idempotency_key="draft-9")
    racing = await asyncio.gather(
        *(
            tabik.file_complaint(pothole(), identity=RESIDENT, idempotency_key="draft-10")
            for _ in range(5)
        )
    )

    assert (again.number, again.created) == (first.number, False)
    assert len({r.number for r in racing}) == 1
    assert sorted(r.created for r in racing) == [False, False, False, False, True]
    assert len(await tabik.tickets_of(RESIDENT)) == 2


async def test_the_same_key_from_another_account_is_another_ticket(tabik: Tabik) -> None:
    mine = await tabik.file_complaint(pothole(), identity=RESIDENT, idempotency_key="1")
    theirs = await tabik.file_complaint(pothole(), identity=STRANGER, idempotency_key="1")

    assert theirs.created is True
    assert theirs.number != mine.number


async def test_tickets_of_lists_the_accounts_tickets_newest_first(
    tabik: Tabik, clock: Clock
) -> None:
    numbers = []
    for _ in range(3):
        numbers.append((await tabik.file_complaint(pothole(), identity=RESIDENT)).number)
        clock.advance(minutes=5)
    numbers.append((await tabik.apply_for_document(kk_application(), identity=RESIDENT)).number)
    await tabik.file_complaint(pothole(), identity=STRANGER)

    views = await tabik.tickets_of(RESIDENT, limit=3)

    assert [v.number for v in views] == numbers[::-1][:3]
    assert all(v.is_owner and v.details is not None for v in views)
    assert await tabik.tickets_of(ChatIdentity(channel="rest", account="nobody")) == []


async def test_status_changes_are_kept_audited_and_queued_for_the_resident(
    tabik: Tabik, clock: Clock, uow_factory: functools.partial, outbox: Outbox
) -> None:
    receipt = await tabik.file_complaint(pothole(), identity=RESIDENT)
    clock.advance(hours=1)
    await tabik.change_status(receipt.number, to=TicketStatus.DIVERIFIKASI, actor="officer:3")
    clock.advance(hours=1)
    view = await tabik.change_status(
        receipt.number, to=TicketStatus.DITERUSKAN, actor="officer:3", note="Ke Dinas PU"
    )

    assert view.status is TicketStatus.DITERUSKAN
    assert view.note == "Ke Dinas PU"
    assert view.status_at == T0 + timedelta(hours=2)
    owner = await tabik.ticket_status(receipt.number, identity=RESIDENT)
    assert [(h.to_status, h.note) for h in owner.history] == [
        (TicketStatus.DITERIMA, None),
        (TicketStatus.DIVERIFIKASI, None),
        (TicketStatus.DITERUSKAN, "Ke Dinas PU"),
    ]
    with uow_factory() as uow:
        audit = uow.audit.for_subject(receipt.number)
        assert [a.action for a in audit] == [
            "ticket.filed",
            "ticket.status_changed",
            "ticket.status_changed",
        ]
        assert audit[2].actor == "officer:3"
        assert audit[2].details == {
            "from": "diverifikasi",
            "to": "diteruskan",
            "note": "Ke Dinas PU",
        }
    queued = await outbox.list()
    assert [item.messages[0]["custom"]["template_params"][1] for item in queued] == [
        "diteruskan",
        "diverifikasi",
    ]  # newest first
    assert all(item.recipient == RESIDENT and item.kind == "notification" for item in queued)
    assert {item.status for item in queued} == {"pending"}


async def test_a_rejection_needs_a_reason_and_wrong_steps_are_refused(
    tabik: Tabik, uow_factory: functools.partial
) -> None:
    receipt = await tabik.file_complaint(pothole(), identity=RESIDENT)

    with pytest.raises(RejectionNeedsReason):
        await tabik.change_status(receipt.number, to=TicketStatus.DITOLAK, actor="officer:3")
    with pytest.raises(InvalidTransition):
        await tabik.change_status(receipt.number, to=TicketStatus.SELESAI, actor="officer:3")
    with pytest.raises(TicketNotFound):
        await tabik.change_status("ADU-261128-ZZZZ", to=TicketStatus.SELESAI, actor="officer:3")

    view = await tabik.ticket_status(receipt.number, identity=STRANGER)
    assert view.status is TicketStatus.DITERIMA
    with uow_factory() as uow:
        assert [a.action for a in uow.audit.for_subject(receipt.number)] == ["ticket.filed"]

    rejected = await tabik.change_status(
        receipt.number, to="ditolak", actor="officer:3", note="Bukan wewenang Pemprov"
    )
    # Anyone with the number sees the status word and date; the reason may name
    # people or places, so only the resident who filed it (and officers) read it.
    stranger = await tabik.ticket_status(receipt.number, identity=STRANGER)
    owner = await tabik.ticket_status(receipt.number, identity=RESIDENT)
    assert rejected.status is stranger.status is TicketStatus.DITOLAK
    assert stranger.note is None and stranger.details is None
    assert owner.note == "Bukan wewenang Pemprov"


async def test_a_taken_ticket_number_is_retried_with_a_fresh_one(
    uow_factory: functools.partial, clock: Clock
) -> None:
    suffixes = iter(["AAAA", "AAAA", "AAAA", "BBBB"])

    def colliding(kind: TicketKind, on: date) -> TicketNumber:
        return TicketNumber(kind=kind, issued=on.strftime("%y%m%d"), suffix=next(suffixes))

    tabik = Tabik(uow_factory, store=MemoryStore(), clock=clock, number_generator=colliding)
    first = await tabik.file_complaint(pothole(), identity=RESIDENT)
    second = await tabik.file_complaint(pothole(), identity=RESIDENT)

    assert (first.number, second.number) == ("ADU-261129-AAAA", "ADU-261129-BBBB")
    assert len(await tabik.tickets_of(RESIDENT)) == 2


async def test_endless_collisions_give_up_with_a_specific_error(
    uow_factory: functools.partial, clock: Clock
) -> None:
    def always_same(kind: TicketKind, on: date) -> TicketNumber:
        return TicketNumber(kind=kind, issued="261129", suffix="CCCC")

    tabik = Tabik(uow_factory, store=MemoryStore(), clock=clock, number_generator=always_same)
    await tabik.file_complaint(pothole(), identity=RESIDENT)

    with pytest.raises(TicketNumberUnavailable):
        await tabik.file_complaint(pothole(), identity=STRANGER)
    assert await tabik.tickets_of(STRANGER) == []


async def test_coordinates_are_kept_as_exact_decimals(
    tabik: Tabik, session_factory: object
) -> None:
    receipt = await tabik.file_complaint(
        pothole(latitude=Decimal("-5.4291234"), longitude=Decimal("105.2610009")),
        identity=RESIDENT,
    )
    with session_factory() as session:  # type: ignore[operator]
        row = session.execute(
            select(orm.tickets.c.latitude, orm.tickets.c.longitude).where(
                orm.tickets.c.number == receipt.number
            )
        ).one()
    assert (row.latitude, row.longitude) == (Decimal("-5.429123"), Decimal("105.261001"))


@pytest.mark.parametrize(
    ("utc_time", "open_"),
    [
        (datetime(2026, 11, 30, 1, 0), True),  # Monday 08:00 WIB
        (datetime(2026, 11, 30, 7, 59), True),  # Monday 14:59 WIB
        (datetime(2026, 11, 30, 8, 0), False),  # Monday 15:00 WIB
        (datetime(2026, 12, 4, 4, 29), True),  # Friday 11:29 WIB
        (datetime(2026, 12, 4, 4, 30), False),  # Friday 11:30 WIB
        (datetime(2026, 11, 29, 17, 30), False),  # Monday 00:30 WIB
        (datetime(2026, 11, 28, 3, 0), False),  # Saturday 10:00 WIB
    ],
)
def test_office_hours_are_those_of_offices_yml(utc_time: datetime, open_: bool) -> None:
    schedule = KNOWLEDGE.office_schedule
    assert schedule.is_open(utc_time.replace(tzinfo=timezone.utc)) is open_
    assert schedule.describe() == "Senin–Kamis 08.00–15.00 WIB, Jumat 08.00–11.30 WIB"


async def test_a_handoff_request_is_recorded_with_its_transcript(
    tabik: Tabik, clock: Clock, uow_factory: functools.partial
) -> None:
    clock.now = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)  # Monday 09:00 WIB
    transcript = [{"from": "user", "text": "saya mau bicara dengan petugas"}]

    receipt = await tabik.request_handoff(
        identity=RESIDENT, reason="bingung", transcript=transcript
    )

    assert receipt.within_office_hours is True
    assert receipt.reference.startswith("CS-261130-")
    with uow_factory() as uow:
        stored = uow.handoffs.get(receipt.reference)
        assert stored.transcript == transcript
        assert stored.status.value == "open"
        assert [a.action for a in uow.audit.for_subject(receipt.reference)] == ["handoff.requested"]
    clock.now = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)  # Saturday
    later = await tabik.request_handoff(identity=RESIDENT, reason=None, transcript=[])
    assert later.within_office_hours is False


class FakeLookups:
    def __init__(self) -> None:
        self.asked: list[tuple] = []

    async def lookup(self, *args: object) -> str:
        self.asked.append(args)
        return "answer"


async def test_outside_system_lookups_go_to_the_providers(
    uow_factory: functools.partial,
) -> None:
    fake = FakeLookups()
    providers = SimpleNamespace(vehicle_tax=fake, social_aid=fake, food_prices=fake)
    tabik = Tabik(uow_factory, store=MemoryStore(), providers=providers)

    assert await tabik.vehicle_tax("BE 1234 AB") == "answer"
    assert await tabik.social_aid("1871 0155 0890 0003") == "answer"
    assert await tabik.food_prices("beras") == "answer"
    with pytest.raises(InvalidNik):
        await tabik.social_aid("123")
    assert fake.asked == [("BE 1234 AB",), (NIK,), ("beras", None)]
    with pytest.raises(NotConfigured):
        await Tabik(uow_factory, store=MemoryStore()).vehicle_tax("BE 1234 AB")
