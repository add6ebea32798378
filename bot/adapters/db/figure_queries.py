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

from sqlalchemy import and_, case, func, literal, or_, select
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
        finished = (
            select(
                orm.status_changes.c.ticket_id,
                func.max(orm.status_changes.c.created_at).label("done_at"),
            )
            .where(orm.status_changes.c.to_status.in_(DONE))
            .group_by(orm.status_changes.c.ticket_id)
            .subquery("finished")
        )
        self._finished = finished
        self.start: ColumnElement[Any] = func.coalesce(tickets.c.received_at, tickets.c.created_at)
        # Done exactly while the status is final: the latest change into it.
        self.done_at: ColumnElement[Any] = case(
            (
                tickets.c.status.in_(DONE),
                func.coalesce(finished.c.done_at, tickets.c.updated_at),
            ),
            else_=None,
        )
        self.subject: ColumnElement[Any] = func.coalesce(
            tickets.c.category, tickets.c.document_type, ""
        )

    # ------------------------------------------------------------ dialect

    def _day(self, at: ColumnElement[Any]) -> ColumnElement[Any]:
        if self.postgres:
            return func.date(func.timezone("Asia/Jakarta", at))
        return func.date(at, "+7 hours")

    def _days(self, since: Any, until: Any) -> ColumnElement[Any]:
        if self.postgres:
            return func.extract("epoch", until - since) / 86400.0
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
        return case(
            (
                and_(self.done_at.is_not(None), self._days(self.start, self.done_at) <= allowed),
                int(Outcome.ON_TIME),
            ),
            (self.done_at.is_not(None), int(Outcome.LATE)),
            (self._days(self.start, _at(now)) > allowed, int(Outcome.OVERDUE)),
            else_=int(Outcome.PENDING),
        )

    def _from(self, query: Select, *, ratings: bool = False) -> Select:
        joined = tickets.outerjoin(self._finished, self._finished.c.ticket_id == tickets.c.id)
        if ratings:
            joined = joined.outerjoin(ticket_ratings, ticket_ratings.c.ticket_id == tickets.c.id)
        return query.select_from(joined)

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
        return query.where(self.start >= _at(start), self.start < _at(end))

    def _rows(self, query: Select) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(query))

    # ------------------------------------------------------------- queries

    def staff_groups(
        self, scope: FigureScope, start: datetime, end: datetime, *, now: datetime, sla: SlaRules
    ) -> list[StaffGroup]:
        day = self._day(self.start).label("day")
        outcome = self._outcome(now, sla).label("outcome")
        query = select(
            day,
            tickets.c.status,
            self.subject.label("subject"),
            outcome,
            func.count(),
            func.coalesce(func.sum(ticket_ratings.c.score), 0),
            func.count(ticket_ratings.c.score),
        ).group_by(day, tickets.c.status, self.subject, outcome)
        query = self._received(self._scoped(self._from(query, ratings=True), scope), start, end)
        return [
            StaffGroup(self._date(r[0]), TicketStatus(r[1]), r[2], Outcome(r[3]), *map(int, r[4:]))
            for r in self._rows(query)
        ]

    def done_per_day(self, scope: FigureScope, start: datetime, end: datetime) -> dict[date, int]:
        day = self._day(self.done_at).label("day")
        query = self._scoped(self._from(select(day, func.count()).group_by(day)), scope)
        query = query.where(
            tickets.c.status.in_(DONE), self.done_at >= _at(start), self.done_at < _at(end)
        )
        return {self._date(r[0]): int(r[1]) for r in self._rows(query)}

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
        outcome = self._outcome(now, sla).label("outcome")
        columns = (tickets.c.kabupaten_kota, self.subject, tickets.c.agency_code, outcome)
        query = self._from(select(*columns, func.count()).group_by(*columns))
        query = self._received(query, start, end)
        return [PublicGroup(r[0], r[1], r[2], Outcome(r[3]), int(r[4])) for r in self._rows(query)]

    def header_counts(self, scope: FigureScope) -> HeaderCounts:
        def count_where(condition: ColumnElement[bool]) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        query = select(
            count_where(tickets.c.status == TicketStatus.DITERIMA.value),
            count_where(
                and_(tickets.c.escalated_to.is_not(None), tickets.c.status.not_in(DONE))
            ),
        ).select_from(tickets)
        query = self._scoped(query, scope)
        row = self._rows(query)[0]
        return HeaderCounts(int(row[0]), int(row[1]))

    def records(
        self, scope: FigureScope, start: datetime, end: datetime, *, sla: SlaRules
    ) -> list[TicketRecord]:
        as_utc: Callable[[Any], Any] = UtcDateTime().process_result_value
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

