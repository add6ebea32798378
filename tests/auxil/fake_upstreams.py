"""Local fake upstreams speaking the contract in docs/adapters.md.

One aiohttp application serves all three services. Tests seed records,
queue faults (``fail_next``) that the next requests consume in order, and
read back what the client sent (``requests``). Nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

VEHICLE_TAX_PATH = "/v1/vehicle-tax"
SOCIAL_AID_PATH = "/v1/social-aid/status"
FOOD_PRICES_PATH = "/v1/food-prices"


@dataclass(frozen=True)
class Fault:
    """What to do instead of (or before) answering normally."""

    status: int | None = None  # answer with this status and the documented error body
    delay: float = 0.0  # hold the request first (longer than the client's timeout = a timeout)
    raw_body: bytes | None = None  # answer 200 with these bytes (garbage)
    json_body: Any = None  # answer 200 with this JSON (wrong schema)
    headers: dict[str, str] = field(default_factory=dict)


def http_error(status: int, *, retry_after: str | None = None) -> Fault:
    return Fault(status=status, headers={"Retry-After": retry_after} if retry_after else {})


def hang(seconds: float) -> Fault:
    return Fault(delay=seconds)


def garbage(body: bytes = b"<html><body>502 Bad Gateway</body></html>") -> Fault:
    return Fault(raw_body=body)


def wrong_schema(body: Any) -> Fault:
    return Fault(json_body=body)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    429: "rate_limited",
    500: "internal",
    502: "bad_gateway",
    503: "unavailable",
}


@dataclass
class FakeUpstreams:
    vehicles: dict[str, dict[str, Any]] = field(default_factory=dict)
    social_aid: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (commodity, kabupaten_kota or None for the province) -> record
    prices: dict[tuple[str, str | None], dict[str, Any]] = field(default_factory=dict)
    api_key: str | None = None  # when set, requests need "Authorization: Bearer <key>"
    faults: deque[Fault] = field(default_factory=deque)
    requests: list[RecordedRequest] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def fail_next(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get(VEHICLE_TAX_PATH, self._vehicle_tax)
        app.router.add_post(SOCIAL_AID_PATH, self._social_aid)
        app.router.add_get(FOOD_PRICES_PATH, self._food_prices)
        return app

    async def _common(self, request: web.Request) -> web.Response | None:
        """Record the request, check the key, apply the next fault; None = answer normally."""
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                body=body,
                headers=dict(request.headers),
            )
        )
        if self.api_key and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(401, "unauthorized", "missing or wrong API key")
        if not self.faults:
            return None
        fault = self.faults.popleft()
        if fault.delay:
            # The fixture sets `release` at teardown so a hanging handler never delays shutdown.
            try:
                await asyncio.wait_for(self.release.wait(), fault.delay)
            except asyncio.TimeoutError:
                pass
        if fault.status is not None:
            code = _STATUS_CODES.get(fault.status, "error")
            response = _error(fault.status, code, "injected fault")
            response.headers.update(fault.headers)
            return response
        if fault.raw_body is not None:
            return web.Response(body=fault.raw_body, content_type="application/json")
        if fault.json_body is not None:
            return web.json_response(fault.json_body)
        return None

    async def _vehicle_tax(self, request: web.Request) -> web.Response:
        early = await self._common(request)
        if early is not None:
            return early
        plate = request.query.get("plate", "")
        if not plate:
            return _error(400, "invalid_plate", "plate is required")
        record = self.vehicles.get(plate)
        if record is None:
            return _error(404, "plate_not_found", f"no record for {plate}")
        return web.json_response({"plate": plate, **record})

    async def _social_aid(self, request: web.Request) -> web.Response:
        early = await self._common(request)
        if early is not None:
            return early
        body = self.requests[-1].body
        nik = body.get("nik") if isinstance(body, dict) else None
        if not isinstance(nik, str) or len(nik) != 16 or not nik.isdigit():
            return _error(400, "invalid_nik", "nik must be 16 digits")
        record = self.social_aid.get(nik, {"registered": False, "programmes": []})
        return web.json_response({"checked_at": "2026-11-28T09:00:00+07:00", **record})

    async def _food_prices(self, request: web.Request) -> web.Response:
        early = await self._common(request)
        if early is not None:
            return early
        commodity = request.query.get("commodity", "")
        region = request.query.get("kabupaten_kota")
        record = self.prices.get((commodity, region)) if region else None
        answered_region = region if record is not None else None
        if record is None:
            record = self.prices.get((commodity, None))
        if record is None:
            return _error(404, "commodity_not_found", f"no price for {commodity}")
        return web.json_response(
            {"commodity": commodity, "kabupaten_kota": answered_region, **record}
        )
