"""The figures' read model in SQL (:class:`bot.services.figures.FigureQueries`).

Reads only the columns a :class:`TicketRecord` may know: kind, category or document
type, kabupaten/kota (kecamatan and desa for scopes), agency, status, when received
and done, and the rating score; never a number, a name, a NIK, a phone number or a
description. Counts are grouped in the database (docs/figures.md, "The same in
SQL"); days are WIB days, which have no daylight saving, so a fixed seven hours.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, case, cast, func, literal, or_, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.sql import ColumnElement, Select

from bot.adapters.db import orm
from bot.adapters.db.columns import UtcDateTime
from bot.adapters.db.tables_staff import ticket_ratings
from bot.domain.figures import Outcome, TicketRecord
from bot.domain.model import TicketStatus
from bot.domain.sla import SlaRules
from bot.services.figures import (
    FigureQueries,
    FigureScope,
    HeaderCounts,
    PublicGroup,
    StaffGroup,
)

__all__ = ["SqlFigureQueries"]

tickets = orm.tickets
DONE = (TicketStatus.SELESAI.value, TicketStatus.DITOLAK.value)


def _at(value: datetime) -> Any:
    return literal(value, UtcDateTime())


class SqlFigureQueries(FigureQueries):
    """Grouped counts over ``engine`` (SQLite or PostgreSQL), one connection per call."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.start: ColumnElement[Any] = func.coalesce(tickets.c.received_at, tickets.c.created_at)
        # A final status has no way out and only a status change moves ``updated_at``, so a
        # final ticket's ``updated_at`` is when it was done (retention reads it the same way).
        self.done_at: ColumnElement[Any] = case(
            (tickets.c.status.in_(DONE), tickets.c.updated_at), else_=None
        )
        self.subject: ColumnElement[Any] = func.coalesce(
            tickets.c.category, tickets.c.document_type, ""
        )

    # ------------------------------------------------------------ dialect

    def _day(self, at: ColumnElement[Any]) -> ColumnElement[Any]:
        if self.postgres:  # WIB is UTC+7 all year
            return cast(func.timezone("UTC", at) + text("interval '7 hours'"), Date)
        return func.date(at, "+7 hours")

    def _days(self, since: Any, until: Any) -> ColumnElement[Any]:
        if self.postgres:
            return func.date_part("epoch", until - since) / 86400.0
        return func.julianday(until) - func.julianday(since)

    @staticmethod
    def _date(value: Any) -> date:
        return value if isinstance(value, date) else date.fromisoformat(str(value))

    # ------------------------------------------------------------- pieces

    def _done_days(self, sla: SlaRules) -> ColumnElement[Any]:
        by_category = {name: rule.done_days for name, rule in sla.by_category.items()}
        if not by_category:
            return literal(sla.default.done_days)
        return case(by_category, value=tickets.c.category, else_=sla.default.done_days)

    def _outcome(self, now: datetime, sla: SlaRules) -> ColumnElement[Any]:
        allowed = self._done_days(sla)
        # Open past its deadline: received before now minus the category's days.
        overdue_before = {
            name: _at(now - timedelta(days=rule.done_days))
            for name, rule in sla.by_category.items()
        }
        default = _at(now - timedelta(days=sla.default.done_days))
        threshold = (
            case(overdue_before, value=tickets.c.category, else_=default)
            if overdue_before
            else default
        )
        return case(
            (
                tickets.c.status.in_(DONE),
                case(
                    (self._days(self.start, tickets.c.updated_at) <= allowed, int(Outcome.ON_TIME)),
                    else_=int(Outcome.LATE),
                ),
            ),
            (self.start < threshold, int(Outcome.OVERDUE)),
            else_=int(Outcome.PENDING),
        )

    @staticmethod
    def _from(query: Select, *, ratings: bool = False) -> Select:
        if ratings:
            joined = tickets.outerjoin(ticket_ratings, ticket_ratings.c.ticket_id == tickets.c.id)
            return query.select_from(joined)
        return query.select_from(tickets)

    def _scoped(self, query: Select, scope: FigureScope) -> Select:
        area = scope.area
        for column, value in (
            (tickets.c.kabupaten_kota, area.kabupaten_kota),
            (tickets.c.kecamatan, area.kecamatan),
            (tickets.c.desa, area.desa),
        ):
            if value is not None:
                query = query.where(func.lower(column) == value.strip().lower())
        if scope.held_or_watched_by is not None:
            code = scope.held_or_watched_by
            query = query.where(or_(tickets.c.agency_code == code, tickets.c.escalated_to == code))
        if scope.held_by is not None:
            query = query.where(tickets.c.agency_code == scope.held_by)
        return query

    def _received(self, query: Select, start: datetime, end: datetime) -> Select:
        # Spelled out rather than over COALESCE, whose selectivity PostgreSQL cannot estimate
        # (it then plans a sort on disk instead of hashing the groups).
        received, filed = tickets.c.received_at, tickets.c.created_at
        return query.where(
            or_(
                and_(received.is_not(None), received >= _at(start), received < _at(end)),
                and_(received.is_(None), filed >= _at(start), filed < _at(end)),
            )
        )

    def _rows(self, query: Select) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(query))

    # ------------------------------------------------------------- queries

    @staticmethod
    def _grouped(per_ticket: Select, keys: int) -> Select:
        """``per_ticket``'s columns grouped and counted; grouping a subquery's columns
        computes each expression once per ticket."""
        rows = per_ticket.subquery("per_ticket")
        columns = list(rows.c)[:keys]
        return select(*columns, func.count()).group_by(*columns)

    def staff_groups(
        self, scope: FigureScope, start: datetime, end: datetime, *, now: datetime, sla: SlaRules
    ) -> list[StaffGroup]:
        per_ticket = select(
            self._day(self.start).label("day"),
            tickets.c.status,
            self.subject.label("subject"),
            self._outcome(now, sla).label("outcome"),
        )
        per_ticket = self._received(self._scoped(self._from(per_ticket), scope), start, end)
        return [
            StaffGroup(self._date(r[0]), TicketStatus(r[1]), r[2], Outcome(r[3]), int(r[4]))
            for r in self._rows(self._grouped(per_ticket, 4))
        ]

    def ratings(self, scope: FigureScope, start: datetime, end: datetime) -> tuple[int, int]:
        score = ticket_ratings.c.score
        query = select(func.coalesce(func.sum(score), 0), func.count(score)).select_from(
            ticket_ratings.join(tickets, tickets.c.id == ticket_ratings.c.ticket_id)
        )
        row = self._rows(self._received(self._scoped(query, scope), start, end))[0]
        return int(row[0]), int(row[1])

    def done_per_day(self, scope: FigureScope, start: datetime, end: datetime) -> dict[date, int]:
        per_ticket = self._scoped(self._from(select(self._day(self.done_at).label("day"))), scope)
        per_ticket = per_ticket.where(
            tickets.c.status.in_(DONE), self.done_at >= _at(start), self.done_at < _at(end)
        )
        return {self._date(r[0]): int(r[1]) for r in self._rows(self._grouped(per_ticket, 1))}

    def middle_days_to_done(
        self, scope: FigureScope, start: datetime, end: datetime, *, done: int
    ) -> list[float]:
        days = self._days(self.start, self.done_at).label("days")
        query = self._scoped(self._from(select(days)), scope).where(tickets.c.status.in_(DONE))
        query = self._received(query, start, end)
        query = query.order_by(days).offset((done - 1) // 2).limit(1 if done % 2 else 2)
        return [float(r[0]) for r in self._rows(query)]

    def public_groups(
        self, start: datetime, end: datetime, *, now: datetime, sla: SlaRules
    ) -> list[PublicGroup]:
        per_ticket = select(
            tickets.c.kabupaten_kota,
            self.subject.label("subject"),
            tickets.c.agency_code,
            self._outcome(now, sla).label("outcome"),
        )
        per_ticket = self._received(self._from(per_ticket), start, end)
        return [
            PublicGroup(r[0], r[1], r[2], Outcome(r[3]), int(r[4]))
            for r in self._rows(self._grouped(per_ticket, 4))
        ]

    def header_counts(self, scope: FigureScope) -> HeaderCounts:
        def count_where(condition: ColumnElement[bool]) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        query = select(
            count_where(tickets.c.status == TicketStatus.DITERIMA.value),
            count_where(and_(tickets.c.escalated_to.is_not(None), tickets.c.status.not_in(DONE))),
        ).select_from(tickets)
        query = self._scoped(query, scope)
        row = self._rows(query)[0]
        return HeaderCounts(int(row[0]), int(row[1]))

    def records(
        self, scope: FigureScope, start: datetime, end: datetime, *, sla: SlaRules
    ) -> list[TicketRecord]:
        as_utc: Callable[[Any, Any], Any] = UtcDateTime().process_result_value
        query = select(
            self.start.label("received_at"),
            tickets.c.status,
            self.subject.label("subject"),
            tickets.c.category,
            tickets.c.kabupaten_kota,
            tickets.c.kecamatan,
            tickets.c.desa,
            tickets.c.agency_code,
            self.done_at.label("done_at"),
            ticket_ratings.c.score,
        )
        query = self._received(self._scoped(self._from(query, ratings=True), scope), start, end)
        dialect = self.engine.dialect
        found = []
        for r in self._rows(query):
            received = as_utc(_parsed(r.received_at), dialect)
            done = None if r.done_at is None else as_utc(_parsed(r.done_at), dialect)
            due = received + timedelta(days=sla.for_category(r.category).done_days)
            found.append(
                TicketRecord(
                    received_at=received,
                    status=r.status,
                    category=r.subject,
                    kabupaten_kota=r.kabupaten_kota,
                    kecamatan=r.kecamatan,
                    desa=r.desa,
                    agency=r.agency_code,
                    due_at=due,
                    done_at=done,
                    rating=r.score,
                )
            )
        return found


def _parsed(value: Any) -> datetime:
    # SQLite hands back a COALESCE or CASE over timestamps as its stored text.
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
