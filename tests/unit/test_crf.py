"""The stored CRF: loaded from its fitted taggers (no fit, so no GIL held for seconds
while a server swaps models), tagging exactly as the freshly trained one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.crf import StoredCRFEntityExtractor

PLACES = ["kedaton", "rajabasa", "natar", "metro", "kotabumi", "panjang", "sukarame"]
PROBLEMS = ["jalan rusak di", "lampu mati di", "sampah numpuk di", "banjir di"]
UNSEEN = ["jalan rusak di sukarame", "banjir di natar", "halo min"]


def example(problem: str, place: str) -> Message:
    text = f"{problem} {place}"
    start = len(problem) + 1
    entity = {"start": start, "end": start + len(place), "value": place, "entity": "kecamatan"}
    return Message.build(text, "file_complaint", entities=[entity])


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


class Reader:
    """Tokens and word-count features, which the CRF needs before it reads a message."""

    def __init__(self, storage: LocalModelStorage, context: ExecutionContext) -> None:
        self.tokenizer = WhitespaceTokenizer.create(
            WhitespaceTokenizer.get_default_config(), storage, Resource("tokenizer"), context
        )
        self.featurizer = CountVectorsFeaturizer.create(
            CountVectorsFeaturizer.get_default_config(), storage, Resource("counts"), context
        )

    def process_training_data(self, data: TrainingData) -> None:
        self.tokenizer.process_training_data(data)
        self.featurizer.train(data)
        self.featurizer.process_training_data(data)

    def process(self, messages: list[Message]) -> None:
        self.tokenizer.process(messages)
        self.featurizer.process(messages)


@pytest.fixture
def tokenizer(storage: LocalModelStorage, context: ExecutionContext) -> Reader:
    return Reader(storage, context)


def trained(
    kind: type[CRFEntityExtractor],
    name: str,
    storage: LocalModelStorage,
    context: ExecutionContext,
    tokenizer: Reader,
) -> CRFEntityExtractor:
    data = TrainingData([example(p, place) for p in PROBLEMS for place in PLACES])
    tokenizer.process_training_data(data)
    extractor = kind.create(kind.get_default_config(), storage, Resource(name), context)
    extractor.train(data)
    return extractor


def tagged(extractor: CRFEntityExtractor, tokenizer: Reader) -> list[Any]:
    messages = [Message(data={"text": text}) for text in UNSEEN]
    tokenizer.process(messages)
    extractor.process(messages)
    return [
        [(e["entity"], e["value"], round(e["confidence_entity"], 6)) for e in m.get("entities")]
        for m in messages
    ]


def test_a_stored_crf_loads_without_fitting_and_tags_like_the_trained_one(
    storage, context, tokenizer, monkeypatch
) -> None:
    fresh = trained(StoredCRFEntityExtractor, "crf", storage, context, tokenizer)
    expected = tagged(fresh, tokenizer)
    assert ("kecamatan", "sukarame") == expected[0][0][:2]

    def no_fit(*_args: Any) -> None:
        raise AssertionError("the CRF was fitted again at load")

    monkeypatch.setattr(CRFEntityExtractor, "train_model", no_fit)
    config = StoredCRFEntityExtractor.get_default_config()
    loaded = StoredCRFEntityExtractor.load(config, storage, Resource("crf"), context)
    assert tagged(loaded, tokenizer) == expected


def test_a_model_stored_by_rasas_own_crf_still_loads(storage, context, tokenizer) -> None:
    rasas = trained(CRFEntityExtractor, "rasa-crf", storage, context, tokenizer)
    config = StoredCRFEntityExtractor.get_default_config()
    loaded = StoredCRFEntityExtractor.load(config, storage, Resource("rasa-crf"), context)
    assert tagged(loaded, tokenizer) == tagged(rasas, tokenizer)


def test_a_component_that_never_trained_loads_empty(storage, context, tokenizer) -> None:
    config = StoredCRFEntityExtractor.get_default_config()
    loaded = StoredCRFEntityExtractor.load(config, storage, Resource("never"), context)
    assert tagged(loaded, tokenizer) == [[], [], []]
