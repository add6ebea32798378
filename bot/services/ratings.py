"""Rating the handling of a ticket after ``selesai``.

A status change to ``selesai`` asks (``bot.services.notifications``, with the notice;
:meth:`Ratings.request_rating` asks again);
the conversation answers (:meth:`Ratings.pending_rating` tells an action whether a
bare "4" answers the question or means the main menu, then :meth:`Ratings.rate_ticket`
and :meth:`Ratings.explain_rating` store it). One question is pending per chat
account: the newest. It lapses after ``RATING_ANSWER_WINDOW`` or once answered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.domain.errors import RatingNotPending, TicketNotFound
from bot.domain.identity import ChatIdentity
from bot.domain.model import ChatAccount, Ticket, TicketStatus
from bot.domain.ratings import MAX_SCORE, MIN_SCORE, RATING_ANSWER_WINDOW
from bot.services.shared import UnitOfWorkService, audit, chat_account, in_thread
from bot.services.unit_of_work import AbstractUnitOfWork

__all__ = ["PendingRating", "Ratings", "ask_rating"]

log = logging.getLogger(__name__)

REASON_MAX_CHARS = 1000


@dataclass(frozen=True)
class PendingRating:
    """The question waiting for this chat's answer."""

    number: str
    asked_at: datetime


class Ratings(UnitOfWorkService):
    @in_thread
    def request_rating(self, number: str, *, identity: ChatIdentity) -> bool:
        """Record that ``identity`` is asked to rate ``number``; False when there is nothing to ask

        (the ticket is not ``selesai`` or was rated already). Asking again is harmless.
        """
        with self.uow_factory() as uow:
            ticket = uow.tickets.get(number)
            if ticket is None:
                raise TicketNotFound(number)
            now = self.clock()
            account = chat_account(uow, identity, now)
            if not ask_rating(uow, ticket, account, now):
                return False
            uow.commit()
            log.info("rating of %s asked from %s", number, identity.masked())
            return True

    @in_thread
    def pending_rating(self, identity: ChatIdentity) -> PendingRating | None:
        """The question this chat may answer now, or None (none asked, expired or answered)."""
        with self.uow_factory() as uow:
            account = uow.identities.get(identity.channel, identity.account)
            if account is None or account.id is None:
                return None
            row = uow.ratings.pending(account.id)
            if row is None:
                return None
            if self.clock() - row.asked_at > RATING_ANSWER_WINDOW or uow.ratings.get(row.ticket_id):
                # Lapsed: from now on a bare number means the menu again.
                uow.ratings.forget(account.id)
                uow.commit()
                return None
            return PendingRating(number=row.number, asked_at=row.asked_at)

    @in_thread
    def rate_ticket(self, number: str, score: int, *, identity: ChatIdentity) -> None:
        """Store the answer to the pending question about ``number``; RatingNotPending otherwise."""
        if not MIN_SCORE <= score <= MAX_SCORE:
            raise ValueError(f"a rating is {MIN_SCORE}–{MAX_SCORE}, not {score}")
        with self.uow_factory() as uow:
            now = self.clock()
            account_id, ticket_id = _pending(uow, identity, number, now)
            uow.ratings.add(ticket_id, score, now)
            uow.ratings.forget(account_id)
            audit(uow, f"identity:{account_id}", "ticket.rated", number, now, {"score": score})
            uow.commit()
        log.info("%s rated %d by %s", number, score, identity.masked())

    @in_thread
    def explain_rating(self, number: str, reason: str, *, identity: ChatIdentity) -> None:
        """Add the resident's reason to their rating of ``number`` (once, by the filer)."""
        reason = reason.strip()[:REASON_MAX_CHARS]
        if not reason:
            return
        with self.uow_factory() as uow:
            account = uow.identities.get(identity.channel, identity.account)
            ticket = uow.tickets.get(number)
            if account is None or ticket is None or ticket.filed_by_identity_id != account.id:
                raise RatingNotPending(number, "not this chat's ticket")
            assert ticket.id is not None
            stored = uow.ratings.get(ticket.id)
            if stored is None:
                raise RatingNotPending(number, "not rated")
            if stored.comment is not None:
                raise RatingNotPending(number, "reason given already")
            now = self.clock()
            uow.ratings.set_comment(ticket.id, reason)
            audit(uow, f"identity:{account.id}", "ticket.rating_explained", number, now, {})
            uow.commit()


def ask_rating(
    uow: AbstractUnitOfWork, ticket: Ticket, account: ChatAccount, now: datetime
) -> bool:
    """Make ``ticket`` the account's pending question, in ``uow``; False when there is
    nothing to ask (not ``selesai``, or rated already)."""
    assert ticket.id is not None and account.id is not None
    if ticket.status is not TicketStatus.SELESAI or uow.ratings.get(ticket.id) is not None:
        return False
    uow.ratings.ask(account.id, ticket.id, now)
    return True


def _pending(
    uow: AbstractUnitOfWork, identity: ChatIdentity, number: str, now: datetime
) -> tuple[int, int]:
    """(account id, ticket id) of the question about ``number`` this chat may still answer."""
    account = uow.identities.get(identity.channel, identity.account)
    if account is None or account.id is None:
        raise RatingNotPending(number, "unknown chat")
    row = uow.ratings.pending(account.id)
    if row is None or row.number != number:
        raise RatingNotPending(number, "not asked")
    if now - row.asked_at > RATING_ANSWER_WINDOW:
        raise RatingNotPending(number, "expired")
    if uow.ratings.get(row.ticket_id) is not None:
        raise RatingNotPending(number, "rated already")
    return account.id, row.ticket_id
