"""The console as staff use it, in headless Chromium."""

from __future__ import annotations

import asyncio
import re

from bot.domain.identity import ChatIdentity
from tests.auxil.outbox_delivery import deliver_pending
from tests.auxil.staff import PASSWORD, complaint, resident_says
from tests.browser.conftest import LiveConsole, screenshot

RESIDENT = "6281211112222"


def login(page, live: LiveConsole, username: str, password: str = PASSWORD) -> None:
    page.goto(live.url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button:has-text('Masuk')")


def deliver_notifications(live: LiveConsole) -> None:
    """The status notices queued so far, sent with the same channel outputs as production."""
    live.run(deliver_pending(live.settings))


def test_a_village_official_sees_only_their_village_and_changes_a_status(page, live):
    mine = live.run(complaint(live.staff.tabik, account=RESIDENT, desa="Hajimena"))
    other = live.run(complaint(live.staff.tabik, account="6281299990000", desa="Merak Batin"))
    login(page, live, "hajimena")

    assert page.locator("h1").inner_text() == "Antrean tiket"
    assert page.locator(f"a:has-text('{mine}')").count() == 1
    assert page.locator(f"text={other}").count() == 0
    screenshot(page, "queue")
    page.goto(f"{live.url}/tiket/{other}")
    assert "Tidak ditemukan" in page.locator("h1").inner_text()

    page.goto(f"{live.url}/tiket/{mine}")
    screenshot(page, "ticket")
    page.check("input[value='ditolak']")
    page.click("button:has-text('Simpan status')")
    assert "alasan" in page.locator(".error-summary").inner_text()
    page.check("input[value='diverifikasi']")
    page.fill("#note", "Sudah kami cek di lapangan")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the form works from the keyboard
    assert "Status diubah" in page.locator(".notice").inner_text()
    assert "Diverifikasi" in page.locator(".tag").first.inner_text()

    deliver_notifications(live)
    texts = live.whatsapp_texts(RESIDENT)
    assert any(mine in t and "diverifikasi" in t.lower() for t in texts), texts


def test_filing_for_a_walk_in_resident_and_printing_the_receipt(page, live):
    login(page, live, "hajimena")
    page.click("nav >> text=Lapor untuk warga")
    page.fill("#name", "Pak Darto")
    page.fill("#phone", "0812 3456 7788")
    page.select_option("#category", "penerangan")
    page.fill("#description", "Lampu jalan di dekat balai desa mati")
    page.click("button:has-text('Catat')")

    assert page.locator("h1").inner_text() == "Tanda terima"
    number = page.locator(".big-number").inner_text()
    assert re.fullmatch(r"ADU-\d{6}-[2-9A-Z]{4,}", number)
    screenshot(page, "receipt")
    page.emulate_media(media="print")
    assert not page.locator("header").is_visible()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")
    assert any(number in t for t in live.whatsapp_texts("6281234567788"))


def test_an_officer_answers_a_handoff(page, live):
    resident = ChatIdentity(channel="whatsapp", account="6281277776666")
    live.run(complaint(live.staff.tabik, account=resident.account, desa="Hajimena"))
    opened = live.run(
        live.staff.handoffs.open(
            identity=resident,
            reason="mau bicara dengan petugas",
            transcript=[
                {"role": "user", "text": "jalan rusak belum diperbaiki"},
                {"role": "bot", "text": "Baik, Bapak/Ibu."},
            ],
        )
    )
    live.run(asyncio.sleep(0.01))
    live.run(
        resident_says(
            live.staff.handoffs, resident, opened.reference, "Sudah dua minggu belum ada perbaikan"
        )
    )

    login(page, live, "kuncian")  # Metro: not this resident's area
    page.goto(live.url + "/percakapan")
    assert page.locator(f"text={opened.reference}").count() == 0
    page.click("button:has-text('Keluar')")

    login(page, live, "petugas")
    page.goto(live.url + "/percakapan")
    page.click(f"a:has-text('{opened.reference}')")
    assert "Sudah dua minggu" in page.locator(".chat").last.inner_text()
    page.fill("#text", "Baik, Bapak. Tim kami datang besok pagi.")
    page.click("button:has-text('Kirim balasan')")
    assert "Tim kami datang besok pagi" in page.locator(".chat").last.inner_text()
    screenshot(page, "handoff")
    assert live.whatsapp_texts(resident.account)[-1] == (
        "Petugas: Baik, Bapak. Tim kami datang besok pagi."
    )
    page.click("button:has-text('Selesai')")
    assert "Tabik kembali menjawab" in page.locator("main").inner_text()
    assert live.conversations.resumed[-1] == resident.sender_id
    assert "selesai" in live.whatsapp_texts(resident.account)[-1]


def test_a_form_without_csrf_is_refused(page, live):
    login(page, live, "hajimena")
    page.goto(live.url + "/lapor")
    # The filing form's own token (the header's logout form has one too).
    page.locator("form[action='/lapor'] input[name=csrf_token]").evaluate(
        "input => { input.value = 'palsu'; }"
    )
    page.fill("#name", "Bu Ani")
    page.select_option("#category", "sampah")
    page.fill("#description", "Sampah menumpuk")
    response_status = []
    page.on("response", lambda r: response_status.append(r.status))
    page.click("button:has-text('Catat')")
    assert 403 in response_status
    assert "Formulir kedaluwarsa" in page.locator("h1").inner_text()


def test_repeated_wrong_passwords_refuse_that_browser_for_a_while(page, live):
    live.run(
        live.staff.accounts.add(
            "dikunci",
            role="officer",
            password=PASSWORD,
            kabupaten_kota="Metro",
        )
    )
    statuses = []
    page.on("response", lambda r: statuses.append(r.status) if r.request.method == "POST" else None)
    for _ in range(5):
        login(page, live, "dikunci", "bukan-sandinya")
    assert statuses[-1] == 429
    assert "Terlalu banyak percobaan" in page.locator(".error-summary").inner_text()
    login(page, live, "dikunci")
    assert page.locator("h1").inner_text() == "Masuk ke konsol petugas"
    assert statuses[-1] == 429
