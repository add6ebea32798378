import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.adapters.db.engine import make_engine
from bot.domain.privacy import MaskingFilter, mask_name, mask_text
from tests.auxil.logs import logged_exception


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("NIK 1871012345670001", "012345670", "1871"),
        ("hp 081234567890", "345678", "0812"),
        ("hp +62 812-3456-7890", "3456", "812"),
        ("hp 0812.3456.7890", "3456", "0812"),
        ("wa 62 812 3456 7890", "3456", "812"),
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


@pytest.mark.parametrize(
    "typed",
    [
        "18 71 01 150890 0001",
        "1871.0115.0890.0001",
        "1871-0115-0890-0001",
        "18 71 01 15 08 90 00 01",
        "1871 0115 0890 0001",
    ],
)
def test_niks_typed_with_separators_are_masked(typed: str) -> None:
    masked = mask_text(f"nik saya {typed} ya")
    assert "0115" not in masked and "150890" not in masked and "15 08 90" not in masked
    assert masked.startswith("nik saya 18") and masked.endswith("0001 ya")


def test_dates_times_and_ticket_numbers_are_left_alone() -> None:
    text = "2026-11-29 19:28:41,123 tiket ADU-261128-7KQ2 dibuat"
    assert mask_text(text) == text


def test_tracebacks_are_masked_too() -> None:
    out = logged_exception(
        "tabik.test.privacy.traceback",
        "NIK 18 71 01 150890 0001 ditolak, hp 081234567890",
        "lookup failed",
    )
    assert "Traceback" in out and "ValueError" in out
    assert "150890" not in out and "081234567890" not in out


def test_sql_errors_do_not_quote_their_parameters() -> None:
    engine = make_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE residents (nik TEXT PRIMARY KEY)"))
        connection.execute(text("INSERT INTO residents VALUES (:nik)"), {"nik": "1871011508900001"})
    with pytest.raises(IntegrityError) as failed, engine.begin() as connection:
        connection.execute(text("INSERT INTO residents VALUES (:nik)"), {"nik": "1871011508900001"})
    assert "1871011508900001" not in str(failed.value)
