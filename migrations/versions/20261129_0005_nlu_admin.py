"""NLU admin tooling: inbox of poorly understood messages, candidate models, deployments."""

from __future__ import annotations

import sqlalchemy as sa

from migrations.columns import create_table, created_at, drop_tables, reference, timestamp

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    create_table(
        "nlu_inbox_items",
        sa.Column("normalised", sa.String(500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(60)),
        sa.Column("confidence", sa.Float()),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("label", sa.String(60)),
        timestamp("first_seen", nullable=False),
        timestamp("last_seen", nullable=False),
        timestamp("reviewed_at"),
        unique=["normalised"],
        indexes={"ix_nlu_inbox_items_state_last_seen": ["state", "last_seen"]},
    )
    create_table(
        "nlu_inbox_occurrences",
        sa.Column("event_id", sa.Integer(), nullable=False),
        reference("item_id", "nlu_inbox_items", cascade=True, indexed=True),
        sa.Column("reason", sa.String(20), nullable=False),
        timestamp("seen_at", nullable=False),
        unique=["event_id"],
    )
    create_table(
        "nlu_inbox_cursor",
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        key="name",
    )
    create_table(
        "nlu_models",
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("evaluation", sa.JSON()),
        created_at(),
        unique=["name"],
    )
    create_table(
        "model_deployments",
        sa.Column("instance", sa.String(255), nullable=False),
        sa.Column("model", sa.String(120), nullable=False),
        sa.Column("previous_model", sa.String(120)),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("longest_wait_ms", sa.Integer()),
        timestamp("deployed_at", nullable=False),
        indexes={"ix_model_deployments_instance_id": ["instance", "id"]},
    )


def downgrade() -> None:
    drop_tables(
        "model_deployments",
        "nlu_models",
        "nlu_inbox_cursor",
        "nlu_inbox_occurrences",
        "nlu_inbox_items",
    )
