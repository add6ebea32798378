"""Reading a place answer: only what the gazetteer knows, inside what is already known."""

from __future__ import annotations

import pytest

from bot.domain.places import Location, correction, read_place

BL = "Bandar Lampung"


@pytest.mark.parametrize(
    "typed", ["kel. Way Dadi", "kelurahan way dadi", "di kel way dadi min", "Way Dadi", "waydadi"]
)
def test_a_kelurahan_alone_fills_its_kecamatan_and_kabupaten(typed: str) -> None:
    reading = read_place(typed, "kabupaten_kota")
    assert reading.location == Location(BL, "Sukarame", "Way Dadi")


def test_kel_keeps_the_whole_name() -> None:
    reading = read_place(
        "kel. Kota Baru", "desa", kabupaten_kota=BL, kecamatan="Tanjungkarang Timur"
    )
    assert reading.location == Location(BL, "Tanjungkarang Timur", "Kota Baru")


@pytest.mark.parametrize(
    "typed",
    [
        "eh salah, bukan kedaton yg bener rajabasa",
        "bukan Kedaton, yang benar Rajabasa",
        "salah ketik, maksudnya rajabasa",
        "bukan kedaton tapi rajabasa",
    ],
)
def test_a_correction_takes_the_right_part(typed: str) -> None:
    assert correction(typed) is not None
    reading = read_place(typed, "kecamatan", kabupaten_kota=BL)
    assert reading.location == Location(BL, "Rajabasa")
    assert reading.corrected


def test_a_correction_at_the_desa_question_changes_the_kecamatan() -> None:
    reading = read_place(
        "eh salah, bukan kedaton yg bener rajabasa", "desa", kabupaten_kota=BL, kecamatan="Kedaton"
    )
    assert reading.location == Location(BL, "Rajabasa")


@pytest.mark.parametrize(
    "typed",
    [
        "wah saya kurang tau ya pokoknya deket pasar",
        "pokoknya yang deket masjid besar itu lho",
        "jalan rusak parah",
    ],
)
def test_a_sentence_is_no_place(typed: str) -> None:
    reading = read_place(typed, "desa", kabupaten_kota=BL, kecamatan="Kedaton")
    assert reading.location is None and not reading.candidates


def test_a_close_spelling_is_the_name_and_a_far_one_gets_up_to_three_suggestions() -> None:
    assert read_place("sidodad", "desa", kabupaten_kota=BL, kecamatan="Kedaton").location == (
        Location(BL, "Kedaton", "Sidodadi")
    )
    reading = read_place("sukamen", "desa", kabupaten_kota=BL, kecamatan="Kedaton")
    assert reading.location is None
    assert 1 <= len(reading.suggestions) <= 3
    assert all(s.kecamatan == "Kedaton" for s in reading.suggestions)


def test_a_name_several_places_share_is_offered_as_a_choice() -> None:
    reading = read_place("kel kota baru", "kabupaten_kota")
    assert reading.location is None
    assert {c.kabupaten_kota for c in reading.candidates} == {
        "Lampung Tengah",
        "Way Kanan",
        BL,
    }


def test_a_kecamatan_outside_the_known_kabupaten_is_offered_not_taken() -> None:
    reading = read_place("natar", "kecamatan", kabupaten_kota=BL)
    assert reading.location is None
    assert reading.candidates == (Location("Lampung Selatan", "Natar"),)


def test_a_later_part_narrows_the_first() -> None:
    reading = read_place("Sidodadi, kedaton", "desa", kabupaten_kota=BL, kecamatan="Kedaton")
    assert reading.location == Location(BL, "Kedaton", "Sidodadi")
    reading = read_place("Hajimena natar", "kecamatan", kabupaten_kota="Lampung Selatan")
    assert reading.location == Location("Lampung Selatan", "Natar", "Hajimena")


def test_a_town_alias_names_its_kecamatan_too() -> None:
    assert read_place("kalianda", "kabupaten_kota").location == Location(
        "Lampung Selatan", "Kalianda"
    )
    assert read_place("lamsel", "kabupaten_kota").location == Location("Lampung Selatan")


def test_one_desa_of_that_name_in_another_kecamatan_of_the_kabupaten_is_taken() -> None:
    # Hanura lies in Teluk Pandan (split from Padang Cermin): the gazetteer says where.
    reading = read_place(
        "desa hanura", "desa", kabupaten_kota="Pesawaran", kecamatan="Padang Cermin"
    )
    assert reading.location == Location("Pesawaran", "Teluk Pandan", "Hanura")
    assert reading.candidates == ()


def test_a_close_spelling_in_scope_beats_a_word_naming_a_place_elsewhere() -> None:
    # "gedung" alone is a desa of Tanggamus; "gedung tatan" is Gedong Tataan, Pesawaran.
    reading = read_place("gedung tatan", "kecamatan", kabupaten_kota="Pesawaran")
    assert reading.location == Location("Pesawaran", "Gedong Tataan")
