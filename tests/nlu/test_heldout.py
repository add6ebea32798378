"""The trained model on the held-out set (written apart from the training data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.entrypoints.evaluation import (
    CIVIL_REGISTRY_FILE,
    DEFAULT_TEST_FILES,
    ModelParser,
    Report,
    evaluate,
)

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def heldout(trained_model: Path, nlu_parser: ModelParser) -> Report:
    return evaluate(trained_model, DEFAULT_TEST_FILES[0], nlu_parser)


@pytest.fixture(scope="module")
def civil_registry(trained_model: Path, nlu_parser: ModelParser) -> Report:
    return evaluate(trained_model, CIVIL_REGISTRY_FILE, nlu_parser)


# Measured 0.986 accuracy and 0.987 macro-F1, 487 of the 494 messages right
# (before the third pass of boundary data: 0.970 and 0.974 on this machine,
# 0.962 and 0.967 when first measured elsewhere); 0.97 (480 right) leaves room
# for the few messages that move between seeded runs on different CPUs.
HELDOUT_ACCURACY = 0.97
HELDOUT_MACRO_F1 = 0.96


def test_heldout_intent_accuracy(heldout: Report) -> None:
    assert heldout.intent_accuracy >= HELDOUT_ACCURACY, heldout.confusions


def test_heldout_macro_f1(heldout: Report) -> None:
    assert heldout.intent_macro_f1 >= HELDOUT_MACRO_F1, {
        name: s.f1 for name, s in heldout.per_intent.items() if s.f1 < HELDOUT_MACRO_F1
    }


def test_heldout_canonical_entities(heldout: Report) -> None:
    assert heldout.entity_micro.f1 >= 0.85, heldout.per_entity


def test_civil_registry_questions_get_the_right_document(civil_registry: Report) -> None:
    assert civil_registry.per_entity["document_type"].recall >= 0.90


def test_heldout_set_is_not_in_the_training_data() -> None:
    # Short replies ("ya", "makasih min") are bound to coincide between two
    # independently written sets; anything of four words or more must not.
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.config import PROJECT_ROOT

    training = {
        m.get("text").strip().lower()
        for m in load_data(str(PROJECT_ROOT / "nlu" / "data" / "nlu")).intent_examples
    }
    for path in (DEFAULT_TEST_FILES[0], CIVIL_REGISTRY_FILE):
        held = {
            text
            for m in load_data(str(path)).intent_examples
            if len((text := m.get("text").strip().lower()).split()) >= 4
        }
        assert not held & training, sorted(held & training)[:10]
