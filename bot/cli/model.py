"""``model train|evaluate|deploy|rollback|list``: candidate NLU models for admins
(:mod:`bot.services.models`, as the console's models page).

``RASA_URLS`` (comma-separated) lists the Rasa instances a deploy swaps; by default
the local one (``RASA_URL``). ``RASA_API_TOKEN`` is sent to them; ``TABIK_MODELS_DIR``
holds the models (default ``models/``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.bootstrap import build_model_service
from bot.cli import add_area
from bot.config import get_settings
from bot.services.models import InstanceResult, ModelService


def register(commands: Any) -> None:
    sub = add_area(commands, "model", run, help="train, evaluate, deploy and roll back NLU models")
    train = sub.add_parser("train", help="train a candidate from the current data")
    train.add_argument("--config", type=Path, help="another pipeline (default config.yml)")
    evaluate = sub.add_parser("evaluate", help="candidate vs running model, held-out set")
    evaluate.add_argument("name")
    evaluate.add_argument("--json", action="store_true")
    deploy = sub.add_parser("deploy", help="swap every instance to a model, no downtime")
    deploy.add_argument("name")
    deploy.add_argument("--force", action="store_true", help="deploy even when worse")
    sub.add_parser("rollback", help="every instance back to the model it ran before")
    listing = sub.add_parser("list", help="models, their figures, where each runs")
    listing.add_argument("--json", action="store_true")


def _report(results: list[InstanceResult], out: TextIO) -> int:
    for result in results:
        if result.ok:
            out.write(
                f"{result.url}: {result.model} (sebelumnya/previous {result.previous_model},"
                f" {result.load_seconds} s)\n"
            )
        else:
            out.write(f"{result.url}: GAGAL/FAILED {result.error}\n")
    failed = [r for r in results if not r.ok]
    if failed:
        sys.stderr.write(f"Gagal / failed on {len(failed)} of {len(results)} instances\n")
    return 1 if failed else 0


def run(args: argparse.Namespace, out: TextIO) -> int:
    # An entry point: Rasa's commands run in this process's environment.
    models, engine = build_model_service(get_settings(), environment=os.environ)
    try:
        return _run(models, args, out)
    finally:
        engine.dispose()


def _run(models: ModelService, args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "train":
        out.write(models.train(sys.stderr, config=args.config) + "\n")
        return 0
    if args.command == "evaluate":
        result = models.evaluate(args.name)
        if args.json:
            out.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        else:
            for side in ("candidate", "current"):
                f = result[side]
                out.write(
                    f"{side:<10} {f['model']}: accuracy {f['intent_accuracy']:.3f}"
                    f" macro-F1 {f['macro_f1']:.3f} entity F1 {f['entity_f1']:.3f}\n"
                )
            out.write(f"verdict: {result['verdict']}\n")
        return 0
    if args.command == "deploy":
        return _report(models.deploy(args.name, force=args.force), out)
    if args.command == "rollback":
        return _report(models.rollback(), out)
    listing = models.list_models()
    if args.json:
        out.write(json.dumps(listing, indent=2, ensure_ascii=False) + "\n")
        return 0
    for entry in listing:
        f = entry["figures"]
        figures = (
            f"acc {f['intent_accuracy']:.3f} macro-F1 {f['macro_f1']:.3f}"
            f" entity-F1 {f['entity_f1']:.3f}"
            if f
            else "not evaluated"
        )
        where = ", ".join(entry["deployed_on"]) or "-"
        before = ", ".join(entry["previous_on"])
        out.write(f"{entry['name']}  {figures}  deployed: {where}")
        out.write(f"  previous on: {before}\n" if before else "\n")
    return 0
