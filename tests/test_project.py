"""Project-wide checks: lint, types, Rasa data validation and story tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.entrypoints.training import child_env, domain_path

BIN = Path(sys.executable).parent


def run(*command: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command),
        cwd=PROJECT_ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_ruff_is_clean() -> None:
    result = run(
        str(BIN / "ruff"), "check", "bot", "actions", "channels", "console", "tests", "scripts"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    # tests/auxil/actions.py: the actions' test double must match ResidentServices.
    result = run(
        str(BIN / "mypy"), "bot", "actions", "channels", "console", "tests/auxil/actions.py"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_layer_contracts_are_kept() -> None:
    """lint-imports: the layers and forbidden imports in pyproject's [tool.importlinter]."""
    result = run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout and result.stdout.count("KEPT") >= 3


def test_rasa_data_validate_is_clean() -> None:
    result = run(
        str(BIN / "rasa"),
        "data",
        "validate",
        "--domain",
        str(domain_path()),
        "--data",
        "nlu/data",
        "--config",
        "config.yml",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]


@pytest.mark.slow
def test_story_tests_pass(trained_model: Path, tmp_path: Path) -> None:
    result = run(
        str(BIN / "rasa"),
        "test",
        "core",
        "--stories",
        "tests/stories",
        "--model",
        str(trained_model),
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    failed = tmp_path / "failed_test_stories.yml"
    detail = (
        failed.read_text() if failed.exists() else result.stdout[-4000:] + result.stderr[-4000:]
    )
    assert result.returncode == 0, detail
