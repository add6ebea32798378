"""An agency officer forwards a ticket at phone width, in headless Chromium: it leaves
their queue, and the resident hears which office handles it now."""

from __future__ import annotations

from bot.domain.staff import Role
from tests.auxil.staff import PASSWORD, complaint
from tests.browser.conftest import LiveConsole, screenshot

RESIDENT = "6281233334444"


def test_an_agency_officer_forwards_a_ticket_and_it_leaves_their_queue(browser, live):
    number = live.run(complaint(live.staff.tabik, account=RESIDENT, desa="Hajimena"))
    with live.staff.desk.uow_factory() as uow:
        uow.tickets.get(number).agency_code = "DLH-1801"
        uow.commit()
    live.run(
        live.staff.accounts.add(
            "dlh1801", role=Role.OFFICER, password=PASSWORD, agency_code="DLH-1801"
        )
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live.url + "/login")
        page.fill("#username", "dlh1801")
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Masuk')")
        page.goto(live.url + "/antrean")
        assert page.locator(f"a:has-text('{number}')").count() == 1

        page.goto(f"{live.url}/tiket/{number}")
        page.fill("#agency", "PU-1801")
        page.check("#reason-bukan_wewenang")
        page.fill("#forward-note", "Sampah di bahu jalan kabupaten")
        screenshot(page, "forward")
        page.click("button:has-text('Teruskan')")

        assert page.url.endswith(f"/antrean?diteruskan={number}")
        assert (
            "tidak lagi ada di antrean Anda"
            in page.locator(".notice:not(.live-notice)").inner_text()
        )
        assert page.locator(f"a:has-text('{number}')").count() == 0
        screenshot(page, "forwarded-queue")
    finally:
        context.close()
    texts = LiveConsole.whatsapp_texts(live, RESIDENT)
    assert any(number in t and "Pekerjaan Umum" in t for t in texts), texts
