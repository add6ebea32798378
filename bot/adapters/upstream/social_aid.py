"""Social-assistance status by NIK: registered or not, and the programme names.

Nothing else personal is asked for or kept: the client reads only
``registered``, ``programmes`` and ``checked_at`` and ignores any other field.
The NIK travels in a POST body, never in a URL, so it does not end up in
proxy or access logs. Upstream contract: docs/adapters.md, "social_aid".
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timezone

from bot.adapters.upstream.http import HttpAdapter, HttpClientConfig, JsonHttpClient, JsonReply
from bot.adapters.upstream.schema import SocialAidPayload, parse_payload
from bot.domain.errors import InvalidQuery, UpstreamBadResponse
from bot.domain.public_data import SocialAidStatus

SERVICE = "social_aid"
DEMO_SOURCE = "demo"

# Programme names as residents know them.
PKH = "PKH"
BPNT = "BPNT/Sembako"
PBI_JK = "PBI-JK"
BLT_DD = "BLT Dana Desa"


def check_nik(nik: str) -> str:
    """The NIK if it is 16 ASCII digits; full validation is ``bot.domain.nik``'s job upstream."""
    if not (isinstance(nik, str) and len(nik) == 16 and nik.isascii() and nik.isdigit()):
        raise InvalidQuery("nik", "expected 16 digits")
    return nik


def _now() -> datetime:
    return datetime.now(timezone.utc)


class HttpSocialAid(HttpAdapter):
    """Client of the social-aid upstream: ``POST {base}/v1/social-aid/status {"nik": ...}``."""

    service = SERVICE
    PATH = "/v1/social-aid/status"

    def __init__(
        self,
        config: HttpClientConfig,
        *,
        client: JsonHttpClient | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        super().__init__(config, client=client)
        self._clock = clock

    async def lookup(self, nik: str) -> SocialAidStatus:
        check_nik(nik)

        def parse(reply: JsonReply) -> SocialAidStatus:
            body = parse_payload(SERVICE, SocialAidPayload, reply.body)
            if not body.registered and body.programmes:
                raise UpstreamBadResponse(SERVICE, "programmes listed for an unregistered NIK")
            return SocialAidStatus(
                registered=body.registered,
                programmes=body.programmes,
                is_demo=False,
                checked_at=body.checked_at or self._clock(),
                source=body.source or self._default_source,
            )

        return await self._client.request("POST", self.PATH, parse, payload={"nik": nik})


# Roughly how often each programme shows up among registered households in the demo.
_DEMO_PROGRAMMES: tuple[tuple[str, int], ...] = ((PBI_JK, 85), (BPNT, 60), (PKH, 40), (BLT_DD, 15))
_DEMO_REGISTERED_PERCENT = 35


class DemoSocialAid:
    """Sample answers derived from a hash of the NIK; every one ``is_demo``."""

    def __init__(self, *, clock: Callable[[], datetime] = _now) -> None:
        self._clock = clock

    async def lookup(self, nik: str) -> SocialAidStatus:
        check_nik(nik)
        seed = int.from_bytes(hashlib.sha256(f"social_aid|{nik}".encode()).digest()[:8], "big")
        registered = seed % 100 < _DEMO_REGISTERED_PERCENT
        programmes: tuple[str, ...] = ()
        if registered:
            picked = [
                name
                for index, (name, percent) in enumerate(_DEMO_PROGRAMMES)
                if (seed >> (8 * (index + 1))) % 100 < percent
            ]
            # A registered household is in at least one programme.
            programmes = tuple(picked) or (_DEMO_PROGRAMMES[0][0],)
        return SocialAidStatus(
            registered=registered,
            programmes=programmes,
            is_demo=True,
            checked_at=self._clock(),
            source=DEMO_SOURCE,
        )

    async def aclose(self) -> None:
        return None
