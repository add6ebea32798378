"""What the public-data actions share: an outside system that may be down.

Vehicle tax, social aid and food prices each ask one outside system through
the services. When it gives no usable answer the resident hears that the
service is disturbed (``unavailable_response``) and the operator finds the
service, reason and HTTP status in the log; either way the form's slots are
cleared so the next question starts fresh.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.menu import offer_other_request
from actions.tracker import slot_resets
from bot.domain.errors import UpstreamError

logger = logging.getLogger(__name__)


class PublicDataAction(Action, ABC):
    slots: ClassVar[tuple[str, ...]]
    unavailable_response: ClassVar[str]
    # The intent that asks this service: a second request in the message is offered.
    intent: ClassVar[str]

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            await self.answer(dispatcher, tracker, domain)
        except UpstreamError as error:
            logger.error(
                "%s failed: %s: %s (status %s)",
                self.name(),
                error.service,
                error.reason,
                error.status,
            )
            dispatcher.utter_message(response=self.unavailable_response)
        remembered = self.remembered(tracker)
        offer_other_request(dispatcher, tracker, answered=self.intent)
        return slot_resets(self.slots) + ([remembered] if remembered else [])

    def remembered(self, tracker: Tracker) -> EventType | None:
        """What a follow-up may change (``actions.tracker.remember``); None to keep nothing."""
        return None

    @abstractmethod
    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> None:
        """Look up and utter the answer; UpstreamError is handled by :meth:`run`."""
