"""Held-out NLU evaluation (``make evaluate``) and pipeline comparison (``make compare``).

The figures are :mod:`bot.adapters.nlu_evaluation`'s; this is their command line.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bot.adapters.nlu_evaluation import (
    CIVIL_REGISTRY_FILE,
    DEFAULT_TEST_FILES,
    Example,
    ModelParser,
    Prediction,
    Report,
    Scores,
    evaluate,
    format_report,
    intent_scores,
    load_examples,
    score,
)

__all__ = [
    "CIVIL_REGISTRY_FILE",
    "DEFAULT_TEST_FILES",
    "Example",
    "ModelParser",
    "Prediction",
    "Report",
    "Scores",
    "compare",
    "evaluate",
    "format_report",
    "intent_scores",
    "load_examples",
    "main",
    "score",
]


def compare(configs: Sequence[Path], test_file: Path) -> list[tuple[str, Report]]:
    import time

    from bot.entrypoints.training import train_nlu

    results = []
    workdir = Path(tempfile.mkdtemp(prefix="tabik-compare-"))
    for config in configs:
        started = time.monotonic()
        model = train_nlu(config, workdir, config.stem)
        print(f"trained {config.stem} in {time.monotonic() - started:.0f} s")
        report = evaluate(model, test_file)
        results.append((config.stem, report))
        print(format_report(report, f"{config.stem} on {test_file.name}", show_errors=0))
    print("\n== summary")
    print(f"{'pipeline':<28} {'acc':>6} {'macroF1':>8} {'entF1':>6}")
    for name, report in results:
        print(
            f"{name:<28} {report.intent_accuracy:6.3f} {report.intent_macro_f1:8.3f}"
            f" {report.entity_micro.f1:6.3f}"
        )
    return results


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(
        prog="python -m bot.entrypoints.evaluation", description=__doc__
    )
    parser.add_argument("command", nargs="?", default="evaluate", choices=["evaluate", "compare"])
    parser.add_argument("configs", nargs="*", type=Path)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--test-file", type=Path, default=DEFAULT_TEST_FILES[0])
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    if args.command == "compare":
        compare(args.configs, args.test_file)
        return 0
    if args.model is None:
        parser.error("--model is required")
    model_parser = ModelParser(args.model)
    report = evaluate(args.model, args.test_file, model_parser)
    print(format_report(report, f"held-out set {args.test_file.name}"))
    if CIVIL_REGISTRY_FILE.exists() and args.test_file != CIVIL_REGISTRY_FILE:
        civil = evaluate(args.model, CIVIL_REGISTRY_FILE, model_parser)
        doc = civil.per_entity.get("document_type")
        print()
        print(format_report(civil, "civil-registry questions", show_errors=10))
        if doc:
            print(f"document_type recall on civil-registry questions: {doc.recall:.3f}")
    if args.json:
        args.json.write_text(report.to_json())
    return 0


if __name__ == "__main__":
    sys.exit(main())
