"""What residents type, as the trained model understands it (through the whole pipeline)."""

from __future__ import annotations

import pytest

from bot.entrypoints.evaluation import ModelParser

pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("ktp sy udh jadi blm min?", "check_status", {("document_type", "ktp")}),
        (
            "syarat2 bikin akte lahir apa aja",
            "ask_requirements",
            {("document_type", "akta_kelahiran")},
        ),
        ("pajak motor be1234ab brp", "check_tax", {("plate_number", "BE 1234 AB")}),
        ("cek adu 261128 7kq2", "check_status", {("ticket_id", "ADU-261128-7KQ2")}),
        (
            "harga cabe di lamsel",
            "ask_food_price",
            {("commodity", "cabai"), ("kabupaten_kota", "Lampung Selatan")},
        ),
    ],
)
def test_everyday_messages(
    nlu_parser: ModelParser, text: str, intent: str, entities: set[tuple[str, str]]
) -> None:
    [prediction] = nlu_parser.parse_all([text])
    assert prediction.intent == intent
    assert entities <= set(prediction.entities)


def test_a_bare_menu_number_is_the_menu_entry(nlu_parser: ModelParser) -> None:
    assert [p.intent for p in nlu_parser.parse_all(["1", "no 2", "9"])] == [
        "check_status",
        "file_complaint",
        "human_handoff",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "a" * 5000,
        "🙏🙏🙏",
        "<script>alert(1)</script>",
        "'; DROP TABLE tickets; --",
        "\x00\x01",
    ],
)
def test_hostile_input_parses(nlu_parser: ModelParser, text: str) -> None:
    [prediction] = nlu_parser.parse_all([text])
    assert prediction.intent
