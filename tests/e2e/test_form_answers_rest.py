"""Place names answering the complaint form, through the REST channel of a running Tabik.

The action tests walk the validator; here Rasa's own rules and policies are
in the loop too, which is where "Sidodadi" used to end the form as a cancel.
"""

from __future__ import annotations

import re
import uuid

import pytest

from tests.auxil.tabik_server import TabikServer, texts

pytestmark = pytest.mark.slow

TICKET = re.compile(r"\bADU-\d{6}-[2-9A-HJ-KMNP-Z]{4,8}\b")
CANCELLED = "dibatalkan"

# (region as typed, kecamatan as typed, desa): names that look like other words.
TRICKY_PLACES = (
    ("balam", "kedaton", "Sidodadi"),
    ("balam", "kedaton", "surabaya"),
    ("bandar lampung", "sukarame", "way dadi"),
    ("metro", "metro timur", "Yosodadi"),
    ("metro", "metro selatan", "margodadi"),
    ("lamteng", "terbanggi besar", "Nambah Dadi"),
    ("pesawaran", "gedong tataan", "sukadadi"),
    ("pringsewu", "gading rejo", "Wonodadi"),
    ("tanggamus", "gisting", "purwodadi"),
    ("lamsel", "kalianda", "kedaton"),
    ("pringsewu", "pringsewu", "bumi arum"),
    ("lampura", "kotabumi", "Kotabumi Udik"),
)


def sender() -> str:
    return f"e2e-place-{uuid.uuid4().hex[:8]}"


def test_sidodadi_reaches_a_ticket_in_six_messages(tabik: TabikServer) -> None:
    who = sender()
    script = {
        "kabupaten_kota": "kedaton",
        "desa": "Sidodadi",
        "attachment_id": "ga punya fotonya",
        "complaint_private": "2",
        "complaint_confirmed": "ya",
    }
    said = ["jalan di depan sekolah saya bolong2 parah"]
    transcript = [texts(tabik.say(who, said[0]))]
    while (slot := tabik.requested_slot(who)) is not None:
        assert slot in script, f"asked {slot}: {transcript[-1]}"
        said.append(script[slot])
        transcript.append(texts(tabik.say(who, script[slot])))
        assert len(said) <= 6, transcript
    everything = "\n".join(transcript)
    assert CANCELLED not in everything
    match = TICKET.search(everything)
    assert match, everything
    details = texts(tabik.say(who, f"cek status {match.group(0)}"))
    assert "Sidodadi" in details and "bolong" in details


@pytest.mark.parametrize(("region", "kecamatan", "desa"), TRICKY_PLACES)
def test_a_desa_answer_moves_on_to_the_description(
    tabik: TabikServer, region: str, kecamatan: str, desa: str
) -> None:
    who = sender()
    tabik.say(who, "mau lapor jalan rusak")
    script = {"kabupaten_kota": region, "kecamatan": kecamatan}
    while (slot := tabik.requested_slot(who)) in script:
        tabik.say(who, script.pop(slot))
    assert tabik.requested_slot(who) == "desa"
    reply = texts(tabik.say(who, desa))
    assert CANCELLED not in reply
    assert tabik.requested_slot(who) == "description", reply
