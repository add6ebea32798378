"""Staff services on PostgreSQL and SQLite: scopes, transitions, audit, filing on behalf,
handoff routing, login throttling, sessions and tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from bot.adapters.db.engine import make_engine
from bot.adapters.db.message_queue import outbox_on
from bot.domain.errors import (
    HandoffLimitReached,
    InvalidDraft,
    InvalidTransition,
    NotAuthorised,
    RejectionNeedsReason,
    TicketNotFound,
)
from bot.domain.identity import ChatIdentity
from bot.domain.staff import LoginFailed, LoginThrottled, Role, StaffAccount
from bot.services import handoff_desk
from bot.services.handoff_desk import BotNotResumed, HandoffNotFound, TurnReply
from bot.services.staff_desk import Filing, QueueQuery
from tests.auxil.staff import (
    PASSWORD,
    FakeConversations,
    FakeMessenger,
    build,
    complaint,
    resident_says,
    unique,
)


@pytest.fixture
def messenger() -> FakeMessenger:
    return FakeMessenger()


@pytest.fixture
def conversations() -> FakeConversations:
    return FakeConversations()


@pytest.fixture
async def staff(database_url, clock, messenger, conversations) -> AsyncIterator:
    services = build(database_url, clock=clock, messenger=messenger, conversations=conversations)
    yield services
    services.engine.dispose()


async def add(staff, role: Role, **area: str) -> StaffAccount:
    return await staff.accounts.add(unique("u"), role=role, password=PASSWORD, **area)


async def test_a_village_sees_only_its_desa_and_other_tickets_do_not_exist(staff):
    desa, other = unique("Desa"), unique("Desa")
    mine = await complaint(staff.tabik, account=unique("62812"), desa=desa)
    theirs = await complaint(staff.tabik, account=unique("62812"), desa=other)
    village = await add(
        staff, Role.VILLAGE, kabupaten_kota="Lampung Selatan", kecamatan="Natar", desa=desa
    )

    queue = await staff.desk.queue(village, QueueQuery())

    assert [i.number for i in queue] == [mine]
    assert queue[0].sla == "ok"
    with pytest.raises(TicketNotFound):
        await staff.desk.ticket(village, theirs)
    with pytest.raises(TicketNotFound):
        await staff.desk.change_status(village, theirs, to="diverifikasi", note=None)
    officer = await add(staff, Role.OFFICER, kabupaten_kota="Lampung Selatan")
    numbers = {i.number for i in await staff.desk.queue(officer, QueueQuery())}
    assert {mine, theirs} <= numbers
    metro = await add(staff, Role.OFFICER, kabupaten_kota="Metro")
    assert mine not in {i.number for i in await staff.desk.queue(metro, QueueQuery())}


async def test_queue_filters_and_search_by_number_or_phone(staff, clock):
    desa = unique("Desa")
    phone = "62813" + uuid.uuid4().hex[:7].translate(str.maketrans("abcdef", "123456"))
    road = await complaint(staff.tabik, account=phone, desa=desa, category="jalan")
    trash = await complaint(staff.tabik, account=unique("62812"), desa=desa, category="sampah")
    village = await add(
        staff, Role.VILLAGE, kabupaten_kota="Lampung Selatan", kecamatan="Natar", desa=desa
    )
    await staff.desk.change_status(village, trash, to="diverifikasi", note=None)

    def numbers(items):
        return [i.number for i in items]

    assert numbers(await staff.desk.queue(village, QueueQuery(category="sampah"))) == [trash]
    assert numbers(await staff.desk.queue(village, QueueQuery(status="diterima"))) == [road]
    assert numbers(await staff.desk.queue(village, QueueQuery(q=road.lower()))) == [road]
    national = "0" + phone[2:]
    assert numbers(await staff.desk.queue(village, QueueQuery(q=national))) == [road]
    assert numbers(await staff.desk.queue(village, QueueQuery(age="older"))) == []
    clock.advance(days=7)
    overdue = await staff.desk.queue(village, QueueQuery())
    assert [(i.number, i.sla) for i in overdue] == [(trash, "overdue"), (road, "overdue")]


async def test_status_changes_follow_the_lifecycle_and_tell_the_resident(staff, messenger):
    desa, account = unique("Desa"), unique("62812")
    number = await complaint(staff.tabik, account=account, desa=desa)
    officer = await add(staff, Role.OFFICER, kabupaten_kota="Lampung Selatan")

    with pytest.raises(InvalidTransition) as refused:
        await staff.desk.change_status(officer, number, to="selesai", note=None)
    assert refused.value.current.value == "diterima"
    with pytest.raises(RejectionNeedsReason):
        await staff.desk.change_status(officer, number, to="ditolak", note=" ")
    page = await staff.desk.change_status(officer, number, to="diverifikasi", note="Dicek")

    assert page.item.status == "diverifikasi"
    assert page.history[-1]["actor"] == officer.actor
    [(recipient, [notice], kind, key)] = messenger.sent
    assert (recipient.channel, recipient.account) == ("whatsapp", account)
    assert (kind, key) == ("notification", f"status:{number}:2")
    assert f"Status tiket {number} kini *diverifikasi*." in notice["text"]
    assert notice["custom"] == {"template_params": [number, "diverifikasi", "Dicek"]}


async def test_a_status_change_outside_the_area_or_a_crash_before_its_commit_changes_nothing(
    staff, messenger
):
    """Status, history, audit and the resident's notice commit together, or nothing does."""
    number = await complaint(staff.tabik, account=unique("62812"), desa=unique("Desa"))
    elsewhere = await add(staff, Role.OFFICER, kabupaten_kota="Metro")
    officer = await add(staff, Role.OFFICER, kabupaten_kota="Lampung Selatan")
    with pytest.raises(TicketNotFound):
        await staff.desk.change_status(elsewhere, number, to="diverifikasi", note=None)

    def dies(*_: object, **__: object) -> None:
        raise RuntimeError("the process died here")

    messenger.enqueue_within = dies  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await staff.desk.change_status(officer, number, to="diverifikasi", note=None)

    page = await staff.desk.ticket(officer, number)
    assert page.item.status == "diterima" and len(page.history) == 1
    assert messenger.sent == []
    with staff.accounts.uow_factory() as uow:
        actions = {e.action for e in uow.audit.for_subject(number)}
    assert "ticket.status_changed" not in actions


async def test_views_and_changes_are_audited_and_only_admins_read_the_audit(staff):
    number = await complaint(staff.tabik, account=unique("62812"), desa=unique("Desa"))
    officer = await add(staff, Role.OFFICER)
    admin = await add(staff, Role.ADMIN)
    await staff.desk.ticket(officer, number)
    await staff.desk.change_status(officer, number, to="diverifikasi", note=None)

    with pytest.raises(NotAuthorised):
        await staff.audit.entries(officer)
    entries = [e for e in await staff.audit.entries(admin, limit=1000) if e["ticket"] == number]
    actions = [(e["actor"], e["action"]) for e in entries]
    assert (officer.actor, "ticket.viewed") in actions
    assert (officer.actor, "ticket.status_changed") in actions


async def test_filing_on_behalf_records_the_desk_and_tells_the_resident_the_number(
    staff, messenger
):
    desa = unique("Desa")
    village = await add(
        staff, Role.VILLAGE, kabupaten_kota="Lampung Selatan", kecamatan="Natar", desa=desa
    )
    number = await staff.desk.file_on_behalf(
        village,
        Filing(
            kind="complaint",
            name="Pak Darto",
            phone="0812 7777 1234",
            nik=None,
            category="penerangan",
            document_type=None,
            kabupaten_kota=None,  # a village files for its own desa
            kecamatan=None,
            desa=None,
            description="Lampu jalan mati",
        ),
    )

    assert number.startswith("ADU-")
    page = await staff.desk.ticket(village, number)
    assert page.filed_by_staff == village.username
    assert (page.item.kabupaten_kota, page.item.desa) == ("Lampung Selatan", desa)
    assert page.full_name == "Pak Darto" and page.phone == "0812 7777 1234"
    [(recipient, messages, kind, _key)] = messenger.sent
    assert recipient == ChatIdentity(channel="whatsapp", account="6281277771234")
    assert kind == "staff" and number in messages[0]["text"]


@pytest.mark.parametrize(
    "place",
    [
        {"kabupaten_kota": "Metro"},
        {"kecamatan": "Tanjung Bintang"},
        {"desa": "Merak Batin"},
    ],
)
async def test_filing_for_a_place_outside_the_area_is_refused_before_anything_is_written(
    staff, messenger, place
):
    desa = unique("Desa")
    village = await add(
        staff, Role.VILLAGE, kabupaten_kota="Lampung Selatan", kecamatan="Natar", desa=desa
    )
    officer = await add(staff, Role.OFFICER, kabupaten_kota="Lampung Selatan")
    fields = {"kabupaten_kota": None, "kecamatan": None, "desa": None, **place}
    filing = Filing(
        kind="complaint",
        name="Pak Darto",
        phone="0812 7777 1235",
        nik=None,
        category="jalan",
        document_type=None,
        description="Jalan berlubang",
        **fields,
    )
    with pytest.raises(InvalidDraft) as refused:
        await staff.desk.file_on_behalf(village, filing)
    assert refused.value.field == next(iter(place))
    assert await staff.desk.queue(officer, QueueQuery(q="0812 7777 1235")) == []
    assert messenger.sent == []
    with staff.accounts.uow_factory() as uow:
        actions = {e.action for e in uow.audit.latest(limit=50) if e.actor == village.actor}
    assert "ticket.filed_on_behalf" not in actions


async def test_a_crash_in_the_follow_up_of_a_filing_leaves_no_ticket(staff, messenger):
    """Filer, audit and the resident's notice commit with the ticket, or nothing does."""
    officer = await add(staff, Role.OFFICER, kabupaten_kota="Metro")

    def dies(*_: object, **__: object) -> None:
        raise RuntimeError("the process died here")

    messenger.enqueue_within = dies  # type: ignore[method-assign]
    phone = "0812" + str(uuid.uuid4().int)[:8]
    with pytest.raises(RuntimeError):
        await staff.desk.file_on_behalf(
            officer,
            Filing(
                kind="complaint",
                name="Bu Rina",
                phone=phone,
                nik=None,
                category="sampah",
                document_type=None,
                kabupaten_kota="Metro",
                kecamatan=None,
                desa=None,
                description="Sampah menumpuk",
            ),
        )
    assert await staff.desk.queue(officer, QueueQuery(q=phone)) == []


async def test_a_nik_another_resident_holds_is_flagged_never_merged(staff, messenger):
    officer = await add(staff, Role.OFFICER, kabupaten_kota="Metro")
    nik = "1872015508900003"

    def filing(kind: str, name: str) -> Filing:
        return Filing(
            kind=kind,
            name=name,
            phone="0812" + str(uuid.uuid4().int)[:8],
            nik=nik,
            category="jalan" if kind == "complaint" else None,
            document_type="kk" if kind == "application" else None,
            kabupaten_kota="Metro",
            kecamatan=None,
            desa=None,
            description="Jalan rusak" if kind == "complaint" else None,
        )

    await staff.desk.file_on_behalf(officer, filing("application", "Bu Rina"))
    number = await staff.desk.file_on_behalf(officer, filing("complaint", "Pak Darto"))

    page = await staff.desk.ticket(officer, number)
    # The reporter stays who the desk was told (never the other resident) and the ticket
    # carries the flag for staff to check in person.
    assert page.full_name == "Pak Darto"
    with staff.accounts.uow_factory() as uow:
        ticket = uow.tickets.get(number)
        assert ticket is not None and ticket.nik_known_elsewhere
    with staff.accounts.uow_factory() as uow:
        [details] = [
            e.details
            for e in uow.audit.latest(limit=50)
            if e.subject == number and e.action == "ticket.filed_on_behalf"
        ]
    assert details["nik_held_by_another_resident"] is True


async def test_filing_an_application_needs_a_valid_nik_and_a_phone(staff):
    officer = await add(staff, Role.OFFICER, kabupaten_kota="Metro")
    filing = Filing(
        kind="application",
        name="Bu Rina",
        phone=None,
        nik="1871015508900003",
        category=None,
        document_type="kk",
        kabupaten_kota=None,
        kecamatan="Metro Pusat",
        desa=None,
        description=None,
    )
    with pytest.raises(InvalidDraft) as refused:
        await staff.desk.file_on_behalf(officer, filing)
    assert refused.value.field == "phone"


async def test_handoffs_are_routed_to_the_area_of_the_latest_ticket(
    staff, conversations, messenger, clock
):
    account = unique("62812")
    desa = unique("Desa")
    await complaint(staff.tabik, account=account, desa=desa, kabupaten_kota="Pesawaran")
    resident = ChatIdentity(channel="whatsapp", account=account)
    opened = await staff.handoffs.open(identity=resident, reason="tolong", transcript=[])
    assert opened.within_office_hours
    lonely = ChatIdentity(channel="whatsapp", account=unique("62899"))
    province_only = await staff.handoffs.open(identity=lonely, reason=None, transcript=[])

    pesawaran = await add(staff, Role.OFFICER, kabupaten_kota="Pesawaran")
    metro = await add(staff, Role.OFFICER, kabupaten_kota="Metro")
    province = await add(staff, Role.OFFICER)
    seen = {h.reference for h in await staff.handoffs.handoffs(pesawaran)}
    assert opened.reference in seen and province_only.reference not in seen
    assert opened.reference not in {h.reference for h in await staff.handoffs.handoffs(metro)}
    with pytest.raises(HandoffNotFound):
        await staff.handoffs.handoff(metro, opened.reference)
    assert province_only.reference in {h.reference for h in await staff.handoffs.handoffs(province)}

    clock.advance(minutes=1)
    await resident_says(
        staff.handoffs, resident, opened.reference, "Jalan di depan rumah saya longsor"
    )
    view = await staff.handoffs.reply(pesawaran, opened.reference, "Baik, kami cek hari ini.")
    assert [m["from"] for m in view.messages] == ["resident", f"staff:{pesawaran.username}"]
    assert messenger.texts_to(account) == ["Petugas: Baik, kami cek hari ini."]

    closed = await staff.handoffs.close(pesawaran, opened.reference)
    assert closed.state == "closed"
    assert conversations.resumed == [resident.sender_id]
    assert "selesai" in messenger.texts_to(account)[-1]
    with pytest.raises(HandoffNotFound):
        await staff.handoffs.reply(pesawaran, opened.reference, "lagi")


async def test_a_waiting_handoff_acknowledges_now_and_then_and_keeps_every_message(
    staff, clock, conversations
):
    resident = ChatIdentity(channel="whatsapp", account=unique("62812"))
    opened = await staff.handoffs.open(identity=resident, reason="petugas", transcript=[])
    officer = await add(staff, Role.OFFICER)

    first = await resident_says(staff.handoffs, resident, opened.reference, "halo pak?")
    assert first.reply is TurnReply.ACKNOWLEDGE and first.within_office_hours
    told = clock()
    clock.advance(minutes=2)
    again = await resident_says(
        staff.handoffs, resident, opened.reference, "pak??", acknowledged_at=told
    )
    assert again.reply is TurnReply.QUIET  # told two minutes ago: not on every message
    clock.advance(minutes=9)
    later = await resident_says(
        staff.handoffs, resident, opened.reference, "masih ada?", acknowledged_at=told
    )
    assert later.reply is TurnReply.ACKNOWLEDGE

    await staff.handoffs.reply(officer, opened.reference, "Ya, saya di sini.")
    clock.advance(minutes=1)
    replying = await resident_says(staff.handoffs, resident, opened.reference, "jalannya rusak")
    assert replying.reply is TurnReply.QUIET  # an officer is answering: the bot keeps out
    clock.advance(minutes=20)
    idle = await resident_says(staff.handoffs, resident, opened.reference, "pak?")
    assert idle.reply is TurnReply.ACKNOWLEDGE

    view = await staff.handoffs.handoff(officer, opened.reference)
    assert [m["text"] for m in view.messages if m["from"] == "resident"] == [
        "halo pak?",
        "pak??",
        "masih ada?",
        "jalannya rusak",
        "pak?",
    ]
    assert view.messages[3]["from"] == f"staff:{officer.username}"
    assert not view.emergency


async def test_an_emergency_in_a_handoff_is_marked_for_the_officer(staff, clock):
    resident = ChatIdentity(channel="whatsapp", account=unique("62812"))
    opened = await staff.handoffs.open(identity=resident, reason="petugas", transcript=[])
    turn = await resident_says(
        staff.handoffs,
        resident,
        opened.reference,
        "rumah sy kebakaran",
        emergency=True,
        bot_lines=("Dalam keadaan darurat, segera telepon 112",),
        leaving=True,  # "tolong batal, rumah kebakaran": the officer must still see it
    )
    assert turn.reply is TurnReply.EMERGENCY
    officer = await add(staff, Role.OFFICER)
    [listed] = [
        h for h in await staff.handoffs.handoffs(officer) if h.reference == opened.reference
    ]
    assert listed.state == "open" and listed.emergency
    assert listed.as_json()["emergency"] is True
    assert [(m["from"], m.get("emergency")) for m in listed.messages] == [
        ("resident", True),
        ("bot", True),
    ]
    assert "112" in listed.messages[1]["text"]


async def test_the_resident_leaves_a_handoff_and_the_bot_answers_again(staff, clock):
    resident = ChatIdentity(channel="whatsapp", account=unique("62812"))
    opened = await staff.handoffs.open(identity=resident, reason="petugas", transcript=[])
    left = await resident_says(
        staff.handoffs, resident, opened.reference, "kembali ke bot", leaving=True
    )
    assert left.reply is TurnReply.LEFT
    officer = await add(staff, Role.OFFICER)
    view = await staff.handoffs.handoff(officer, opened.reference)
    assert view.state == "closed" and view.closed_by == "resident"
    after = await resident_says(staff.handoffs, resident, opened.reference, "halo")
    assert after.reply is TurnReply.ENDED
    stranger = ChatIdentity(channel="whatsapp", account=unique("62813"))
    with pytest.raises(HandoffNotFound):
        await resident_says(staff.handoffs, stranger, opened.reference, "halo")


async def test_closing_while_rasa_is_down_keeps_the_handoff_open(staff, conversations, messenger):
    resident = ChatIdentity(channel="whatsapp", account=unique("62812"))
    opened = await staff.handoffs.open(identity=resident, reason="petugas", transcript=[])
    officer = await add(staff, Role.OFFICER)
    conversations.fail = True
    with pytest.raises(BotNotResumed):
        await staff.handoffs.close(officer, opened.reference)
    view = await staff.handoffs.handoff(officer, opened.reference)
    assert view.state == "open"  # never recorded closed with the bot still silent
    assert messenger.texts_to(resident.account) == []
    conversations.fail = False
    closed = await staff.handoffs.close(officer, opened.reference)
    assert closed.state == "closed" and conversations.resumed == [resident.sender_id]


async def test_the_handoff_list_filters_by_area_before_the_limit(staff, clock, monkeypatch):
    monkeypatch.setattr(handoff_desk, "HANDOFF_LIST_LIMIT", 2)
    account = unique("62812")
    await complaint(staff.tabik, account=account, desa=unique("Desa"), kabupaten_kota="Mesuji")
    mine = await staff.handoffs.open(
        identity=ChatIdentity(channel="whatsapp", account=account), reason=None, transcript=[]
    )
    for _ in range(3):  # newer handoffs elsewhere (the province's)
        clock.advance(minutes=1)
        await staff.handoffs.open(
            identity=ChatIdentity(channel="whatsapp", account=unique("62899")),
            reason=None,
            transcript=[],
        )
    mesuji = await add(staff, Role.OFFICER, kabupaten_kota="Mesuji")
    assert [h.reference for h in await staff.handoffs.handoffs(mesuji)] == [mine.reference]
    village = await add(
        staff, Role.VILLAGE, kabupaten_kota="Mesuji", kecamatan="Mesuji", desa="Wiralaga"
    )
    assert await staff.handoffs.handoffs(village) == []


async def test_a_chat_account_opens_at_most_five_handoffs_a_day(staff, clock):
    resident = ChatIdentity(channel="whatsapp", account=unique("62812"))
    for _ in range(5):
        await staff.handoffs.open(identity=resident, reason=None, transcript=[])
    with pytest.raises(HandoffLimitReached) as refused:
        await staff.handoffs.open(identity=resident, reason=None, transcript=[])
    assert refused.value.limit == 5
    other = ChatIdentity(channel="whatsapp", account=unique("62812"))
    await staff.handoffs.open(identity=other, reason=None, transcript=[])  # per account
    clock.advance(days=1)
    await staff.handoffs.open(identity=resident, reason=None, transcript=[])  # a new day


async def test_after_office_hours_the_resident_is_told_when(staff, clock):
    clock.now = clock.now.replace(hour=13)  # Tuesday 20:00 WIB
    opened = await staff.handoffs.open(
        identity=ChatIdentity(channel="whatsapp", account=unique("62812")),
        reason=None,
        transcript=[],
    )
    assert not opened.within_office_hours
    assert opened.next_opening == "Rabu, 08.00 WIB"
    assert "Jumat" in opened.office_hours


async def test_repeated_wrong_passwords_refuse_that_address_only(staff):
    user = await add(staff, Role.OFFICER)
    here, elsewhere = unique("10.1.0."), unique("10.2.0.")
    for _ in range(4):
        with pytest.raises(LoginFailed):
            await staff.accounts.login(user.username, "salah-salah-salah", client=here)
    with pytest.raises(LoginThrottled):
        await staff.accounts.login(user.username, "salah-salah-salah", client=here)
    with pytest.raises(LoginThrottled):
        await staff.accounts.login(user.username, PASSWORD, client=here)  # this address waits
    # The account itself is not locked: its owner logs in from anywhere else.
    assert (await staff.accounts.login(user.username, PASSWORD, client=elsewhere)).id == user.id


async def test_unknown_usernames_are_throttled_exactly_like_known_ones(staff):
    user = await add(staff, Role.OFFICER)
    outcomes = {}
    for username in (user.username, unique("nobody")):
        client, seen = unique("10.3.0."), []
        for _ in range(6):
            try:
                await staff.accounts.login(username, "salah-salah-salah", client=client)
            except (LoginFailed, LoginThrottled) as error:
                seen.append(type(error).__name__)
        outcomes[username == user.username] = seen
    assert outcomes[True] == outcomes[False] == ["LoginFailed"] * 4 + ["LoginThrottled"] * 2


async def test_a_wrong_password_writes_nothing_on_the_account(staff):
    user = await add(staff, Role.OFFICER)
    for _ in range(3):
        with pytest.raises(LoginFailed):
            await staff.accounts.login(user.username, "salah-salah-salah", client=unique("10."))
    with staff.accounts.uow_factory() as uow:
        stored = uow.staff.account(user.username)
    assert stored is not None and stored.failed_logins == 0 and stored.locked_until is None


async def test_tokens_work_until_revoked_and_revocation_ends_sessions(staff):
    user = await add(staff, Role.OFFICER)
    token = await staff.accounts.issue_token(user.username)
    assert (await staff.accounts.by_token(token)).id == user.id
    assert await staff.accounts.by_token(token + "x") is None
    session = await staff.accounts.start_session(user)
    assert (await staff.accounts.for_session(session)).id == user.id
    await staff.accounts.revoke(user.username)
    assert await staff.accounts.by_token(token) is None
    assert await staff.accounts.for_session(session) is None


async def test_bearer_tokens_expire_after_their_lifetime(staff, clock):
    user = await add(staff, Role.OFFICER)
    token = await staff.accounts.issue_token(user.username)
    clock.advance(days=89)
    assert (await staff.accounts.by_token(token)).id == user.id
    clock.advance(days=2)
    assert await staff.accounts.by_token(token) is None


async def test_a_session_ends_at_logout_and_after_a_working_day(staff, clock):
    user = await add(staff, Role.OFFICER)
    first = await staff.accounts.start_session(user)
    second = await staff.accounts.start_session(user)
    assert await staff.accounts.end_session(first)
    assert await staff.accounts.for_session(first) is None
    assert (await staff.accounts.for_session(second)).id == user.id  # other sessions go on
    clock.advance(hours=9)
    assert await staff.accounts.for_session(second) is None


async def test_one_client_guessing_many_usernames_is_refused_but_others_are_not(staff):
    client = unique("10.0.0.")
    for _ in range(19):
        with pytest.raises(LoginFailed):
            await staff.accounts.login(unique("nobody"), "salah", client=client)
    with pytest.raises(LoginThrottled):
        await staff.accounts.login(unique("nobody"), "salah", client=client)
    user = await add(staff, Role.OFFICER)
    with pytest.raises(LoginThrottled):
        await staff.accounts.login(user.username, PASSWORD, client=client)
    assert (await staff.accounts.login(user.username, PASSWORD, client="10.9.9.9")).id == user.id


async def test_the_notice_of_a_filing_is_an_outbox_row_committed_with_the_ticket(
    database_url, clock
):
    engine = make_engine(database_url)
    outbox = outbox_on(engine, clock=clock)
    staff = build(database_url, clock=clock, messenger=outbox)  # type: ignore[arg-type]
    try:
        officer = await add(staff, Role.OFFICER, kabupaten_kota="Metro")
        phone = "0812" + str(uuid.uuid4().int)[:8]
        number = await staff.desk.file_on_behalf(
            officer,
            Filing(
                kind="complaint",
                name="Bu Rina",
                phone=phone,
                nik=None,
                category="sampah",
                document_type=None,
                kabupaten_kota="Metro",
                kecamatan=None,
                desa=None,
                description="Sampah menumpuk",
            ),
        )
        queued = [i for i in await outbox.list(limit=500) if i.dedup_key == f"filed:{number}"]
        assert len(queued) == 1 and queued[0].status == "pending"
        assert queued[0].recipient == ChatIdentity(channel="whatsapp", account="62" + phone[1:])
        assert number in queued[0].messages[0]["text"]
    finally:
        staff.engine.dispose()
        engine.dispose()
