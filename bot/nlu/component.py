"""``StatelessComponent``: the Rasa plumbing of a component that learns nothing from training."""

from __future__ import annotations

from typing import Any, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

C = TypeVar("C", bound="StatelessComponent")


class StatelessComponent(GraphComponent):
    """Made from its configuration alone; training data passes through unchanged.

    Subclasses implement ``process`` (and ``get_default_config`` when they have options).
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls: type[C],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> C:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
