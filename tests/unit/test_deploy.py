"""The deployment description, checked by reading it (Docker does not run here)."""

from __future__ import annotations

import re
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Any

import yaml

from bot.config import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / "compose.yml").read_text()))


def test_two_instances_share_postgres_and_redis() -> None:
    services = compose()["services"]

    assert {"postgres", "redis", "tabik1", "tabik2", "proxy"} <= services.keys()
    first, second = services["tabik1"]["environment"], services["tabik2"]["environment"]
    for key in ("DATABASE_URL", "TRACKER_STORE_URL", "REDIS_URL"):
        assert first[key] == second[key]
    assert (
        first["DATABASE_URL"].startswith("postgresql://") and "@postgres:" in first["DATABASE_URL"]
    )
    assert first["REDIS_URL"].startswith("redis://redis:")


def test_instances_are_checked_for_readiness_and_migrate_one_at_a_time() -> None:
    services = compose()["services"]

    for name in ("tabik1", "tabik2"):
        assert "/ready" in " ".join(services[name]["healthcheck"]["test"])
    assert services["tabik2"]["depends_on"]["tabik1"]["condition"] == "service_healthy"
    assert services["tabik1"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_proxy_routes_webhooks_to_both_instances_and_keeps_the_api_private() -> None:
    proxy = compose()["services"]["proxy"]
    mounted = [v.split(":")[0] for v in proxy["volumes"]]
    caddyfile = (DEPLOY / mounted[0]).read_text()

    assert "/webhooks/whatsapp/webhook" in caddyfile and "/webhooks/telegram/webhook" in caddyfile
    assert "reverse_proxy tabik1:5005 tabik2:5005" in caddyfile
    assert "health_uri /ready" in caddyfile
    assert "respond 404" in caddyfile  # /model, /conversations and /metrics are not routed


def test_the_console_trusts_forwarded_addresses_from_the_shipped_proxy_only() -> None:
    services = compose()["services"]
    proxy_address = services["proxy"]["networks"]["default"]["ipv4_address"]
    for name in ("tabik1", "tabik2"):
        assert services[name]["environment"]["CONSOLE_TRUSTED_PROXIES"] == proxy_address
    subnet = compose()["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert ip_address(proxy_address) in ip_network(subnet)


def test_secrets_are_not_in_the_compose_file() -> None:
    text = (DEPLOY / "compose.yml").read_text()

    assert "${POSTGRES_PASSWORD:?" in text
    assert not re.search(r"(TOKEN|SECRET|PASSWORD):\s*['\"]?[A-Za-z0-9]{6,}", text)


def test_image_is_python_310_slim_pinned_and_not_root() -> None:
    dockerfile = Path(PROJECT_ROOT / "Dockerfile").read_text()

    assert re.search(r"^FROM python:3\.10-slim\b", dockerfile, re.M)
    assert "-c constraints.txt" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r'^CMD \["serve"\]', dockerfile, re.M)
