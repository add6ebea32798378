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
    assert launcher.runtime_credentials(settings()) == {
        "rest": None,
        "channels.ops.OpsInput": {},
    }


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
        "type": "bot.adapters.lock_store.FencedRedisLockStore",
        "url": "redis://:pw@cache:6380/2",
        "key_prefix": "tabik",
    }


def test_a_channel_starts_only_with_its_credentials() -> None:
    s = settings(
        TELEGRAM_BOT_TOKEN="123:abc",
        WHATSAPP_VERIFY_TOKEN="v",
        WHATSAPP_APP_SECRET="s",  # incomplete: stays off
    )
    assert launcher.runtime_credentials(s) == {
        "rest": None,
        "channels.ops.OpsInput": {},
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
