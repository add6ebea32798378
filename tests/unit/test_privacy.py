import logging

import pytest

from bot.domain.privacy import MaskingFilter, mask_name, mask_text


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("NIK 1871012345670001", "012345670", "1871"),
        ("hp 081234567890", "345678", "0812"),
        ("hp +62 812-3456-7890", "3456", "812"),
        ("email siti.aminah@example.id", "iti.aminah", "@example.id"),
        (
            "POST https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage",
            "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            "/sendMessage",
        ),
    ],
)
def test_personal_data_is_masked(text: str, hidden: str, kept: str) -> None:
    masked = mask_text(text)
    assert hidden not in masked
    assert kept in masked


def test_names_keep_only_initials() -> None:
    assert mask_name("Siti Aminah") == "S*** A***"


def test_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("tabik.test.privacy")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="tabik.test.privacy"):
        logger.info("resident %s sent %s", "081234567890", "NIK 1871012345670001")
    assert "081234567890" not in caplog.text
    assert "1871012345670001" not in caplog.text
