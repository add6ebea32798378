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


@pytest.mark.parametrize(
    "text",
    [
        "tabik pun, bapak sy dipatok ular pas nyabit rumput, kakinya bengkak, puskesmas jauh",
        "kulo nuwun, mbah kakung tiba2 ambruk di kamar mandi ga sadar",
        "punten, rumah panggung tetangga roboh ada anaknya di dalam",
        "adik sy tenggelam di embung desa tolongg",
        "banjir gede, tetangga sebelah kebawa arus sungai",
        "apinya udah nyambar atap rumah sebelah, tolong",
    ],
)
def test_emergencies_told_as_what_happened(nlu_parser: ModelParser, text: str) -> None:
    [prediction] = nlu_parser.parse_all([text])
    assert prediction.intent == "emergency"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("tabik pun, air pdam di komplek kami mati sejak senin", "file_complaint"),
        ("jalan berlubang bahaya, udah ada yang jatuh tapi ga diperbaiki", "file_complaint"),
        ("kembali ke bot aja kak", "cancel"),
    ],
)
def test_dangers_that_are_complaints_and_the_way_back_to_the_bot(
    nlu_parser: ModelParser, text: str, intent: str
) -> None:
    [prediction] = nlu_parser.parse_all([text])
    assert prediction.intent == intent
