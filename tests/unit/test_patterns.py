import pytest

from bot.nlu import patterns


def found(text: str, **kwargs: bool) -> set[tuple[str, str]]:
    return {(f.entity, f.value) for f in patterns.find_all(text, **kwargs)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nik sy 1871 0123 4567 0001", {("nik", "1871012345670001")}),
        ("NIK: 1801-0145-0290-0003", {("nik", "1801014502900003")}),
        ("hp +62 812-3456-7890", {("phone_number", "081234567890")}),
        ("wa 6285712345678", {("phone_number", "085712345678")}),
        ("nomor sy 0813.1234.5678", {("phone_number", "081312345678")}),
        ("pajak be1234ab brp", {("plate_number", "BE 1234 AB")}),
        ("plat BE-5678-XYZ", {("plate_number", "BE 5678 XYZ")}),
        ("cek adu 261128 7kq2", {("ticket_id", "ADU-261128-7KQ2")}),
    ],
)
def test_entities_come_out_canonical(text: str, expected: set[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_nik_and_phone_in_one_message_do_not_swallow_each_other() -> None:
    assert found("nik 1871 0812 3456 7890 hp 0812-3456-7890") == {
        ("nik", "1871081234567890"),
        ("phone_number", "081234567890"),
    }


def test_other_regions_plates_only_when_asking_about_tax() -> None:
    assert found("plat B 1234 XYZ") == set()
    assert found("plat B 1234 XYZ", any_plate_region=True) == {("plate_number", "B 1234 XYZ")}


@pytest.mark.parametrize("text", ["saya di rt 12 ab", "12345", "jam 08.00 - 15.00", "di 12 rw"])
def test_ordinary_numbers_are_not_entities(text: str) -> None:
    assert found(text) == set()
