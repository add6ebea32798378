"""The client's address and scheme: forwarded headers only from trusted proxies."""

from __future__ import annotations

from ipaddress import ip_network
from unittest import mock

import pytest
from aiohttp.test_utils import make_mocked_request

from console.origin import Origin, origin_of

PROXIES = (ip_network("10.0.0.2/32"), ip_network("172.30.80.0/24"))


def request(peer: str, **headers: str):
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        (peer, 443) if name == "peername" else default
    )
    return make_mocked_request("GET", "/login", headers=headers, transport=transport)


@pytest.mark.parametrize(
    ("peer", "headers", "expected"),
    [
        # Not a trusted proxy: the peer, whatever it claims.
        ("203.0.113.5", {"X-Forwarded-For": "198.51.100.1"}, Origin("203.0.113.5", False)),
        # The trusted proxy speaks for the client.
        (
            "10.0.0.2",
            {"X-Forwarded-For": "198.51.100.1", "X-Forwarded-Proto": "https"},
            Origin("198.51.100.1", True),
        ),
        # A client's own X-Forwarded-For entries (left of the proxy's) are not believed.
        ("10.0.0.2", {"X-Forwarded-For": "1.2.3.4, 198.51.100.1"}, Origin("198.51.100.1", False)),
        # Two trusted hops: the first untrusted address from the right.
        (
            "10.0.0.2",
            {"X-Forwarded-For": "198.51.100.1, 172.30.80.9"},
            Origin("198.51.100.1", False),
        ),
        # A garbled entry stops the walk at the last address believed.
        ("10.0.0.2", {"X-Forwarded-For": "nonsense, 172.30.80.9"}, Origin("172.30.80.9", False)),
        # A trusted proxy with no header: the proxy itself.
        ("10.0.0.2", {}, Origin("10.0.0.2", False)),
        # Someone else cannot claim HTTPS or an address.
        (
            "203.0.113.5",
            {"X-Forwarded-For": "10.0.0.2", "X-Forwarded-Proto": "https"},
            Origin("203.0.113.5", False),
        ),
        # Ports and IPv6 brackets are read.
        ("10.0.0.2", {"X-Forwarded-For": "[2001:db8::7]:4711"}, Origin("2001:db8::7", False)),
        ("10.0.0.2", {"X-Forwarded-For": "198.51.100.1:4711"}, Origin("198.51.100.1", False)),
    ],
)
def test_origin(peer: str, headers: dict[str, str], expected: Origin) -> None:
    assert origin_of(request(peer, **headers), PROXIES) == expected


def test_no_trusted_proxy_means_no_forwarded_header_is_believed() -> None:
    claimed = request("10.0.0.2", **{"X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "https"})
    assert origin_of(claimed, ()) == Origin("10.0.0.2", False)
