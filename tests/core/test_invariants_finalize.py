"""Finalize is one transaction: the verdict, its LPN, its audit event and its outbox event
commit together or not at all.

Why a test of its own: moving the outbox write into a second transaction after the verdict
passes every functional test (the event is still there afterwards), yet a crash between the
two commits leaves a verdict upstream never hears about. These tests make the outbox write
fail inside finalize, and watch which transaction each row is inserted in.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from station.models import AuditEvent, Inspection, Lpn, OutboxEvent, RmaLine, Verdict
from station.services import inspections as svc
from tests.core.test_inspections import VERDICT, _answer_all, _open
from tests.factories import UPS, make_rma


class OutboxUnavailable(RuntimeError):
    """What the outbox insert raises in these tests (a full disk, a constraint, a bug)."""


def _count(db, model, *where) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


@contextmanager
def failing_outbox() -> Iterator[None]:
    """Every outbox insert fails meanwhile, whoever calls it and in whichever transaction."""

    def refuse(*_args: Any) -> None:
        raise OutboxUnavailable("outbox insert refused")

    event.listen(OutboxEvent, "before_insert", refuse)
    try:
        yield
    finally:
        event.remove(OutboxEvent, "before_insert", refuse)


@contextmanager
def transactions() -> Iterator[list[list[str]]]:
    """The INSERT target tables of each committed transaction, in commit order."""
    done: list[list[str]] = []
    open_: dict[int, list[str]] = {}

    def executed(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        words = statement.split()
        if len(words) > 2 and words[0].upper() == "INSERT" and words[1].upper() == "INTO":
            open_.setdefault(id(conn.connection), []).append(words[2].strip('"'))

    def committed(conn: Any) -> None:
        done.append(open_.pop(id(conn.connection), []))

    event.listen(Engine, "after_cursor_execute", executed)
    event.listen(Engine, "commit", committed)
    try:
        yield done
    finally:
        event.remove(Engine, "after_cursor_execute", executed)
        event.remove(Engine, "commit", committed)


@pytest.fixture
def draft(db, actor, standards, catalog):
    """A unit with every fact the general standard needs: finalize would succeed."""
    make_rma(db, "RMA-1", tracking=UPS, price="89.90")
    inspection = _open(db, actor, standards)
    _answer_all(db, actor, standards, inspection.id)
    return inspection.id


def test_a_failing_outbox_write_leaves_no_verdict_and_the_unit_open(db, actor, standards, draft):
    audit_before = _count(db, AuditEvent)

    with failing_outbox(), pytest.raises(OutboxUnavailable):
        svc.finalize_inspection(db, actor, standards, draft)

    assert _count(db, Verdict) == 0
    assert _count(db, Lpn) == 0
    assert _count(db, OutboxEvent, OutboxEvent.event_type == VERDICT) == 0
    assert _count(db, AuditEvent) == audit_before
    with db.read() as session:
        assert session.get(Inspection, draft).status == "draft"
        assert session.scalar(select(RmaLine.qty_received)) == 0


def test_after_the_outbox_failure_the_unit_finalizes_once(db, actor, standards, draft):
    """Nothing half-written blocks the retry: one verdict, one LPN, one event."""
    with failing_outbox(), pytest.raises(OutboxUnavailable):
        svc.finalize_inspection(db, actor, standards, draft)

    verdict = svc.finalize_inspection(db, actor, standards, draft)

    assert _count(db, Verdict) == 1 and _count(db, Lpn) == 1
    with db.read() as session:
        events = session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == VERDICT))
        [only] = events.all()
        assert only.payload["data"]["lpn"] == verdict.lpn


def test_verdict_lpn_audit_and_outbox_rows_are_inserted_in_one_transaction(
    db, actor, standards, draft
):
    with transactions() as committed:
        svc.finalize_inspection(db, actor, standards, draft)

    writing = [tables for tables in committed if tables]
    assert len(writing) == 1, writing
    assert {"verdicts", "lpns", "audit_events", "outbox_events"} <= set(writing[0])
