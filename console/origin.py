"""Who is calling: the client's address and whether it came over HTTPS.

Behind a reverse proxy every connection comes from the proxy, so the proxy's
``X-Forwarded-For`` / ``X-Forwarded-Proto`` tell the real client. Those headers
are believed only when the direct peer is a configured trusted proxy
(``CONSOLE_TRUSTED_PROXIES``); from anyone else they are ignored, or a stranger
could pick the address the login throttle counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from aiohttp import web

__all__ = ["Origin", "origin_of"]

Network = IPv4Network | IPv6Network


@dataclass(frozen=True)
class Origin:
    address: str | None  # the client's address as seen through trusted proxies
    https: bool


def _address(text: str) -> IPv4Address | IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.partition(":")[0]
    try:
        return ip_address(text)
    except ValueError:
        return None


def _trusted(address: IPv4Address | IPv6Address | None, proxies: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def origin_of(request: web.Request, proxies: Sequence[Network]) -> Origin:
    """The client behind any trusted proxies: the right-most forwarded address that is
    not itself a trusted proxy (entries further left were written by the client)."""
    peer = request.remote
    https = request.secure
    if not proxies or not _trusted(_address(peer or ""), proxies):
        return Origin(peer, https)
    client = peer
    hops = ",".join(request.headers.getall("X-Forwarded-For", [])).split(",")
    for hop in reversed([h for h in hops if h.strip()]):
        address = _address(hop)
        if address is None:
            break  # a garbled entry: nothing left of it can be believed
        client = str(address)
        if not _trusted(address, proxies):
            break
    proto = request.headers.get("X-Forwarded-Proto", "")
    if proto:
        # A chain of proxies appends; the first value is what the client used.
        https = proto.split(",")[0].strip().lower() == "https"
    return Origin(client, https)
