"""``StoredCRFEntityExtractor``: Rasa's CRF entity extractor, loaded without training it again.

Rasa 3.6 stores only the CRF's training set in the model and fits the taggers anew
every time the model loads. That fit is seconds of a C call holding the GIL, so a
server loading a new model beside the running one (the zero-downtime swap in
``channels/model_admin.py``) stalled every request for that long. This extractor
also stores each fitted tagger, in crfsuite's own model format (no pickle), and
loads those; a model trained before it existed has none and is fitted as Rasa does.
Training, features and predictions are Rasa's own, unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sklearn_crfsuite
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor, CRFToken
from rasa.shared.utils.io import read_json_file

__all__ = ["StoredCRFEntityExtractor"]


def _tagger_file(model_dir: Path, tag_name: str) -> Path:
    return model_dir / f"crf_tagger_{tag_name}.crfsuite"


def _stored_tagger(path: Path) -> sklearn_crfsuite.CRF:
    """A fitted CRF read from crfsuite's model file (copied to its own temporary file,
    which the CRF deletes when it is collected, as after a fit)."""
    tagger = sklearn_crfsuite.CRF()
    tagger.modelfile.ensure_name()
    Path(tagger.modelfile.name).write_bytes(path.read_bytes())
    if tagger.tagger_ is None:  # opens the file now: a broken one fails the load, not a parse
        raise ValueError(f"{path.name} holds no CRF model")
    return tagger


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class StoredCRFEntityExtractor(CRFEntityExtractor):
    def persist(self, dataset: list[list[CRFToken]]) -> None:
        super().persist(dataset)
        with self._model_storage.write_to(self._resource) as model_dir:
            for tag_name, tagger in self.entity_taggers.items():
                _tagger_file(model_dir, tag_name).write_bytes(
                    Path(tagger.modelfile.name).read_bytes()
                )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CRFEntityExtractor:
        try:
            with model_storage.read_from(resource) as model_dir:
                crf_order = read_json_file(model_dir / "crf_order.json")
                files = {name: _tagger_file(model_dir, name) for name in crf_order}
                if not all(path.exists() for path in files.values()):
                    return super().load(config, model_storage, resource, execution_context)
                taggers = {name: _stored_tagger(path) for name, path in files.items()}
        except ValueError:
            # No resource: nothing had entities to learn (Rasa warns and goes on the same way).
            return super().load(config, model_storage, resource, execution_context)
        extractor = cls(config, model_storage, resource, taggers)
        extractor.crf_order = crf_order
        return extractor
