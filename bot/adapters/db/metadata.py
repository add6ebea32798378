"""The one ``MetaData`` every table is defined on, with deterministic constraint names.

Its own module so the feature modules' tables (``tables_*``) and :mod:`bot.adapters.db.orm`,
which imports them all, do not import each other.
"""

from __future__ import annotations

from sqlalchemy import MetaData, Table
from sqlalchemy.schema import SchemaItem

from bot.adapters.db.columns import id_column

# Deterministic constraint names, so migrations can name what they drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_with_id(name: str, *items: SchemaItem) -> Table:
    """A table on ``metadata`` keyed by an integer ``id``, its first column."""
    return Table(name, metadata, id_column(), *items)
