"""One JSON object per log line (``LOG_FORMAT=json``), for log collectors.

The masking filter (``bot.domain.privacy``) runs on the handler first; the
message, tracebacks, stacks and ``extra=`` fields are masked here as well, since
they reach the formatter outside what the filter sees.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

from bot.domain.privacy import mask_text

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
