"""The audit chain proves its own integrity: any edit or deletion is found and named."""

from __future__ import annotations

from sqlalchemy import text

from station.audit import append_audit, verify_chain


def _append(db, count):
    with db.write() as session:
        for n in range(count):
            append_audit(
                session,
                station_id="B1",
                action="test.step",
                entity_type="test",
                entity_id=str(n),
                after={"n": n, "text": "größe 中"},
            )


def _disable_append_only(session, dialect: str, verb: str) -> None:
    if dialect == "sqlite":
        session.execute(text(f"DROP TRIGGER audit_events_no_{verb}"))
    else:
        session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))


def test_chain_verifies_and_names_the_first_tampered_row(db):
    _append(db, 5)
    with db.read() as session:
        check = verify_chain(session)
    assert check.ok and check.checked == 5
    with db.write() as session:
        _disable_append_only(session, db.dialect, "update")  # an attacker with SQL access
        session.execute(text("UPDATE audit_events SET after = '{\"n\": 99}' WHERE seq = 3"))
    with db.read() as session:
        check = verify_chain(session)
    assert not check.ok and check.first_broken_seq == 3 and "content" in check.reason


def test_deleting_a_row_breaks_the_link(db):
    _append(db, 4)
    with db.write() as session:
        _disable_append_only(session, db.dialect, "delete")
        session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    with db.read() as session:
        check = verify_chain(session)
    assert not check.ok and check.first_broken_seq == 3 and "link" in check.reason
