"""Steady client traffic against a Rasa server, recording every wait and failure.

Used to show that a model swap costs no request: a thread sends ``rate`` requests
a second, alternating ``/model/parse`` and the REST webhook, each on its own
connection with a 10 s timeout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.entrypoints.training import child_env, venv_bin
from tests.auxil.tabik_server import spawn, wait_started


@dataclass
class Traffic:
    url: str
    token: str | None = None
    rate: float = 10.0
    waits: list[float] = field(default_factory=list)
    # (monotonic start, wait) of every request, to see when the long ones happened.
    timeline: list[tuple[float, float]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _one(self, index: int) -> None:
        query = f"?token={self.token}" if self.token else ""
        if index % 2:
            path, body = "/model/parse", {"text": "halo selamat pagi"}
        else:
            path, body = (
                "/webhooks/rest/webhook",
                {"sender": f"load-{index % 7}", "message": "halo"},
            )
        request = urllib.request.Request(
            f"{self.url}{path}{query}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                answer.read()
                if answer.status != 200:
                    self.failures.append(f"{path}: HTTP {answer.status}")
        except (urllib.error.URLError, OSError) as error:
            self.failures.append(f"{path}: {error}")
        finally:
            self.waits.append(time.monotonic() - started)
            self.timeline.append((started, self.waits[-1]))

    def _run(self) -> None:
        index = 0
        next_at = time.monotonic()
        while not self._stop.is_set():
            self._one(index)
            index += 1
            next_at += 1.0 / self.rate
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def __enter__(self) -> Traffic:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(15)

    @property
    def longest_wait(self) -> float:
        return max(self.waits, default=0.0)


@dataclass
class RasaServer:
    """``rasa run --enable-api`` with the model-swap channel, in its own process group."""

    model: Path
    workdir: Path
    port: int
    token: str | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180) -> None:
        credentials = self.workdir / "credentials.yml"
        credentials.write_text(
            yaml.safe_dump({"rest": None, "channels.model_admin.ModelAdminInput": {}})
        )
        command = [
            venv_bin("rasa"),
            "run",
            "--enable-api",
            "--model",
            str(self.model),
            "--credentials",
            str(credentials),
            "--port",
            str(self.port),
        ]
        env = child_env({"RASA_API_TOKEN": self.token or ""})
        if self.token:
            command += ["--auth-token", self.token]
        self.process = spawn(command, env, self.log_path)
        wait_started(
            self.process,
            lambda: bool(self.status().get("model_file")),
            timeout=timeout,
            step=0.5,
            what="rasa",
            log=self.log_tail,
        )

    def status(self) -> dict[str, object]:
        query = f"?token={self.token}" if self.token else ""
        with urllib.request.urlopen(f"{self.url}/status{query}", timeout=5) as answer:
            return dict(json.loads(answer.read()))

    def parse(self, text: str) -> dict[str, object]:
        query = f"?token={self.token}" if self.token else ""
        request = urllib.request.Request(
            f"{self.url}/model/parse{query}",
            data=json.dumps({"text": text}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return dict(json.loads(answer.read()))

    @property
    def log_path(self) -> Path:
        return self.workdir / f"rasa-{self.port}.log"

    def log_tail(self, lines: int = 40) -> str:
        path = self.log_path
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
