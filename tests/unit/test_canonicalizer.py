from typing import Any

import pytest

from bot.nlu.canonicalizer import EntityCanonicalizer, canonical_place


@pytest.fixture
def canonicalizer() -> EntityCanonicalizer:
    return EntityCanonicalizer(EntityCanonicalizer.get_default_config())


def span(text: str, part: str, entity: str) -> dict[str, Any]:
    start = text.index(part)
    return {
        "entity": entity,
        "start": start,
        "end": start + len(part),
        "value": part,
        "extractor": "DIETClassifier",
    }


def values(entities: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(e["entity"], e["value"]) for e in entities}


def test_model_spans_are_mapped_to_canonical_values(canonicalizer: EntityCanonicalizer) -> None:
    text = "syarat akte lahir di lamsel"
    entities = [span(text, "akte lahir", "document_type"), span(text, "lamsel", "kabupaten_kota")]
    assert values(canonicalizer.canonicalise(text, entities, "ask_requirements")) == {
        ("document_type", "akta_kelahiran"),
        ("kabupaten_kota", "Lampung Selatan"),
    }


def test_close_misspellings_are_forgiven(canonicalizer: EntityCanonicalizer) -> None:
    text = "mau urus akta kelahran di pringsewo"
    entities = [
        span(text, "akta kelahran", "document_type"),
        span(text, "pringsewo", "kabupaten_kota"),
    ]
    assert values(canonicalizer.canonicalise(text, entities, "apply_service")) == {
        ("document_type", "akta_kelahiran"),
        ("kabupaten_kota", "Pringsewu"),
    }


def test_pattern_beats_the_model_on_numbers(canonicalizer: EntityCanonicalizer) -> None:
    text = "nik saya 1871 0123 4567 0001"
    # the model read part of the NIK as a phone number
    entities = [span(text, "1871 0123 4567", "phone_number")]
    assert values(canonicalizer.canonicalise(text, entities, "inform")) == {
        ("nik", "1871012345670001")
    }


def test_words_the_model_missed_are_added_where_they_mean_something(
    canonicalizer: EntityCanonicalizer,
) -> None:
    text = "persyaratan kartu keluarga apa saja ya di kota metro"
    assert values(canonicalizer.canonicalise(text, [], "ask_requirements")) == {
        ("document_type", "kk"),
        ("kabupaten_kota", "Metro"),
    }
    # "air" is an everyday word outside a complaint: not a category there
    assert values(canonicalizer.canonicalise("harga air minum", [], "ask_food_price")) == set()


def test_unmappable_vocabulary_spans_are_dropped(canonicalizer: EntityCanonicalizer) -> None:
    text = "harga martabak"
    assert (
        values(
            canonicalizer.canonicalise(
                text, [span(text, "martabak", "commodity")], "ask_food_price"
            )
        )
        == set()
    )


@pytest.mark.parametrize(
    ("typed", "place"),
    [
        ("kec. natar", "Natar"),
        ("desa HAJIMENA", "Hajimena"),
        ("way  halim", "Way Halim"),
        ("Kecamatan Kedaton", "Kedaton"),
        ("pekon gisting atas", "Gisting Atas"),
    ],
)
def test_places_are_title_cased_without_prefixes(typed: str, place: str) -> None:
    assert canonical_place(typed) == place


def test_places_named_after_their_prefix_are_found(canonicalizer: EntityCanonicalizer) -> None:
    text = "jalan di pekon sukamaju kec. gisting bolong parah"
    assert values(canonicalizer.canonicalise(text, [], "file_complaint")) >= {
        ("desa", "Sukamaju"),
        ("kecamatan", "Gisting"),
    }


def test_known_kecamatan_without_prefix(canonicalizer: EntityCanonicalizer) -> None:
    text = "pju mati sepanjang jalan di way halim"
    assert ("kecamatan", "Way Halim") in values(
        canonicalizer.canonicalise(text, [], "file_complaint")
    )
    # a place word outside a place-related request is left alone
    assert values(canonicalizer.canonicalise("natar", [], "greet")) == set()
