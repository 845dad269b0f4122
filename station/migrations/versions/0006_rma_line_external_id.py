"""RMA lines keep upstream's line id (e.g. a Shopify ReturnLineItem gid) for verdict events.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 21:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: batch mode would drop rma_lines, which inspections reference.
    op.add_column("rma_lines", sa.Column("external_id", sa.String(length=128), nullable=True))


def downgrade() -> None:
    op.drop_column("rma_lines", "external_id")
