from pathlib import Path

from bot.config import Settings, read_dotenv


def test_defaults_are_embedded() -> None:
    s = Settings.from_env({})
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("tabik.db")
    assert s.tracker_store_url.startswith("sqlite:///")
    assert s.redis_url is None and s.whatsapp is None and s.telegram is None
    assert s.rasa_api_token is None


def test_channels_need_all_their_credentials() -> None:
    wa = {
        "WHATSAPP_VERIFY_TOKEN": "v",
        "WHATSAPP_APP_SECRET": "s",
        "WHATSAPP_ACCESS_TOKEN": "t",
        "WHATSAPP_PHONE_NUMBER_ID": "123",
        "WHATSAPP_API_BASE": "http://127.0.0.1:9/v21.0/",
    }
    s = Settings.from_env(wa)
    assert s.whatsapp is not None and s.whatsapp.api_base == "http://127.0.0.1:9/v21.0"
    assert Settings.from_env({**wa, "WHATSAPP_ACCESS_TOKEN": " "}).whatsapp is None
    tg = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x"}).telegram
    assert tg is not None and tg.api_base == "https://api.telegram.org" and tg.secret_token is None


def test_dotenv_is_parsed(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("# comment\nexport REDIS_URL=redis://x:6379/0\nRASA_API_TOKEN='abc'\n\nBROKEN\n")
    assert read_dotenv(env) == {"REDIS_URL": "redis://x:6379/0", "RASA_API_TOKEN": "abc"}
