"""Vehicle tax: the HTTP client against the fake upstream, and the demo provider."""

from __future__ import annotations

from datetime import date

import pytest

from bot.adapters.upstream.vehicle_tax import (
    DEMO_FINE_CAP_MONTHS,
    DemoVehicleTax,
    HttpVehicleTax,
    canonical_plate,
    demo_fine,
    months_late,
)
from bot.domain.errors import InvalidQuery, PlateNotFound, UpstreamBadResponse
from bot.domain.public_data import VehicleTaxProvider
from tests.auxil.fake_upstreams import VEHICLE_TAX_PATH, wrong_schema


@pytest.fixture
def tax(http_provider) -> HttpVehicleTax:
    return http_provider(HttpVehicleTax, "vehicle_tax")


async def test_lookup_returns_the_upstream_answer(tax):
    answer = await tax.lookup("BE 4321 CD")
    assert answer.vehicle == "Toyota Avanza 1.3 G (2018)"
    assert (answer.amount, answer.fine, answer.total) == (2_450_000, 196_000, 2_789_000)
    assert answer.due_date == date(2026, 8, 1)
    assert answer.overdue
    assert answer.is_demo is False
    assert answer.source == "127.0.0.1"  # no source field: the upstream's host


async def test_plate_is_sent_in_canonical_form(tax, upstreams):
    answer = await tax.lookup("be-1234-ab")
    assert answer.plate == "BE 1234 AB"
    assert answer.source == "Bapenda Provinsi Lampung (uji)"
    assert upstreams.requests[-1].query == {"plate": "BE 1234 AB"}


async def test_unknown_plate_is_plate_not_found(tax):
    with pytest.raises(PlateNotFound) as caught:
        await tax.lookup("BE 9999 ZZ")
    assert caught.value.plate == "BE 9999 ZZ"
    # A not-found is a healthy answer: the circuit stays closed.
    assert tax.client.breaker.consecutive_failures == 0


async def test_404_without_the_documented_code_is_a_bad_response(make_client, base_url):
    client = make_client("vehicle_tax", url=base_url + "/wrong-prefix")
    with pytest.raises(UpstreamBadResponse) as caught:
        await HttpVehicleTax(client.config, client=client).lookup("BE 1234 AB")
    assert caught.value.status == 404


@pytest.mark.parametrize(
    "body",
    [
        {
            "plate": "BE 1234 AB",
            "vehicle": "X",
            "amount": 1.5,
            "due_date": "2026-01-01",
            "fine": 0,
            "total": 2,
        },
        {
            "plate": "BE 1234 AB",
            "vehicle": "X",
            "amount": 100,
            "due_date": "besok",
            "fine": 0,
            "total": 100,
        },
        {
            "plate": "BE 1234 AB",
            "vehicle": "X",
            "amount": 100,
            "due_date": "2026-01-01",
            "fine": 10,
            "total": 50,
        },
        {
            "plate": "BE 9 Z",
            "vehicle": "X",
            "amount": 100,
            "due_date": "2026-01-01",
            "fine": 0,
            "total": 100,
        },
        ["not", "an", "object"],
    ],
    ids=["float-money", "bad-date", "total-too-small", "other-plate", "not-object"],
)
async def test_answers_outside_the_contract_are_bad_responses(tax, upstreams, body):
    upstreams.fail_next(wrong_schema(body))
    with pytest.raises(UpstreamBadResponse):
        await tax.lookup("BE 1234 AB")


async def test_invalid_plate_is_refused_before_any_request(tax, upstreams):
    with pytest.raises(InvalidQuery):
        await tax.lookup("bukan plat")
    assert upstreams.count(VEHICLE_TAX_PATH) == 0


def test_canonical_plate_forms():
    assert canonical_plate("be1234ab") == "BE 1234 AB"
    assert canonical_plate(" BE  7 C ") == "BE 7 C"
    with pytest.raises(InvalidQuery):
        canonical_plate("BE 0123 AB")


async def test_demo_is_labelled_deterministic_and_plausible():
    demo = DemoVehicleTax(today=lambda: date(2026, 11, 28))
    assert isinstance(demo, VehicleTaxProvider)
    first = await demo.lookup("BE 1234 AB")
    again = await demo.lookup("be 1234 ab")
    assert first == again
    assert first.is_demo and first.source == "demo"
    answers = [await demo.lookup(f"BE {n} XY") for n in range(1, 200)]
    assert all(a.total == a.amount + a.fine for a in answers)
    assert all(100_000 <= a.amount <= 5_000_000 for a in answers)
    assert any(a.fine > 0 for a in answers) and any(a.fine == 0 for a in answers)
    assert len({a.vehicle for a in answers}) > 5


async def test_demo_knows_only_lampung_plates():
    with pytest.raises(PlateNotFound):
        await DemoVehicleTax().lookup("B 1234 XYZ")


def test_demo_fine_is_two_percent_per_started_month_capped():
    due = date(2026, 1, 15)
    assert months_late(due, date(2026, 1, 15)) == 0
    assert months_late(due, date(2026, 1, 16)) == 1
    assert months_late(due, date(2026, 3, 15)) == 2
    assert months_late(due, date(2026, 3, 16)) == 3
    assert demo_fine(200_000, due, date(2026, 3, 16)) == 12_000
    assert demo_fine(200_000, due, date(2035, 1, 1)) == 200_000 * 2 * DEMO_FINE_CAP_MONTHS // 100
