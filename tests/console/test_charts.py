"""The figures' SVG charts: accessible, escaped, every number also in text and in a table."""

from __future__ import annotations

import itertools
import re
from typing import Any
from xml.etree import ElementTree

import jinja2
import pytest

from bot.config import PROJECT_ROOT
from bot.domain.figures import WeekFigures
from console import charts

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<script>alert("x")</script> & "Jalan"'


def weeks(*pairs: tuple[str, int]) -> list[WeekFigures]:
    return [{"week": week, "received": received, "done": 0} for week, received in pairs]


def parsed(chart: charts.Chart) -> ElementTree.Element:
    """The SVG as XML: escaping gone wrong would not parse (or would add elements)."""
    return ElementTree.fromstring(str(chart.svg))


def texts(chart: charts.Chart) -> list[str]:
    return [t.text or "" for t in parsed(chart).iter(f"{SVG}text")]


def every_chart() -> list[charts.Chart]:
    return [
        charts.received_per_week(weeks(("2026-W48", 12), ("2026-W49", 30))),
        charts.open_by_status({"diterima": 4, "diverifikasi": 0, "diteruskan": 2, "diproses": 1}),
        charts.on_time_gauge(0.834),
        charts.top_categories({"jalan": 50, "sampah": 20}),
        charts.public_by_region({"Metro": 40, "Mesuji": 7}),
    ]


@pytest.mark.parametrize("chart", every_chart(), ids=lambda c: c.id)
def test_every_chart_is_an_image_with_a_title_and_a_label_that_says_its_numbers(chart):
    svg = parsed(chart)
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert title is not None and title.text == chart.title
    label = svg.get("aria-label") or ""
    assert label.startswith(chart.title)
    for row in chart.rows:
        assert row[1] in label  # the numbers are said, not only drawn
    assert svg.get("aria-describedby") == f"{chart.id}-table"
    assert chart.rows and all(len(row) == len(chart.headers) for row in chart.rows)


@pytest.mark.parametrize(
    "build",
    [
        lambda: charts.top_categories({NASTY: 3}),
        lambda: charts.open_by_status({"diterima": 1}, labels={"diterima": NASTY}),
        lambda: charts.public_by_region({NASTY: 9}),
        lambda: charts.received_per_week(weeks(("2026-W49", 1)), title=NASTY),
        lambda: charts.on_time_gauge(0.5, title=NASTY),
    ],
)
def test_names_like_markup_are_text(build):
    chart = build()
    markup = str(chart.svg)
    assert "<script" not in markup
    assert "&lt;script&gt;" in markup
    svg = parsed(chart)
    assert not any(el.tag.endswith("script") for el in svg.iter())
    said = [svg.get("aria-label") or "", *(t.text or "" for t in svg.iter())]
    assert any('<script>alert("x")</script>' in text for text in said)


def test_horizontal_bars_are_labelled_and_numbered_longest_first():
    chart = charts.top_categories(
        {"sampah": 20, "jalan": 1500, "air": 20, "banjir": 3},
        labels={"jalan": "Jalan rusak"},
        top=3,
    )
    assert chart.rows == (("Jalan rusak", "1.500"), ("air", "20"), ("sampah", "20"))
    assert texts(chart) == ["Jalan rusak", "1.500", "air", "20", "sampah", "20"]
    widths = [
        r.get("width") for r in parsed(chart).iter(f"{SVG}rect") if r.get("fill") == charts.BAR
    ]
    assert widths == ["100.00%", "1.33%", "1.33%"]


def test_a_zero_bar_draws_only_its_track_and_still_says_zero():
    chart = charts.open_by_status({"diterima": 3, "diproses": 0})
    bars = [r for r in parsed(chart).iter(f"{SVG}rect") if r.get("fill") == charts.BAR]
    assert len(bars) == 1
    assert "diproses: 0" in (parsed(chart).get("aria-label") or "")


def test_a_long_label_is_cut_in_the_drawing_and_whole_in_the_table():
    name = "Kabupaten Tulang Bawang Barat, Kecamatan Tulang Bawang Tengah"
    chart = charts.public_by_region({name: 12})
    assert texts(chart)[0].endswith("…") and len(texts(chart)[0]) <= 34
    assert chart.rows == ((name, "12"),)


def test_the_public_chart_says_its_totals_leave_small_cells_out(partial):
    chart = charts.public_by_region({"Metro": 40})
    assert "kurang dari 5 tiket" in chart.note
    assert f'<p class="chart-note">{chart.note}</p>' in str(partial.chart(chart))
    assert "chart-note" not in str(partial.chart(charts.top_categories({"jalan": 1})))


def test_a_region_that_is_not_known_is_named_so():
    assert charts.public_by_region({None: 6}).rows == ((charts.WORDS["unknown_region"], "6"),)


@pytest.mark.parametrize(
    "chart",
    [
        charts.received_per_week([]),
        charts.open_by_status({}),
        charts.top_categories({}),
        charts.public_by_region({}),
        charts.on_time_gauge(None),
    ],
    ids=["weeks", "status", "categories", "regions", "gauge"],
)
def test_empty_figures_say_there_is_no_data(chart):
    assert charts.WORDS["no_data"] in texts(chart)
    assert charts.WORDS["no_data"] in (parsed(chart).get("aria-label") or "")


def test_weeks_without_tickets_say_zero():
    chart = charts.received_per_week(weeks(("2026-W49", 0), ("2026-W50", 0)))
    assert texts(chart).count("0") == 2
    assert charts.WORDS["no_data"] not in texts(chart)


def test_weeks_across_new_year_write_each_year_under_its_first_week():
    chart = charts.received_per_week(
        weeks(("2026-W52", 10), ("2026-W53", 12), ("2027-W01", 8), ("2027-W02", 9))
    )
    shown = texts(chart)
    assert [t for t in shown if t.startswith("W")] == ["W52", "W53", "W01", "W02"]
    assert [t for t in shown if re.fullmatch(r"\d{4}", t)] == ["2026", "2027"]
    assert chart.rows[2] == ("2027-W01", "8", "0")


def test_many_weeks_keep_every_number_but_thin_out_their_labels():
    many = weeks(*((f"2026-W{n:02d}", 1000 + n) for n in range(1, 27)))
    chart = charts.received_per_week(many)
    shown = texts(chart)
    assert len([t for t in shown if t.startswith("W")]) == 13
    assert all(charts.format_number(1000 + n) in shown for n in range(1, 27))
    upright = [
        t for t in parsed(chart).iter(f"{SVG}text") if "rotate(-90)" in (t.get("transform") or "")
    ]
    assert len(upright) == 26  # too narrow to write "1.001" across


def test_week_labels_never_overlap_and_each_new_year_is_labelled():
    names = [f"2026-W{n}" for n in range(41, 54)] + [f"2027-W{n:02d}" for n in range(1, 9)]
    chart = charts.received_per_week(weeks(*((name, 2800) for name in names)))
    labels = [t for t in parsed(chart).iter(f"{SVG}text") if (t.text or "").startswith("W")]
    places = [float(t.get("x") or 0) for t in labels]
    assert all(b - a >= 26 for a, b in itertools.pairwise(places))
    assert "W01" in [t.text for t in labels]


@pytest.mark.parametrize(
    ("share", "shown", "width"),
    [
        (0.834, "83%", "82.57%"),
        (1.0, "100%", "99.00%"),
        (0.0, "0%", None),
        (None, "Belum ada data", None),
    ],
)
def test_the_gauge_writes_the_share_and_fills_that_much_of_its_bar(share, shown, width):
    chart = charts.on_time_gauge(share)
    assert texts(chart)[0] == shown
    filled = [
        r.get("width") for r in parsed(chart).iter(f"{SVG}rect") if r.get("fill") == charts.GOOD
    ]
    assert filled == ([width] if width else [])


@pytest.mark.parametrize(
    ("value", "text"), [(0, "0"), (999, "999"), (1234, "1.234"), (100000, "100.000")]
)
def test_numbers_are_written_as_indonesian_readers_write_them(value, text):
    assert charts.format_number(value) == text


# --- the Jinja partial ------------------------------------------------------------------


@pytest.fixture
def partial() -> Any:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PROJECT_ROOT / "console" / "templates")),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    return env.get_template("charts/chart.html").module


def test_the_partial_renders_a_figure_with_the_svg_once_and_a_hidden_table(partial):
    chart = charts.top_categories({NASTY: 3, "jalan": 2})
    html = str(partial.chart(chart))
    assert html.count("<svg") == 1 and "&lt;svg" not in html  # not escaped twice
    assert '<figure class="chart" id="top-categories">' in html
    assert (
        '<div class="visually-hidden"><table class="chart-numbers" id="top-categories-table">'
        in html
    )
    assert "<script" not in html
    assert html.count('<th scope="row">') == 2
    assert (
        '<th scope="row">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;Jalan&#34;</th>'
        in html
    )
    assert "<td>3</td>" in html


def test_the_partial_links_the_charts_stylesheet(partial):
    assert str(partial.chart_styles()) == '<link rel="stylesheet" href="/static/charts.css">'
    assert (PROJECT_ROOT / "console" / "static" / "charts.css").is_file()
