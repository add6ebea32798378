import logging
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.entrypoints import launcher


def settings(**env: str) -> Settings:
    return Settings.from_env(env)


def test_embedded_defaults_use_sqlite_and_in_memory_locks() -> None:
    endpoints = launcher.runtime_endpoints(settings())
    assert endpoints["tracker_store"]["dialect"] == "sqlite"
    assert endpoints["tracker_store"]["db"].endswith("trackers.db")
    assert endpoints["lock_store"] == {"type": "in_memory"}
    assert launcher.runtime_credentials(settings()) == {"rest": None}


def test_postgres_and_redis_when_configured() -> None:
    s = settings(
        TRACKER_STORE_URL="postgresql://tabik:s3cr%40t@db.internal:5433/rasa",
        REDIS_URL="redis://:pw@cache:6380/2",
    )
    endpoints = launcher.runtime_endpoints(s)
    assert endpoints["tracker_store"] == {
        "type": "SQL",
        "dialect": "postgresql",
        "url": "db.internal",
        "db": "rasa",
        "port": 5433,
        "username": "tabik",
        "password": "s3cr@t",
    }
    assert endpoints["lock_store"] == {
        "type": "redis",
        "url": "cache",
        "port": 6380,
        "db": 2,
        "key_prefix": "tabik",
        "password": "pw",
    }


def test_a_channel_starts_only_with_its_credentials() -> None:
    s = settings(
        TELEGRAM_BOT_TOKEN="123:abc",
        WHATSAPP_VERIFY_TOKEN="v",
        WHATSAPP_APP_SECRET="s",  # incomplete: stays off
    )
    assert launcher.runtime_credentials(s) == {
        "rest": None,
        "channels.telegram.TelegramInput": {},
    }


def test_model_fingerprint_follows_training_data(tmp_path: Path) -> None:
    (tmp_path / "nlu" / "data").mkdir(parents=True)
    (tmp_path / "config.yml").write_text("pipeline: []\n")
    data = tmp_path / "nlu" / "data" / "basics.yml"
    data.write_text("nlu: []\n")
    first = launcher.training_fingerprint(tmp_path)
    assert launcher.training_fingerprint(tmp_path) == first
    data.write_text("nlu: [x]\n")
    assert launcher.training_fingerprint(tmp_path) != first


class RecordingSupervisor(launcher.Supervisor):
    def start(self, name: str, command: object, env: dict[str, str]) -> None:
        self.children.append((name, command))  # type: ignore[arg-type]


def started(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, object]:
    monkeypatch.setattr(launcher, "wait_until_up", lambda *args, **kwargs: None)
    monkeypatch.setattr(
        launcher,
        "write_runtime_config",
        lambda s: (tmp_path / "endpoints.yml", tmp_path / "credentials.yml"),
    )
    supervisor = RecordingSupervisor()
    launcher.start_all(settings(**env), supervisor, model=tmp_path / "model.tar.gz")
    return dict(supervisor.children)


def test_the_notifier_runs_only_with_a_messaging_channel(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    without = started(monkeypatch, tmp_path)
    with_telegram = started(monkeypatch, tmp_path, TELEGRAM_BOT_TOKEN="123:abc")

    assert set(without) == {"action server", "Rasa server"}
    assert set(with_telegram) == {"action server", "Rasa server", "notifier"}
    assert with_telegram["notifier"][-2:] == ["-m", "bot.workers.notifier"]


@pytest.fixture()
def root_logging() -> Iterator[logging.Logger]:
    """The root logger, given back as it was (quiet_terminal replaces its handlers)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    logging.captureWarnings(False)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_the_terminal_chat_shows_no_log_line_and_says_where_they_go(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], root_logging: logging.Logger
) -> None:
    path = tmp_path / "logs" / "tabik-5005.log"
    root = root_logging
    output = launcher.quiet_terminal(path)
    try:
        root.setLevel(logging.INFO)
        logging.getLogger("rasa.core.agent").warning("a Rasa warning")
        warnings.warn("a library's deprecation", UserWarning, stacklevel=1)
        supervisor = launcher.Supervisor(output)
        child = "import sys; print('child stdout'); print('tensorflow noise', file=sys.stderr)"
        supervisor.start("child", [sys.executable, "-c", child], dict(os.environ))
        supervisor.children[0][1].wait(30)
    finally:
        output.close()

    shown = capfd.readouterr()
    assert shown.out.splitlines() == [f"Log Tabik ditulis ke {path}"]
    assert shown.err == ""
    logged = path.read_text(encoding="utf-8")
    for line in ("a Rasa warning", "a library's deprecation", "child stdout", "tensorflow noise"):
        assert line in logged


def test_a_chat_that_cannot_start_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    root_logging: logging.Logger,
) -> None:
    path = tmp_path / "tabik-5005.log"

    def rasa_dies(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Rasa server exited with code 1")

    monkeypatch.setattr(launcher, "get_settings", settings)
    monkeypatch.setattr(launcher, "log_file_for_chat", lambda: path)
    monkeypatch.setattr(launcher, "migrate", lambda *args: None)
    monkeypatch.setattr(launcher, "start_all", rasa_dies)
    monkeypatch.setenv("TABIK_MODEL", str(tmp_path / "model.tar.gz"))
    # serve() takes over SIGINT/SIGTERM; the test process keeps its own.
    monkeypatch.setattr(launcher.signal, "signal", lambda *args: None)

    assert launcher.serve(chat=True) == 1

    shown = capfd.readouterr()
    assert shown.out.splitlines() == [
        f"Log Tabik ditulis ke {path}",
        f"Tabik gagal dimulai: Rasa server exited with code 1. Lihat {path}",
    ]
    assert shown.err == ""
    assert "Tabik could not start: Rasa server exited with code 1" in path.read_text()
