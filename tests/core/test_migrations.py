"""Migrations from empty, the SQLite settings every connection gets, and the pre-migration copy."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import alembic.command
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from station import db as station_db
from station.db import Database, create_station_engine, head_revision, upgrade_database
from station.models import Base


def test_upgrade_from_empty_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = upgrade_database(url)
    assert result.from_revision is None and result.to_revision == head_revision()
    assert result.backup is None  # nothing to copy yet
    engine = create_station_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        tables = {
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type='table'"
            )
        }
    engine.dispose()
    assert set(Base.metadata.tables) <= tables
    # Idempotent: a second upgrade is a no-op.
    again = upgrade_database(url)
    assert again.from_revision == again.to_revision == head_revision()


@pytest.mark.sqlite_only
def test_every_connection_gets_the_station_pragmas(db: Database) -> None:
    with db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 2  # FULL
        assert pragma("busy_timeout") == station_db.BUSY_TIMEOUT_MS


@pytest.mark.sqlite_only
def test_write_transactions_take_the_lock_up_front(db: Database) -> None:
    path = db.engine.url.database
    with db.write() as session:
        session.execute(text("SELECT 1"))  # the first statement opens the transaction
        other = sqlite3.connect(path, timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.execute("SELECT count(*) FROM sellers").fetchone()  # readers still read (WAL)
        finally:
            other.close()


def test_existing_database_is_copied_before_a_migration(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "station.sqlite3"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO sellers (id, code, name, language, default_currency, created_at) "
            "VALUES ('00000000000000000000000000000001', 'KEEP', 'Keep me', 'en', 'EUR', "
            "'2026-01-01 00:00:00')"
        )
    # Pretend a newer migration exists; record that the upgrade ran after the copy was made.
    calls: list[bool] = []
    monkeypatch.setattr(station_db, "head_revision", lambda: "9999_future")
    monkeypatch.setattr(
        alembic.command,
        "upgrade",
        lambda config, target: calls.append(any((tmp_path / "backups").glob("*.sqlite3"))),
    )

    result = upgrade_database(url, tmp_path / "backups")

    assert calls == [True]
    assert result.backup is not None and result.backup.exists()
    with sqlite3.connect(result.backup) as copy:
        assert copy.execute("SELECT name FROM sellers").fetchall() == [("Keep me",)]


def test_the_head_revision_written_in_station_db_is_the_newest_migration() -> None:
    """Start-up reads the head from station.db instead of loading every migration script: a
    migration added without moving HEAD_REVISION on would be skipped on every start."""
    script = ScriptDirectory.from_config(station_db.alembic_config("sqlite://"))
    assert script.get_heads() == [station_db.HEAD_REVISION]


def test_relay_index_migration_backfills_existing_outbox_rows(tmp_path: Path) -> None:
    """0005 copies each event's time onto its deliveries and marks only undelivered events as
    new for the relay, so an outbox written before the upgrade is delivered as before."""
    from alembic import command

    from station.db import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(alembic_config(url), "0004")
    engine = create_station_engine(url)
    rows = {"pending": "11" * 16, "delivered": "22" * 16}
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO webhook_endpoints (id, url, secret, previous_secrets, event_types, "
            "enabled, created_at, updated_at) VALUES ('" + "ee" * 16 + "', 'http://x', 's', "
            "'[]', '[]', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        for n, (state, event_id) in enumerate(rows.items()):
            created = f"2026-01-0{n + 1} 10:00:00.000000"
            connection.exec_driver_sql(
                "INSERT INTO outbox_events (id, event_type, aggregate_type, aggregate_id, "
                "payload, created_at, state, attempts) VALUES (?, 'label.printed', 'unit', 'U', "
                "'{}', ?, ?, 0)",
                (event_id, created, state),
            )
            connection.exec_driver_sql(
                "INSERT INTO outbox_deliveries (id, event_id, endpoint_id, aggregate_id, state, "
                "attempts, created_at) VALUES (?, ?, ?, 'U', ?, 0, '2026-02-01 00:00:00')",
                (f"{n:032d}", event_id, "ee" * 16, state),
            )
    engine.dispose()

    upgrade_database(url, tmp_path / "backups")

    engine = create_station_engine(url)
    with engine.connect() as connection:
        fanned = {
            state: flag
            for state, flag in connection.exec_driver_sql(
                "SELECT state, fanned_out FROM outbox_events"
            )
        }
        copied = connection.exec_driver_sql(
            "SELECT d.event_created_at, e.created_at FROM outbox_deliveries d "
            "JOIN outbox_events e ON e.id = d.event_id"
        ).all()
    engine.dispose()
    assert fanned == {"pending": 0, "delivered": 1}
    assert len(copied) == 2 and all(a == b and a for a, b in copied)
