"""Roles and areas decide what exists for a staff member; service levels and office hours."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.office_hours import OfficeSchedule
from bot.domain.sla import SlaRule, SlaState, sla_state
from bot.domain.staff import Area, InvalidStaffAccount, Role, StaffAccount

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)  # Tuesday 10:00 WIB
SCHEDULE = OfficeSchedule.parse([("Senin–Kamis", "08.00–15.00 WIB"), ("Jumat", "08.00–11.30 WIB")])


def account(role: Role, kab: str | None = None, kec: str | None = None, desa: str | None = None):
    return StaffAccount(
        username="petugas",
        full_name="Petugas",
        role=role,
        password_hash="x",
        created_at=NOW,
        kabupaten_kota=kab,
        kecamatan=kec,
        desa=desa,
    )


def test_a_village_official_sees_only_their_own_desa():
    village = account(Role.VILLAGE, "Lampung Selatan", "Natar", "Hajimena")
    assert village.may_see("Lampung Selatan", "Natar", "Hajimena")
    assert village.may_see("lampung selatan", "natar", "HAJIMENA")
    assert not village.may_see("Lampung Selatan", "Natar", "Merak Batin")
    assert not village.may_see("Lampung Selatan", None, None)
    assert not village.may_see("Pesawaran", "Natar", "Hajimena")


def test_officers_see_their_kabupaten_and_province_officers_and_admins_see_all():
    officer = account(Role.OFFICER, "Lampung Selatan")
    province = account(Role.OFFICER)
    admin = account(Role.ADMIN, "Metro")  # an admin's area is ignored: everything
    assert officer.may_see("Lampung Selatan", None, None)
    assert not officer.may_see("Metro", "Metro Pusat", None)
    assert province.may_see("Metro", None, None)
    assert admin.may_see("Pesawaran", "Gedong Tataan", "Bagelen")


def test_deactivated_accounts_see_nothing():
    officer = account(Role.OFFICER)
    officer.active = False
    assert not officer.may_see("Metro", None, None)


def test_handoffs_go_to_officers_of_the_area_province_officers_and_admins_not_villages():
    area = Area("Lampung Selatan", "Natar", "Hajimena")
    assert account(Role.OFFICER, "Lampung Selatan").may_answer_handoffs_of(area)
    assert not account(Role.OFFICER, "Metro").may_answer_handoffs_of(area)
    assert account(Role.OFFICER).may_answer_handoffs_of(area)
    assert account(Role.ADMIN).may_answer_handoffs_of(Area())
    assert not account(Role.VILLAGE, "Lampung Selatan", "Natar", "Hajimena").may_answer_handoffs_of(
        area
    )
    assert not account(Role.OFFICER, "Metro").may_answer_handoffs_of(Area())


def test_a_village_account_needs_its_whole_area_and_usernames_are_plain():
    with pytest.raises(InvalidStaffAccount):
        account(Role.VILLAGE, "Lampung Selatan", None, "Hajimena").validate()
    bad = account(Role.OFFICER, "Metro")
    bad.username = "Bad Name!"
    with pytest.raises(InvalidStaffAccount):
        bad.validate()


def test_office_schedule_from_the_knowledge_base_words():
    assert SCHEDULE.is_open(NOW)  # Tuesday 10:00
    friday_noon = datetime(2026, 12, 4, 5, 0, tzinfo=timezone.utc)  # Friday 12:00 WIB
    assert not SCHEDULE.is_open(friday_noon)
    monday = SCHEDULE.next_opening(friday_noon)
    assert (monday.weekday(), monday.hour, monday.minute) == (0, 8, 0)
    # Tuesday 10:00 to Wednesday 10:00: 5 h on Tuesday and 2 h on Wednesday.
    assert SCHEDULE.working_seconds(NOW, NOW + timedelta(days=1)) == 7 * 3600


@pytest.mark.parametrize(
    ("status", "age", "first_response_after", "expected"),
    [
        ("diterima", timedelta(hours=2), None, SlaState.OK),
        ("diterima", timedelta(days=1), None, SlaState.LATE),  # 7 working hours, no answer
        ("diproses", timedelta(days=1), timedelta(hours=1), SlaState.OK),
        ("diproses", timedelta(days=7), timedelta(hours=1), SlaState.OVERDUE),
        ("selesai", timedelta(days=30), None, SlaState.OK),
    ],
)
def test_service_levels(status, age, first_response_after, expected):
    created = NOW - age
    first = created + first_response_after if first_response_after else None
    state = sla_state(
        status=status,
        created_at=created,
        first_response_at=first,
        now=NOW,
        rule=SlaRule(first_response_hours=6, done_days=6),
        schedule=SCHEDULE,
    )
    assert state is expected
