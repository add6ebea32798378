"""The figures' pages: ``/dasbor`` (staff, with its CSV) and ``/statistik`` (public, no login)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aiohttp import web

from bot.domain.agencies import agency_catalog
from bot.domain.figures import SMALL_CELL, month_range, published_totals
from bot.domain.figures_csv import figures_csv
from bot.domain.vocabulary import label, values
from bot.services.figures import OutsideScope
from console import charts
from console.request_context import csv_response, figure_desk, render, user_of
from console.templating import STATUS_WORDS

MONTHS = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
).split()
PUBLIC_MONTHS = 12  # how many months back the selector offers


def subject_labels() -> dict[str, str]:
    """Complaint categories and document types by value, as staff and residents name them."""
    return {
        **{d: label("document_type", d) for d in values("document_type")},
        **{c: label("complaint_category", c) for c in values("complaint_category")},
    }


def month_words(month: str) -> str:
    first, _ = month_range(month)
    return f"{MONTHS[first.month - 1]} {first.year}"


def agency_name(code: str | None) -> str:
    if code is None:
        return "-"
    found = agency_catalog().get(code)
    return found.name if found else code


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


async def dashboard(request: web.Request) -> web.Response:
    user = user_of(request)
    desk = figure_desk(request)
    query = {k: (request.query.get(k) or "").strip() for k in ("agency", "kabupaten_kota")}
    dates = {k: (request.query.get(k) or "").strip() for k in ("from", "to")}
    errors: list[dict[str, str]] = []
    status = 200
    try:
        since, until = desk.date_range(_day(dates["from"]), _day(dates["to"]))
    except ValueError:
        errors.append({"field": "from", "text": "Tulis tanggal yang benar; dari sebelum sampai."})
        since, until = desk.date_range(None, None)
        status = 422
    try:
        figures = await desk.staff(
            user,
            agency=query["agency"] or None,
            kabupaten_kota=query["kabupaten_kota"] or None,
            since=since,
            until=until,
        )
    except OutsideScope:
        errors.append(
            {"field": "agency", "text": "Instansi atau wilayah ini di luar cakupan Anda."}
        )
        figures = await desk.staff(user, since=since, until=until)
        status = 404
    labels = subject_labels()
    shown = [
        charts.received_per_week(figures["by_week"]),
        charts.open_by_status(figures["open_by_status"], labels=STATUS_WORDS),
        charts.on_time_gauge(figures["on_time_share"]),
        charts.top_categories(figures["by_category"], labels=labels),
    ]
    csv_query = {**query, "from": since.isoformat(), "to": until.isoformat()}
    context: dict[str, Any] = {
        "errors": errors,
        "figures": figures,
        "charts": shown,
        "query": query,
        "since": since,
        "until": until,
        "csv_query": {k: v for k, v in csv_query.items() if v},
        "subject_labels": labels,
        "agency_fixed": agency_name(user.agency_code) if user.agency_code else None,
    }
    return render(request, "dasbor.html", context, status=status)


async def dashboard_csv(request: web.Request) -> web.Response:
    user = user_of(request)
    desk = figure_desk(request)
    try:
        figures = await desk.staff(
            user,
            agency=request.query.get("agency") or None,
            kabupaten_kota=request.query.get("kabupaten_kota") or None,
            since=_day(request.query.get("from")),
            until=_day(request.query.get("to")),
        )
    except OutsideScope as error:
        raise web.HTTPNotFound(text="Tidak ditemukan.") from error
    except ValueError as error:
        raise web.HTTPUnprocessableEntity(text="Tanggal harus YYYY-MM-DD.") from error
    return csv_response(figures_csv(figures), "statistik-tabik.csv")


def _months_before(month: str, count: int) -> list[str]:
    first, _ = month_range(month)
    months = []
    for _ in range(count):
        months.append(f"{first:%Y-%m}")
        first = (first - timedelta(days=1)).replace(day=1)
    return months


async def public(request: web.Request) -> web.Response:
    desk = figure_desk(request)
    latest = desk.last_month()
    month = request.query.get("month") or latest
    errors: list[dict[str, str]] = []
    status = 200
    try:
        figures = await desk.public(month)
    except ValueError:
        errors.append({"field": "month", "text": "Pilih bulan dari daftar."})
        month, status = latest, 422
        figures = await desk.public(month)
    current = f"{desk.today():%Y-%m}"
    choices = [(m, month_words(m)) for m in _months_before(current, PUBLIC_MONTHS + 1)]
    labels = subject_labels()
    context: dict[str, Any] = {
        "errors": errors,
        "month": month,
        "month_words": month_words(month),
        "months": choices,
        "cells": figures["cells"],
        "region_chart": charts.public_by_region(published_totals(figures)),
        "subject_labels": labels,
        "agency_name": agency_name,
        "small_cell": SMALL_CELL,
    }
    response = render(request, "statistik.html", context, status=status)
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/dasbor", dashboard)
    app.router.add_get("/dasbor.csv", dashboard_csv)
    app.router.add_get("/statistik", public)
