"""Building blocks of the migrations: column factories and ``create_table`` with named constraints.

Frozen like the migrations themselves: a released migration must create tomorrow what it
created the day it shipped, so nothing here follows the ORM (``bot.adapters.db.orm``) and
nothing here may change what it builds; a new shape gets a new factory.

Constraint and index names are spelled as the ORM's naming convention spelled them when the
migrations were written: ``pk_<table>``, ``uq_<table>_<columns>``,
``fk_<table>_<column>_<referred table>``, ``ix_<table>_<column>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from alembic import op


def timestamp(name: str, *, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def created_at() -> sa.Column:
    return timestamp("created_at", nullable=False)


def counter(name: str) -> sa.Column:
    """A non-negative count; existing rows start at zero."""
    return sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))


def area() -> tuple[sa.Column, sa.Column, sa.Column]:
    """Where in Lampung: kabupaten/kota, kecamatan, desa (each optional)."""
    return (
        sa.Column("kabupaten_kota", sa.String(60)),
        sa.Column("kecamatan", sa.String(80)),
        sa.Column("desa", sa.String(80)),
    )


def reference(
    name: str,
    table: str,
    *,
    nullable: bool = False,
    cascade: bool = False,
    indexed: bool = False,
) -> sa.Column:
    """An integer column referring to ``table.id``; ``create_table`` names its constraint
    (and its index, when ``indexed``)."""
    info = {"references": table, "cascade": cascade, "indexed": indexed}
    return sa.Column(name, sa.Integer(), nullable=nullable, info=info)


def create_table(
    name: str,
    *columns: sa.Column,
    key: str = "id",
    unique: Sequence[str | tuple[str, ...]] = (),
    indexes: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """``op.create_table`` with the primary key on ``key``, a named foreign key (and index)
    for each :func:`reference` column, the ``unique`` column groups and the extra ``indexes``
    (name: columns). A table keyed by ``id`` gets that integer column first."""
    if key == "id":
        columns = (sa.Column("id", sa.Integer(), nullable=False), *columns)
    items: list[sa.schema.SchemaItem] = [sa.PrimaryKeyConstraint(key, name=f"pk_{name}")]
    for column in columns:
        target = column.info.get("references")
        if target is None:
            continue
        items.append(
            sa.ForeignKeyConstraint(
                [column.name],
                [f"{target}.id"],
                name=f"fk_{name}_{column.name}_{target}",
                ondelete="CASCADE" if column.info["cascade"] else None,
            )
        )
        if column.info["indexed"]:
            items.append(sa.Index(f"ix_{name}_{column.name}", column.name))
    for group in unique:
        group = (group,) if isinstance(group, str) else group
        items.append(sa.UniqueConstraint(*group, name=f"uq_{name}_{'_'.join(group)}"))
    items += [sa.Index(index, *on) for index, on in (indexes or {}).items()]
    op.create_table(name, *columns, *items)


def drop_tables(*names: str) -> None:
    """Drop the tables in the order given (their indexes go with them)."""
    for name in names:
        op.drop_table(name)
