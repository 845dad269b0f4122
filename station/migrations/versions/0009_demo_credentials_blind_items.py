"""A demo database remembers its demo users' PINs, so the sign-in screen can show them.

The demo seed makes random PINs and printed them once; whoever started the demo later could
not sign in. Only ``station demo seed`` writes this table, so a real database never has rows
in it, and a PIN shown is only one that still signs in (a reset PIN is not shown).

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


def downgrade() -> None:
    op.drop_table("demo_credentials")
