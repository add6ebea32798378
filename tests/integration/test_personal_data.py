"""Personal data that ends: erasing one resident everywhere, and retention periods
(PostgreSQL in a fresh schema, and a fresh SQLite file whose bytes are searched)."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine, make_session_factory
from bot.adapters.db.message_queue import outbox_on
from bot.adapters.db.orm import audit_log, chat_identities, residents, status_changes, tickets
from bot.adapters.db.personal_data_store import personal_data_on
from bot.adapters.db.tables_messaging import inbound_messages, outbox
from bot.adapters.db.tables_nlu import nlu_inbox_items, nlu_inbox_occurrences
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.kv import MemoryStore
from bot.adapters.media_files import local_name
from bot.adapters.tracker_events import _rasa, events
from bot.cli import main as cli
from bot.domain.errors import ResidentNotFound
from bot.domain.identity import ChatIdentity
from bot.domain.model import HandoffRequest, TicketStatus
from bot.services.privacy import PersonalData, RetentionPeriods
from bot.services.tabik import Tabik
from bot.services.views import ApplicationDraft, Attachment, ComplaintDraft
from tests.auxil.outbox import T0, Clock

NIK = "1871015508900001"
PHONE = "081234567890"
WA = "6281234567890"
NAME = "Siti Aminah Rahayu"
NEIGHBOUR_NIK = "1871015508900002"
NEIGHBOUR = "Bambang Sutejo"
PHOTO = "wa:778899001122"


@dataclass
class World:
    url: str
    engine: Engine
    tracker: Engine
    media: Path
    clock: Clock
    tabik: Tabik

    def personal(self, **periods: timedelta) -> PersonalData:
        return personal_data_on(
            self.engine,
            tracker_engine=self.tracker,
            media_dir=self.media,
            periods=RetentionPeriods(**periods),
            clock=self.clock,
        )

    def count(self, table, *where) -> int:  # type: ignore[no-untyped-def]
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count()).select_from(table).where(*where)
                ).scalar_one()
            )

    def tracker_senders(self) -> set[str]:
        with self.tracker.connect() as connection:
            return {row[0] for row in connection.execute(select(events.c.sender_id))}


@pytest.fixture(params=["postgresql", "sqlite"])
def world(
    request: pytest.FixtureRequest, tmp_path: Path, empty_database_url: Callable[[str], str]
) -> Iterator[World]:
    url = empty_database_url(request.param)
    migrate.upgrade(url)
    engine = make_engine(url)
    tracker = make_engine(f"sqlite:///{tmp_path / 'trackers.db'}")
    _rasa.create_all(tracker)
    clock = Clock(T0)
    tabik = Tabik(
        functools.partial(SqlAlchemyUnitOfWork, make_session_factory(engine)),
        store=MemoryStore(prefix="privacy-test:"),
        messenger=outbox_on(engine, clock=clock),
        clock=clock,
    )
    media = tmp_path / "media"
    media.mkdir()
    # A running Tabik holds its files open, so SQLite keeps their write-ahead logs (the
    # last connection to close would fold a log into its file and delete it).
    held = [sqlite3.connect(path) for path in tmp_path.glob("*.db")]
    for connection in held:  # a connection counts once it has read the file
        connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
    yield World(url, engine, tracker, media, clock, tabik)
    for connection in held:
        connection.close()
    engine.dispose()
    tracker.dispose()


def say(world: World, sender: str, text: str, at: float) -> int:
    with world.tracker.begin() as connection:
        return int(
            connection.execute(
                insert(events).values(
                    sender_id=sender,
                    type_name="user",
                    timestamp=at,
                    data=f'{{"event": "user", "text": "{text}"}}',
                )
            ).inserted_primary_key[0]
        )


def messages(world: World, sender: str, text: str, key: str) -> None:
    now = world.clock()
    with world.engine.begin() as connection:
        connection.execute(
            insert(inbound_messages).values(
                channel="whatsapp",
                platform_id=f"wamid.{key}",
                sender_id=sender,
                message={"text": text},
                received_at=now,
                state="done",
                done_at=now,
            )
        )
        connection.execute(
            insert(outbox).values(
                sender_id=sender,
                channel="whatsapp",
                kind="reply",
                payload=[{"text": f"Baik, {text}"}],
                dedup_key=f"reply:{key}",
                status="sent",
                created_at=now,
                sent_at=now,
            )
        )


def inbox_item(world: World, event_id: int, text: str) -> None:
    now = world.clock()
    with world.engine.begin() as connection:
        item = connection.execute(
            insert(nlu_inbox_items).values(
                normalised=text.lower(),
                text=text,
                intent="inform",
                confidence=0.3,
                reason="low_confidence",
                count=1,
                state="open",
                first_seen=now,
                last_seen=now,
            )
        ).inserted_primary_key[0]
        connection.execute(
            insert(nlu_inbox_occurrences).values(
                event_id=event_id, item_id=item, reason="low_confidence", seen_at=now
            )
        )


async def populate(world: World) -> tuple[str, str, str]:
    """The resident (an application, a photo complaint, a handoff, messages, a conversation)
    and a neighbour; the resident's two ticket numbers and the neighbour's."""
    me = ChatIdentity(channel="whatsapp", account=WA)
    neighbour = ChatIdentity(channel="telegram", account="5550001")
    application = await world.tabik.apply_for_document(
        ApplicationDraft(
            document_type="ktp",
            nik=NIK,
            full_name=NAME,
            kabupaten_kota="Bandar Lampung",
            phone_number=PHONE,
        ),
        identity=me,
    )
    complaint = await world.tabik.file_complaint(
        ComplaintDraft(
            category="jalan",
            description=f"Jalan rusak depan rumah {NAME}, hubungi {PHONE}",
            kabupaten_kota="Bandar Lampung",
            location_text="Jl. Kenanga 7",
            latitude=Decimal("-5.4"),
            longitude=Decimal("105.2"),
            attachments=(Attachment(kind="photo", ref=PHOTO, caption=NAME),),
            reporter_name=NAME,
        ),
        identity=me,
    )
    await world.tabik.change_status(
        complaint.number, to=TicketStatus.DITOLAK, actor="staff:1", note=f"{NAME} tidak di rumah"
    )
    # The WhatsApp sender delivers the rejection's notice (an outbox row with the note).
    senders = outbox_on(world.engine, clock=world.clock)
    [notice] = await senders.claim(channel="whatsapp", worker="test")
    assert await senders.mark_sent(notice, worker="test", parts_sent=1)
    theirs = await world.tabik.apply_for_document(
        ApplicationDraft(
            document_type="kk",
            nik=NEIGHBOUR_NIK,
            full_name=NEIGHBOUR,
            kabupaten_kota="Metro",
            phone_number="085711112222",
        ),
        identity=neighbour,
    )
    (world.media / local_name(PHOTO)).write_bytes(b"\xff\xd8\xff" + NAME.encode())
    (world.media / "wa_7788990011223").write_bytes(b"someone else's photo")
    with world.tabik.uow_factory() as uow:
        account = uow.identities.get("whatsapp", WA)
        assert account is not None and account.id is not None
        uow.handoffs.add(
            HandoffRequest(
                reference="HO-TEST-1",
                identity_id=account.id,
                created_at=world.clock(),
                reason="tolong",
                transcript=[{"from": "resident", "text": f"saya {NAME}, {PHONE}"}],
            )
        )
        uow.commit()
    stamp = world.clock().timestamp()
    event = say(world, me.sender_id, f"nama saya {NAME} nomor {PHONE}", stamp)
    inbox_item(world, event, f"nama saya {NAME}")
    say(world, neighbour.sender_id, f"saya {NEIGHBOUR}", stamp)
    messages(world, me.sender_id, NAME, "1")
    messages(world, neighbour.sender_id, NEIGHBOUR, "2")
    return application.number, complaint.number, theirs.number


def raw_bytes(directory: Path) -> bytes:
    """Every SQLite file (with its -wal and -shm) and media file under ``directory``."""
    return b"".join(p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file())


async def test_erase_by_nik_removes_the_resident_everywhere_and_keeps_the_figures(
    world: World, tmp_path: Path
) -> None:
    application, complaint, theirs = await populate(world)

    erasure = await world.personal().erase(actor="cli:test", nik=NIK)

    assert set(erasure.tickets) == {application, complaint}
    assert erasure.removed["residents"] == 2  # the applicant and the named reporter
    assert erasure.removed["chat_accounts"] == 1
    assert erasure.removed["photo_files"] == 1
    with world.engine.connect() as connection:
        kept = {
            row.number: row
            for row in connection.execute(
                select(tickets).where(tickets.c.number.in_(erasure.tickets))
            )
        }
        notes = connection.execute(
            select(status_changes.c.note).where(status_changes.c.ticket_id == kept[complaint].id)
        ).all()
        entry = connection.execute(
            select(audit_log).where(audit_log.c.action == "resident.erased")
        ).one()
    # The facts the figures count stay; nothing personal does.
    assert (kept[complaint].kind, kept[complaint].category, kept[complaint].status) == (
        "ADU", "jalan", TicketStatus.DITOLAK,
    )  # fmt: skip
    assert kept[application].document_type == "ktp"
    assert kept[application].kabupaten_kota == "Bandar Lampung"
    assert kept[complaint].created_at is not None
    for row in kept.values():
        assert (row.description, row.location_text, row.latitude, row.resident_id) == (
            None, None, None, None,
        )  # fmt: skip
        assert row.filed_by_identity_id is None
    assert len(notes) == 2 and all(note is None for (note,) in notes)
    assert entry.actor == "cli:test" and entry.subject == "by-nik"
    assert NIK not in str(entry.details) and NAME not in str(entry.details)
    assert world.count(chat_identities, chat_identities.c.account == WA) == 0
    assert world.count(residents, residents.c.nik == NEIGHBOUR_NIK) == 1
    assert world.count(inbound_messages) == 1 and world.count(outbox) == 1
    assert world.count(nlu_inbox_items) == 0
    assert world.tracker_senders() == {"tg:5550001"}
    assert not (world.media / local_name(PHOTO)).exists()
    assert (world.media / "wa_7788990011223").exists()
    # The neighbour's ticket is untouched.
    neighbours = await world.tabik.ticket_status(
        theirs, identity=ChatIdentity("telegram", "5550001")
    )
    assert neighbours.details is not None and neighbours.details.full_name == NEIGHBOUR

    if world.url.startswith("sqlite"):
        # SQLite keeps deleted rows in free pages and old log frames unless told otherwise.
        data = raw_bytes(tmp_path)
        for trace in (NIK, PHONE, WA, NAME, "Kenanga"):
            assert trace.encode() not in data, trace
        assert NEIGHBOUR.encode() in data


async def test_erase_by_phone_finds_the_whatsapp_account_alone(world: World) -> None:
    await populate(world)
    sender = ChatIdentity(channel="whatsapp", account="6289900001111")
    await world.tabik.file_complaint(
        ComplaintDraft(category="sampah", description="Sampah menumpuk"), identity=sender
    )
    say(world, sender.sender_id, "sampah menumpuk", world.clock().timestamp())

    erasure = await world.personal().erase(actor="staff:admin", phone="+62 899-0000-1111")

    assert erasure.removed["chat_accounts"] == 1 and len(erasure.tickets) == 1
    assert world.count(chat_identities, chat_identities.c.account == "6289900001111") == 0
    assert sender.sender_id not in world.tracker_senders()
    assert world.count(chat_identities, chat_identities.c.account == WA) == 1


async def test_an_unknown_phone_or_nik_is_refused(world: World) -> None:
    await populate(world)
    with pytest.raises(ResidentNotFound) as refused:
        await world.personal().erase(actor="cli:test", nik="1871015508900009")
    assert str(refused.value) == "no resident known by this nik"
    with pytest.raises(ResidentNotFound):
        await world.personal().erase(actor="cli:test", phone="0899 1234 5678")
    assert world.count(audit_log, audit_log.c.action == "resident.erased") == 0


async def test_retention_removes_what_is_past_its_period_and_a_dry_run_nothing(
    world: World,
) -> None:
    _, complaint, _ = await populate(world)
    personal = world.personal()

    # A week and a day later: only the answered messages and the sent replies are due.
    world.clock.advance(days=8)
    assert (await personal.retention(dry_run=True))["received_messages"] == 2
    assert world.count(inbound_messages) == 2
    week = await personal.retention()
    # The resident's two replies and the rejection's notice.
    assert (week["received_messages"], week["sent_messages"]) == (2, 3)
    assert (week["tickets_stripped"], week["residents"], week["conversation_events"]) == (0, 0, 0)
    assert world.count(inbound_messages) == 0 and world.count(outbox) == 0

    # Two years after the rejection: the finished complaint loses its personal fields and
    # photo; the open applications keep theirs. Conversations and the inbox are long gone.
    world.clock.advance(days=730)
    dry = await personal.retention(dry_run=True)
    assert (dry["tickets_stripped"], dry["photo_files"], dry["nlu_inbox_items"]) == (1, 1, 1)
    assert (world.media / local_name(PHOTO)).exists()
    later = await personal.retention()
    assert later["tickets_stripped"] == 1 and later["residents"] == 1  # the named reporter
    assert later["conversation_events"] == 2 and later["nlu_inbox_items"] == 1
    assert not (world.media / local_name(PHOTO)).exists()
    status = await world.tabik.ticket_status(complaint, identity=ChatIdentity("whatsapp", WA))
    assert status.status is TicketStatus.DITOLAK and status.details is None
    assert world.count(residents, residents.c.nik == NIK) == 1  # the open application
    assert world.count(chat_identities) == 2  # both still have tickets
    assert world.tracker_senders() == set()
    assert (await personal.retention()) == dict.fromkeys(later, 0)


def test_the_cli_says_so_for_an_unknown_nik(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", world.url)
    monkeypatch.setenv("TRACKER_STORE_URL", str(world.tracker.url))
    monkeypatch.setenv("MEDIA_DIR", str(world.media))
    assert cli(["resident", "erase", "--nik", "1871015508900009"]) == 1
    assert "no resident known by this nik" in capsys.readouterr().err
    assert cli(["retention", "run", "--dry-run"]) == 0
    assert "received messages: 0" in capsys.readouterr().out
