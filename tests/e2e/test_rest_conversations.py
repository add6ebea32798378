"""Residents typing freely through the REST channel of a running ``make serve`` (issue 3)."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid

import pytest

from tests.auxil.tabik_server import TabikServer, drive_form, texts

pytestmark = pytest.mark.slow

TICKET = re.compile(r"\b(ADU|MHN)-\d{6}-[2-9A-HJ-KMNP-Z]{4,8}\b")

COMPLAINT_ANSWERS = {
    "complaint_category": "jalan rusak",
    "kabupaten_kota": "lamsel",
    "kecamatan": "natar",
    "desa": "hajimena",
    "description": "jalannya berlubang besar di depan SD, sdh 3 bulan blm diperbaiki, bahaya",
    "attachment_id": "lewati",
    "complaint_private": "2",
    "complaint_confirmed": "ya",
}
APPLICATION_ANSWERS = {
    "document_type": "kk",
    "nik": "1871 0115 0890 0001",
    "full_name": "Siti Aminah",
    "kabupaten_kota": "balam",
    "phone_number": "0812-3456-7890",
    "application_confirmed": "ya",
}


def sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def fill(tabik: TabikServer, who: str, opening: str, answers: dict[str, str]) -> str:
    said = [texts(tabik.say(who, opening))]
    said += drive_form(
        lambda slot: answers[slot] if slot in answers else pytest.fail(f"unexpected slot {slot}"),
        lambda text: texts(tabik.say(who, text)),
        lambda: tabik.requested_slot(who),
    )
    return "\n".join(said)


def ticket_count(tabik: TabikServer) -> int:
    with sqlite3.connect(tabik.workdir / "tabik.db") as db:
        return int(db.execute("select count(*) from tickets").fetchone()[0])


@pytest.fixture(scope="module")
def complaint(tabik: TabikServer) -> tuple[str, str]:
    who = sender()
    transcript = fill(tabik, who, "mau lapor jalan rusak min", COMPLAINT_ANSWERS)
    match = TICKET.search(transcript)
    assert match and match.group(1) == "ADU", transcript
    return who, match.group(0)


def test_a_complaint_is_filed_to_an_adu_ticket(complaint: tuple[str, str]) -> None:
    assert complaint[1].startswith("ADU-")


def test_an_application_is_filed_to_an_mhn_ticket_with_requirements(tabik: TabikServer) -> None:
    transcript = fill(tabik, sender(), "sy mau bikin kk baru", APPLICATION_ANSWERS)
    match = TICKET.search(transcript)
    assert match and match.group(1) == "MHN", transcript
    assert "Disdukcapil" in transcript


def test_owner_sees_status_and_details_stranger_only_the_status(
    tabik: TabikServer, complaint: tuple[str, str]
) -> None:
    owner, number = complaint
    mine = texts(tabik.say(owner, f"cek status {number.lower().replace('-', ' ')}"))
    assert "diterima" in mine and "berlubang" in mine
    theirs = texts(tabik.say(sender(), f"status {number} gmn"))
    assert "diterima" in theirs
    for private in ("berlubang", "Hajimena", "Siti", "0812", "1871"):
        assert private not in theirs


def test_unknown_numbers_are_said_to_be_unknown(tabik: TabikServer) -> None:
    reply = texts(tabik.say(sender(), "cek ADU-261101-ZZZZ"))
    assert "tidak ditemukan" in reply


def test_information_services(tabik: TabikServer) -> None:
    who = sender()
    kk = texts(tabik.say(who, "syarat bikin kk apa aja"))
    assert "Kartu Keluarga" in kk or "KK" in kk
    hours = texts(tabik.say(sender(), "jam buka disdukcapil metro"))
    assert re.search(r"\d{2}[.:]\d{2}", hours), hours
    tax = texts(tabik.say(sender(), "cek pajak motor BE 1234 AB"))
    assert "Rp" in tax and "data contoh" in tax.lower()
    rice = texts(tabik.say(sender(), "harga beras berapa skrg"))
    assert re.search(r"Rp ?\d", rice), rice


def test_a_follow_up_naming_another_commodity_keeps_the_regency(tabik: TabikServer) -> None:
    who = sender()
    first = texts(tabik.say(who, "harga beras di metro brp"))
    assert "Metro" in first and re.search(r"Rp ?\d", first), first
    follow_up = texts(tabik.say(who, "kalo cabe?"))
    assert re.search(r"Harga Cabai[^\n]* di (Kota )?Metro: Rp ?\d", follow_up), follow_up


def test_tiket_saya_lists_only_this_chats_tickets(
    tabik: TabikServer, complaint: tuple[str, str]
) -> None:
    owner, number = complaint
    other = sender()
    theirs = TICKET.search(fill(tabik, other, "sy mau bikin kk baru", APPLICATION_ANSWERS))
    assert theirs, "the other chat's application was not filed"
    listing = texts(tabik.say(owner, "tiket saya"))
    # Number, kind, status and the date it was filed; never another chat's ticket.
    assert re.search(rf"{number} · Aduan [^·]+ · diterima · \d{{2}}/\d{{2}}/\d{{4}}", listing), (
        listing
    )
    assert theirs.group(0) not in listing
    tabik.say(owner, "batal")
    nobody = texts(tabik.say(sender(), "lupa nomor tiketnya"))
    assert "Belum ada tiket" in nobody and not TICKET.search(nobody.replace("ADU-261128-7KQ2", ""))


def test_emergency_gives_112_first(tabik: TabikServer) -> None:
    replies = tabik.say(sender(), "tolong ada kebakaran rumah tetangga")
    assert "112" in str(replies[0].get("text"))


def test_handoff_is_recorded(tabik: TabikServer) -> None:
    reply = texts(tabik.say(sender(), "sy mau bicara dengan petugas"))
    assert re.search(r"CS-\d{6}-\w{4}", reply), reply


def test_batal_mid_form_files_nothing(tabik: TabikServer) -> None:
    who = sender()
    before = ticket_count(tabik)
    tabik.say(who, "mau lapor sampah numpuk")
    assert tabik.requested_slot(who) is not None
    reply = texts(tabik.say(who, "batal"))
    assert "dibatalkan" in reply
    assert tabik.requested_slot(who) is None
    assert ticket_count(tabik) == before


@pytest.mark.parametrize(
    "message",
    ["", "   ", "a" * 5000, "🙏🙏🙏", "<script>alert('x')</script>", "'; DROP TABLE tickets; --"],
    ids=["empty", "whitespace", "5000-chars", "emoji", "script", "sql"],
)
def test_hostile_input_gets_a_polite_answer(tabik: TabikServer, message: str) -> None:
    before = ticket_count(tabik)
    replies = tabik.say(sender(), message)
    assert replies and all(r.get("text") for r in replies if "buttons" not in r)
    assert "Traceback" not in texts(replies)
    assert ticket_count(tabik) == before
    assert tabik.get("/status")[0] == 200


def test_personal_data_is_masked_in_the_logs(tabik: TabikServer) -> None:
    tabik.say(sender(), "nik sy 1871011508900001 hp 081234567890")
    log = tabik.log_path.read_text(errors="replace")
    assert "1871011508900001" not in log
    assert "081234567890" not in log


def test_a_message_the_bot_did_not_understand_reaches_the_admins_inbox_masked(
    tabik: TabikServer,
) -> None:
    message = "rekomendasi resep rendang dong min, nik 1871011508900001 hp 081234567890"
    assert tabik.parse(message)["intent"]["name"] == "out_of_scope"  # what puts it in the inbox
    tabik.say(sender(), message)
    items = json.loads(tabik.cli("nlu", "inbox", "--json"))
    mine = [i for i in items if "resep rendang" in i["text"]]
    assert len(mine) == 1, items
    assert "1871011508900001" not in mine[0]["text"]
    assert "081234567890" not in mine[0]["text"]
