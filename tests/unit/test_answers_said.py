"""Answers said inside longer messages: a name, no photo."""

from __future__ import annotations

import pytest

from actions import answers


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "mau urus ktp, ktp sy ilang. nik 1871041203850002 nama Budi Santoso hp 0813777",
            "Budi Santoso",
        ),
        ("nama saya Siti Aminah nik 1871", "Siti Aminah"),
        ("nama: Joko", "Joko"),
        ("akta lahir, nama anaknya Putri", None),
        ("nama anak Putri", None),
        ("namanya siapa ya", None),
        ("nama desanya sukarame", None),
    ],
)
def test_a_name_is_read_only_when_it_is_the_residents(text: str, name: str | None) -> None:
    assert answers.stated_name(text) == name


@pytest.mark.parametrize("text", ["no photo", "ga ada foto", "tidak ada fotonya"])
def test_no_photo_in_any_words(text: str) -> None:
    assert answers.photo_choice(text) == answers.PHOTO_NONE
