"""The children of ``make serve``: started in their own process groups, stopped together."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import IO

from bot.config import PROJECT_ROOT

log = logging.getLogger("tabik.launcher")


class Supervisor:
    """Starts child processes in their own process groups and stops them all.

    ``output``: where the children's stdout and stderr go (the terminal when None).
    """

    def __init__(self, output: IO[bytes] | None = None) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self._stopping = False
        self.output = output

    def start(self, name: str, command: Sequence[str], env: dict[str, str]) -> None:
        log.info("Starting %s", name)
        process = subprocess.Popen(  # noqa: S603 - our own executables, no shell
            list(command),
            cwd=PROJECT_ROOT,
            env=env,
            start_new_session=True,
            stdout=self.output,
            stderr=self.output,
        )
        self.children.append((name, process))

    def failed(self) -> str | None:
        for name, process in self.children:
            if process.poll() is not None:
                return f"{name} exited with code {process.returncode}"
        return None

    def stop(self, timeout: float = 15.0) -> None:
        if self._stopping:
            return
        self._stopping = True
        for _name, process in reversed(self.children):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        for name, process in self.children:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                process.wait(remaining)
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in time; killing it", name)
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
        log.info("All Tabik processes stopped.")


def wait_until_up(url: str, supervisor: Supervisor, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        problem = supervisor.failed()
        if problem:
            raise RuntimeError(problem)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")
