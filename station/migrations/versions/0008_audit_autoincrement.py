"""The audit table remembers the highest event number ever issued (SQLite AUTOINCREMENT).

Without it, deleting the newest audit rows left no trace: the chain still linked up to the
last remaining row, and the next event even reused the deleted number. With AUTOINCREMENT,
SQLite keeps the highest number in ``sqlite_sequence``, so ``station audit verify`` reports
"the last N rows are missing". The table is rebuilt (SQLite cannot add AUTOINCREMENT in
place) with the same columns, constraints, index and append-only triggers; PostgreSQL's
sequence already never goes back, so nothing changes there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 22:05:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    "seq, id, occurred_at, actor_id, station_id, action, entity_type, entity_id, before, after, "
    "prev_hash, hash"
)


def _rebuild(autoincrement: bool) -> None:
    key = (
        "seq INTEGER NOT NULL CONSTRAINT pk_audit_events PRIMARY KEY AUTOINCREMENT"
        if autoincrement
        else "seq INTEGER NOT NULL CONSTRAINT pk_audit_events PRIMARY KEY"
    )
    op.execute(
        f"""CREATE TABLE audit_events_new (
            {key},
            id CHAR(32) NOT NULL,
            occurred_at DATETIME NOT NULL,
            actor_id CHAR(32),
            station_id VARCHAR(64) NOT NULL,
            action VARCHAR(64) NOT NULL,
            entity_type VARCHAR(32) NOT NULL,
            entity_id VARCHAR(64) NOT NULL,
            before JSON,
            after JSON,
            prev_hash VARCHAR(64) NOT NULL,
            hash VARCHAR(64) NOT NULL,
            CONSTRAINT fk_audit_events_actor_id_users FOREIGN KEY(actor_id) REFERENCES users (id),
            CONSTRAINT uq_audit_events_hash UNIQUE (hash),
            CONSTRAINT uq_audit_events_id UNIQUE (id)
        )"""
    )
    # Copying with explicit numbers also sets sqlite_sequence to the highest one.
    op.execute(f"INSERT INTO audit_events_new ({_COLUMNS}) SELECT {_COLUMNS} FROM audit_events")
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    op.execute("DROP INDEX IF EXISTS ix_audit_events_entity_id")
    op.execute("DROP TABLE audit_events")
    op.execute("ALTER TABLE audit_events_new RENAME TO audit_events")
    op.execute("CREATE INDEX ix_audit_events_entity_id ON audit_events (entity_id)")
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events are append-only'); END"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(autoincrement=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(autoincrement=False)
