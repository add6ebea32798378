"""Places and whole complaints through the REST channel of a running Tabik (``make serve``).

The action tests read one message at a time; here the model, Rasa's rules and
the form run together, which is where a correction used to be stored as a
kecamatan and a sentence as a desa.
"""

from __future__ import annotations

import re
import uuid

import pytest

from tests.auxil.tabik_server import TabikServer, texts

pytestmark = pytest.mark.slow

TICKET = re.compile(r"\bADU-\d{6}-[2-9A-HJ-KMNP-Z]{4,8}\b")


def sender() -> str:
    return f"e2e-places-{uuid.uuid4().hex[:8]}"


def slots(tabik: TabikServer, who: str) -> dict[str, object]:
    return dict(tabik.tracker(who).get("slots", {}))


def to_question(tabik: TabikServer, who: str, question: str, script: dict[str, str]) -> None:
    tabik.say(who, "mau lapor jalan rusak")
    while (slot := tabik.requested_slot(who)) != question:
        assert slot in script, f"asked {slot}"
        tabik.say(who, script.pop(slot))


def test_a_correction_at_the_kecamatan_question_stores_the_corrected_place(
    tabik: TabikServer,
) -> None:
    who = sender()
    to_question(tabik, who, "kecamatan", {"kabupaten_kota": "balam"})
    reply = texts(tabik.say(who, "eh salah, bukan kedaton yg bener rajabasa"))
    found = slots(tabik, who)
    assert found["kecamatan"] == "Rajabasa", reply
    assert tabik.requested_slot(who) == "desa"


def test_a_kelurahan_named_in_the_opening_fills_its_kecamatan_and_kabupaten(
    tabik: TabikServer,
) -> None:
    who = sender()
    reply = texts(tabik.say(who, "mau lapor lampu jalan mati di kel way dadi"))
    found = slots(tabik, who)
    assert (found["kabupaten_kota"], found["kecamatan"], found["desa"]) == (
        "Bandar Lampung",
        "Sukarame",
        "Way Dadi",
    ), reply
    assert tabik.requested_slot(who) not in {"kabupaten_kota", "kecamatan", "desa"}


def test_a_sentence_answered_to_the_desa_question_is_not_stored(tabik: TabikServer) -> None:
    who = sender()
    to_question(tabik, who, "desa", {"kabupaten_kota": "balam", "kecamatan": "kedaton"})
    reply = texts(tabik.say(who, "wah saya kurang tau ya pokoknya deket pasar"))
    assert slots(tabik, who).get("desa") is None, reply
    assert tabik.requested_slot(who) == "desa"
    assert reply.strip(), "the question is asked again"


def test_a_complaint_told_in_full_gets_the_summary_then_the_ticket(tabik: TabikServer) -> None:
    who = sender()
    first = texts(
        tabik.say(
            who,
            "jalan di kel way dadi sukarame bolong2 parah udah 3 bulan, "
            "gak ada foto, rahasiakan nama saya ya",
        )
    )
    assert "ringkasan" in first.lower(), first
    assert tabik.requested_slot(who) == "complaint_confirmed"
    second = texts(tabik.say(who, "ya"))
    assert TICKET.search(second), second
