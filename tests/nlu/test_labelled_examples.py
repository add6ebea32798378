"""Admin-labelled examples (nlu/data/nlu/labelled.yml) never overlap the held-out set."""

from __future__ import annotations

from bot.config import PROJECT_ROOT
from bot.domain.normalise import normalise_text
from bot.services.labelled_examples import (
    LabelledExamples,
    domain_intents,
    held_out_texts,
    plain_text,
    read_examples,
)

TEST_DIR = PROJECT_ROOT / "tests" / "nlu"


def test_labelled_examples_are_not_in_the_held_out_set() -> None:
    labelled = read_examples(LabelledExamples(PROJECT_ROOT).path)
    overlap = {
        text
        for texts in labelled.values()
        for text in texts
        if normalise_text(plain_text(text)) in held_out_texts(TEST_DIR)
    }
    assert overlap == set(), "held-out messages must never become training data"


def test_labelled_examples_use_the_domain_intents() -> None:
    labelled = read_examples(LabelledExamples(PROJECT_ROOT).path)
    assert set(labelled) <= set(domain_intents(PROJECT_ROOT))


def test_the_held_out_set_is_read_with_annotations_removed() -> None:
    texts = held_out_texts(TEST_DIR)
    assert len(texts) > 300
    assert not any("](" in t or "]{" in t for t in texts)
