"""What a log handler with the personal-data filter writes for a logged exception."""

from __future__ import annotations

import io
import logging

from bot.domain.privacy import MaskingFilter


def logged_exception(
    logger_name: str,
    error: str,
    message: str,
    *args: object,
    formatter: logging.Formatter | None = None,
) -> str:
    """What ``logger.exception(message, *args)`` writes while ``ValueError(error)`` is handled.

    The handler masks personal data as the wired ones do; ``formatter`` (the
    plain default when None) shapes its lines.
    """
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    if formatter is not None:
        handler.setFormatter(formatter)
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        raise ValueError(error)
    except ValueError:
        logger.exception(message, *args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()
