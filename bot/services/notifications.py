"""What a resident hears when their ticket's status changes, queued in the change's unit of work.

The message is rendered from ``bot/data/notifications.yml`` and put in the outbox
(kind ``notification``: free text inside WhatsApp's 24-hour window, the approved
template outside it; a channel without a sender is failed at once by the outbox).
After ``selesai`` the rating question follows as its own reply, recorded as pending
in the same transaction, so an answer never comes before its question. An officer's
photo of the result goes in that same reply, before the question: a message
``{"custom": {"photo": {"ref", "mime_type"}}}`` the channels' senders upload from
``MEDIA_DIR`` (WhatsApp only inside the 24-hour window, as any free-form message).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.identity import ChatIdentity
from bot.domain.model import StatusChange, Ticket
from bot.domain.notifications import NotificationTexts, notification_texts, template_params
from bot.domain.ratings import RatingTexts, rating_texts
from bot.services.messaging import Messenger
from bot.services.outbox import REACHABLE_CHANNELS
from bot.services.ratings import ask_rating
from bot.services.unit_of_work import AbstractUnitOfWork

__all__ = ["Photo", "StatusNotices"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Photo:
    """An officer's photo of the result, already kept under its reference."""

    ref: str  # staff:<hex>, bot.domain.attachments.new_staff_ref
    mime_type: str  # image/jpeg or image/png, from its bytes

    def message(self) -> dict[str, object]:
        """The outbox message that carries it."""
        return {"custom": {"photo": {"ref": self.ref, "mime_type": self.mime_type}}}


@dataclass(eq=False)
class StatusNotices:
    """Queues the resident's notice of a status change through ``messenger``."""

    messenger: Messenger
    texts: NotificationTexts = field(default_factory=notification_texts)
    rating: RatingTexts = field(default_factory=rating_texts)

    def queue(
        self,
        uow: AbstractUnitOfWork,
        ticket: Ticket,
        change: StatusChange,
        now: datetime,
        *,
        photo: Photo | None = None,
    ) -> None:
        """The notice (and after ``selesai`` the photo and the rating question), inside ``uow``."""
        assert ticket.id is not None
        account = (
            uow.identities.get_by_id(ticket.filed_by_identity_id)
            if ticket.filed_by_identity_id is not None
            else None
        )
        if account is None or account.id is None:
            log.info("%s has no chat account to tell of %s", ticket.number, change.to_status.value)
            return
        identity = ChatIdentity(channel=account.channel, account=account.account)
        status, note = change.to_status, change.note
        text = self.texts.render(
            number=ticket.number, status=status, note=note, bold=identity.channel == "whatsapp"
        )
        params = template_params(number=ticket.number, status=status, note=note)
        # The history only grows: its length names this change among the ticket's.
        key = f"status:{ticket.number}:{len(ticket.history)}"
        self.messenger.enqueue_within(
            uow,
            identity,
            [{"text": text, "custom": {"template_params": params}}],
            kind="notification",
            key=key,
        )
        log.info("%s is %s: %s told", ticket.number, status.value, identity.masked())
        if identity.channel not in REACHABLE_CHANNELS:
            return
        follow: list[dict[str, object]] = [photo.message()] if photo is not None else []
        # Only a chat a sender reaches is asked: a bare number there would mean the rating.
        if ask_rating(uow, ticket, account, now):
            follow.append(
                {
                    "text": self.rating.render_question(ticket.number),
                    "buttons": self.rating.buttons(),
                }
            )
            self.messenger.enqueue_within(uow, identity, follow, kind="reply", key=f"rating:{key}")
        elif follow:
            self.messenger.enqueue_within(uow, identity, follow, kind="reply", key=f"photo:{key}")
