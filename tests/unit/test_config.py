import os
import re
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import PROJECT_ROOT, ConfigurationError, Settings, read_dotenv
from bot.private_files import console_secret_key

WHATSAPP = {
    "WHATSAPP_VERIFY_TOKEN": "v",
    "WHATSAPP_APP_SECRET": "s",
    "WHATSAPP_ACCESS_TOKEN": "t",
    "WHATSAPP_PHONE_NUMBER_ID": "123",
}


def test_defaults_are_embedded() -> None:
    s = Settings.from_env({})
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("tabik.db")
    assert s.tracker_store_url.startswith("sqlite:///")
    assert s.redis_url is None and s.whatsapp is None and s.telegram is None
    assert s.rasa_api_token is None
    assert (s.rasa_port, s.actions_port, s.console_port) == (5005, 5055, 5080)
    assert s.actions_host == "127.0.0.1"
    assert s.action_server_url == "http://127.0.0.1:5055/webhook"
    assert s.rasa_instances == ("http://localhost:5005",)
    assert s.media_dir.name == "media" and s.log_format == "plain"
    assert s.rest_enabled and s.problems() == []


def test_the_process_environment_is_not_read_by_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "from-the-process")
    assert Settings.from_env({}).whatsapp_verify_token is None
    assert Settings.from_env(None).whatsapp_verify_token == "from-the-process"


def test_a_complete_channel_is_configured_and_blank_values_are_unset() -> None:
    s = Settings.from_env({**WHATSAPP, "WHATSAPP_API_BASE": "http://127.0.0.1:9/v21.0/"})
    assert s.whatsapp is not None and s.whatsapp.api_base == "http://127.0.0.1:9/v21.0"
    assert s.whatsapp.notification_template == "tabik_status_update"
    assert Settings.from_env({**WHATSAPP, "WHATSAPP_ACCESS_TOKEN": " "}).whatsapp is None
    tg = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x"}).telegram
    assert tg is not None and tg.api_base == "https://api.telegram.org" and tg.secret_token is None


def test_half_a_whatsapp_configuration_names_what_is_missing() -> None:
    s = Settings.from_env(
        {"WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_ACCESS_TOKEN": "t", "RASA_API_TOKEN": "r"}
    )
    (problem,) = s.problems()
    assert "WHATSAPP_APP_SECRET" in problem and "WHATSAPP_PHONE_NUMBER_ID" in problem
    assert "WHATSAPP_VERIFY_TOKEN, WHATSAPP_APP_SECRET" in problem  # the full set, for reference
    with pytest.raises(ConfigurationError) as refused:
        s.check()
    assert refused.value.problems == [problem]


def test_telegram_without_its_secret_is_refused() -> None:
    (problem,) = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x", "RASA_API_TOKEN": "r"}).problems()
    assert "TELEGRAM_SECRET_TOKEN" in problem
    (only_secret,) = Settings.from_env({"TELEGRAM_SECRET_TOKEN": "s"}).problems()[:1]
    assert "TELEGRAM_BOT_TOKEN" in only_secret


def test_a_messaging_channel_needs_the_rasa_api_token() -> None:
    for env in (WHATSAPP, {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_SECRET_TOKEN": "s"}):
        (problem,) = Settings.from_env(env).problems()
        assert "RASA_API_TOKEN" in problem
        assert Settings.from_env({**env, "RASA_API_TOKEN": "r"}).check().problems() == []


def test_a_shared_database_needs_the_console_secret_key() -> None:
    shared = {"DATABASE_URL": "postgresql://tabik@db/tabik"}
    (problem,) = Settings.from_env(shared).problems()
    assert problem.startswith("CONSOLE_SECRET_KEY is missing")
    assert Settings.from_env({**shared, "CONSOLE_SECRET_KEY": "k" * 40}).problems() == []
    assert Settings.from_env({"DATABASE_URL": "sqlite:///var/x.db"}).problems() == []


def test_trusted_proxies_are_addresses_or_networks() -> None:
    s = Settings.from_env({"CONSOLE_TRUSTED_PROXIES": "10.0.0.2, 172.30.80.0/24,::1"})
    assert [str(n) for n in s.trusted_proxies] == ["10.0.0.2/32", "172.30.80.0/24", "::1/128"]
    assert Settings.from_env({}).trusted_proxies == ()
    (problem,) = Settings.from_env({"CONSOLE_TRUSTED_PROXIES": "10.0.0.2,caddy"}).problems()
    assert problem.startswith("CONSOLE_TRUSTED_PROXIES") and "'caddy'" in problem


def test_console_token_days_and_secure_cookies() -> None:
    assert Settings.from_env({}).console_token_days == 90
    assert not Settings.from_env({}).console_secure_cookies
    s = Settings.from_env({"CONSOLE_TOKEN_DAYS": "30", "CONSOLE_SECURE_COOKIES": "1"})
    assert s.console_token_days == 30 and s.console_secure_cookies
    with pytest.raises(ValidationError, match="console_token_days"):
        Settings.from_env({"CONSOLE_TOKEN_DAYS": "0"})


def test_rest_is_off_with_a_messaging_channel_unless_enabled() -> None:
    assert not Settings.from_env({**WHATSAPP, "RASA_API_TOKEN": "r"}).rest_enabled
    assert Settings.from_env({**WHATSAPP, "TABIK_ENABLE_REST": "1"}).rest_enabled
    assert not Settings.from_env({"TABIK_ENABLE_REST": "0"}).rest_enabled


def test_wrong_types_are_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="rasa_port"):
        Settings.from_env({"RASA_PORT": "lima ribu"})
    with pytest.raises(ValidationError, match="actions_port"):
        Settings.from_env({"ACTIONS_PORT": "70000"})
    with pytest.raises(ValidationError, match="log_format"):
        Settings.from_env({"LOG_FORMAT": "xml"})


def test_ports_and_hosts_shape_the_internal_urls() -> None:
    s = Settings.from_env(
        {
            "RASA_PORT": "6005",
            "ACTIONS_PORT": "6055",
            "ACTIONS_HOST": "0.0.0.0",
            "RASA_URLS": "http://a:5005/, http://b:5005",
        }
    )
    assert s.rasa_url == "http://localhost:6005"
    assert s.action_server_url == "http://127.0.0.1:6055/webhook"
    assert s.rasa_instances == ("http://a:5005", "http://b:5005")


def test_secrets_stay_out_of_reprs() -> None:
    s = Settings.from_env(
        {
            **WHATSAPP,
            "WHATSAPP_APP_SECRET": "app-secret-XYZ",
            "RASA_API_TOKEN": "api-XYZ",
            "DATABASE_URL": "postgresql://u:pw-XYZ@db/tabik",
        }
    )
    assert "XYZ" not in repr(s) and "XYZ" not in str(s)


def test_the_console_key_is_generated_once_and_private(tmp_path: Path) -> None:
    s = Settings.from_env({"TABIK_VAR_DIR": str(tmp_path)})
    key = console_secret_key(s)
    assert len(key) >= 40 and console_secret_key(s) == key
    (path,) = tmp_path.iterdir()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert console_secret_key(Settings.from_env({"CONSOLE_SECRET_KEY": "given"})) == "given"


def test_dotenv_is_parsed(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("# comment\nexport REDIS_URL=redis://x:6379/0\nRASA_API_TOKEN='abc'\n\nBROKEN\n")
    assert read_dotenv(env) == {"REDIS_URL": "redis://x:6379/0", "RASA_API_TOKEN": "abc"}


def test_the_readme_documents_every_variable() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", section))
    variables = {name.upper() for name in Settings.__fields__}
    assert sorted(variables - documented) == []
    # Names in the table that Settings does not know: typos or leftovers.
    assert sorted(documented - variables) == []


def test_settings_are_read_once_per_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import get_settings

    monkeypatch.setenv("RASA_PORT", "6100")
    first = get_settings()
    assert get_settings() is first and first.rasa_port == 6100
    monkeypatch.setenv("RASA_PORT", "6200")
    assert get_settings().rasa_port == 6200
