"""The filing actions against the real facade on a migrated SQLite database (no fakes).

Shows what the resident would notice: a complaint becomes one ADU ticket even
when "ya" arrives twice, an application an MHN ticket, and a stranger with the
number sees the status word but none of the details.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.application import ActionSubmitApplication
from actions.complaint_filing import ActionSubmitComplaint
from actions.services import set_services_factory
from actions.status import ActionCheckStatus
from actions.tracker import identity_of
from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine, make_session_factory
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.knowledge import load_knowledge
from bot.adapters.kv import MemoryStore
from bot.services.tabik import Tabik
from tests.auxil.actions import message, responses

OWNER = "tg:555123"
STRANGER = "wa:6281299990000"


@pytest.fixture()
def real_services(tmp_path: Path) -> Iterator[Tabik]:
    url = f"sqlite:///{tmp_path / 'tabik.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    tabik = Tabik(
        functools.partial(SqlAlchemyUnitOfWork, make_session_factory(engine)),
        store=MemoryStore(),
        knowledge=load_knowledge(),
    )
    previous = set_services_factory(lambda: tabik)
    yield tabik
    set_services_factory(previous)
    engine.dispose()


COMPLAINT = {
    "complaint_category": "jalan",
    "kabupaten_kota": "Lampung Selatan",
    "kecamatan": "Natar",
    "desa": "Hajimena",
    "description": "Jalan berlubang besar di depan SDN 1 Hajimena sejak dua minggu.",
    "attachment_id": "tg:AgADphoto",
    "attachment_info": {"kind": "photo", "mime_type": "image/jpeg", "caption": None},
    "complaint_private": True,
    "complaint_confirmed": "ya",
    "draft_id": "draft-real-1",
}


async def test_ya_twice_files_one_complaint_and_only_the_owner_sees_details(
    make_tracker, domain, real_services
):
    numbers = []
    for _ in range(2):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker("ya", intent="affirm", slots=COMPLAINT, sender_id=OWNER)
        await ActionSubmitComplaint().run(dispatcher, tracker, domain)
        numbers.append(message(dispatcher, "utter_complaint_filed")["ticket_number"])
    assert numbers[0] == numbers[1]
    assert numbers[0].startswith("ADU-")
    assert len(await real_services.tickets_of(identity_of(make_tracker(sender_id=OWNER)))) == 1

    owner = CollectingDispatcher()
    await ActionCheckStatus().run(
        owner, make_tracker(slots={"ticket_id": numbers[0]}, sender_id=OWNER), domain
    )
    assert message(owner, "utter_status_owner")["status"] == "diterima"
    assert "Jalan berlubang" in message(owner, "utter_status_details")["description"]

    stranger = CollectingDispatcher()
    await ActionCheckStatus().run(
        stranger, make_tracker(slots={"ticket_id": numbers[0]}, sender_id=STRANGER), domain
    )
    assert responses(stranger) == ["utter_status_public"]
    assert message(stranger, "utter_status_public")["status"] == "diterima"
    assert "Jalan berlubang" not in str(stranger.messages)


async def test_an_application_becomes_an_mhn_ticket(make_tracker, domain, real_services):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "1",
        slots={
            "document_type": "kk",
            "nik": "1803054107900001",
            "full_name": "Siti Aminah",
            "kabupaten_kota": "Lampung Selatan",
            "phone_number": "081234567890",
            "application_confirmed": "ya",
            "draft_id": "draft-real-2",
        },
        sender_id=OWNER,
    )
    await ActionSubmitApplication().run(dispatcher, tracker, domain)
    number = message(dispatcher, "utter_application_filed")["ticket_number"]
    assert number.startswith("MHN-")
    assert "utter_requirements" in responses(dispatcher)


async def test_an_unknown_number_is_unknown(make_tracker, domain, real_services):
    dispatcher = CollectingDispatcher()
    await ActionCheckStatus().run(
        dispatcher, make_tracker(slots={"ticket_id": "ADU-261128-ZZZZ"}, sender_id=STRANGER), domain
    )
    assert responses(dispatcher) == ["utter_ticket_not_found"]
