import pytest

from bot.domain.errors import InvalidNik
from bot.domain.nik import mask_nik, nik_region, validate_nik


@pytest.mark.parametrize(
    ("typed", "region"),
    [
        ("1871011508900001", "Bandar Lampung"),  # man born 15-08-1990
        ("1872025501850123", "Metro"),  # woman born 15-01-1985 (day + 40)
        ("1801 0312 0700 0045", "Lampung Selatan"),  # as copied from a KTP, with spaces
        ("1802.04.311299.0002", "Lampung Tengah"),  # with dots
        ("1804-05-710103-0010", "Lampung Barat"),  # woman born 31-01-2003, with dashes
        ("1813016912990001", "Pesisir Barat"),  # woman born 29-12-1999
    ],
)
def test_valid_lampung_niks_are_returned_as_16_digits(typed: str, region: str) -> None:
    nik = validate_nik(typed)

    assert len(nik) == 16 and nik.isdigit()
    assert nik == "".join(ch for ch in typed if ch.isdigit())
    found = nik_region(nik)
    assert found is not None and found.name == region


def test_a_nik_from_another_province_is_valid_but_has_no_lampung_region() -> None:
    assert validate_nik("3171014508900002") == "3171014508900002"
    assert nik_region("3171014508900002") is None


@pytest.mark.parametrize("typed", ["1871012902000001", "1871016902000001"])
def test_29_february_is_valid_in_a_leap_year_of_either_century(typed: str) -> None:
    assert validate_nik(typed) == typed


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("18710115O8900001", "not_digits"),  # letter O for zero
        ("1871 0115 0890 000A", "not_digits"),
        ("", "not_digits"),
        ("187101150890001", "length"),  # 15 digits
        ("18710115089000011", "length"),  # 17 digits
        ("9971011508900001", "region"),  # no province 99
        ("0071011508900001", "region"),
        ("1899011508900001", "region"),  # no kabupaten 99 in Lampung
        ("1871013202900001", "birth_date"),  # 32 February
        ("1871010008900001", "birth_date"),  # day 00
        ("1871011513900001", "birth_date"),  # month 13
        ("1871017202900001", "birth_date"),  # woman's day 72 = 32
        ("1871013002000001", "birth_date"),  # 30 February
        ("1871011508900000", "serial"),
    ],
)
def test_each_kind_of_invalid_nik_says_why(typed: str, reason: str) -> None:
    with pytest.raises(InvalidNik) as raised:
        validate_nik(typed)

    assert raised.value.reason == reason
    assert raised.value.text == typed


def test_the_error_message_never_contains_the_nik() -> None:
    with pytest.raises(InvalidNik) as raised:
        validate_nik("1871011508900000")

    assert "1871011508900000" not in str(raised.value)


def test_masking_keeps_only_the_region_and_the_serial() -> None:
    assert mask_nik("1871011508900001") == "1871********0001"
