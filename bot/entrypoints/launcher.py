"""Starts, trains and stops Tabik's processes (``make run``, ``make serve``, ``make train``).

``serve`` applies the database migrations, makes sure a model for the current
training data exists, writes the effective Rasa endpoints/credentials for the
environment into ``var/``, and supervises the action server, the Rasa server,
the retention worker and the staff console. SIGINT/SIGTERM stop every child
(their whole process groups), so nothing is left listening.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import IO, Any
from urllib.parse import unquote, urlsplit

import yaml
from pydantic import ValidationError

from bot.config import PROJECT_ROOT, VAR_DIR, Settings, get_settings, write_private
from bot.domain.privacy import install_log_masking
from bot.entrypoints.training import (
    child_env,
    model_path,
    train,
)

log = logging.getLogger("tabik.launcher")

RASA_PORT = 5005
ACTIONS_PORT = 5055
CONSOLE_PORT = 5080


# --- runtime configuration ----------------------------------------------------


def _sql_store(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    dialect = parts.scheme.split("+")[0]
    if dialect == "postgres":
        dialect = "postgresql"
    if dialect == "sqlite":
        path = url.split("///", 1)[1] if "///" in url else "rasa.db"
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {"type": "SQL", "dialect": "sqlite", "db": path}
    store: dict[str, Any] = {
        "type": "SQL",
        "dialect": parts.scheme,
        "url": parts.hostname or "localhost",
        "db": (parts.path or "/").lstrip("/") or "postgres",
    }
    if parts.port:
        store["port"] = parts.port
    if parts.username:
        store["username"] = unquote(parts.username)
    if parts.password:
        store["password"] = unquote(parts.password)
    if parts.query:
        store["query"] = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    return store


def _lock_store(redis_url: str | None, prefix: str = "tabik:") -> dict[str, Any]:
    if not redis_url:
        return {"type": "in_memory"}
    # Rasa's RedisLockStore races across servers (Rasa #9213) and its 60 s lock is shorter
    # than a turn may take: ours is atomic, renews its lease and fences stale holders.
    return {
        "type": "bot.adapters.lock_store.FencedRedisLockStore",
        "url": redis_url,
        "key_prefix": prefix.rstrip(":"),
        # Rasa's lock store calls Redis synchronously: a hanging Redis must not hold
        # the event loop for long (Rasa's default is 10 s).
        "socket_timeout": 2,
    }


LOGGING_FILES = {"plain": "logging.yml", "json": "logging-json.yml"}
# The masking SQL store, also recording each message's NLU confidence for /metrics.
MASKING_STORE = "bot.adapters.observed_tracker_store.ObservedMaskingTrackerStore"
# The action server refuses calls without it (bot/entrypoints/action_server.py).
ACTIONS_TOKEN_HEADER = "X-Tabik-Actions-Token"  # noqa: S105 - a header name


def runtime_endpoints(settings: Settings) -> dict[str, Any]:
    return {
        # Rasa fills ${ACTIONS_TOKEN} from its environment: the secret is not in the file.
        "action_endpoint": {
            "url": settings.action_server_url,
            "headers": {ACTIONS_TOKEN_HEADER: "${ACTIONS_TOKEN}"},
        },
        # Rasa's SQL store, but NIKs are masked in what it keeps.
        "tracker_store": {**_sql_store(settings.tracker_store_url), "type": MASKING_STORE},
        "lock_store": _lock_store(settings.redis_url, settings.redis_key_prefix),
    }


def runtime_credentials(settings: Settings) -> dict[str, Any]:
    """Only the channels whose credentials are set are started; REST only while enabled."""
    credentials: dict[str, Any] = {}
    if settings.rest_enabled:
        credentials["channels.rest.RestInput"] = None
    # /health, /ready and /metrics (no messages): always on.
    credentials["channels.ops.OpsInput"] = {}
    if settings.whatsapp:
        credentials["channels.whatsapp.WhatsAppInput"] = {}
    if settings.telegram:
        credentials["channels.telegram.TelegramInput"] = {}
    # Zero-downtime model swaps (python -m bot.cli model deploy); RASA_API_TOKEN protects it.
    credentials["channels.model_admin.ModelAdminInput"] = {}
    return credentials


def write_runtime_config(settings: Settings, var_dir: Path = VAR_DIR) -> tuple[Path, Path]:
    var_dir.mkdir(parents=True, exist_ok=True)
    endpoints = var_dir / "endpoints.yml"
    credentials = var_dir / "credentials.yml"
    # The tracker store's password may be in there: readable by this user only.
    write_private(endpoints, yaml.safe_dump(runtime_endpoints(settings), sort_keys=False))
    write_private(credentials, yaml.safe_dump(runtime_credentials(settings), sort_keys=False))
    return endpoints, credentials


# --- supervision --------------------------------------------------------------


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


def migrate(settings: Settings, output: IO[bytes] | None = None) -> None:
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        check=True,
        cwd=PROJECT_ROOT,
        env=child_env(),
        stdout=output,
        stderr=output,
    )


def log_file_for_chat(var_dir: Path = VAR_DIR) -> Path:
    """Where ``make run`` writes every log line, apart by port (instances may share var/)."""
    return var_dir / "logs" / f"tabik-{os.environ.get('RASA_PORT', RASA_PORT)}.log"


def quiet_terminal(path: Path) -> IO[bytes]:
    """Send this process's logs and warnings, and the children's output, to ``path``.

    The terminal chat then shows the conversation only: TensorFlow, matplotlib,
    SQLAlchemy and Rasa write to stderr, which the children inherit otherwise.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s - %(message)s"))
    root = logging.getLogger()
    for previous in list(root.handlers):
        root.removeHandler(previous)
    root.addHandler(handler)
    logging.captureWarnings(True)
    print(f"Log Tabik ditulis ke {path}")  # the one line that says where
    return path.open("ab", buffering=0)


def retention_command() -> list[str]:
    return [sys.executable, "-m", "bot.workers.retention"]


def actions_health_url(settings: Settings) -> str:
    parts = urlsplit(str(settings.action_server_url))
    return f"{parts.scheme}://{parts.netloc}/health"


def console_command() -> list[str]:
    return [sys.executable, "-m", "console"]


def start_all(settings: Settings, supervisor: Supervisor, *, model: Path) -> None:
    endpoints, credentials = write_runtime_config(settings)
    logging_config = str(Path(__file__).with_name(LOGGING_FILES[settings.log_format]))
    # Secrets reach the children through their environment, never their command line.
    token = settings.actions_token or secrets.token_urlsafe(32)
    env = child_env({"ACTIONS_TOKEN": token})
    rasa_port = settings.rasa_port
    actions_port = settings.actions_port
    supervisor.start(
        "action server",
        [
            sys.executable,
            "-m",
            "bot.entrypoints.action_server",
            "--actions",
            "actions",
            "--logging-config-file",
            logging_config,
        ],
        env,
    )
    rasa_command = [
        sys.executable,
        "-m",
        "bot.entrypoints.rasa_server",
        "run",
        "--enable-api",
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
        "--port",
        str(rasa_port),
        "--logging-config-file",
        logging_config,
    ]
    # RASA_API_TOKEN, when set, is in env: bot.entrypoints.rasa_server hands it to Rasa.
    supervisor.start("Rasa server", rasa_command, env)
    # Personal data past its period goes whatever the channels (docs/privacy.md).
    supervisor.start("retention", retention_command(), env)
    console_port = int(os.environ.get("CONSOLE_PORT", CONSOLE_PORT))
    # The console reads and resumes conversations on this instance's own Rasa.
    console_env = child_env(
        {"CONSOLE_PORT": str(console_port)}
        | ({} if os.environ.get("RASA_URL") else {"RASA_URL": f"http://localhost:{rasa_port}"})
    )
    supervisor.start("staff console", console_command(), console_env)
    wait_until_up(actions_health_url(settings), supervisor, timeout=120)
    wait_until_up(f"http://localhost:{rasa_port}/", supervisor, timeout=300)
    wait_until_up(f"http://localhost:{console_port}/health", supervisor, timeout=60)
    log.info("Tabik is up: Rasa on port %s, actions on port %s.", rasa_port, actions_port)


def checked_settings() -> Settings | None:
    """The settings when they may be served; otherwise says why on stderr and gives None."""
    try:
        settings = get_settings()
        problems = settings.problems()
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in error.errors()
        ]
    if problems:
        print("Tabik will not start:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return None
    return settings


def deployed_model(settings: Settings) -> str | None:
    """The model an admin last deployed (``python -m bot.cli model deploy``), if any:
    a restart keeps it instead of going back to the model for the current data."""
    from bot.bootstrap import build_model_service

    models, engine = build_model_service(settings, environment=os.environ)
    try:
        found = models.last_deployed_path()
    finally:
        engine.dispose()
    if found is None:
        return None
    log.info("Serving the deployed model %s.", found.name)
    return str(found)


def serve(*, chat: bool = False) -> int:
    settings = checked_settings()
    if settings is None:
        return 2
    if chat and not settings.rest_enabled:
        print(
            "The terminal chat talks through the REST channel, which is off while WhatsApp "
            "or Telegram is configured; set TABIK_ENABLE_REST=1 to use both.",
            file=sys.stderr,
        )
        return 2
    output = quiet_terminal(log_file_for_chat()) if chat else None
    supervisor = Supervisor(output)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        migrate(settings, output)
        # TABIK_MODEL pins a model (a deployment or a test); otherwise the one for this data.
        pinned = os.environ.get("TABIK_MODEL") or deployed_model(settings)
        model = Path(pinned) if pinned else train(output=output)
        try:
            start_all(settings, supervisor, model=model)
        except (RuntimeError, TimeoutError) as not_started:
            log.error("Tabik could not start: %s", not_started)
            if chat:  # the log file has the children's own output
                print(f"Tabik gagal dimulai: {not_started}. Lihat {log_file_for_chat()}")
            return 1
        if chat:
            from bot.entrypoints.terminal_chat import chat_loop

            chat_loop(f"http://localhost:{settings.rasa_port}")
            return 0
        while True:
            problem = supervisor.failed()
            if problem:
                log.error("%s; stopping Tabik.", problem)
                return 1
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        supervisor.stop()
        if output is not None:
            output.close()


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s %(message)s")
    install_log_masking()
    parser = argparse.ArgumentParser(prog="python -m bot.entrypoints.launcher", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="start every process in the foreground")
    sub.add_parser("run", help="serve, then chat in the terminal")
    train_parser = sub.add_parser("train", help="train the model if the data changed")
    train_parser.add_argument("--force", action="store_true")
    sub.add_parser("model-path", help="print the path of the model for the current data")
    args = parser.parse_args(argv)
    if args.command == "train":
        train(force=args.force)
        return 0
    if args.command == "model-path":
        print(model_path())
        return 0
    return serve(chat=args.command == "run")


if __name__ == "__main__":
    sys.exit(main())
