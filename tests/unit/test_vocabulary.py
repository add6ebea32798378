import pytest

from bot.domain import vocabulary

OFFICIAL = [
    "Bandar Lampung",
    "Metro",
    "Lampung Selatan",
    "Lampung Tengah",
    "Lampung Utara",
    "Lampung Barat",
    "Lampung Timur",
    "Tulang Bawang",
    "Tulang Bawang Barat",
    "Tanggamus",
    "Way Kanan",
    "Pesawaran",
    "Pringsewu",
    "Mesuji",
    "Pesisir Barat",
]


def test_all_fifteen_regions_with_official_names() -> None:
    assert sorted(vocabulary.region_names()) == sorted(OFFICIAL)
    codes = [r.code for r in vocabulary.regions()]
    assert len(set(codes)) == 15 and all(c.startswith("18") for c in codes)


@pytest.mark.parametrize(
    ("typed", "official"),
    [
        ("Balam", "Bandar Lampung"),
        ("lamsel", "Lampung Selatan"),
        ("Lam-Teng", "Lampung Tengah"),
        ("kotabumi", "Lampung Utara"),
        ("Kab. Tanggamus", "Tanggamus"),
        ("tubaba", "Tulang Bawang Barat"),
        ("TUBA", "Tulang Bawang"),
        ("krui", "Pesisir Barat"),
        ("kota metro", "Metro"),
    ],
)
def test_region_aliases(typed: str, official: str) -> None:
    assert vocabulary.canonical_region(typed) == official


@pytest.mark.parametrize(
    ("kind", "typed", "value"),
    [
        ("document_type", "Akte Lahir", "akta_kelahiran"),
        ("document_type", "e-KTP", "ktp"),
        ("document_type", "kartu keluarga", "kk"),
        ("complaint_category", "lampu jalan mati", "penerangan"),
        ("complaint_category", "pungutan liar", "pungli"),
        ("commodity", "cabe", "cabai"),
        ("commodity", "migor", "minyak_goreng"),
    ],
)
def test_vocabulary_aliases(kind: str, typed: str, value: str) -> None:
    assert vocabulary.canonical_value(kind, typed) == value


def test_every_contract_value_is_present() -> None:
    assert set(vocabulary.values("document_type")) == set(
        "ktp kk akta_kelahiran akta_kematian surat_pindah sktm surat_domisili kia".split()
    )
    assert set(vocabulary.values("complaint_category")) == set(
        "jalan sampah penerangan banjir air pelayanan pungli kesehatan pendidikan lainnya".split()
    )
    assert set(vocabulary.values("commodity")) == set(
        "beras jagung pisang ayam telur cabai bawang_merah bawang_putih minyak_goreng gula "
        "daging_sapi singkong kopi".split()
    )


def test_no_alias_points_at_two_values() -> None:
    for kind in ("document_type", "complaint_category", "commodity"):
        seen: dict[str, str] = {}
        for value, entry in vocabulary.vocabularies()[kind].items():
            for alias in entry.get("aliases", []):
                key = vocabulary.normalise_key(alias)
                assert seen.setdefault(key, value) == value, f"{kind}: {alias!r} is ambiguous"
