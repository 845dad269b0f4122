"""Relay indexes: find new outbox events and each unit's oldest pending delivery by index.

With a backlog the relay spent ~100 ms of CPU per batch on a NOT EXISTS scan over every
pending event and a GROUP BY over every pending delivery, CPU taken from the grader's
finalize. ``outbox_events.fanned_out`` marks events whose deliveries exist;
``outbox_deliveries.event_created_at`` (copied from the event) lets the unit-order rule run
as index probes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 21:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN, not batch mode: batch mode copies and drops the table, and SQLite
    # refuses to drop outbox_events while deliveries reference it (foreign keys are on).
    op.add_column(
        "outbox_events",
        sa.Column("fanned_out", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_index("ix_outbox_events_fanout", "outbox_events", ["fanned_out", "created_at"])
    # Delivered events need no more deliveries; pending ones are looked at again (existing
    # deliveries are skipped), so an endpoint added before this migration misses nothing.
    op.execute("UPDATE outbox_events SET fanned_out = (state <> 'pending')")

    with op.batch_alter_table("outbox_deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("event_created_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE outbox_deliveries SET event_created_at = (SELECT e.created_at FROM outbox_events e"
        " WHERE e.id = outbox_deliveries.event_id)"
    )
    with op.batch_alter_table("outbox_deliveries", schema=None) as batch_op:
        batch_op.alter_column(
            "event_created_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_index(
            "ix_outbox_deliveries_state_order", ["state", "event_created_at"], unique=False
        )
        batch_op.create_index(
            "ix_outbox_deliveries_unit_order",
            ["endpoint_id", "aggregate_id", "event_created_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_deliveries_unit_order")
        batch_op.drop_index("ix_outbox_deliveries_state_order")
        batch_op.drop_column("event_created_at")
    op.drop_index("ix_outbox_events_fanout", table_name="outbox_events")
    op.drop_column("outbox_events", "fanned_out")
