"""Login throttling behind a proxy, secure cookies and HSTS, server-side logout, token
expiry, a Redis that is down, filing for a place outside the area."""

from __future__ import annotations

import re
from ipaddress import ip_network

from bot.adapters.kv import RedisStore
from bot.domain.staff import Role
from tests.auxil.staff import PASSWORD

HAJIMENA = {"kabupaten_kota": "Lampung Selatan", "kecamatan": "Natar", "desa": "Hajimena"}
PROXY = (ip_network("127.0.0.1/32"),)


async def login_from(console, username: str, password: str, *, address: str, **headers: str):
    """A login as the shipped proxy forwards it: the client's address in X-Forwarded-For."""
    token = await console.csrf()
    return await console.client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers={"X-Forwarded-For": address, **headers},
        allow_redirects=False,
    )


async def test_25_wrong_logins_from_one_address_leave_an_officer_elsewhere_able_to_log_in(
    make_console,
):
    console = await make_console(trusted_proxies=PROXY)
    await console.account("petugas", Role.OFFICER, kabupaten_kota="Lampung Selatan")
    statuses = []
    for attempt in range(25):
        # The officer's own username first, then made-up ones, as an attacker would.
        username = "petugas" if attempt < 5 else f"orang{attempt}"
        response = await login_from(console, username, "tebak-tebakan", address="203.0.113.66")
        statuses.append(response.status)
    # The officer's name is refused from there after 5, every name after 20 failures.
    assert statuses == [401] * 4 + [429] + [401] * 14 + [429] * 6, statuses
    assert (await login_from(console, "petugas", PASSWORD, address="203.0.113.66")).status == 429

    response = await login_from(console, "petugas", PASSWORD, address="198.51.100.7")
    assert response.status == 302 and response.headers["Location"] == "/antrean"


async def test_forwarded_addresses_from_an_untrusted_peer_are_ignored(make_console):
    console = await make_console()  # no trusted proxy: the peer's own address counts
    await console.account("petugas", Role.OFFICER, kabupaten_kota="Lampung Selatan")
    for attempt in range(20):
        await login_from(console, f"orang{attempt}", "salah", address=f"192.0.2.{attempt}")
    # A stranger cannot escape the count by inventing addresses.
    assert (await login_from(console, "petugas", PASSWORD, address="192.0.2.99")).status == 429


async def test_unknown_and_known_usernames_answer_exactly_alike(make_console):
    console = await make_console(trusted_proxies=PROXY)
    await console.account("amirudin", Role.OFFICER, kabupaten_kota="Lampung Selatan")
    answers = {}
    for username, address in (("amirudin", "203.0.113.1"), ("zulkarnain", "203.0.113.2")):
        seen = []
        for _ in range(7):
            response = await login_from(console, username, "salah-sekali", address=address)
            body = (await response.text()).replace(f'value="{username}"', 'value=""')
            body = re.sub(r'name="csrf_token" value="[^"]+"', "", body)
            # Retry-After counts down with the clock; that it is there is what matters.
            seen.append((response.status, "Retry-After" in response.headers, body))
        answers[username == "amirudin"] = seen
    assert answers[True] == answers[False]
    assert [(status, told) for status, told, _ in answers[True]] == [(401, False)] * 4 + [
        (429, True)
    ] * 3


async def test_cookies_are_secure_and_hsts_sent_over_https_as_the_proxy_says(make_console):
    console = await make_console(trusted_proxies=PROXY)
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    plain = await login_from(console, "hajimena", PASSWORD, address="203.0.113.9")
    assert plain.status == 302
    assert not plain.cookies["tabik_console"]["secure"]
    assert "Strict-Transport-Security" not in plain.headers

    secure = await login_from(
        console, "hajimena", PASSWORD, address="203.0.113.9", **{"X-Forwarded-Proto": "https"}
    )
    assert secure.status == 302
    assert secure.cookies["tabik_console"]["secure"]
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


async def test_a_stranger_cannot_claim_https_without_a_trusted_proxy(make_console):
    console = await make_console()
    response = await console.client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


async def test_secure_cookies_can_be_forced(make_console):
    console = await make_console(secure_cookies=True)
    response = await console.client.get("/login")  # the session (its CSRF token) begins
    assert response.cookies["tabik_console"]["secure"]
    assert "Strict-Transport-Security" in response.headers


async def test_a_cookie_replayed_after_logout_is_refused(console):
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    assert await console.login("hajimena") == 302
    cookie = console.client.session.cookie_jar.filter_cookies(console.client.make_url("/"))[
        "tabik_console"
    ].value
    assert (await console.client.get("/antrean", allow_redirects=False)).status == 200
    token = await console.csrf("/antrean")
    logout = await console.client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert logout.status == 302

    console.client.session.cookie_jar.clear()
    replayed = await console.client.get(
        "/antrean", headers={"Cookie": f"tabik_console={cookie}"}, allow_redirects=False
    )
    assert replayed.status == 302 and replayed.headers["Location"] == "/login"


async def test_a_login_while_redis_is_down_still_works_and_is_still_throttled(make_console):
    # Nothing listens on port 1: every command fails as when Redis is down.
    down = RedisStore("redis://127.0.0.1:1/0", timeout=0.2)
    console = await make_console(store=down)
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    assert await console.login("hajimena") == 302
    console.client.session.cookie_jar.clear()
    statuses = [await console.login("hajimena", "salah-sekali-ini") for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]


async def test_a_bearer_token_expires(console):
    await console.account("petugas", Role.OFFICER, kabupaten_kota="Lampung Selatan")
    headers = await console.token("petugas")
    assert (await console.client.get("/api/tickets", headers=headers)).status == 200
    console.clock.advance(days=91)
    expired = await console.client.get("/api/tickets", headers=headers)
    assert expired.status == 401


async def test_filing_for_another_desa_is_422_and_files_nothing(console):
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    await console.account("petugas", Role.OFFICER, kabupaten_kota="Lampung Selatan")
    village, officer = await console.token("hajimena"), await console.token("petugas")
    response = await console.client.post(
        "/api/tickets",
        headers=village,
        json={
            "kind": "complaint",
            "resident": {"name": "Pak Darto", "phone": "081277771299"},
            "category": "jalan",
            "kabupaten_kota": "Lampung Selatan",
            "kecamatan": "Natar",
            "desa": "Merak Batin",
            "description": "Jalan berlubang",
        },
    )
    assert response.status == 422
    assert (await response.json())["error"] == "Desa/kelurahan ini di luar wilayah Anda."
    listed = await (await console.client.get("/api/tickets", headers=officer)).json()
    assert listed["tickets"] == [] and console.messenger.sent == []


async def test_the_filing_form_refuses_another_desa_before_filing(console):
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    await console.account("petugas", Role.OFFICER, kabupaten_kota="Lampung Selatan")
    assert await console.login("hajimena") == 302
    token = await console.csrf("/lapor")
    response = await console.client.post(
        "/lapor",
        data={
            "csrf_token": token,
            "kind": "complaint",
            "name": "Pak Darto",
            "phone": "081277771298",
            "category": "jalan",
            "desa": "Merak Batin",  # not a field the page offers a village: a forged form
            "description": "Jalan berlubang",
        },
        allow_redirects=False,
    )
    assert response.status == 422
    assert "Desa/kelurahan ini di luar wilayah Anda." in await response.text()
    officer = await console.token("petugas")
    listed = await (await console.client.get("/api/tickets", headers=officer)).json()
    assert listed["tickets"] == [] and console.messenger.sent == []
