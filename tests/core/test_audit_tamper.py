"""Tampering with the audit trail straight in the database is found and named, row and reason.

The attacker here has the database (the SQLite file, or a PostgreSQL login that owns the
tables): they drop the append-only triggers, then edit, delete, reorder or truncate rows with
plain SQL, and in the cleverest case recompute a row's hash with the published recipe.
``verify_chain`` must name the first row that no longer verifies, on both engines.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from station.audit import GENESIS_HASH, ChainCheck, append_audit, canonical_json, verify_chain
from station.db import Database
from station.models import AuditEvent


class Attacker:
    """A plain connection of the database's own driver, outside the station's code."""

    def __init__(self, database_url: str) -> None:
        self.url = make_url(database_url)

    @property
    def sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """Committed on success, always closed."""
        if self.sqlite:
            con: Any = sqlite3.connect(str(self.url.database))
        else:
            import psycopg

            con = psycopg.connect(
                self.url.set(drivername="postgresql").render_as_string(hide_password=False)
            )
        try:
            yield con
            con.commit()
        finally:
            con.close()

    def triggers(self, con: Any) -> list[str]:
        query = (
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'"
            if self.sqlite
            else "SELECT tgname FROM pg_trigger "
            "WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal"
        )
        return [name for (name,) in con.execute(query).fetchall()]

    def run(self, *statements: str) -> None:
        """Runs statements as an attacker would: triggers dropped first, then plain SQL."""
        with self.connect() as con:
            triggers = self.triggers(con)
            assert triggers, "the migrations install append-only triggers"
            for name in triggers:
                con.execute(
                    f"DROP TRIGGER {name}"
                    if self.sqlite
                    else f"DROP TRIGGER {name} ON audit_events"
                )
            for statement in statements:
                con.execute(statement)

    @property
    def refusal(self) -> type[Exception]:
        if self.sqlite:
            return sqlite3.DatabaseError
        import psycopg

        return psycopg.Error


@pytest.fixture
def attacker(database_url: str) -> Attacker:
    return Attacker(database_url)


def _trail(db: Database, count: int) -> None:
    """``count`` events, each with its own action and entity so the broken one can be named."""
    with db.write() as session:
        for n in range(1, count + 1):
            append_audit(
                session, station_id="B1", action=f"step.{n}", entity_type="thing",
                entity_id=f"T{n}", after={"n": n, "text": "größe 中"},
            )  # fmt: skip


def _check(db: Database) -> ChainCheck:
    with db.read() as session:
        return verify_chain(session)


def _recipe_hash(event: AuditEvent) -> str:
    """The hash recipe as an attacker (or an auditor) re-implements it from the export header."""
    body = {
        "prev": event.prev_hash,
        "id": str(event.id),
        "at": event.occurred_at.isoformat(),
        "actor": str(event.actor_id) if event.actor_id else None,
        "station": event.station_id,
        "action": event.action,
        "entity": [event.entity_type, event.entity_id],
        "before": event.before,
        "after": event.after,
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def test_intact_trail(db, attacker):
    _trail(db, 5)
    check = _check(db)
    assert check.ok and check.checked == 5 and check.first_broken_seq is None
    assert check.head_seq == 5 and check.head_hash and check.head_hash != GENESIS_HASH
    assert check.describe() == "audit trail intact: 5 events"


def test_triggers_refuse_update_and_delete(db, attacker):
    _trail(db, 2)
    for statement in (
        "UPDATE audit_events SET after = '{}' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 2",
    ):
        with pytest.raises(attacker.refusal, match="append-only"), attacker.connect() as con:
            con.execute(statement)
    assert _check(db).ok


def test_a_edited_content_names_that_row(db, attacker):
    _trail(db, 5)
    attacker.run("""UPDATE audit_events SET after = '{"n": 99}' WHERE seq = 3""")
    check = _check(db)
    assert not check.ok and check.first_broken_seq == 3
    assert check.reason == "content does not match its hash"
    assert (check.action, check.entity_type, check.entity_id) == ("step.3", "thing", "T3")
    assert check.describe() == (
        "audit trail BROKEN at event #3 (step.3 on thing T3): content does not match its hash"
    )
    assert check.head_seq == 2  # the last row that still verified


def test_b_deleted_row_names_the_next_row_and_the_missing_seq(db, attacker):
    _trail(db, 6)
    attacker.run("DELETE FROM audit_events WHERE seq = 3")
    check = _check(db)
    assert not check.ok and check.first_broken_seq == 4 and check.action == "step.4"
    assert check.reason is not None
    assert "row 3 is missing (deleted?)" in check.reason and "link" in check.reason
    assert check.missing == (3, 3)


def test_b_several_deleted_rows_are_named_as_a_range(db, attacker):
    _trail(db, 6)
    attacker.run("DELETE FROM audit_events WHERE seq IN (3, 4)")
    check = _check(db)
    assert check.first_broken_seq == 5 and check.missing == (3, 4)
    assert check.reason is not None and "rows 3-4 are missing (deleted?)" in check.reason


def test_b_deleted_first_row_breaks_the_genesis_link(db, attacker):
    _trail(db, 3)
    attacker.run("DELETE FROM audit_events WHERE seq = 1")
    check = _check(db)
    assert check.first_broken_seq == 2 and check.reason is not None
    assert "row 1 is missing" in check.reason and "genesis" in check.reason


def test_b_deletion_is_found_even_when_the_rest_was_rehashed(db, attacker):
    """The attacker deletes row 3 and re-links everything after it: only the hole is left."""
    _trail(db, 5)
    attacker.run("DELETE FROM audit_events WHERE seq = 3")
    with db.write() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        for previous, event in pairwise(events):
            if event.seq > 3:
                event.prev_hash = previous.hash
                event.hash = _recipe_hash(event)
                session.flush()
    check = _check(db)
    assert check.first_broken_seq == 4 and check.reason == "row 3 is missing (deleted?)"


def test_c_swapped_seq_names_the_first_moved_row(db, attacker):
    _trail(db, 5)
    attacker.run(
        "UPDATE audit_events SET seq = -1 WHERE seq = 3",
        "UPDATE audit_events SET seq = 3 WHERE seq = 4",
        "UPDATE audit_events SET seq = 4 WHERE seq = -1",
    )
    check = _check(db)
    assert not check.ok and check.first_broken_seq == 3 and check.action == "step.4"
    assert check.reason == "previous-hash link does not match the hash of row 2"


def test_c_swapped_content_names_the_first_swapped_row(db, attacker):
    _trail(db, 5)
    attacker.run(
        "UPDATE audit_events SET after = (SELECT after FROM audit_events WHERE seq = 4) "
        "WHERE seq = 3",
        """UPDATE audit_events SET after = '{"n":3,"text":"größe 中"}' WHERE seq = 4""",
    )
    check = _check(db)
    assert check.first_broken_seq == 3 and check.reason == "content does not match its hash"


def test_e_rehashed_row_breaks_the_next_link(db, attacker):
    """Row 3 edited and its own hash recomputed: row 3 verifies, row 4 no longer links."""
    _trail(db, 5)
    attacker.run()  # triggers dropped; the edit goes through the ORM with the recipe
    with db.write() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.seq == 3)).one()
        event.after = {"n": 3, "text": "forged"}
        event.hash = _recipe_hash(event)
    check = _check(db)
    assert not check.ok and check.first_broken_seq == 4
    assert check.reason == "previous-hash link does not match the hash of row 3"
    assert (check.action, check.entity_id) == ("step.4", "T4")


def test_the_walk_streams_across_batches(db, attacker, monkeypatch):
    monkeypatch.setattr("station.audit.VERIFY_BATCH", 3)
    _trail(db, 10)
    assert _check(db).checked == 10
    attacker.run("""UPDATE audit_events SET after = '{"n": 0}' WHERE seq = 8""")
    check = _check(db)
    assert check.first_broken_seq == 8 and check.checked == 8


# --- (d) truncation -----------------------------------------------------------------------


@pytest.fixture
def autoincrement(attacker: Attacker) -> Attacker:
    """The shipped audit table (migration 0008) keeps the highest seq in sqlite_sequence.

    PostgreSQL keeps no record of the highest seq that survives a rollback, so a truncated tail
    is found on SQLite only (``verify_chain`` says so); these tests are about that record."""
    with attacker.connect() as con:
        ddl = con.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'"
        ).fetchone()[0]
    assert "AUTOINCREMENT" in ddl
    return attacker


@pytest.mark.sqlite_only
def test_d_truncated_tail_is_found_where_sqlite_records_the_highest_seq(db, autoincrement):
    _trail(db, 5)
    intact = _check(db)
    assert intact.ok and intact.tail_checked
    autoincrement.run("DELETE FROM audit_events WHERE seq >= 4")
    check = _check(db)
    assert not check.ok and check.first_broken_seq == 4 and check.missing == (4, 5)
    assert check.reason == "the last 2 rows are missing (deleted?)"
    assert check.action is None and check.head_seq == 3
    assert check.describe() == (
        "audit trail BROKEN at event #4: the last 2 rows are missing (deleted?)"
    )


@pytest.mark.sqlite_only
def test_d_single_truncated_row(db, autoincrement):
    _trail(db, 3)
    autoincrement.run("DELETE FROM audit_events WHERE seq = 3")
    check = _check(db)
    assert check.first_broken_seq == 3 and check.reason == "the last 1 row is missing (deleted?)"


@pytest.mark.sqlite_only
def test_d_every_row_deleted(db, autoincrement):
    _trail(db, 2)
    autoincrement.run("DELETE FROM audit_events")
    check = _check(db)
    assert not check.ok and check.checked == 0 and check.first_broken_seq == 1


@pytest.mark.sqlite_only
def test_d_a_deleted_newest_row_is_not_hidden_by_the_next_event(db, autoincrement):
    """The next event does not reuse the deleted number, so the gap stays visible."""
    _trail(db, 3)
    assert _check(db).tail_checked
    autoincrement.run("DELETE FROM audit_events WHERE seq = 3")
    _trail(db, 1)  # the station writes on, unaware
    with autoincrement.connect() as con:
        assert [s for (s,) in con.execute("SELECT seq FROM audit_events ORDER BY seq")] == [1, 2, 4]
    check = _check(db)
    assert (
        not check.ok and check.missing == (3, 3) and check.reason == "row 3 is missing (deleted?)"
    )
