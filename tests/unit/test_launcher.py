import logging
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.entrypoints import launcher, runtime_config, training


def settings(**env: str) -> Settings:
    return Settings.from_env(env)


def test_embedded_defaults_use_sqlite_and_in_memory_locks() -> None:
    endpoints = runtime_config.runtime_endpoints(settings())
    assert endpoints["tracker_store"]["dialect"] == "sqlite"
    assert endpoints["tracker_store"]["db"].endswith("trackers.db")
    assert endpoints["lock_store"] == {"type": "in_memory"}
    assert runtime_config.runtime_credentials(settings()) == {
        "channels.rest.RestInput": None,
        "channels.ops.OpsInput": {},
        "channels.model_admin.ModelAdminInput": {},
    }


def test_postgres_and_redis_when_configured() -> None:
    s = settings(
        TRACKER_STORE_URL="postgresql://tabik:s3cr%40t@db.internal:5433/rasa",
        REDIS_URL="redis://:pw@cache:6380/2",
    )
    endpoints = runtime_config.runtime_endpoints(s)
    assert endpoints["tracker_store"] == {
        "type": "bot.adapters.observed_tracker_store.ObservedMaskingTrackerStore",
        "dialect": "postgresql",
        "url": "db.internal",
        "db": "rasa",
        "port": 5433,
        "username": "tabik",
        "password": "s3cr@t",
    }
    assert endpoints["lock_store"] == {
        "type": "bot.adapters.lock_store.FencedRedisLockStore",
        "url": "redis://:pw@cache:6380/2",
        "key_prefix": "tabik",
        "socket_timeout": 2,
    }


def test_a_channel_starts_only_with_its_credentials_and_rest_goes_off() -> None:
    s = settings(TELEGRAM_BOT_TOKEN="123:abc", TELEGRAM_SECRET_TOKEN="s", RASA_API_TOKEN="t")
    assert runtime_config.runtime_credentials(s) == {
        "channels.ops.OpsInput": {},
        "channels.telegram.TelegramInput": {},
        "channels.model_admin.ModelAdminInput": {},
    }
    again = settings(TELEGRAM_BOT_TOKEN="123:abc", TELEGRAM_SECRET_TOKEN="s", TABIK_ENABLE_REST="1")
    assert "channels.rest.RestInput" in runtime_config.runtime_credentials(again)


def test_model_fingerprint_follows_training_data(tmp_path: Path) -> None:
    (tmp_path / "nlu" / "data").mkdir(parents=True)
    (tmp_path / "config.yml").write_text("pipeline: []\n")
    data = tmp_path / "nlu" / "data" / "basics.yml"
    data.write_text("nlu: []\n")
    first = training.training_fingerprint(tmp_path)
    assert training.training_fingerprint(tmp_path) == first
    data.write_text("nlu: [x]\n")
    assert training.training_fingerprint(tmp_path) != first


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


def test_the_same_children_run_whatever_the_messaging_channels(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    without = started(monkeypatch, tmp_path)
    with_telegram = started(monkeypatch, tmp_path, TELEGRAM_BOT_TOKEN="123:abc")

    # Status notices go into the outbox with the change: no notifier process.
    assert set(without) == {
        "action server",
        "Rasa server",
        "retention",
        "escalation",
        "staff console",
    }
    assert set(with_telegram) == set(without)
    assert without["staff console"][-2:] == ["-m", "console"]
    # Personal data ends whatever the channels (docs/privacy.md).
    assert without["retention"][-2:] == ["-m", "bot.workers.retention"]
    # Overdue tickets reach the level above while Tabik runs.
    assert without["escalation"][-2:] == ["-m", "bot.workers.escalation"]


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

    pinned = settings(TABIK_MODEL=str(tmp_path / "model.tar.gz"))
    monkeypatch.setattr(launcher, "get_settings", lambda: pinned)
    monkeypatch.setattr(launcher, "log_file_for_chat", lambda: path)
    monkeypatch.setattr(launcher, "migrate", lambda *args: None)
    monkeypatch.setattr(launcher, "start_all", rasa_dies)
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


def test_secrets_go_to_the_children_by_environment_never_the_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(launcher, "wait_until_up", lambda *args, **kwargs: None)
    monkeypatch.setattr(
        launcher,
        "write_runtime_config",
        lambda s: (tmp_path / "endpoints.yml", tmp_path / "credentials.yml"),
    )
    envs: dict[str, dict[str, str]] = {}

    class Recording(launcher.Supervisor):
        def start(self, name: str, command: object, env: dict[str, str]) -> None:
            self.children.append((name, command))  # type: ignore[arg-type]
            envs[name] = env

    supervisor = Recording()
    s = settings(
        RASA_API_TOKEN="api-SECRET",
        TELEGRAM_BOT_TOKEN="1:abc",
        TELEGRAM_SECRET_TOKEN="tg-SECRET",
        ACTIONS_PORT="6055",
    )
    launcher.start_all(s, supervisor, model=tmp_path / "model.tar.gz")
    commands = dict(supervisor.children)
    for command in commands.values():
        assert "SECRET" not in " ".join(map(str, command))  # type: ignore[call-overload]
    assert commands["Rasa server"][1:3] == ["-m", "bot.entrypoints.rasa_server"]
    assert commands["action server"][1:3] == ["-m", "bot.entrypoints.action_server"]
    token = envs["action server"]["ACTIONS_TOKEN"]
    assert len(token) >= 32 and envs["Rasa server"]["ACTIONS_TOKEN"] == token
    # A new token at each start when none is configured.
    launcher.start_all(s, Recording(), model=tmp_path / "model.tar.gz")
    assert envs["action server"]["ACTIONS_TOKEN"] != token


def test_generated_files_are_private_and_hold_no_actions_token(tmp_path: Path) -> None:
    s = settings(TRACKER_STORE_URL="postgresql://tabik:pw@db/rasa", ACTIONS_TOKEN="tok-XYZ")
    endpoints, credentials = launcher.write_runtime_config(s, tmp_path)
    for path in (endpoints, credentials):
        assert path.stat().st_mode & 0o077 == 0
    text = endpoints.read_text()
    assert "tok-XYZ" not in text and "${ACTIONS_TOKEN}" in text


def test_serve_refuses_an_unsafe_configuration_before_starting_anything(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        launcher,
        "get_settings",
        lambda: settings(WHATSAPP_VERIFY_TOKEN="v", WHATSAPP_ACCESS_TOKEN="a"),
    )
    monkeypatch.setattr(launcher, "migrate", lambda s: pytest.fail("migrated"))
    monkeypatch.setattr(launcher, "start_all", lambda *a, **k: pytest.fail("started"))
    assert launcher.serve() == 2
    err = capsys.readouterr().err
    assert "WHATSAPP_APP_SECRET" in err and "WHATSAPP_PHONE_NUMBER_ID" in err
    assert "RASA_API_TOKEN" in err


def test_serve_refuses_a_shared_database_without_the_console_secret_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = settings(DATABASE_URL="postgresql://tabik@db/tabik")
    monkeypatch.setattr(launcher, "get_settings", lambda: shared)
    monkeypatch.setattr(launcher, "migrate", lambda s: pytest.fail("migrated"))
    monkeypatch.setattr(launcher, "start_all", lambda *a, **k: pytest.fail("started"))
    assert launcher.serve() == 2
    assert "CONSOLE_SECRET_KEY" in capsys.readouterr().err


def test_serve_refuses_a_value_of_the_wrong_type(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(launcher, "get_settings", lambda: settings(RASA_PORT="lima"))
    assert launcher.serve() == 2
    assert "RASA_PORT" in capsys.readouterr().err


def test_the_terminal_chat_says_why_it_cannot_run_without_rest(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configured = settings(TELEGRAM_BOT_TOKEN="1:abc", TELEGRAM_SECRET_TOKEN="s", RASA_API_TOKEN="t")
    monkeypatch.setattr(launcher, "get_settings", lambda: configured)
    monkeypatch.setattr(launcher, "migrate", lambda s: pytest.fail("migrated"))
    assert launcher.serve(chat=True) == 2
    assert "TABIK_ENABLE_REST=1" in capsys.readouterr().err


def test_json_logs_are_one_masked_object_per_line(tmp_path: Path) -> None:
    import json

    import yaml

    from bot.entrypoints.json_log import JsonFormatter
    from tests.auxil.logs import logged_exception

    config = yaml.safe_load(Path(launcher.__file__).with_name("logging-json.yml").read_text())
    assert config["formatters"]["plain"]["()"] == "bot.entrypoints.json_log.JsonFormatter"
    assert config["handlers"]["console"]["filters"] == ["mask_personal_data"]
    written = logged_exception(
        "tabik.test.json",
        "NIK 18 71 01 150890 0001",
        "lookup for %s failed",
        "081234567890",
        formatter=JsonFormatter(),
    )
    (line,) = written.splitlines()
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "tabik.test.json"
    assert "081234567890" not in line and "150890" not in line
    assert "ValueError" in entry["exception"]
