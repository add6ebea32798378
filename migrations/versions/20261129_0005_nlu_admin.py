"""NLU admin tooling: inbox of poorly understood messages, candidate models, deployments.

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "nlu_inbox_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("normalised", sa.String(500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(60)),
        sa.Column("confidence", sa.Float()),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("label", sa.String(60)),
        _when("first_seen"),
        _when("last_seen"),
        _when("reviewed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_nlu_inbox_items"),
        sa.UniqueConstraint("normalised", name="uq_nlu_inbox_items_normalised"),
    )
    op.create_index("ix_nlu_inbox_items_state_last_seen", "nlu_inbox_items", ["state", "last_seen"])
    op.create_table(
        "nlu_inbox_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        _when("seen_at"),
        sa.PrimaryKeyConstraint("id", name="pk_nlu_inbox_occurrences"),
        sa.UniqueConstraint("event_id", name="uq_nlu_inbox_occurrences_event_id"),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["nlu_inbox_items.id"],
            name="fk_nlu_inbox_occurrences_item_id_nlu_inbox_items",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_nlu_inbox_occurrences_item_id", "nlu_inbox_occurrences", ["item_id"])
    op.create_table(
        "nlu_inbox_cursor",
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_nlu_inbox_cursor"),
    )
    op.create_table(
        "nlu_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("evaluation", sa.JSON()),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_nlu_models"),
        sa.UniqueConstraint("name", name="uq_nlu_models_name"),
    )
    op.create_table(
        "model_deployments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance", sa.String(255), nullable=False),
        sa.Column("model", sa.String(120), nullable=False),
        sa.Column("previous_model", sa.String(120)),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("longest_wait_ms", sa.Integer()),
        _when("deployed_at"),
        sa.PrimaryKeyConstraint("id", name="pk_model_deployments"),
    )
    op.create_index("ix_model_deployments_instance_id", "model_deployments", ["instance", "id"])


def downgrade() -> None:
    op.drop_index("ix_model_deployments_instance_id", table_name="model_deployments")
    op.drop_table("model_deployments")
    op.drop_table("nlu_models")
    op.drop_table("nlu_inbox_cursor")
    op.drop_index("ix_nlu_inbox_occurrences_item_id", table_name="nlu_inbox_occurrences")
    op.drop_table("nlu_inbox_occurrences")
    op.drop_index("ix_nlu_inbox_items_state_last_seen", table_name="nlu_inbox_items")
    op.drop_table("nlu_inbox_items")
