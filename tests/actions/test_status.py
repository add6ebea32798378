"""Status checks: the owner sees details, a stranger the status word only; bad numbers."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.status import ActionAskTicketId, ActionCheckStatus, ValidateStatusForm
from bot.domain.errors import TooManyLookups
from bot.domain.model import TicketKind, TicketStatus
from bot.services.views import StatusView, TicketDetails
from tests.auxil.actions import FILED_AT, message, responses, slot_events

NUMBER = "ADU-261128-7KQ2"
DETAILS = TicketDetails(
    description="Jalan berlubang di depan SDN 1",
    location_text=None,
    kabupaten_kota="Lampung Selatan",
    kecamatan="Natar",
    desa="Hajimena",
    full_name=None,
    nik_masked=None,
    phone_masked=None,
    attachments=0,
)


def view(*, owner: bool) -> StatusView:
    return StatusView(
        number=NUMBER,
        kind=TicketKind.COMPLAINT,
        subject="jalan",
        status=TicketStatus.DITERIMA,
        status_at=FILED_AT,
        created_at=FILED_AT,
        note=None,
        is_owner=owner,
        details=DETAILS if owner else None,
        history=(),
    )


async def test_the_owner_sees_status_date_next_step_and_details(
    make_tracker, domain, dispatcher, fake_services
):
    fake_services.views[NUMBER] = view(owner=True)
    tracker = make_tracker(
        f"cek status {NUMBER}", intent="check_status", slots={"ticket_id": NUMBER}
    )
    await ActionCheckStatus().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == [
        "utter_status_owner",
        "utter_status_details",
        "utter_status_next_diterima",
    ]
    owner = message(dispatcher, "utter_status_owner")
    assert owner["status"] == "diterima"
    assert owner["status_date"] == "28/11/2026 10.00 WIB"
    assert message(dispatcher, "utter_status_details")["location"] == (
        "Hajimena, Natar, Kabupaten Lampung Selatan"
    )


async def test_a_stranger_sees_the_status_word_and_date_only(
    make_tracker, domain, dispatcher, fake_services
):
    fake_services.views[NUMBER] = view(owner=False)
    tracker = make_tracker(NUMBER, entities={"ticket_id": NUMBER}, sender_id="wa:628111")
    await ActionCheckStatus().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_status_public"]
    assert "Jalan berlubang" not in str(dispatcher.messages)


async def test_an_unknown_number_is_said_to_be_unknown(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = make_tracker(slots={"ticket_id": "ADU-261128-ZZZZ"})
    await ActionCheckStatus().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_ticket_not_found"]
    assert message(dispatcher, "utter_ticket_not_found")["ticket_number"] == "ADU-261128-ZZZZ"


async def test_too_many_lookups_says_when_to_try_again(
    make_tracker, domain, dispatcher, fake_services
):
    fake_services.views[NUMBER] = TooManyLookups(retry_after=250)
    await ActionCheckStatus().run(dispatcher, make_tracker(slots={"ticket_id": NUMBER}), domain)
    assert message(dispatcher, "utter_too_many_lookups")["minutes"] == 5


async def test_a_malformed_number_gets_the_format(make_tracker, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("adu 2611 7kq", requested_slot="ticket_id")
    events = await ValidateStatusForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["ticket_id"] is None
    assert responses(dispatcher) == ["utter_ticket_format_wrong"]


async def test_a_carelessly_typed_number_is_read(make_tracker, domain):
    tracker = make_tracker("adu 261128 7kq2", intent="check_status", requested_slot="ticket_id")
    events = await ValidateStatusForm().run(CollectingDispatcher(), tracker, domain)
    assert slot_events(events)["ticket_id"] == NUMBER


async def test_without_a_number_this_chats_tickets_are_offered(
    make_tracker, domain, dispatcher, fake_services
):
    fake_services.own = [view(owner=True)]
    events = await ActionAskTicketId().run(dispatcher, make_tracker(), domain)
    listing = message(dispatcher, "utter_ask_ticket_id_from_list")
    # Number, kind and subject, status, and the date it was filed (WIB).
    assert listing["options"] == f"1. {NUMBER} · Aduan Jalan rusak · diterima · 28/11/2026"
    assert listing["buttons"][0]["payload"] == f'/check_status{{"ticket_id":"{NUMBER}"}}'
    assert slot_events(events)["listed_tickets"] == [NUMBER]

    pick = make_tracker("1", requested_slot="ticket_id", slots={"listed_tickets": [NUMBER]})
    events = await ValidateStatusForm().run(CollectingDispatcher(), pick, domain)
    assert slot_events(events)["ticket_id"] == NUMBER


async def test_without_tickets_the_resident_is_told_what_they_can_do(
    make_tracker, domain, dispatcher, fake_services
):
    await ActionAskTicketId().run(dispatcher, make_tracker("lupa nomor tiketnya"), domain)
    assert responses(dispatcher) == ["utter_no_own_tickets"]
