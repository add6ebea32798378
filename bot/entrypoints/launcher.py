"""Starts, trains and stops Tabik's processes (``make run``, ``make serve``, ``make train``).

``serve`` applies the database migrations, makes sure a model for the current
training data exists, writes the effective Rasa endpoints/credentials for the
environment into ``var/`` (``bot.entrypoints.runtime_config``), and supervises
(``bot.entrypoints.supervisor``) the action server, the Rasa server, the
retention and escalation workers and the staff console. SIGINT/SIGTERM stop every
child (their whole process groups), so nothing is left listening.
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
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import IO
from urllib.parse import urlsplit

from pydantic import ValidationError

from bot.config import PROJECT_ROOT, VAR_DIR, Settings, get_settings
from bot.domain.privacy import install_log_masking
from bot.entrypoints.runtime_config import write_runtime_config
from bot.entrypoints.supervisor import Supervisor, wait_until_up
from bot.entrypoints.training import (
    child_env,
    model_path,
    train,
)

log = logging.getLogger("tabik.launcher")

LOGGING_FILES = {"plain": "logging.yml", "json": "logging-json.yml"}


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
    return var_dir / "logs" / f"tabik-{get_settings().rasa_port}.log"


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


def escalation_command() -> list[str]:
    return [sys.executable, "-m", "bot.workers.escalation"]


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
    # Overdue tickets reach the level above (docs/agencies.md).
    supervisor.start("escalation", escalation_command(), env)
    console_port = settings.console_port
    # The console reads and resumes conversations on this instance's own Rasa.
    console_env = child_env(
        {"CONSOLE_PORT": str(console_port)}
        | ({} if settings.rasa_url_given else {"RASA_URL": f"http://localhost:{rasa_port}"})
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
        pinned = settings.tabik_model or deployed_model(settings)
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
