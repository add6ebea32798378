"""JSON log lines (LOG_FORMAT=json): one masked object per line, extra fields kept."""

from __future__ import annotations

import json
import subprocess
import sys

from bot.config import PROJECT_ROOT

# A server's logging configuration (handler, masking filter, formatter factory), loaded
# with dictConfig as Rasa loads its logging file, then what a turn might log.
CONFIG = {
    "version": 1,
    "filters": {"mask": {"()": "bot.domain.privacy.MaskingFilter"}},
    "formatters": {"main": {"()": "bot.entrypoints.json_log.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "main",
            "filters": ["mask"],
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": ["console"]},
}
SCRIPT = f"""
import logging, logging.config
logging.config.dictConfig({CONFIG!r})
log = logging.getLogger("tabik.test")
extra = {{"ticket": "ADU-261128-7KQ2"}}
log.info("filed for NIK %s phone %s", "1871012345678901", "081234567890", extra=extra)
try:
    raise ValueError("bad NIK 1871012345678901")
except ValueError:
    log.exception("turn failed")
"""


def run_logging() -> list[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    return done.stderr.strip().splitlines()


def test_json_lines_are_masked_and_keep_extra_fields() -> None:
    lines = run_logging()

    assert len(lines) == 2  # the traceback stays inside its line
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "INFO" and first["logger"] == "tabik.test"
    assert first["ticket"] == "ADU-261128-7KQ2"
    assert "1871012345678901" not in first["message"] and "081234567890" not in first["message"]
    assert "1871********8901" in first["message"]
    assert "ValueError" in second["exception"]
    assert "1871012345678901" not in second["exception"]
