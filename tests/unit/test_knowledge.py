"""The knowledge base: the shipped data covers everything; broken files are named."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.adapters.knowledge import DEFAULT_DIR, load_knowledge
from bot.domain import vocabulary
from bot.domain.knowledge import (
    OFFICE_KINDS,
    InvalidEntry,
    KnowledgeBase,
    MissingEntry,
    UnknownDocumentType,
    UnknownOfficeKind,
    UnknownRegion,
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the shipped knowledge files a test may break."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


# --- the shipped data -----------------------------------------------------


def test_every_document_type_has_requirements(kb):
    assert kb.document_types() == vocabulary.values("document_type")
    for document_type in vocabulary.values("document_type"):
        requirement = kb.requirements(document_type)
        assert requirement.items and requirement.where and requirement.duration
        assert requirement.label == vocabulary.label("document_type", document_type)
        assert isinstance(requirement.last_checked, date)


def test_adminduk_documents_are_free_by_law(kb):
    for document_type in ("ktp", "kk", "akta_kelahiran", "akta_kematian", "surat_pindah", "kia"):
        assert kb.requirements(document_type).fee.startswith("Gratis")


def test_village_letters_are_issued_by_the_village(kb):
    for document_type in ("sktm", "surat_domisili"):
        assert "desa/kelurahan" in kb.requirements(document_type).where


def test_every_region_has_disdukcapil_and_samsat(kb):
    assert sorted(kb.regions()) == sorted(vocabulary.region_names())
    for region in vocabulary.region_names():
        kinds = [o.kind for o in kb.offices(region)]
        assert "disdukcapil" in kinds and "samsat" in kinds
        assert kinds == sorted(kinds, key=OFFICE_KINDS.index)  # Disdukcapil first
        for office in kb.offices(region):
            assert office.kabupaten_kota == region
            assert office.hours and office.address
            # Unverified numbers are null, never guessed; then the note says where to check.
            assert office.phone is not None or office.note


def test_offices_can_be_filtered_by_kind_and_found_by_alias(kb):
    mpp = kb.offices("lamsel", "mpp")
    assert [o.kind for o in mpp] == ["mpp"]
    assert mpp[0].kabupaten_kota == "Lampung Selatan"
    assert kb.offices("Metro", "samsat")[0].name.startswith("Kantor Samsat")


def test_usual_office_hours(kb):
    hours = kb.offices("Pringsewu", "disdukcapil")[0].hours
    assert [(h.days, h.hours) for h in hours] == [
        ("Senin–Kamis", "08.00–15.00 WIB"),
        ("Jumat", "08.00–11.30 WIB"),
    ]


def test_unknown_lookups_raise_specific_errors(kb):
    with pytest.raises(UnknownDocumentType) as caught:
        kb.requirements("paspor")
    assert caught.value.document_type == "paspor"
    assert isinstance(caught.value, KeyError)
    with pytest.raises(UnknownRegion):
        kb.offices("Palembang")
    with pytest.raises(UnknownOfficeKind):
        kb.offices("Metro", "kantor_pos")


def test_112_comes_first_then_national_then_local(kb):
    national = kb.emergency_numbers()
    assert national[0].number == "112"
    assert {"110", "113", "115", "118", "119"} <= {c.number for c in national}
    assert all(c.kabupaten_kota is None for c in national)
    for region in vocabulary.region_names():
        contacts = kb.emergency_numbers(region)
        assert contacts[: len(national)] == national
        assert all(c.kabupaten_kota == region for c in contacts[len(national) :])


def test_local_numbers_follow_national_ones(data_dir):
    edit(
        data_dir / "emergency.yml",
        lambda d: d["local"].__setitem__(
            "Metro", [{"name": "BPBD Kota Metro", "number": "(0725) 000000", "kind": "bencana"}]
        ),
    )
    contacts = load_knowledge(data_dir).emergency_numbers("Metro")
    assert contacts[0].number == "112"
    assert contacts[-1].name == "BPBD Kota Metro" and contacts[-1].kabupaten_kota == "Metro"


def test_112_is_first_even_when_the_file_lists_it_later(data_dir):
    edit(data_dir / "emergency.yml", lambda d: d["national"].reverse())
    assert load_knowledge(data_dir).emergency_numbers()[0].number == "112"


# --- validation -------------------------------------------------------------


def test_112_is_required(data_dir):
    edit(
        data_dir / "emergency.yml",
        lambda d: d.__setitem__("national", [c for c in d["national"] if c["number"] != "112"]),
    )
    with pytest.raises(MissingEntry, match="112"):
        load_knowledge(data_dir)


@pytest.mark.parametrize(
    ("error", "file", "change", "entry"),
    [
        (
            MissingEntry,
            "requirements.yml",
            lambda d: d["document_types"].pop("kia"),
            "document_types.kia",
        ),
        (
            MissingEntry,
            "offices.yml",
            lambda d: d["regions"].pop("Pesisir Barat"),
            "regions.Pesisir Barat",
        ),
        (
            MissingEntry,
            "offices.yml",
            lambda d: d["regions"]["Mesuji"].pop("samsat"),
            "regions.Mesuji.samsat",
        ),
        (
            MissingEntry,
            "emergency.yml",
            lambda d: d["local"].pop("Way Kanan"),
            "local.Way Kanan",
        ),
        (
            InvalidEntry,
            "requirements.yml",
            lambda d: d["document_types"].__setitem__("paspor", d["document_types"]["ktp"]),
            "document_types.paspor",
        ),
        (
            InvalidEntry,
            "requirements.yml",
            lambda d: d["document_types"]["kk"].__setitem__("last_checked", "kemarin"),
            "document_types.kk.last_checked",
        ),
        (
            InvalidEntry,
            "requirements.yml",
            lambda d: d["document_types"]["kk"].__setitem__("items", []),
            "document_types.kk.items",
        ),
        (
            InvalidEntry,
            "offices.yml",
            lambda d: d["regions"]["Metro"]["disdukcapil"].__setitem__("adress", "x"),
            "regions.Metro.disdukcapil",
        ),
        (
            InvalidEntry,
            "offices.yml",
            lambda d: d["regions"]["Metro"]["disdukcapil"].__setitem__("phone", 721123),
            "regions.Metro.disdukcapil.phone",
        ),
        (
            InvalidEntry,
            "offices.yml",
            lambda d: d["regions"]["Metro"]["samsat"].__setitem__("hours", "sabtu"),
            "regions.Metro.samsat.hours",
        ),
        (
            InvalidEntry,
            "offices.yml",
            lambda d: d["regions"].__setitem__("Palembang", d["regions"]["Metro"]),
            "regions.Palembang",
        ),
        (
            InvalidEntry,
            "emergency.yml",
            lambda d: d["national"][1].__setitem__("number", 110),
            "national[1].number",
        ),
        (
            InvalidEntry,
            "offices.yml",
            lambda d: d["schedules"]["kantor"][1].__setitem__("hours", "pagi sampai siang"),
            "schedules.kantor[1]",
        ),
    ],
    ids=[
        "missing-document-type",
        "missing-region-in-offices",
        "missing-samsat-in-a-region",
        "missing-region-in-emergency",
        "unknown-document-type",
        "bad-date",
        "empty-items",
        "typo-key",
        "unquoted-phone",
        "unknown-schedule",
        "unknown-region",
        "unquoted-number",
        "unreadable-hours",
    ],
)
def test_missing_and_invalid_entries_name_their_file_and_entry(
    data_dir, error, file, change, entry
):
    edit(data_dir / file, change)
    with pytest.raises(error) as caught:
        load_knowledge(data_dir)
    assert (caught.value.file.name, caught.value.entry) == (file, entry)
    assert file in str(caught.value) and entry in str(caught.value)


def test_phone_must_be_present_even_if_null(data_dir):
    edit(data_dir / "offices.yml", lambda d: d["regions"]["Metro"]["disdukcapil"].pop("phone"))
    with pytest.raises(MissingEntry, match="phone"):
        load_knowledge(data_dir)


def test_broken_yaml_names_the_file(data_dir):
    (data_dir / "emergency.yml").write_text("national: [\n", encoding="utf-8")
    with pytest.raises(InvalidEntry) as caught:
        load_knowledge(data_dir)
    assert caught.value.file.name == "emergency.yml"


def test_missing_file(data_dir):
    (data_dir / "offices.yml").unlink()
    with pytest.raises(MissingEntry) as caught:
        load_knowledge(data_dir)
    assert caught.value.file.name == "offices.yml"
