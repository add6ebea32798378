"""Held-out NLU figures of a trained model: intent accuracy, macro-F1, entities, confusions.

Reads Rasa NLU YAML test files whose entity annotations carry the canonical
value (``[lamsel]{"entity": "kabupaten_kota", "value": "Lampung Selatan"}``),
parses every example with a trained model, and reports intent accuracy,
macro-F1, per-intent F1, canonical entity scores and the worst confusions.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT

DEFAULT_TEST_FILES = (PROJECT_ROOT / "tests" / "nlu" / "test_nlu.yml",)
CIVIL_REGISTRY_FILE = PROJECT_ROOT / "tests" / "nlu" / "civil_registry.yml"


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Prediction:
    intent: str
    confidence: float
    entities: frozenset[tuple[str, str]]


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Report:
    examples: int
    intent_accuracy: float
    intent_macro_f1: float
    per_intent: dict[str, Scores]
    entity_micro: Scores
    per_entity: dict[str, Scores]
    confusions: list[tuple[str, str, int]]
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)


def load_examples(path: Path) -> list[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    examples = []
    for message in data.intent_examples:
        entities = frozenset(
            (str(e["entity"]), str(e.get("value", ""))) for e in message.get("entities") or []
        )
        examples.append(Example(message.get("text"), message.get("intent"), entities))
    return examples


def _scores(tp: int, fp: int, fn: int) -> Scores:
    """Scores from counts: entities are matched as sets of (entity, canonical value) pairs
    per example, which scikit-learn's label-aligned metrics do not model."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(round(precision, 4), round(recall, 4), round(f1, 4), tp + fn)


def intent_scores(
    expected: Sequence[str], predicted: Sequence[str]
) -> tuple[float, float, dict[str, Scores]]:
    """Accuracy, macro-F1 over the expected intents, and each expected intent's scores."""
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    if not expected:
        return 0.0, 0.0, {}
    intents = sorted(set(expected))
    precision, recall, f1, support = precision_recall_fscore_support(
        expected, predicted, labels=intents, zero_division=0
    )
    per_intent = {
        intent: Scores(round(float(p), 4), round(float(r), 4), round(float(f), 4), int(n))
        for intent, p, r, f, n in zip(intents, precision, recall, f1, support, strict=True)
    }
    accuracy = round(float(accuracy_score(expected, predicted)), 4)
    return accuracy, round(float(f1.mean()), 4), per_intent


def score(examples: Sequence[Example], predictions: Sequence[Prediction]) -> Report:
    accuracy, macro_f1, per_intent = intent_scores(
        [e.intent for e in examples], [p.intent for p in predictions]
    )
    confusions = Counter(
        (e.intent, p.intent)
        for e, p in zip(examples, predictions, strict=True)
        if e.intent != p.intent
    )
    kinds = sorted({k for e in examples for k, _ in e.entities})
    per_entity: dict[str, Scores] = {}
    total = [0, 0, 0]
    for kind in kinds:
        tp = fp = fn = 0
        for e, p in zip(examples, predictions, strict=True):
            gold = {x for x in e.entities if x[0] == kind}
            got = {x for x in p.entities if x[0] == kind}
            tp += len(gold & got)
            fp += len(got - gold)
            fn += len(gold - got)
        per_entity[kind] = _scores(tp, fp, fn)
        total = [total[0] + tp, total[1] + fp, total[2] + fn]
    errors = [
        {
            "text": e.text,
            "expected": e.intent,
            "predicted": p.intent,
            "confidence": round(p.confidence, 3),
            "missing_entities": sorted(e.entities - p.entities),
            "extra_entities": sorted(
                x for x in p.entities - e.entities if x[0] in {k for k, _ in e.entities}
            ),
        }
        for e, p in zip(examples, predictions, strict=True)
        if e.intent != p.intent or not e.entities <= p.entities
    ]
    return Report(
        examples=len(examples),
        intent_accuracy=accuracy,
        intent_macro_f1=macro_f1,
        per_intent=per_intent,
        entity_micro=_scores(*total),
        per_entity=per_entity,
        confusions=[(g, p, n) for (g, p), n in confusions.most_common(10)],
        errors=errors,
    )


class ModelParser:
    """Parses texts with a trained model, in-process (no server needed)."""

    def __init__(self, model_path: Path) -> None:
        from rasa.core.agent import Agent
        from rasa.utils.log_utils import configure_structlog

        # Rasa's structured logger prints every parse at debug level otherwise.
        configure_structlog(logging.WARNING)

        self._agent = Agent.load(str(model_path))

    async def parse(self, text: str) -> Prediction:
        result = await self._agent.parse_message(text)
        intent = result.get("intent") or {}
        return Prediction(
            intent=str(intent.get("name")),
            confidence=float(intent.get("confidence") or 0.0),
            entities=frozenset(
                (str(e["entity"]), str(e.get("value"))) for e in result.get("entities") or []
            ),
        )

    def parse_all(self, texts: Sequence[str]) -> list[Prediction]:
        async def run() -> list[Prediction]:
            return [await self.parse(t) for t in texts]

        return asyncio.run(run())


def evaluate(model_path: Path, test_file: Path, parser: ModelParser | None = None) -> Report:
    examples = load_examples(test_file)
    parser = parser or ModelParser(model_path)
    return score(examples, parser.parse_all([e.text for e in examples]))


def format_report(report: Report, title: str, *, show_errors: int = 15) -> str:
    lines = [
        f"== {title} ({report.examples} examples)",
        f"intent accuracy  {report.intent_accuracy:.3f}",
        f"intent macro-F1  {report.intent_macro_f1:.3f}",
        "",
        f"{'intent':<20} {'prec':>6} {'rec':>6} {'F1':>6} {'n':>4}",
    ]
    for name, s in sorted(report.per_intent.items(), key=lambda kv: kv[1].f1):
        lines.append(f"{name:<20} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.support:4d}")
    m = report.entity_micro
    lines += [
        "",
        f"entities (canonical values) micro P {m.precision:.3f} R {m.recall:.3f} F1 {m.f1:.3f}",
        f"{'entity':<20} {'prec':>6} {'rec':>6} {'F1':>6} {'n':>4}",
    ]
    for name, s in sorted(report.per_entity.items()):
        lines.append(f"{name:<20} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.support:4d}")
    lines += ["", "worst confusions (expected -> predicted: count)"]
    lines += [f"  {g} -> {p}: {n}" for g, p, n in report.confusions] or ["  none"]
    if show_errors and report.errors:
        lines += ["", f"first {min(show_errors, len(report.errors))} errors"]
        for error in report.errors[:show_errors]:
            lines.append(
                f"  {error['text']!r}: {error['expected']} -> {error['predicted']}"
                f" ({error['confidence']}) missing {error['missing_entities']}"
            )
    return "\n".join(lines)
