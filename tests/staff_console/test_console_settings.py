"""The console's settings come from :class:`bot.config.Settings`, never the environment."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from console.settings import SECRET_FILE, ConsoleSettings


def test_the_console_reads_its_variables_through_the_settings(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "CONSOLE_PORT": "5181",
            "MEDIA_DIR": str(tmp_path / "photos"),
            "TABIK_VAR_DIR": str(tmp_path),
            "CONSOLE_TRUSTED_PROXIES": "10.0.0.2",
            "CONSOLE_SECURE_COOKIES": "1",
        }
    )
    console = ConsoleSettings.from_settings(settings)
    assert (console.port, console.media_dir) == (5181, tmp_path / "photos")
    assert console.secure_cookies and [str(n) for n in console.trusted_proxies] == ["10.0.0.2/32"]
    # No CONSOLE_SECRET_KEY: one is generated once and kept, so a restart keeps sessions.
    assert (tmp_path / SECRET_FILE).read_text(encoding="utf-8").strip() == console.secret_key
    assert ConsoleSettings.from_settings(settings).secret_key == console.secret_key


def test_a_given_secret_key_is_used_as_it_is(tmp_path: Path) -> None:
    settings = Settings.from_env({"CONSOLE_SECRET_KEY": "k" * 40, "TABIK_VAR_DIR": str(tmp_path)})
    assert ConsoleSettings.from_settings(settings).secret_key == "k" * 40
    assert not (tmp_path / SECRET_FILE).exists()
