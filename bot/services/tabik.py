"""The composition of Tabik's use cases: one object the entry points hold.

Each feature lives in its own module (filing, lookups, officers, notifications,
handoff, information, public data, ratings); :class:`Tabik` builds them over one unit
of work factory and one clock and offers their methods side by side. Actions
see it only as :class:`bot.services.ports.ResidentServices`.
"""

from __future__ import annotations

from bot.domain import tickets
from bot.domain.knowledge import KnowledgeBase
from bot.services.filing import Filing
from bot.services.handoff import DAILY_HANDOFF_LIMIT, Handoffs
from bot.services.information import Information
from bot.services.key_value import KeyValueStore
from bot.services.limits import DEFAULT_COMPLAINTS_PER_DAY, DailyLimit
from bot.services.lookups import LOOKUP_MISS_LIMIT, LOOKUP_WINDOW_SECONDS, Lookups
from bot.services.messaging import Messenger
from bot.services.notifications import StatusNotices
from bot.services.officers import Officers
from bot.services.ports import PublicDataSources, ResidentServices
from bot.services.public_data import PublicData
from bot.services.ratings import Ratings
from bot.services.shared import Clock, UnitOfWorkFactory, utc_now
from bot.services.views import NumberGenerator

__all__ = ["Tabik"]


class Tabik:
    """The system of record's services, over units of work from ``uow_factory``.

    ``messenger`` (the outbox) carries a status change's notice to the resident; without
    it no status can change. ``knowledge`` (the YAML knowledge base) and ``providers``
    (the outside-system adapters) are optional: the CLI's ticket commands need neither,
    and the methods that do raise NotConfigured without them.
    ``complaints_per_day`` limits each chat account; None (the staff desk, filing for
    walk-in residents all day) sets no limit.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        *,
        store: KeyValueStore,
        messenger: Messenger | None = None,
        knowledge: KnowledgeBase | None = None,
        providers: PublicDataSources | None = None,
        clock: Clock = utc_now,
        number_generator: NumberGenerator = tickets.generate,
        lookup_miss_limit: int = LOOKUP_MISS_LIMIT,
        lookup_window_seconds: float = LOOKUP_WINDOW_SECONDS,
        complaints_per_day: int | None = DEFAULT_COMPLAINTS_PER_DAY,
        handoff_daily_limit: int = DAILY_HANDOFF_LIMIT,
    ) -> None:
        self.uow_factory = uow_factory
        self.filing = Filing(
            uow_factory,
            clock=clock,
            number_generator=number_generator,
            complaint_limit=None
            if complaints_per_day is None
            else DailyLimit("complaints", complaints_per_day),
        )
        self.lookups = Lookups(
            uow_factory,
            store=store,
            miss_limit=lookup_miss_limit,
            window_seconds=lookup_window_seconds,
        )
        self.notices = None if messenger is None else StatusNotices(messenger)
        self.officers = Officers(uow_factory, clock=clock, notices=self.notices)
        self.handoffs = Handoffs(
            uow_factory,
            office_hours=knowledge.office_schedule if knowledge is not None else None,
            daily_limit=handoff_daily_limit,
            clock=clock,
        )
        self.information = Information(knowledge)
        self.public_data = PublicData(providers)
        self.ratings = Ratings(uow_factory, clock=clock)

        # The features' methods, offered side by side (bound once, typed by mypy).
        self.file_complaint = self.filing.file_complaint
        self.apply_for_document = self.filing.apply_for_document
        self.ticket_status = self.lookups.ticket_status
        self.tickets_of = self.lookups.tickets_of
        self.ticket_record = self.officers.ticket_record
        self.change_status = self.officers.change_status
        self.request_handoff = self.handoffs.request_handoff
        self.requirement = self.information.requirement
        self.offices = self.information.offices
        self.office_hours = self.information.office_hours
        self.emergency_numbers = self.information.emergency_numbers
        self.vehicle_tax = self.public_data.vehicle_tax
        self.social_aid = self.public_data.social_aid
        self.food_prices = self.public_data.food_prices
        self.request_rating = self.ratings.request_rating
        self.pending_rating = self.ratings.pending_rating
        self.rate_ticket = self.ratings.rate_ticket
        self.explain_rating = self.ratings.explain_rating


def _check(tabik: Tabik) -> ResidentServices:
    """mypy proves here that Tabik offers everything the actions call."""
    return tabik
