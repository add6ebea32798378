"""Which tickets a staff account sees: an agency's officer by holder and watcher, the
others by area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from bot.domain.scope import TicketScope, may_answer_handoff, may_see_ticket, scope_of
from bot.domain.staff import Area, Role, StaffAccount


@dataclass(frozen=True)
class Place:
    kabupaten_kota: str | None = "Bandar Lampung"
    kecamatan: str | None = "Kedaton"
    desa: str | None = "Sidodadi"
    agency_code: str | None = "DLH-1871"
    escalated_to: str | None = None


def account(role: Role, **fields: str | bool | None) -> StaffAccount:
    return StaffAccount(
        username="petugas",
        full_name="Petugas",
        role=role,
        password_hash="x",
        created_at=datetime(2026, 12, 1, tzinfo=timezone.utc),
        **fields,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("agency", "ticket", "seen"),
    [
        ("DLH-1871", Place(), True),
        ("PU-1871", Place(), False),
        ("DLH-18", Place(), False),
        ("DLH-18", Place(escalated_to="DLH-18"), True),
        ("VERIFIKASI-18", Place(agency_code="VERIFIKASI-18"), True),
        ("dlh-1871", Place(), True),
    ],
)
def test_an_agencys_officer_sees_what_it_holds_or_watches(agency, ticket, seen):
    assert may_see_ticket(account(Role.OFFICER, agency_code=agency), ticket) is seen


def test_others_keep_the_area_rules_and_an_agency_counts_only_for_officers():
    assert may_see_ticket(account(Role.OFFICER, kabupaten_kota="Bandar Lampung"), Place())
    assert not may_see_ticket(account(Role.OFFICER, kabupaten_kota="Metro"), Place())
    village = account(
        Role.VILLAGE, kabupaten_kota="Bandar Lampung", kecamatan="Kedaton", desa="Sidodadi"
    )
    assert may_see_ticket(village, Place())
    assert may_see_ticket(account(Role.ADMIN, agency_code="PU-1871"), Place())
    assert scope_of(account(Role.ADMIN, agency_code="PU-1871")) == TicketScope(Area())


def test_an_inactive_account_sees_nothing():
    assert not may_see_ticket(account(Role.ADMIN, active=False), Place())
    assert not may_see_ticket(account(Role.OFFICER, agency_code="DLH-1871", active=False), Place())


KEDATON = Area("Bandar Lampung", "Kedaton", "Sidodadi")


@dataclass(frozen=True)
class Handoff:
    area: Area = KEDATON
    agency_code: str | None = "DLH-1871"
    escalated_to: str | None = None


@pytest.mark.parametrize(
    ("agency", "handoff", "answers"),
    [
        ("DLH-1871", Handoff(), True),
        ("PU-1871", Handoff(), False),
        ("DLH-18", Handoff(), False),  # a province agency without kabupaten no longer sees all
        ("DLH-18", Handoff(escalated_to="DLH-18"), True),
        ("DLH-1871", Handoff(agency_code=None, area=Area()), False),  # no ticket: the province's
        ("dlh-1871", Handoff(), True),
    ],
)
def test_an_agencys_officer_answers_the_handoffs_of_what_it_holds_or_watches(
    agency, handoff, answers
):
    officer = account(Role.OFFICER, agency_code=agency)
    assert may_answer_handoff(officer, handoff) is answers
    ticket = Place(agency_code=handoff.agency_code, escalated_to=handoff.escalated_to)
    assert may_see_ticket(officer, ticket) is answers  # one rule for both


def test_others_answer_the_handoffs_of_their_area():
    assert may_answer_handoff(account(Role.OFFICER, kabupaten_kota="Bandar Lampung"), Handoff())
    assert not may_answer_handoff(account(Role.OFFICER, kabupaten_kota="Metro"), Handoff())
    assert may_answer_handoff(account(Role.OFFICER), Handoff(agency_code=None))
    assert may_answer_handoff(account(Role.ADMIN, agency_code="PU-1871"), Handoff())
    village = account(
        Role.VILLAGE, kabupaten_kota="Bandar Lampung", kecamatan="Kedaton", desa="Sidodadi"
    )
    assert not may_answer_handoff(village, Handoff())
    inactive = account(Role.OFFICER, agency_code="DLH-1871", active=False)
    assert not may_answer_handoff(inactive, Handoff())
