"""The figures' charts in real Chromium at phone width: readable, nothing wider than the screen."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import jinja2

from bot.config import PROJECT_ROOT
from bot.domain.figures import TicketRecord, public_figures, published_totals, staff_figures
from bot.domain.model import TicketStatus
from console import charts
from tests.auxil.figures import synthetic_records
from tests.browser.conftest import screenshot

SITE = "http://tabik.test"
STATIC = PROJECT_ROOT / "console" / "static"
NOW = datetime(2026, 12, 8, 3, 0, tzinfo=timezone.utc)
LABELS = {
    "jalan": "Jalan rusak",
    "sampah": "Sampah",
    "penerangan": "Lampu jalan / penerangan",
    "banjir": "Banjir / genangan",
    "air": "Air bersih",
}
PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Statistik – Tabik</title>
<link rel="stylesheet" href="/static/console.css">{{ chart_styles() }}</head>
<body><header class="header"><div class="wrap header-row">
<a class="brand" href="/statistik">Tabik <span>Statistik</span></a></div></header>
<main class="wrap"><h1>Angka layanan</h1>
<div class="charts">{% for c in staff %}{{ chart(c) }}{% endfor %}</div>
<h2>Untuk publik, Oktober 2026</h2>{{ chart(public) }}
</main></body></html>"""


def sample_page() -> str:
    records = list(synthetic_records(3000, seed=5))
    # A category named like markup must come out as text.
    records += [
        TicketRecord(
            received_at=datetime(2026, 12, 1, 3, tzinfo=timezone.utc),
            status=TicketStatus.DITERIMA,
            category="<script>window.hacked=1</script>",
            kabupaten_kota="Metro",
            due_at=datetime(2026, 12, 7, 3, tzinfo=timezone.utc),
        )
    ] * 400
    staff = staff_figures(records, since=date(2026, 9, 28), until=date(2026, 12, 7), now=NOW)
    public = public_figures(records, "2026-10", now=NOW)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PROJECT_ROOT / "console" / "templates")),
        autoescape=True,
    )
    macros: Any = env.get_template("charts/chart.html").module
    template = env.from_string(PAGE)
    return template.render(
        chart=macros.chart,
        chart_styles=macros.chart_styles,
        staff=[
            charts.received_per_week(staff["by_week"]),
            charts.open_by_status(staff["open_by_status"]),
            charts.on_time_gauge(staff["on_time_share"]),
            charts.top_categories(staff["by_category"], labels=LABELS),
        ],
        public=charts.public_by_region(published_totals(public)),
    )


def serve(page: Any, html: str) -> None:
    def answer(route: Any) -> None:
        path = route.request.url.removeprefix(SITE)
        if path.startswith("/static/"):
            file = STATIC / Path(path).name
            route.fulfill(path=str(file), content_type="text/css")
        else:
            route.fulfill(body=html, content_type="text/html; charset=utf-8")

    page.route(f"{SITE}/**", answer)
    page.goto(f"{SITE}/statistik")


def test_the_charts_fit_a_phone_say_their_numbers_and_run_no_markup(page):
    page.set_viewport_size({"width": 390, "height": 844})
    serve(page, sample_page())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    svgs = page.locator("svg[role=img]")
    assert svgs.count() == 5
    for index in range(5):
        label = svgs.nth(index).get_attribute("aria-label") or ""
        assert any(ch.isdigit() for ch in label)
        box = svgs.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("window.hacked") is None
    categories = page.locator("#top-categories")
    assert "<script>window.hacked=1</script>" in categories.locator("table").inner_text()
    hidden = page.locator("#top-categories .visually-hidden").bounding_box()
    assert hidden is not None and hidden["width"] <= 1 and hidden["height"] <= 1
    screenshot(page, "figures")
