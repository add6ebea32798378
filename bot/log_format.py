"""Log lines for people or for log collectors: ``LOG_FORMAT=json`` gives one JSON object a line.

Both formats sit behind the masking filter (``bot.domain.privacy``) on the
handler, so messages arrive here masked; tracebacks and extra fields are
masked here as well, since the filter only sees the message.

Used from the logging configuration file (``()`` factory) and by
``configure_logging`` for processes that set logging up in code.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone
from typing import Any

from bot.domain.privacy import MaskingFilter, mask_text

PLAIN_FORMAT = "%(asctime)s %(levelname)-7s %(name)s - %(message)s"
# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", ...extra, "exception"?}`` on one line."""

    def __init__(self, *, process_name: str | None = None) -> None:
        super().__init__()
        self.process_name = process_name

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_text(record.getMessage()),
        }
        if self.process_name:
            entry["process"] = self.process_name
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = mask_text(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = mask_text(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = mask_text(self.formatStack(record.stack_info))
        # default=str: an extra that JSON cannot encode is written, not lost with the line.
        return json.dumps(entry, ensure_ascii=False, default=str)


def json_wanted() -> bool:
    # Read straight from the environment: logging is set up before the settings are.
    return os.environ.get("LOG_FORMAT", "").strip().lower() == "json"


def make_formatter(fmt: str = PLAIN_FORMAT, **_: Any) -> logging.Formatter:
    """The formatter the environment asks for (factory for ``logging.config``)."""
    if json_wanted():
        return JsonFormatter(process_name=os.environ.get("TABIK_PROCESS"))
    return logging.Formatter(fmt)


def configure_logging(level: int = logging.INFO, fmt: str = PLAIN_FORMAT) -> None:
    """Root logging to stderr in the chosen format, every line through the masking filter."""
    handler = logging.StreamHandler()
    handler.setFormatter(make_formatter(fmt))
    handler.addFilter(MaskingFilter())
    logging.basicConfig(level=level, handlers=[handler])
