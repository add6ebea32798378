from datetime import date

import pytest

from bot.domain import tickets


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("ADU-261128-7KQ2", "ADU-261128-7KQ2"),
        ("adu 261128 7kq2", "ADU-261128-7KQ2"),
        ("adu261128-7kq2", "ADU-261128-7KQ2"),
        ("Mhn - 261120 - abcd", "MHN-261120-ABCD"),
        ("cek status MHN/261120/ABCD ya min", "MHN-261120-ABCD"),
        ("adu-26ll28-7kq2", "ADU-261128-7KQ2"),  # l for 1 in the date part
        ("ADU-261128-7KQ2X9", "ADU-261128-7KQ2X9"),
    ],
)
def test_typed_numbers_are_read_in_canonical_form(typed: str, canonical: str) -> None:
    assert tickets.canonical(typed) == canonical


@pytest.mark.parametrize(
    "typed", ["ADU-26112-7KQ2", "ADU-261128-7K", "XYZ-261128-7KQ2", "ADU-261128-7KQ0", "halo", ""]
)
def test_malformed_numbers_are_rejected(typed: str) -> None:
    assert tickets.canonical(typed) is None
    with pytest.raises(tickets.InvalidTicketNumber) as caught:
        tickets.parse(typed)
    assert caught.value.text == typed


def test_generated_numbers_avoid_look_alikes_and_parse_back() -> None:
    for _ in range(200):
        number = tickets.generate(tickets.TicketKind.COMPLAINT, date(2026, 11, 28))
        text = str(number)
        assert tickets.CANONICAL_PATTERN.match(text)
        assert text.startswith("ADU-261128-")
        assert not set(number.suffix) & set("01OIL")
        assert tickets.parse(text.lower()) == number


def test_malformed_attempts_are_recognised_for_specific_help() -> None:
    assert tickets.looks_like_attempt("adu 2611 7kq")
    assert not tickets.looks_like_attempt("jalan rusak di natar")
