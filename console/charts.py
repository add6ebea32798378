"""Server-rendered SVG charts for the figures pages (``/dasbor``, ``/statistik``).

Pure functions from figures (:mod:`bot.domain.figures`) to a :class:`Chart`: the
SVG markup, with every text escaped, and the same numbers as table rows.
``charts/chart.html`` renders a chart as a ``<figure>``: its title, the SVG
(``role="img"``, ``<title>``, an ``aria-label`` that says the numbers) and a
visually hidden table. No JavaScript, nothing loaded from elsewhere; the page
links ``/static/charts.css``. Every bar is labelled and numbered in text, so no
colour carries meaning alone.

Horizontal bars are sized in percent of the page's width, so their text keeps
its size from a 390 px phone up; the weekly columns scale a fixed drawing.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from bot.domain.figures import WeekFigures

__all__ = [
    "WORDS",
    "Chart",
    "format_number",
    "format_share",
    "horizontal_bars",
    "on_time_gauge",
    "open_by_status",
    "public_by_region",
    "received_per_week",
    "top_categories",
]

# GOV.UK Design System colours; each has at least 3:1 contrast with white.
BAR = "#1d70b8"
GOOD = "#00703c"
TEXT = "#0b0c0c"
SECONDARY = "#505a5f"
TRACK = "#f3f2f1"

WORDS = {
    "received_per_week": "Tiket diterima per minggu",
    "open_by_status": "Tiket terbuka menurut status",
    "on_time": "Selesai tepat waktu",
    "top_categories": "Kategori terbanyak",
    "public_by_region": "Tiket per kabupaten/kota",
    "week": "Minggu",
    "received": "Diterima",
    "done": "Selesai",
    "status": "Status",
    "category": "Kategori",
    "region": "Kabupaten/kota",
    "tickets": "Tiket",
    "share": "Tepat waktu",
    "counted": "dari {count} tiket yang selesai atau melewati batas waktu",
    "counted_any": "dari tiket yang selesai atau melewati batas waktu",
    "no_data": "Belum ada data",
    "unknown_region": "Tidak diketahui",
    "published_only": (
        "Jumlah dari sel yang ditampilkan saja: kelompok dengan kurang dari 5 tiket "
        "tidak ditampilkan, juga dalam jumlah ini."
    ),
}

_LABEL_CHARS = 34  # longer labels are cut with "…" (the table and the tooltip keep them whole)
_ROW = 46  # px per horizontal bar: its label line and the bar under it
_FONT = 16


@dataclass(frozen=True)
class Chart:
    """One chart: ``svg`` to draw, ``headers`` and ``rows`` for its table of numbers."""

    id: str
    title: str
    svg: Markup
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""  # a sentence under the chart: what its numbers leave out


def format_number(value: int) -> str:
    """``12.345``: whole numbers as Indonesian readers write them."""
    return f"{value:,}".replace(",", ".")


def format_share(share: float | None, *, empty: str = WORDS["no_data"]) -> str:
    """``83%`` (rounded to a whole percent), or the words for no data."""
    return empty if share is None else f"{round(share * 100)}%"


def _id(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "chart"


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1].rstrip() + "…"


def _svg(chart_id: str, title: str, summary: str, body: Iterable[str], **size: str) -> Markup:
    attributes = " ".join(f'{name}="{escape(value)}"' for name, value in size.items())
    # Every text in body was escaped where it was written; ids are slugs, numbers are ours.
    return Markup(  # noqa: S704 - escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" focusable="false" {attributes} '
        f'aria-label="{escape(summary)}" aria-describedby="{chart_id}-table" '
        f'font-family="Arial, Helvetica Neue, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{"".join(body)}</svg>'
    )


def _summary(title: str, pairs: Iterable[tuple[str, str]], empty: str) -> str:
    said = "; ".join(f"{label}: {value}" for label, value in pairs)
    return f"{title}. {said or empty}."


def horizontal_bars(
    chart_id: str,
    title: str,
    items: Sequence[tuple[str, int]],
    *,
    headers: tuple[str, str],
    colour: str = BAR,
) -> Chart:
    """One bar per item, in the order given: its label and number above, the bar below."""
    chart_id = _id(chart_id)
    largest = max((value for _, value in items), default=0)
    body: list[str] = []
    for row, (label, value) in enumerate(items):
        top = row * _ROW
        width = 100 * value / largest if largest else 0
        body.append(
            f"<g><title>{escape(label)}: {format_number(value)}</title>"
            f'<text x="0" y="{top + 16}" font-size="{_FONT}" fill="{TEXT}">'
            f"{escape(_short(label))}</text>"
            f'<text x="100%" y="{top + 16}" font-size="{_FONT}" font-weight="bold" '
            f'fill="{TEXT}" text-anchor="end">{format_number(value)}</text>'
            f'<rect x="0" y="{top + 22}" width="100%" height="16" fill="{TRACK}"/>'
            + (
                f'<rect x="0" y="{top + 22}" width="{max(width, 0.5):.2f}%" height="16" '
                f'fill="{colour}"/>'
                if value
                else ""
            )
            + "</g>"
        )
    if not items:
        body.append(_empty_text(16))
    height = max(len(items) * _ROW, 28)
    pairs = [(label, format_number(value)) for label, value in items]
    return Chart(
        id=chart_id,
        title=title,
        svg=_svg(
            chart_id,
            title,
            _summary(title, pairs, WORDS["no_data"]),
            body,
            width="100%",
            height=str(height),
            **{"class": "chart-bars"},
        ),
        headers=headers,
        rows=tuple(pairs),
    )


def _empty_text(y: int) -> str:
    words = escape(WORDS["no_data"])
    return f'<text x="0" y="{y}" font-size="{_FONT}" fill="{SECONDARY}">{words}</text>'


def _week_labels(weeks: Sequence[str], step: float, *, label_width: float = 26) -> set[int]:
    """Which weeks get a ``W49`` label: each year's first week, then every n-th where it fits."""
    years = [week.split("-W")[0] for week in weeks]
    firsts = [i for i, year in enumerate(years) if i == 0 or year != years[i - 1]]
    every = max(1, math.ceil(label_width / step))
    kept = set(firsts)
    for index in range(0, len(weeks), every):
        if all(abs(index - other) * step >= label_width for other in kept):
            kept.add(index)
    return kept


def received_per_week(
    by_week: Sequence[WeekFigures], *, title: str = WORDS["received_per_week"]
) -> Chart:
    """Columns of tickets received per ISO week; a year is written under its first week."""
    chart_id = _id("received-per-week")
    width, left, right = 360, 4, 4
    plot_top, plot_height, label_height = 44, 140, 36
    baseline = plot_top + plot_height
    count = len(by_week)
    step = (width - left - right) / max(count, 1)
    bar = step * 0.7
    largest = max((week["received"] for week in by_week), default=0)
    labelled = _week_labels([week["week"] for week in by_week], step)
    body = [
        f'<line x1="{left}" y1="{baseline}" x2="{width - right}" y2="{baseline}" '
        f'stroke="{TEXT}" stroke-width="1"/>'
    ]
    previous_year = None
    for index, week in enumerate(by_week):
        year, number = week["week"].split("-W")
        value = week["received"]
        height = plot_height * value / largest if largest else 0
        x = left + index * step + (step - bar) / 2
        middle = x + bar / 2
        top = baseline - height
        shown = format_number(value)
        body.append(
            f"<g><title>{escape(week['week'])}: {shown}</title>"
            f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar:.1f}" height="{height:.1f}" '
            f'fill="{BAR}"/>'
        )
        if len(shown) * 6.5 <= step:
            body.append(
                f'<text x="{middle:.1f}" y="{top - 5:.1f}" font-size="12" fill="{TEXT}" '
                f'text-anchor="middle">{shown}</text>'
            )
        else:  # too narrow for the number across: it stands upright above the column
            body.append(
                f'<text transform="translate({middle + 4:.1f} {top - 4:.1f}) rotate(-90)" '
                f'font-size="12" fill="{TEXT}">{shown}</text>'
            )
        if index in labelled:
            body.append(
                f'<text x="{middle:.1f}" y="{baseline + 15}" font-size="12" fill="{TEXT}" '
                f'text-anchor="middle">W{escape(number)}</text>'
            )
        if year != previous_year:
            body.append(
                f'<text x="{min(x, width - right - 28):.1f}" y="{baseline + 31}" font-size="12" '
                f'fill="{SECONDARY}">'
                f"{escape(year)}</text>"
            )
            previous_year = year
        body.append("</g>")
    if not by_week:
        body.append(_empty_text(plot_top + 60))
    rows = tuple(
        (week["week"], format_number(week["received"]), format_number(week["done"]))
        for week in by_week
    )
    pairs = [(week, received) for week, received, _ in rows]
    return Chart(
        id=chart_id,
        title=title,
        svg=_svg(
            chart_id,
            title,
            _summary(title, pairs, WORDS["no_data"]),
            body,
            viewBox=f"0 0 {width} {baseline + label_height}",
            **{"class": "chart-scaled"},
        ),
        headers=(WORDS["week"], WORDS["received"], WORDS["done"]),
        rows=rows,
    )


def open_by_status(
    counts: Mapping[str, int],
    *,
    labels: Mapping[str, str] | None = None,
    title: str = WORDS["open_by_status"],
) -> Chart:
    """Open tickets per status, in the lifecycle's order (as the figures list them)."""
    labels = labels or {}
    items = [(labels.get(status, status), count) for status, count in counts.items()]
    return horizontal_bars(
        "open-by-status", title, items, headers=(WORDS["status"], WORDS["tickets"])
    )


def top_categories(
    counts: Mapping[str, int],
    *,
    labels: Mapping[str, str] | None = None,
    top: int = 5,
    title: str = WORDS["top_categories"],
) -> Chart:
    """The ``top`` categories with the most tickets, most first."""
    labels = labels or {}
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    items = [(labels.get(category, category), count) for category, count in ranked]
    return horizontal_bars(
        "top-categories", title, items, headers=(WORDS["category"], WORDS["tickets"])
    )


def public_by_region(
    totals: Mapping[str | None, int], *, title: str = WORDS["public_by_region"]
) -> Chart:
    """Published tickets per kabupaten/kota (``published_totals``: published cells only)."""
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0] or ""))
    items = [(region or WORDS["unknown_region"], count) for region, count in ranked]
    chart = horizontal_bars(
        "public-by-region", title, items, headers=(WORDS["region"], WORDS["tickets"])
    )
    return dataclasses.replace(chart, note=WORDS["published_only"])


def on_time_gauge(
    share: float | None, *, counted: int | None = None, title: str = WORDS["on_time"]
) -> Chart:
    """The share done on time as a big number over one bar from 0 to 100%.

    ``counted``: how many tickets the share is of (done, or open past the deadline),
    when the page knows it."""
    chart_id = _id("on-time")
    shown = format_share(share)
    percent = 0.0 if share is None else max(0.0, min(1.0, share)) * 100
    note = (
        WORDS["counted"].format(count=format_number(counted))
        if counted is not None
        else WORDS["counted_any"]
    )
    body = [
        f'<text x="0" y="34" font-size="34" font-weight="bold" fill="{TEXT}">'
        f"{escape(shown)}</text>",
        f'<rect x="0.5" y="48.5" width="99%" height="23" fill="{TRACK}" stroke="{TEXT}"/>',
    ]
    if share:
        body.append(
            f'<rect x="0.5" y="48.5" width="{percent * 0.99:.2f}%" height="23" fill="{GOOD}"/>'
        )
    for at, text, anchor in ((0, "0%", "start"), (50, "50%", "middle"), (99, "100%", "end")):
        body.append(
            f'<text x="{at}%" y="90" font-size="13" fill="{SECONDARY}" text-anchor="{anchor}">'
            f"{text}</text>"
        )
    body.append(f'<text x="0" y="112" font-size="{_FONT}" fill="{TEXT}">{escape(note)}</text>')
    summary = f"{title}: {shown}, {note}."
    row = (title, shown) + ((format_number(counted),) if counted is not None else ())
    headers = ("", WORDS["share"]) + ((WORDS["tickets"],) if counted is not None else ())
    return Chart(
        id=chart_id,
        title=title,
        svg=_svg(
            chart_id,
            title,
            summary,
            body,
            width="100%",
            height="120",
            **{"class": "chart-gauge"},
        ),
        headers=headers,
        rows=(row,),
    )
