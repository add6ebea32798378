"""``nlu/data/nlu/labelled.yml``: training examples admins labelled from the NLU inbox.

Plain Rasa NLU YAML, one block per intent in alphabetical order and examples in
the order they were labelled, so each label is a one-line diff to review. Texts of
the held-out set (``tests/nlu/``) are refused: a trained-on message says nothing
about the model any more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.domain.errors import TabikError, with_message
from bot.domain.normalise import normalise_text

HEADER = """\
# Examples labelled by admins from the NLU inbox (python -m bot.cli nlu label ID INTENT).
# Reviewed like any training data; NIKs and phone numbers were masked before labelling.
"""


class UnknownIntent(TabikError):
    def __init__(self, intent: str, known: Iterable[str]) -> None:
        self.intent = intent
        self.known = sorted(known)
        super().__init__(f"unknown intent {intent!r}; the intents are: {' '.join(self.known)}")


@with_message("{text!r} is in the held-out test set and never becomes training data")
class HeldOutExample(TabikError):
    text: str


@with_message("{text!r} is already labelled {intent}")
class AlreadyLabelled(TabikError):
    text: str
    intent: str


def domain_intents(root: Path) -> list[str]:
    # Rasa takes either a domain/ folder or one domain.yml.
    path = root / "domain" if (root / "domain").is_dir() else root / "domain.yml"
    files = sorted(path.rglob("*.yml")) if path.is_dir() else [path]
    intents: list[str] = []
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for entry in data.get("intents") or []:
            intents.append(next(iter(entry)) if isinstance(entry, dict) else str(entry))
    return intents


def read_examples(path: Path) -> dict[str, list[str]]:
    """``{intent: [text, …]}`` from a Rasa NLU YAML file (annotations kept as written)."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: dict[str, list[str]] = {}
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        lines = str(block.get("examples") or "").splitlines()
        texts = [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]
        examples.setdefault(str(block["intent"]), []).extend(texts)
    return examples


def plain_text(example: str) -> str:
    """The text of an annotated example: ``[lamsel](kabupaten_kota)`` → ``lamsel``."""

    return re.sub(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})", r"\1", example)


def held_out_texts(test_dir: Path) -> set[str]:
    return {
        normalise_text(plain_text(text))
        for file in sorted(test_dir.glob("*.yml"))
        for texts in read_examples(file).values()
        for text in texts
    }


class LabelledExamples:
    def __init__(self, root: Path, *, test_dir: Path | None = None) -> None:
        self.root = root
        self.path = root / "nlu" / "data" / "nlu" / "labelled.yml"
        self.test_dir = test_dir if test_dir is not None else root / "tests" / "nlu"

    def check_intent(self, intent: str) -> None:
        known = domain_intents(self.root)
        if intent not in known:
            raise UnknownIntent(intent, known)

    def add(self, text: str, intent: str) -> None:
        self.check_intent(intent)
        text = " ".join(text.split())
        if normalise_text(text) in held_out_texts(self.test_dir):
            raise HeldOutExample(text)
        examples = read_examples(self.path)
        for other, texts in examples.items():
            if text in texts:
                raise AlreadyLabelled(text, other)
        examples.setdefault(intent, []).append(text)
        self.write(examples)

    def write(self, examples: dict[str, list[str]]) -> None:
        lines = [HEADER, 'version: "3.1"', "nlu:"]
        for intent in sorted(examples):
            lines += [f"- intent: {intent}", "  examples: |"]
            lines += [f"    - {text}" for text in examples[intent]]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".yml.tmp")
        temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
        temporary.replace(self.path)
