"""The live handoff page on a phone (390 px): a resident's message appears without a reload."""

from __future__ import annotations

import time

from bot.domain.identity import ChatIdentity
from tests.auxil.staff import complaint, resident_says
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_console_browser import login


def test_a_residents_message_appears_on_the_open_handoff_page_within_2_s(page, live):
    resident = ChatIdentity(channel="whatsapp", account="6281277775555")
    live.run(complaint(live.staff.tabik, account=resident.account, desa="Hajimena"))
    opened = live.run(
        live.staff.handoffs.open(identity=resident, reason="mau bicara", transcript=[])
    )
    live.run(resident_says(live.staff.handoffs, resident, opened.reference, "Halo, petugas?"))

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live, "petugas")
    page.goto(live.url + f"/percakapan/{opened.reference}")
    page.wait_for_function("document.querySelector('#messages') !== null")
    page.evaluate("window.__notReloaded = true")
    page.wait_for_timeout(500)  # the stream is open

    said = time.monotonic()
    live.run(
        resident_says(live.staff.handoffs, resident, opened.reference, "Lubangnya makin besar")
    )
    page.locator("#messages li", has_text="Lubangnya makin besar").wait_for(timeout=2000)
    assert time.monotonic() - said < 2.0
    assert page.evaluate("window.__notReloaded === true")  # the same page, no reload
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "live-handoff-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
