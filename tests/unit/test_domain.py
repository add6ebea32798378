from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.errors import InvalidTransition, RejectionNeedsReason
from bot.domain.model import (
    TRANSITIONS,
    Officer,
    OfficerRole,
    Ticket,
    TicketKind,
    TicketStatus,
)

T0 = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)
LIFECYCLE = [
    TicketStatus.DIVERIFIKASI,
    TicketStatus.DITERUSKAN,
    TicketStatus.DIPROSES,
    TicketStatus.SELESAI,
]


def new_ticket(**fields: object) -> Ticket:
    fields.setdefault("category", "jalan")
    return Ticket.file(
        number="ADU-261128-7KQ2", kind=TicketKind.COMPLAINT, actor="identity:1", at=T0, **fields
    )


def test_a_filed_ticket_is_received_with_its_first_history_line() -> None:
    ticket = new_ticket()

    assert ticket.status is TicketStatus.DITERIMA
    assert [(c.from_status, c.to_status, c.actor) for c in ticket.history] == [
        (None, TicketStatus.DITERIMA, "identity:1")
    ]
    assert ticket.status_at == T0
    assert ticket.subject == "jalan"


def test_status_words_are_the_indonesian_words_residents_read() -> None:
    assert [s.value for s in TicketStatus] == [
        "diterima",
        "diverifikasi",
        "diteruskan",
        "diproses",
        "selesai",
        "ditolak",
    ]
    assert TicketStatus("selesai") is TicketStatus.SELESAI


def test_the_whole_lifecycle_is_kept_in_the_history_with_time_actor_and_note() -> None:
    ticket = new_ticket()
    for step, status in enumerate(LIFECYCLE, start=1):
        ticket.change_status(status, actor="officer:7", at=T0 + timedelta(hours=step), note=None)

    assert ticket.status is TicketStatus.SELESAI
    assert [c.to_status for c in ticket.history] == [TicketStatus.DITERIMA, *LIFECYCLE]
    assert [c.from_status for c in ticket.history][1:] == [TicketStatus.DITERIMA, *LIFECYCLE[:-1]]
    assert ticket.updated_at == T0 + timedelta(hours=4)
    assert ticket.status_at == T0 + timedelta(hours=4)
    assert all(c.actor == "officer:7" for c in ticket.history[1:])


@pytest.mark.parametrize(
    ("current_path", "requested"),
    [
        ([], TicketStatus.SELESAI),  # skipping steps
        ([], TicketStatus.DITERIMA),  # to itself
        ([TicketStatus.DIVERIFIKASI], TicketStatus.DITERIMA),  # backwards
        (LIFECYCLE, TicketStatus.DIPROSES),  # out of a final state
    ],
)
def test_transitions_outside_the_lifecycle_are_refused(
    current_path: list[TicketStatus], requested: TicketStatus
) -> None:
    ticket = new_ticket()
    for status in current_path:
        ticket.change_status(status, actor="officer:7", at=T0)
    before = (ticket.status, len(ticket.history))

    with pytest.raises(InvalidTransition) as raised:
        ticket.change_status(requested, actor="officer:7", at=T0)

    assert raised.value.current is before[0]
    assert raised.value.requested is requested
    assert (ticket.status, len(ticket.history)) == before


@pytest.mark.parametrize("note", [None, "", "   "])
def test_a_rejection_without_a_reason_is_refused(note: str | None) -> None:
    ticket = new_ticket()

    with pytest.raises(RejectionNeedsReason):
        ticket.change_status(TicketStatus.DITOLAK, actor="officer:7", at=T0, note=note)

    assert ticket.status is TicketStatus.DITERIMA
    assert len(ticket.history) == 1


def test_a_rejection_with_a_reason_is_final_and_keeps_the_reason() -> None:
    ticket = new_ticket()
    ticket.change_status(TicketStatus.DIVERIFIKASI, actor="officer:7", at=T0)
    ticket.change_status(
        TicketStatus.DITOLAK, actor="officer:7", at=T0, note=" Lokasi di luar Lampung "
    )

    assert ticket.status is TicketStatus.DITOLAK
    assert ticket.latest_note == "Lokasi di luar Lampung"
    assert ticket.status.is_final
    with pytest.raises(InvalidTransition):
        ticket.change_status(TicketStatus.DIPROSES, actor="officer:7", at=T0)


def test_every_open_status_can_be_rejected_and_only_final_ones_have_no_way_out() -> None:
    assert set(TRANSITIONS) == set(TicketStatus)
    finals = {s for s in TicketStatus if s.is_final}
    assert finals == {TicketStatus.SELESAI, TicketStatus.DITOLAK}
    for status in set(TicketStatus) - finals:
        assert TicketStatus.DITOLAK in status.allowed_next


def test_an_application_is_about_its_document_type() -> None:
    ticket = Ticket.file(
        number="MHN-261128-7KQ2",
        kind=TicketKind.APPLICATION,
        actor="identity:1",
        at=T0,
        document_type="kk",
    )
    assert ticket.subject == "kk"


@pytest.mark.parametrize(
    ("officer", "may_see"),
    [
        (Officer(name="A", role=OfficerRole.ADMIN), True),
        (Officer(name="A", role=OfficerRole.ADMIN, active=False), False),
        (Officer(name="B", role=OfficerRole.OFFICER, kabupaten_kota="Metro"), True),
        (Officer(name="C", role=OfficerRole.OFFICER, kabupaten_kota="Mesuji"), False),
        (
            Officer(name="D", role=OfficerRole.VILLAGE, kabupaten_kota="Metro", desa="Yosodadi"),
            True,
        ),
        (
            Officer(name="E", role=OfficerRole.VILLAGE, kabupaten_kota="Metro", desa="Hadimulyo"),
            False,
        ),
    ],
)
def test_officers_see_details_only_within_their_area(officer: Officer, may_see: bool) -> None:
    ticket = new_ticket(kabupaten_kota="Metro", desa="Yosodadi")
    assert officer.may_see(ticket) is may_see
