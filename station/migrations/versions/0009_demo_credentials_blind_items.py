"""A demo database remembers its demo users' PINs; a blind return says what the item is.

The demo seed makes random PINs and printed them once; whoever started the demo later could
not sign in. Only ``station demo seed`` writes ``demo_credentials``, so a real database never
has rows in it, and a PIN shown is only one that still signs in (a reset PIN is not shown).

A blind return (no RMA) is identified at the bench by a scanned GTIN or SKU (``sku_id``) or,
for an item the catalogue does not know, by what the grader types (``item_description``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demo_credentials",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("pin", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_demo_credentials")),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
            name=op.f("fk_demo_credentials_username_users"),
            ondelete="CASCADE",
        ),
    )
    # Plain ADD COLUMN: batch mode would rebuild inspections, which other tables reference.
    op.add_column("inspections", sa.Column("item_description", sa.String(200), nullable=True))


def downgrade() -> None:
    op.drop_column("inspections", "item_description")
    op.drop_table("demo_credentials")
