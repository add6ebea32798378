"""What the action server finds in the ``actions`` package."""

from __future__ import annotations

import inspect
from collections import Counter
from typing import Any

from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.utils import all_subclasses


def ours(action: type) -> bool:
    # Other tests define actions of their own (tests.auxil): only this package's count.
    return action.__module__.startswith("actions.") and not inspect.isabstract(action)


def test_the_action_server_runs_exactly_the_actions_the_domain_names(domain: dict[str, Any]):
    executor = ActionExecutor()
    executor.register_package("actions")
    found = {name for name, run in executor.actions.items() if ours(type(run.__self__))}
    assert sorted(found) == sorted(domain["actions"])


def test_no_two_actions_share_a_name():
    names = Counter(action().name() for action in set(all_subclasses(Action)) if ours(action))
    assert [name for name, count in names.items() if count > 1] == []
