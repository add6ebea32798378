"""Column types and column factories shared by the tables of the system of record.

The tables (``orm`` and the ``tables_*`` modules) say what is particular to them; what
recurs (the integer ``id`` key, aware UTC times, counters, areas, references to another
table's ``id``) is spelled once here. The migrations keep their own frozen copies.
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, Integer, Numeric, String, text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

COORDINATE_EXPONENT = Decimal("0.000001")


class UtcDateTime(TypeDecorator):  # type: ignore[misc]
    """Aware UTC datetimes in and out; SQLite keeps no zone, so naive means UTC there."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; the system of record stores aware UTC times")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Coordinate(TypeDecorator):  # type: ignore[misc]
    """Numeric(9, 6) degrees as Decimal. SQLite has no decimal type and stores a float;
    9 significant digits survive a double exactly, so quantising gives the value back."""

    impl = Numeric(9, 6)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(9, 6, asdecimal=False))
        return dialect.type_descriptor(Numeric(9, 6))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = Decimal(value).quantize(COORDINATE_EXPONENT, rounding=ROUND_HALF_EVEN)
        return float(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(COORDINATE_EXPONENT, rounding=ROUND_HALF_EVEN)


class StrEnum(TypeDecorator):  # type: ignore[misc]
    """A ``str`` enum stored by value in a VARCHAR (no native enum: new words need no DDL)."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[enum.Enum], length: int = 20) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(self.enum_class(value).value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> enum.Enum | None:
        return None if value is None else self.enum_class(value)


def id_column() -> Column:
    return Column("id", Integer, primary_key=True)


def timestamp(name: str, *, nullable: bool = True) -> Column:
    return Column(name, UtcDateTime(), nullable=nullable)


def created_at() -> Column:
    return timestamp("created_at", nullable=False)


def counter(name: str) -> Column:
    """A count that existing rows start at zero."""
    return Column(name, Integer, nullable=False, server_default=text("0"))


def area() -> tuple[Column, Column, Column]:
    """Where in Lampung: kabupaten/kota, kecamatan, desa (each optional)."""
    return (
        Column("kabupaten_kota", String(60)),
        Column("kecamatan", String(80)),
        Column("desa", String(80)),
    )


def reference(
    name: str, table: str, *, cascade: bool = False, nullable: bool = False, **options: Any
) -> Column:
    """An integer column referring to ``table.id`` (deleted with it when ``cascade``);
    ``options`` are Column's (``index``, ``unique``, ``primary_key``)."""
    target = ForeignKey(f"{table}.id", ondelete="CASCADE" if cascade else None)
    return Column(name, Integer, target, nullable=nullable, **options)
