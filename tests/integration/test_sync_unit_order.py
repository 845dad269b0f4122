"""Per-unit order behind a dead letter, against a real loopback receiver (Standard Webhooks
verified, deduped by webhook-id) that refuses exactly one event of a unit with a 400.

Upstream must never get a unit's later event (a revised verdict) without the earlier one it
builds on, so the unit's later events wait behind its dead letter, per endpoint, until a
supervisor retries it (then everything arrives in order) or resolves it by hand (then the held
events flow and the refused one is never sent again). Other units are not held, and ``sync
status`` (CLI) says how many events are held and for which unit.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from main import cli
from station.db import Database
from station.models import AuditEvent
from station.models.ledger import OutboxEvent
from station.outbox import add_outbox_event
from station.permissions import PermissionDenied
from station.services.common import Actor, ServiceError
from station.services.users import add_user
from station.sync.config import SyncConfig
from station.sync.endpoints import add_endpoint, generate_secret
from station.sync.relay import Relay
from station.sync.status import resolve, retry, sync_status
from tests.event_payloads import LABEL_PRINTED, label_printed
from tests.factories import make_user, sync_manager
from tests.integration.webhook_receiver import Receiver, Reply

FAST = SyncConfig(base_backoff_s=0.01, max_backoff_s=0.05, request_timeout_s=5.0)
# Unit A's second event is refused; B is another unit and must not wait for A.
UNITS = ["A", "B", "A", "B", "A", "B", "A"]
REFUSED = 2  # index in UNITS: A's second event


def add_events(db: Database, units: list[str]) -> list[str]:
    """One event per unit given, each in its own transaction (as verdicts are written)."""
    ids = []
    for unit in units:
        with db.write() as session:
            event = add_outbox_event(session, event_type=LABEL_PRINTED, aggregate_type="unit",
                                     aggregate_id=unit, payload=label_printed(unit))  # fmt: skip
            ids.append(str(event.id))
    return ids


def refusing(
    event_id: str, refusing_now: dict[str, bool]
) -> Callable[[dict[str, Any], int], Reply]:
    """Answers 400 to ``event_id`` while ``refusing_now["on"]``, 200 to everything else."""

    def behaviour(event: dict[str, Any], _attempt: int) -> Reply:
        if event["id"] == event_id and refusing_now["on"]:
            return Reply(400, body="grade Z is not a grade")
        return Reply()

    return behaviour


def settle(relay: Relay, passes: int = 10) -> None:
    """Passes until one sends nothing: what can go has gone (no clock: nothing retries)."""
    for _ in range(passes):
        if relay.run_once().sent == 0:
            return
    raise AssertionError("the relay kept sending")


def unit_order(rx: Receiver, unit: str) -> list[str]:
    return [event_id for u, event_id in rx.applied_units if u == unit]


def dead_letter_id(db: Database) -> uuid.UUID:
    (letter,) = sync_status(db).dead_letters
    return letter.id


@pytest.fixture
def secret() -> str:
    return generate_secret()


@pytest.fixture
def relay(db: Database) -> Iterator[Relay]:
    """Closed even when an assertion fails: no sender threads or connections outlive a test."""
    relay = Relay(db, FAST)
    yield relay
    relay.close()


def test_later_events_wait_behind_a_dead_letter_until_it_is_retried(
    db: Database, secret: str, relay: Relay
) -> None:
    ids = add_events(db, UNITS)
    a = [e for e, u in zip(ids, UNITS, strict=True) if u == "A"]
    b = [e for e, u in zip(ids, UNITS, strict=True) if u == "B"]
    refusing_now = {"on": True}
    with Receiver(secret, refusing(ids[REFUSED], refusing_now)) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        settle(relay)
        assert unit_order(rx, "B") == b  # the other unit is not held
        assert unit_order(rx, "A") == a[:1]  # A stops at its dead letter
        assert set(rx.requests) == {*b, a[0], a[1]}  # A's later events were never sent
        status = sync_status(db)
        assert (status.dead, status.held, status.pending) == (1, 2, 2)
        (endpoint,) = status.endpoints
        assert (endpoint.held, endpoint.held_units) == (2, ("A",))
        assert status.dead_letters[0].held == 2

        # A's event written after the dead letter waits too (it is created later, by fan-out).
        (late,) = add_events(db, ["A"])
        settle(relay)
        assert sync_status(db).held == 3 and late not in rx.requests

        refusing_now["on"] = False  # upstream fixed the grade; a supervisor retries
        assert retry(db, make_user(db, "supervisor"), dead_letter_id(db)) == 1
        settle(relay)
    assert unit_order(rx, "A") == [*a, late]  # all of A, in order, each once
    assert all(rx.requests[e] == 1 for e in [*a[2:], late])
    status = sync_status(db)
    assert (status.dead, status.held, status.pending) == (0, 0, 0)


def test_resolving_the_dead_letter_releases_the_held_events(
    db: Database, secret: str, relay: Relay
) -> None:
    ids = add_events(db, UNITS)
    a = [e for e, u in zip(ids, UNITS, strict=True) if u == "A"]
    with Receiver(secret, refusing(ids[REFUSED], {"on": True})) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        settle(relay)
        assert unit_order(rx, "A") == a[:1]
        letter = dead_letter_id(db)
        with pytest.raises(PermissionDenied):  # settling a refused verdict is a supervisor's
            resolve(db, make_user(db, "grader"), letter, "sent by e-mail")
        supervisor = make_user(db, "supervisor")
        with pytest.raises(ServiceError):
            resolve(db, supervisor, letter, "   ")  # a decision without a reason is refused
        assert sync_status(db).held == 2
        assert resolve(db, supervisor, letter, "sent to the WMS by e-mail") == 1
        assert resolve(db, supervisor, letter, "again") == 0  # no longer dead
        settle(relay)
    assert unit_order(rx, "A") == [a[0], a[2], a[3]]  # the held ones, in order
    assert rx.requests[a[1]] == 1  # the resolved one is not sent again
    status = sync_status(db)
    assert (status.dead, status.held, status.pending, status.resolved) == (0, 0, 0, 1)
    assert status.undelivered_events == 0  # the resolved event is finished, not stuck
    with db.read() as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sync.resolved")
        ).one()
        assert audit.entity_id == str(letter) and audit.actor_id == supervisor.user_id
        assert (audit.after or {})["reason"] == "sent to the WMS by e-mail"


def test_the_hold_is_per_endpoint(db: Database, secret: str, relay: Relay) -> None:
    """An endpoint that accepted A's second event has no reason to wait; only the endpoint
    that refused it holds A's later events."""
    ids = add_events(db, ["A", "A", "A"])
    other_secret = generate_secret()
    with (
        Receiver(secret, refusing(ids[1], {"on": True})) as strict,
        Receiver(other_secret) as lenient,
    ):
        add_endpoint(db, sync_manager(db), strict.url, secret=secret)
        add_endpoint(db, sync_manager(db), lenient.url, secret=other_secret)
        settle(relay)
    assert unit_order(lenient, "A") == ids
    assert unit_order(strict, "A") == ids[:1]
    held = {e.url: e.held for e in sync_status(db).endpoints}
    assert held == {strict.url: 1, lenient.url: 0}
    with db.read() as session:
        states = session.scalars(
            select(OutboxEvent.state).where(OutboxEvent.id == uuid.UUID(ids[2]))
        ).one()
    assert states == "pending"  # still owed to the strict endpoint


def test_sync_status_and_resolve_on_the_command_line(
    db: Database,
    secret: str,
    relay: Relay,
    data_dir: Path,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STATION_DATABASE_URL", database_url)
    monkeypatch.setenv("STATION_PIN", "2468")
    add_user(db, Actor(station_id="BENCH-T1"), "ada", "Ada Admin", "admin", pin="2468")
    ids = add_events(db, ["U-7", "U-7", "U-7", "U-7"])
    with Receiver(secret, refusing(ids[0], {"on": True})) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        settle(relay)

        def run(*args: str) -> tuple[int, str]:
            code = cli([*args, "--data-dir", str(data_dir)])
            return code, capsys.readouterr().out

        code, out = run("sync", "status")
        assert code == 2  # a dead letter needs someone
        assert "3 event(s) held behind a dead letter (unit U-7)" in out
        code, out = run("sync", "status", "--json")
        shown = json.loads(out)
        assert (shown["held"], shown["dead"], shown["pending"]) == (3, 1, 3)
        assert shown["endpoints"][0]["held_units"] == ["U-7"]
        assert shown["dead_letters"][0]["held"] == 3

        letter = shown["dead_letters"][0]["id"]
        code, out = run("sync", "resolve", letter, "--as", "ada", "--reason", "keyed in by hand")
        assert code == 0 and "resolved" in out
        code, out = run("sync", "resolve", letter, "--as", "ada", "--reason", "twice")
        assert code == 1 and "not a dead delivery" in out
        code, out = run("sync", "resolve", "nonsense", "--as", "ada", "--reason", "x", "--json")
        assert code != 0 and "not a delivery id: nonsense" in json.loads(out)["error"]
        settle(relay)
    assert unit_order(rx, "U-7") == ids[1:]
    code, out = run("sync", "status")
    assert code == 0 and "held" not in out


@pytest.mark.sqlite_only("reads SQLite's query plan")
def test_claim_query_probes_by_index(db: Database, relay: Relay) -> None:
    """The claim query runs on every pass: with the dead-letter rule it still walks pending
    rows by index and probes each unit's index for a blocking predecessor, never scanning the
    outbox (SQLite's plan says SCAN for a full table scan)."""
    query = relay.claim_query(relay._clock(), {uuid.uuid4()})
    compiled = query.compile(db.engine, compile_kwargs={"render_postcompile": True})
    params = tuple(None for _ in compiled.positiontup or ())  # the plan ignores the values
    with db.read() as session:
        plan = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params)
        details = [row[-1] for row in plan]
    assert not [d for d in details if d.startswith("SCAN") and "outbox_deliveries" in d], details
    assert any("ix_outbox_deliveries_unit_order" in d for d in details), details
