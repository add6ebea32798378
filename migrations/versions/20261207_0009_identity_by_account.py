"""Identity is the chat account: a NIK no longer names one resident row, and a ticket whose
NIK is already known under another chat account carries a flag for staff."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"


def upgrade() -> None:
    # Batch mode: SQLite cannot alter tables in place; PostgreSQL gets plain ALTERs.
    with op.batch_alter_table("residents") as batch:
        batch.drop_constraint("uq_residents_nik", type_="unique")
        batch.create_index("ix_residents_nik", ["nik"])
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(
            sa.Column(
                "nik_known_elsewhere", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("nik_known_elsewhere")
    # Two residents may now share a NIK: the old unique constraint cannot come back as is.
    with op.batch_alter_table("residents") as batch:
        batch.drop_index("ix_residents_nik")
        batch.create_unique_constraint("uq_residents_nik", ["nik"])
