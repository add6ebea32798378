"""Short answers, polite openers and complaints stated as facts, as the trained model reads them.

The messages here are not in the training data (a test below checks it), so
each one says something about what the model learned rather than remembers.
"""

from __future__ import annotations

import pytest

from bot.entrypoints.evaluation import ModelParser
from tests.auxil.places import KECAMATAN

pytestmark = pytest.mark.model

# The 15 kabupaten/kota as residents type them alone, answering "Di mana?".
BARE_REGIONS = (
    "Kota Bandar Lampung", "bandar lampung", "kota metro", "metro", "lampung selatan",
    "lamteng", "Lampung Utara", "lambar", "lampung timur", "Tulang Bawang", "tubaba",
    "tanggamus", "Way Kanan", "pesawaran", "Pringsewu", "mesuji", "Pesisir Barat",
)  # fmt: skip

FACTS = (
    "jalan di depan sekolah saya bolong2 parah",
    "air pdam gak ngalir dari kemarin",
    "lampu jalan depan musholla mati udah dua minggu",
    "sampah di belakang pasar ga diangkut dari senin, baunya parah",
    "got di gang kami mampet, tiap hujan air masuk rumah",
    "petugas kelurahan minta uang 50 ribu buat surat pengantar",
)

OPENERS = (
    ("permisi, mau tanya", {"help", "greet"}),
    ("tabik pun", {"greet"}),
    ("punten", {"greet"}),
    ("assalamualaikum min", {"greet"}),
    ("permisi min, mau tanya syarat bikin akta kelahiran", {"ask_requirements"}),
    ("tabik pun, jalan ke kebun di pekon kami rusak berat", {"file_complaint"}),
    ("punten, harga beras di metro berapa", {"ask_food_price"}),
    ("assalamualaikum min, kantor capil lamsel buka jam berapa", {"ask_office_info"}),
)


def test_a_bare_region_is_an_answer_not_a_question(nlu_parser: ModelParser) -> None:
    parsed = nlu_parser.parse_all(list(BARE_REGIONS))
    assert [(t, p.intent) for t, p in zip(BARE_REGIONS, parsed) if p.intent != "inform"] == []


def test_bare_desa_names_are_never_cancel_or_emergency(nlu_parser: ModelParser) -> None:
    names = sorted({d for k in KECAMATAN for d in k.desa})
    parsed = nlu_parser.parse_all(names)
    wrong = [(n, p.intent) for n, p in zip(names, parsed) if p.intent in {"cancel", "emergency"}]
    assert wrong == []


def test_a_complaint_stated_as_a_fact_is_a_complaint(nlu_parser: ModelParser) -> None:
    parsed = nlu_parser.parse_all(list(FACTS))
    assert [(t, p.intent) for t, p in zip(FACTS, parsed) if p.intent != "file_complaint"] == []


@pytest.mark.parametrize(("text", "intents"), OPENERS)
def test_polite_openers_lead_into_the_request(
    nlu_parser: ModelParser, text: str, intents: set[str]
) -> None:
    [parsed] = nlu_parser.parse_all([text])
    assert parsed.intent in intents


def test_these_messages_are_not_training_examples() -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.config import PROJECT_ROOT

    training = {
        m.get("text").strip().lower()
        for m in load_data(str(PROJECT_ROOT / "nlu" / "data" / "nlu")).intent_examples
    }
    mine = {t.lower() for t in (*FACTS, *(t for t, _ in OPENERS[4:]))}
    assert not mine & training
