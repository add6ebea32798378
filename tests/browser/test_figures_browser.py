"""/dasbor and /statistik in real Chromium at 390 px, and axe-core on the console's pages.

axe-core comes from scripts/setup-browser.sh (into var/node/, never at test time);
without it the accessibility test skips loudly, and fails under REQUIRE_SERVICES=1.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from bot.config import PROJECT_ROOT
from tests.auxil.figure_tickets import PERSONAL, insert_records
from tests.auxil.figures import synthetic_records
from tests.auxil.services import services_required
from tests.auxil.staff import PASSWORD
from tests.browser.conftest import LiveConsole, screenshot

AXE = PROJECT_ROOT / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def seeded(live: LiveConsole) -> list[str]:
    """Some 10,000 tickets over the last fourteen weeks, with residents' details."""
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=97)
    return insert_records(live.staff.engine, synthetic_records(10_000, seed=11, start=start))


def login(page: Any, live: LiveConsole, username: str) -> None:
    page.goto(live.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/antrean")


def fits_the_phone(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_dashboard_at_phone_width(page, live, seeded):
    page.set_viewport_size(PHONE)
    login(page, live, "admin")
    page.click("nav >> text=Dasbor")
    page.wait_for_url("**/dasbor")
    assert page.locator("h1").inner_text() == "Dasbor"
    assert page.locator("svg[role=img]").count() == 4
    assert page.locator("a:has-text('Unduh CSV')").is_visible()
    assert "tiket baru" in page.locator(".who").inner_text()
    fits_the_phone(page)
    body = page.content()
    for personal in PERSONAL.values():
        assert personal not in body
    page.select_option("#kabupaten_kota", "Metro")
    with page.expect_navigation():
        page.click("button:has-text('Tampilkan')")
    assert "kabupaten_kota=Metro" in page.url, page.url
    fits_the_phone(page)
    screenshot(page, "dasbor")


def test_the_public_statistics_at_phone_width_without_login(page, live, seeded):
    page.set_viewport_size(PHONE)
    page.goto(live.url + "/statistik")
    assert "Statistik layanan" in page.locator("h1").inner_text()
    assert "Kelompok kecil tidak ditampilkan" in page.locator("#kelompok-kecil").inner_text()
    assert page.locator("svg[role=img]").count() == 1
    assert page.locator("table.cells tbody tr").count() > 0
    fits_the_phone(page)
    body = page.content()
    for personal in (*PERSONAL.values(), "ADU-"):
        assert personal not in body
    screenshot(page, "statistik")


def serious_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
        }"""
    )
    return list(found)


def test_axe_finds_nothing_serious_on_the_queue_ticket_dashboard_and_statistics(page, live, seeded):
    if not AXE.exists():
        message = "!!! axe-core missing (run scripts/setup-browser.sh): accessibility NOT checked"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    page.set_viewport_size(PHONE)
    found = {"/statistik": serious_violations_at(page, live.url + "/statistik")}
    login(page, live, "admin")
    for path in ("/antrean", f"/tiket/{seeded[0]}", "/dasbor"):
        found[path] = serious_violations_at(page, live.url + path)
    assert found == {path: [] for path in found}


def serious_violations_at(page: Any, url: str) -> list[str]:
    page.goto(url)
    return serious_violations(page)
