"""The model-swap channel's token comes from the settings (``RASA_API_TOKEN``)."""

from __future__ import annotations

import pytest

from channels.model_admin import ModelAdminInput


def test_the_channel_takes_rasa_api_token_from_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RASA_API_TOKEN", "  s3cret  ")
    channel = ModelAdminInput.from_credentials({})
    assert isinstance(channel, ModelAdminInput) and channel.token == "s3cret"


def test_a_blank_token_is_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_API_TOKEN", " ")
    channel = ModelAdminInput.from_credentials(None)
    assert isinstance(channel, ModelAdminInput) and channel.token is None
