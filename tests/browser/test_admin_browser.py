"""An admin improves the bot from a phone: labels an inbox message, trains a candidate."""

from __future__ import annotations

from tests.browser.conftest import LiveConsole, screenshot
from tests.browser.test_console_browser import login

PHONE = {"width": 375, "height": 812}


def test_an_admin_labels_the_inbox_and_trains_a_candidate_on_a_phone(page, live: LiveConsole):
    live.residents.say(
        "lampu jalan depan balai desa mati min",
        ("nlu_fallback", 0.7),
        ("file_complaint", 0.48),
        ("ask_office_info", 0.21),
        ("check_status", 0.12),
    )
    page.set_viewport_size(PHONE)
    login(page, live, "admin")
    page.click("nav >> text=NLU & model")
    assert page.locator("h1").inner_text() == "Kotak masuk NLU"
    assert page.locator(".message").first.inner_text() == "“lampu jalan depan balai desa mati min”"
    screenshot(page, "admin-inbox", phone=375)
    page.set_viewport_size(PHONE)

    page.click("button:has-text('file_complaint (48%)')")
    assert "ditambahkan sebagai contoh file_complaint" in page.locator(".notice").inner_text()
    assert "Kotak masuk kosong" in page.locator("main").inner_text()

    live.models.files.pause = 0.6  # a training of a few seconds: long enough to watch it run
    page.click(".tabs >> text=Model")
    page.click("button:has-text('Latih kandidat')")
    assert page.locator(".job-state").inner_text() == "Sedang berjalan"
    page.wait_for_function(
        "() => (document.querySelector('.job-lines') || {}).textContent?.includes('Training NLU')"
    )
    screenshot(page, "admin-training", phone=375)
    page.set_viewport_size(PHONE)
    candidate = page.locator(".candidate")
    candidate.wait_for(timeout=20_000)  # jobs.js reloads the page once the job is done
    assert candidate.inner_text().startswith("tabik-")
    assert page.locator(".job-state").inner_text() == "Selesai"
    screenshot(page, "admin-candidate", phone=375)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.set_viewport_size(PHONE)

    page.click(".notice a")  # the candidate's own page: evaluate it against the running model
    page.click("button:has-text('Evaluasi terhadap model yang berjalan')")
    figures = page.locator("table.figures").first
    figures.wait_for(timeout=20_000)
    assert "0.850" in figures.inner_text() and "0.800" in figures.inner_text()
    screenshot(page, "admin-evaluation", phone=375)
