"""Project-wide checks: lint, types, layers, module size, Rasa data validation and story tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from bot.config import PROJECT_ROOT
from bot.entrypoints.training import child_env, domain_path

BIN = Path(sys.executable).parent
PACKAGES = ("bot", "actions", "channels", "console")
# A module over this many lines holds more than one concept: split it by concept.
MAX_MODULE_LINES = 400


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


def test_no_module_is_over_the_line_limit() -> None:
    too_long = {
        path.relative_to(PROJECT_ROOT).as_posix(): lines
        for folder in (*PACKAGES, "scripts")
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}, f"over {MAX_MODULE_LINES} lines: {too_long}"


def import_circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of modules that import each other in a circle (Tarjan's components)."""
    order: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = lowest[module] = len(order)
        stack.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in order:
                visit(imported)
                lowest[module] = min(lowest[module], lowest[imported])
            elif imported in stack:
                lowest[module] = min(lowest[module], order[imported])
        if lowest[module] == order[module]:
            component = stack[stack.index(module) :]
            del stack[stack.index(module) :]
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    return circles


def test_no_import_circle_but_typing_ones() -> None:
    """Imports run one way: a circle is allowed only through ``if TYPE_CHECKING:`` imports."""
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)
    assert import_circles(graph) == []


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
