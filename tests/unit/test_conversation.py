"""Reading messages in context: follow-ups, everyday messages, services named (plain rules)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.conversation import (
    Everyday,
    LastAnswer,
    asks_to_apply,
    day_asked,
    plate_province,
    read_everyday,
    read_follow_up,
    requested_services,
)
from bot.domain.readings import PLATE_REGIONS
from bot.domain.vocabulary import load_yaml

FOOD = LastAnswer("food_price", {"commodity": "beras", "kabupaten_kota": "Metro"})
MONDAY = date(2026, 12, 7)


def entity(text: str, name: str, value: str, typed: str) -> dict[str, object]:
    start = text.index(typed)
    return {"entity": name, "value": value, "start": start, "end": start + len(typed)}


@pytest.mark.parametrize(
    "text",
    ["kalo cabe?", "klo cabe brp min", "terus cabe nya?", "cabe", "gmn kalo cabe sekilo"],
)
def test_a_new_value_alone_is_a_follow_up(text: str) -> None:
    found = read_follow_up(FOOD, text, [entity(text, "commodity", "cabai", "cabe")])
    assert found is not None
    assert dict(found.values) == {"commodity": "cabai", "kabupaten_kota": "Metro"}


@pytest.mark.parametrize(
    "text", ["harga cabe berapa", "cabe saya dicuri tetangga semalam", "mau lapor cabe busuk"]
)
def test_a_new_question_is_not_a_follow_up(text: str) -> None:
    assert read_follow_up(FOOD, text, [entity(text, "commodity", "cabai", "cabe")]) is None


def test_a_value_the_service_does_not_take_is_not_a_follow_up() -> None:
    text = "kalo kk?"
    assert read_follow_up(FOOD, text, [entity(text, "document_type", "kk", "kk")]) is None


def test_personal_data_is_never_kept_in_the_context() -> None:
    kept = LastAnswer("social_aid", {"nik": "1871015512900002"}).as_slot()
    assert kept == {"service": "social_aid", "values": {}}
    assert LastAnswer.from_slot(kept) == LastAnswer("social_aid", {})
    assert LastAnswer.from_slot({"service": "nonsense"}) is None


def test_applying_needs_the_requirements_just_answered() -> None:
    last = LastAnswer("requirements", {"document_type": "kk"})
    assert asks_to_apply(last, "mau ajuin sekarang", "apply_service") == "kk"
    assert asks_to_apply(last, "oke", "apply_service") is None
    assert asks_to_apply(FOOD, "mau ajuin sekarang", "apply_service") is None


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("🙏", Everyday.THANKS),
        ("😭", Everyday.SYMPATHY),
        ("👍👍", Everyday.AFFIRM),
        ("tabik pun, makasih ya", Everyday.THANKS),
        ("hatur nuhun", Everyday.THANKS),
        ("bot goblok", Everyday.INSULT),
        ("sabtu buka?", Everyday.OFFICE_DAY),
        ("makasih, tapi mau tanya harga beras", None),
        ("ada anjing galak gigit anak sy", None),
        ("mau lapor jalan rusak", None),
    ],
)
def test_everyday_messages(text: str, meaning: Everyday | None) -> None:
    assert read_everyday(text, today=MONDAY) is meaning


def test_days_are_named_or_counted_from_today() -> None:
    assert day_asked("hari jumat buka jam brp", today=MONDAY) == 4
    assert day_asked("jum'at tutup jam berapa", today=MONDAY) == 4
    assert day_asked("besok buka gak", today=MONDAY) == 1
    assert day_asked("sabtu kemarin sy ke pasar", today=MONDAY) is None


def test_services_named_in_a_message() -> None:
    assert requested_services("udah lah gak jadi, mau tanya harga aja") == ["ask_food_price"]
    assert requested_services("cek pajak BE 1234 AB sama harga beras") == [
        "ask_food_price",
        "check_tax",
    ]


def test_every_plate_region_has_its_province() -> None:
    assert set(load_yaml("plates.yml")) == set(PLATE_REGIONS)
    assert plate_province("BE 1234 AB") == "Lampung"
    assert plate_province("AB 123 CD") == "DI Yogyakarta"
