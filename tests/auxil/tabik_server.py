"""Running Tabik as operators do (``make serve``) for end-to-end tests.

The fake Graph API and Bot API run in a thread of their own (their own event
loop), so the session-scoped server can be driven from ordinary sync tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config import PROJECT_ROOT

# Below Linux's ephemeral range (32768-60999): a port the kernel hands out for
# port 0 can, once closed, become the local port of one of the many outgoing
# connections (database, Redis) a starting server makes, and the server meant
# to listen there fails with "address already in use".
_PORTS = range(20000, 32000)


def free_port() -> int:
    """A loopback port nothing listens on or is connected from, outside the ephemeral range."""
    for port in random.sample(_PORTS, 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, step: float = 0.2) -> bool:
    """Whether ``condition`` came true within ``timeout`` seconds, asked every ``step``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


def spawn(
    command: Sequence[str], env: Mapping[str, str], log_path: Path
) -> subprocess.Popen[bytes]:
    """``command`` in a process group of its own, its output appended to ``log_path``."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            list(command),
            cwd=PROJECT_ROOT,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_started(
    process: subprocess.Popen[bytes],
    ready: Callable[[], bool],
    *,
    timeout: float,
    step: float,
    what: str,
    log: Callable[[], str],
) -> None:
    """Until ``ready()`` (connection errors count as not yet); fails when ``process`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{log()}")
        try:
            if ready():
                return
        except OSError:  # refused, reset, timed out: not listening yet
            pass
        time.sleep(step)
    raise TimeoutError(f"{what} not ready in {timeout} s:\n{log()}")


class BackgroundApps:
    """aiohttp applications served from a private event loop in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self._runners: list[web.AppRunner] = []

    def run(self, coroutine: Any, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def serve(self, app: web.Application) -> int:
        port = free_port()

        async def start() -> None:
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            self._runners.append(runner)

        self.run(start())
        return port

    def close(self) -> None:
        async def stop() -> None:
            for runner in self._runners:
                await runner.cleanup()

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


@dataclass
class TabikServer:
    """``make serve`` in its own process group, with its own data directory and ports."""

    workdir: Path
    env_overrides: Mapping[str, str] = field(default_factory=dict)
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    console_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    # Rasa's HTTP API requires it; the helpers below send it (webhooks never need it).
    api_token: str = "e2e-rasa-api-token"
    # `make serve` first checks the venv (and reinstalls when the dependency pins changed);
    # a benchmark on a shared venv may start the launcher directly instead.
    command: tuple[str, ...] = ("make", "--no-print-directory", "serve")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "serve.log"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WHATSAPP_", "TELEGRAM_"))}
        env.update(
            {
                "TABIK_VAR_DIR": str(self.workdir / "var"),
                "DATABASE_URL": f"sqlite:///{self.workdir / 'tabik.db'}",
                "TRACKER_STORE_URL": f"sqlite:///{self.workdir / 'trackers.db'}",
                "RASA_PORT": str(self.rasa_port),
                "ACTIONS_PORT": str(self.actions_port),
                "CONSOLE_PORT": str(self.console_port),
                "ACTION_SERVER_URL": f"http://localhost:{self.actions_port}/webhook",
                "RASA_TELEMETRY_ENABLED": "false",
            }
        )
        env.pop("REDIS_URL", None)
        env.pop("RASA_API_TOKEN", None)
        env.pop("ACTIONS_TOKEN", None)
        env.pop("TABIK_ENABLE_REST", None)
        if self.api_token:
            env["RASA_API_TOKEN"] = self.api_token
        env.update(self.env_overrides)
        return env

    def start(self, timeout: float = 300) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = spawn(self.command, self.env(), self.log_path)
        wait_started(
            self.process,
            lambda: self.get("/status")[0] == 200 and port_is_open(self.actions_port),
            timeout=timeout,
            step=1,
            what="make serve",
            log=self.tail_log,
        )

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Signal ``make`` (as an operator's kill would) and wait for everything to exit."""
        assert self.process is not None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)

    def stop_if_running(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.stop()

    @contextlib.contextmanager
    def running(self) -> Iterator[TabikServer]:
        """Started for the ``with`` block, stopped after it."""
        self.start()
        try:
            yield self
        finally:
            self.stop_if_running()

    def run(self, *command: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """``command`` run to its end with this instance's environment, its output captured."""
        return subprocess.run(
            list(command),
            input=stdin,
            cwd=PROJECT_ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def cli(self, *args: str, stdin: str = "") -> str:
        """``python -m bot.cli …`` against this instance's data, as an operator runs it."""
        done = self.run(sys.executable, "-m", "bot.cli", *args, stdin=stdin)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout.strip()

    def tail_log(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    # --- HTTP helpers ---------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 60,
        *,
        auth: bool = True,
    ) -> tuple[int, bytes, float]:
        if auth and self.api_token and not path.startswith("/webhooks/"):
            path += ("&" if "?" in path else "?") + urllib.parse.urlencode(
                {"token": self.api_token}
            )
        request = urllib.request.Request(
            self.url + path, data=body, method=method, headers=dict(headers or {})
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read(), time.monotonic() - started
        except urllib.error.HTTPError as error:
            return error.code, error.read(), time.monotonic() - started

    def get(self, path: str) -> tuple[int, bytes]:
        status, body, _ = self.request("GET", path, timeout=5)
        return status, body

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        status, body, _ = self.request(
            "POST",
            "/webhooks/rest/webhook",
            json.dumps({"sender": sender, "message": message}).encode(),
            {"Content-Type": "application/json"},
        )
        assert status == 200, body
        return list(json.loads(body))

    def tracker(self, sender: str) -> dict[str, Any]:
        status, body = self.get(f"/conversations/{conversation(sender)}/tracker")
        assert status == 200, body
        return dict(json.loads(body))

    def user_turns(self, sender: str) -> int:
        status, body = self.get(f"/conversations/{conversation(sender)}/tracker")
        if status != 200:
            return 0
        return sum(1 for e in json.loads(body).get("events", []) if e.get("event") == "user")

    def wait_turn_done(self, sender: str, turns_before: int, timeout: float = 30) -> None:
        """Wait until the bot has handled one more user message and listens again.

        Channels answer while the turn is still being saved, so reading the
        tracker right after a reply arrives can see the previous state.
        """
        quoted = conversation(sender)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.get(f"/conversations/{quoted}/tracker")
            if status == 200:
                tracker = json.loads(body)
                turns = sum(1 for e in tracker.get("events", []) if e.get("event") == "user")
                latest = (tracker.get("latest_action") or {}).get("action_name")
                if turns > turns_before and latest == "action_listen":
                    return
            time.sleep(0.2)
        raise TimeoutError(f"{sender}: turn not finished in {timeout} s")

    def requested_slot(self, sender: str) -> str | None:
        slots = self.tracker(sender).get("slots", {})
        return slots.get("requested_slot")

    def parse(self, text: str) -> dict[str, Any]:
        status, body, _ = self.request(
            "POST",
            "/model/parse",
            json.dumps({"text": text}).encode(),
            {"Content-Type": "application/json"},
        )
        assert status == 200, body
        return dict(json.loads(body))


def conversation(sender: str) -> str:
    """The quoted conversation id of a sender: REST senders are ``rest:`` identities."""
    if not sender.startswith(("wa:", "tg:", "rest:")):
        sender = "rest:" + sender
    return urllib.parse.quote(sender, safe=":")


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text", "")) for r in replies)


def drive_form(
    answer: Callable[[str | None], str | None],
    send: Callable[[str], str],
    requested: Callable[[], str | None],
    *,
    max_turns: int = 15,
) -> list[str]:
    """Answer whatever slot the form asks for until it stops asking; returns bot texts."""
    said: list[str] = []
    for _ in range(max_turns):
        slot = requested()
        if slot is None:
            return said
        reply = answer(slot)
        if reply is None:
            return said
        said.append(send(reply))
    raise AssertionError(f"form still asking after {max_turns} turns: {said[-3:]}")
