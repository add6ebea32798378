"""The status-change outbox: what the notifier sends, and what became of each try."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.adapters.db.uow import AbstractUnitOfWork
from bot.domain.errors import NotificationNotFound
from bot.domain.model import Notification, NotificationStatus, TicketStatus
from bot.domain.privacy import mask_text
from bot.services.shared import UnitOfWorkService
from bot.services.views import NotificationView

log = logging.getLogger(__name__)

# A notification is tried this many times in all; waits between tries double from
# the base (30 s, 1, 2, 4 min): a platform outage of a few minutes loses nothing.
NOTIFICATION_MAX_ATTEMPTS = 5
NOTIFICATION_RETRY_BASE_SECONDS = 30.0
NOTIFICATION_RETRY_MAX_SECONDS = 3600.0
LAST_ERROR_MAX_CHARS = 500


class NotificationOutbox(UnitOfWorkService):
    """The notifier's side of the outbox rows that status changes write."""

    async def pending_notifications(self, *, limit: int = 50) -> list[NotificationView]:
        """Notifications due now (not sent, backoff over), oldest first.

        A ticket's later notification waits until its earlier ones are settled, so a
        resident never hears the statuses out of order.
        """
        return await asyncio.to_thread(self._pending_notifications, limit)

    def _pending_notifications(self, limit: int) -> list[NotificationView]:
        with self.uow_factory() as uow:
            return [_view(uow, n) for n in uow.notifications.due(now=self.clock(), limit=limit)]

    async def due_notification(self, notification_id: int) -> NotificationView | None:
        """The notification if it is still due now, else None (sent, failed or waiting).

        The notifier asks again after claiming one: another instance may have
        settled it since the list was read.
        """
        return await asyncio.to_thread(self._due_notification, notification_id)

    def _due_notification(self, notification_id: int) -> NotificationView | None:
        with self.uow_factory() as uow:
            notification = uow.notifications.get(notification_id)
            if notification is None or notification.status is not NotificationStatus.PENDING:
                return None
            waiting_until = notification.next_attempt_at
            if waiting_until is not None and waiting_until > self.clock():
                return None
            return _view(uow, notification)

    async def mark_notification_sent(self, notification_id: int) -> None:
        """Record the delivery; a notification already sent stays as it was."""
        await asyncio.to_thread(self._mark_notification_sent, notification_id)

    def _mark_notification_sent(self, notification_id: int) -> None:
        with self.uow_factory() as uow:
            notification = _get(uow, notification_id)
            if notification.status is NotificationStatus.SENT:
                return
            notification.attempts += 1
            notification.next_attempt_at = None
            uow.notifications.mark_sent(notification, self.clock())
            uow.commit()

    async def mark_notification_failed(
        self, notification_id: int, *, reason: str, retry: bool
    ) -> None:
        """Record a failed attempt: try again later (doubling waits) or give up.

        Tabik gives up when ``retry`` is False (the resident cannot be reached that
        way) or after NOTIFICATION_MAX_ATTEMPTS attempts. ``reason`` is stored masked.
        """
        await asyncio.to_thread(self._mark_notification_failed, notification_id, reason, retry)

    def _mark_notification_failed(self, notification_id: int, reason: str, retry: bool) -> None:
        with self.uow_factory() as uow:
            notification = _get(uow, notification_id)
            if notification.status is not NotificationStatus.PENDING:
                log.warning(
                    "notification %d is %s already; failure not recorded",
                    notification_id,
                    notification.status.value,
                )
                return
            now = self.clock()
            notification.attempts += 1
            notification.last_error = mask_text(reason)[:LAST_ERROR_MAX_CHARS]
            if retry and notification.attempts < NOTIFICATION_MAX_ATTEMPTS:
                wait = min(
                    NOTIFICATION_RETRY_MAX_SECONDS,
                    NOTIFICATION_RETRY_BASE_SECONDS * 2 ** (notification.attempts - 1),
                )
                notification.next_attempt_at = now + timedelta(seconds=wait)
                log.info(
                    "notification %d failed (attempt %d), next try in %.0f s",
                    notification_id,
                    notification.attempts,
                    wait,
                )
            else:
                notification.status = NotificationStatus.FAILED
                notification.failed_at = now
                notification.next_attempt_at = None
                log.error(
                    "notification %d given up after %d attempt(s): %s",
                    notification_id,
                    notification.attempts,
                    notification.last_error,
                )
            uow.commit()


def _get(uow: AbstractUnitOfWork, notification_id: int) -> Notification:
    notification = uow.notifications.get(notification_id)
    if notification is None:
        raise NotificationNotFound(notification_id)
    return notification


def _view(uow: AbstractUnitOfWork, notification: Notification) -> NotificationView:
    assert notification.id is not None
    account = (
        uow.identities.get_by_id(notification.identity_id)
        if notification.identity_id is not None
        else None
    )
    payload = notification.payload
    return NotificationView(
        id=notification.id,
        number=str(payload["number"]),
        status=TicketStatus(payload["status"]),
        note=payload.get("note"),
        channel=account.channel if account else None,
        account=account.account if account else None,
        created_at=notification.created_at,
        attempts=notification.attempts,
    )
