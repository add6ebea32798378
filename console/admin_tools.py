"""What the admins' NLU and model views work with: the NLU inbox, model administration,
the one running model job, and the audit log every admin action is written to.

The inbox and the model service block (database, Rasa's commands and HTTP), so each
method here runs its body in a worker thread (:func:`in_thread`).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from bot.domain.staff import StaffAccount
from bot.services.labelled_examples import domain_intents
from bot.services.models import InstanceResult, ModelService
from bot.services.nlu_inbox import InboxItem, NluInbox
from console.model_jobs import Audit, ModelJobs

P = ParamSpec("P")
R = TypeVar("R")


def in_thread(body: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """The blocking ``body`` as a coroutine function that runs it in a worker thread."""

    @functools.wraps(body)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return await asyncio.to_thread(body, *args, **kwargs)

    return run


class NotConfigured(Exception):
    """This console was started without the NLU inbox or the model service."""


@dataclass
class AdminTools:
    audit_writer: Audit
    inbox: NluInbox | None = None
    models: ModelService | None = None
    jobs: ModelJobs = field(init=False)

    def __post_init__(self) -> None:
        self.jobs = ModelJobs(self.model_service, self.audit_writer)

    def nlu_inbox(self) -> NluInbox:
        if self.inbox is None:
            raise NotConfigured("NLU inbox")
        return self.inbox

    def model_service(self) -> ModelService:
        if self.models is None:
            raise NotConfigured("model service")
        return self.models

    # --- the inbox --------------------------------------------------------------

    @in_thread
    def items(self) -> list[InboxItem]:
        return self.nlu_inbox().items()

    @in_thread
    def review(self) -> tuple[list[InboxItem], dict[int, list[tuple[str, float]]], list[str]]:
        """The open items, the intents suggested for each, and every intent of the domain."""
        inbox = self.nlu_inbox()
        items = inbox.items()
        suggestions = {i.id: inbox.suggestions(i.id) for i in items}
        return items, suggestions, sorted(domain_intents(inbox.examples.root))

    @in_thread
    def label(self, item_id: int, intent: str) -> str:
        return self.nlu_inbox().label(item_id, intent)

    @in_thread
    def ignore(self, item_id: int) -> None:
        self.nlu_inbox().ignore(item_id)

    # --- the models -------------------------------------------------------------

    @in_thread
    def list_models(self) -> list[dict[str, Any]]:
        return self.model_service().list_models()

    @in_thread
    def model(self, name: str) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Every model, and the held-out evaluation of ``name`` (None: not evaluated)."""
        models = self.model_service()
        return models.list_models(), models.records.evaluation(name)

    @in_thread
    def deploy(self, name: str, *, force: bool) -> list[InstanceResult]:
        return self.model_service().deploy(name, force=force)

    @in_thread
    def rollback(self) -> list[InstanceResult]:
        return self.model_service().rollback()

    def instances(self, listing: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each configured instance with the model last deployed to it (None: nothing recorded)."""
        running = {url: m["name"] for m in listing for url in m["deployed_on"]}
        return [
            {"url": url, "model": running.get(url)} for url in self.model_service().instance_urls
        ]

    # --- the audit log ----------------------------------------------------------

    @in_thread
    def audit(self, user: StaffAccount | None, action: str, subject: str, **details: Any) -> None:
        actor = user.actor if user is not None else "staff:?"
        self.audit_writer(actor, action, subject, details)
