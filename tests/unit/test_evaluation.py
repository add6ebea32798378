"""The held-out figures admins compare models by: intent accuracy, macro-F1, entity scores."""

from __future__ import annotations

from bot.entrypoints.evaluation import Example, Prediction, score


def example(intent: str, *entities: tuple[str, str]) -> Example:
    return Example(text=intent, intent=intent, entities=frozenset(entities))


def predicted(intent: str, *entities: tuple[str, str]) -> Prediction:
    return Prediction(intent=intent, confidence=0.9, entities=frozenset(entities))


def test_intent_and_entity_figures_on_a_small_set() -> None:
    examples = [
        example("greet"),
        example("greet"),
        example("check_tax", ("plate_number", "BE 1234 AB")),
        example("help"),
    ]
    predictions = [
        predicted("greet"),
        predicted("check_tax"),  # a greeting taken for a tax question
        predicted("check_tax", ("plate_number", "BE 1234 AB"), ("nik", "1871015508900003")),
        predicted("out_of_scope"),  # an intent the set does not contain
    ]
    report = score(examples, predictions)

    assert report.intent_accuracy == 0.5
    assert report.per_intent["greet"].recall == 0.5 and report.per_intent["greet"].precision == 1
    assert report.per_intent["check_tax"].precision == 0.5
    assert report.per_intent["help"].f1 == 0.0
    # Macro-F1 averages the intents of the set: (2/3 + 2/3 + 0) / 3.
    assert report.intent_macro_f1 == 0.4444
    assert "out_of_scope" not in report.per_intent
    # Only entity kinds the set annotates count; the plate was found.
    assert report.entity_micro.f1 == 1.0
    assert sorted(c[:2] for c in report.confusions) == [
        ("greet", "check_tax"),
        ("help", "out_of_scope"),
    ]


def test_an_empty_set_scores_zero() -> None:
    report = score([], [])
    assert (report.intent_accuracy, report.intent_macro_f1, report.per_intent) == (0.0, 0.0, {})
