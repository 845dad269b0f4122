"""Relay guards beyond the basic faults: 408/429 with an HTTP-date Retry-After, events that
fail their published schema, one relay per database (the lease), endpoints added or
re-enabled after events were written, and oversized error bodies."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from sqlalchemy import select

from station.db import Database
from station.models.sync import SyncCursor
from station.outbox import add_outbox_event
from station.sync.endpoints import add_endpoint, set_enabled
from station.sync.lease import LEASE_NAME
from station.sync.relay import Relay
from station.sync.status import sync_status
from tests.event_payloads import LABEL_PRINTED, label_printed
from tests.factories import sync_manager
from tests.integration.test_sync_relay import (
    FAST,
    FakeClock,
    add_events,
    delivery,
    drain,
    no_jitter,
)
from tests.integration.webhook_receiver import Receiver, Reply


@pytest.fixture
def secret() -> str:
    from station.sync.endpoints import generate_secret

    return generate_secret()


@pytest.mark.parametrize("status", [408, 429])
def test_408_and_429_retry_after_an_http_date(db: Database, secret: str, status: int) -> None:
    clock = FakeClock()
    clock.now = clock.now.replace(microsecond=0)
    when = clock.now + timedelta(seconds=90)
    # The relay compares an HTTP date with the wall clock; give it a date far enough ahead
    # of both that the wait is the receiver's, not the backoff's (which is 0 here).
    wall_when = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=90)
    replies = {1: Reply(status, headers={"Retry-After": format_datetime(wall_when, usegmt=True)})}
    with Receiver(secret, lambda _e, n: replies.get(n, Reply())) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        (event_id,) = add_events(db, ["U1"])
        relay = Relay(db, FAST, clock=clock, jitter=no_jitter)
        counts = relay.run_once()
        row = delivery(db, event_id)
        assert counts.retried == 1 and row.state == "pending" and row.last_status == status
        assert row.next_attempt_at is not None
        wait = (row.next_attempt_at - clock.now).total_seconds()
        assert 60 <= wait <= 91, wait  # the HTTP date, not the zero backoff
        clock.now = when - timedelta(seconds=35)
        assert relay.run_once().sent == 0  # not due before the date
        clock.now = when + timedelta(seconds=1)
        relay.run_once()
        relay.close()
    assert delivery(db, event_id).state == "delivered" and rx.applied == [str(event_id)]


def test_event_failing_its_schema_is_dead_lettered_unsent(db: Database, secret: str) -> None:
    broken = label_printed("U-BAD")
    broken["sha256"] = "not-a-hash"
    with db.write() as session:
        bad = add_outbox_event(session, event_type=LABEL_PRINTED, aggregate_type="unit",
                               aggregate_id="U-BAD", payload=broken).id  # fmt: skip
    (good,) = add_events(db, ["U-GOOD"])
    with Receiver(secret) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        relay = Relay(db, FAST, jitter=no_jitter)
        counts = relay.run_once()
        relay.close()
    assert (counts.delivered, counts.dead, counts.sent) == (1, 1, 1)
    assert str(bad) not in rx.requests  # never left the station
    assert rx.applied == [str(good)]
    row = delivery(db, bad)
    assert row.state == "dead" and row.last_status is None
    assert row.last_error and "$.data.sha256" in row.last_error and "schema" in row.last_error
    assert sync_status(db).dead_letters[0].event_id == bad


def test_a_second_relay_stands_by_while_the_first_holds_the_lease(
    db: Database, secret: str
) -> None:
    with Receiver(secret) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        first = Relay(db, FAST, jitter=no_jitter)
        add_events(db, ["A"])
        assert first.run_once().delivered == 1  # first takes the lease
        add_events(db, ["B"])
        second = Relay(db, FAST, jitter=no_jitter)
        standby = second.run_once()
        assert standby.sent == 0 and standby.standby and "process" in standby.standby
        assert sync_status(db).undelivered_events == 1
        first.close()  # a clean stop hands the lease back at once
        assert second.run_once().delivered == 1
        second.close()
    assert len(rx.applied) == 2


def test_a_lease_left_by_a_killed_process_on_this_machine_is_taken_over(
    db: Database, secret: str
) -> None:
    import json
    import socket

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    until = datetime.now(UTC) + timedelta(hours=1)
    with db.write() as session:
        session.add(SyncCursor(name=LEASE_NAME, updated_at=datetime.now(UTC), cursor=json.dumps(
            {"owner": uuid.uuid4().hex, "host": socket.gethostname(),
             "pid": int(gone.stdout), "expires_at": until.isoformat()})))  # fmt: skip
    with Receiver(secret) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        add_events(db, ["A"])
        relay = Relay(db, FAST, jitter=no_jitter)
        counts = relay.run_once()
        relay.close()
    assert counts.standby is None and counts.delivered == 1 and len(rx.applied) == 1


def test_a_live_lease_elsewhere_is_respected_until_it_expires(db: Database, secret: str) -> None:
    import json

    def hold(until: datetime) -> None:
        with db.write() as session:
            row = session.get(SyncCursor, LEASE_NAME)
            value = json.dumps({"owner": "other", "host": "another-bench", "pid": 1,
                                "expires_at": until.isoformat()})  # fmt: skip
            if row is None:
                session.add(SyncCursor(name=LEASE_NAME, cursor=value, updated_at=until))
            else:
                row.cursor = value

    hold(datetime.now(UTC) + timedelta(hours=1))
    with Receiver(secret) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        add_events(db, ["A"])
        relay = Relay(db, FAST, jitter=no_jitter)
        assert "another-bench" in (relay.run_once().standby or "")
        hold(datetime.now(UTC) - timedelta(seconds=1))  # the other relay stopped renewing
        assert relay.run_once().delivered == 1
        relay.close()
    assert len(rx.applied) == 1


def test_endpoint_added_later_and_re_enabled_endpoint_get_every_pending_event(
    db: Database, secret: str
) -> None:
    relay = Relay(db, FAST, jitter=no_jitter)
    early = add_events(db, ["A", "B"])
    assert relay.run_once().created == 0  # no endpoint yet: nothing to deliver to
    with Receiver(secret) as rx:
        view, _ = add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        drain(relay)
        assert sorted(rx.applied) == sorted(map(str, early))
        set_enabled(db, sync_manager(db), view.id, False)
        while_off = add_events(db, ["C"])
        relay.run_once()
        assert str(while_off[0]) not in rx.requests  # disabled: kept, not sent
        set_enabled(db, sync_manager(db), view.id, True)
        drain(relay)
        relay.close()
    assert rx.applied[-1] == str(while_off[0]) and len(rx.applied) == 3
    assert all(rx.effects[e] == 1 for e in rx.applied)  # refanning sent nothing twice


def test_a_huge_error_body_is_cut_and_the_next_request_still_works(
    db: Database, secret: str
) -> None:
    calls: dict[str, int] = {}

    def behaviour(event: dict[str, Any], n: int) -> Reply:
        calls[event["id"]] = n
        return Reply(500, body="x" * 2_000_000) if n == 1 else Reply()

    with Receiver(secret, behaviour) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        (event_id,) = add_events(db, ["U1"])
        relay = Relay(db, FAST, jitter=no_jitter)
        relay.run_once()
        body = delivery(db, event_id).response_body or ""
        assert 0 < len(body) <= 2000 and set(body) == {"x"}
        drain(relay)
        relay.close()
    assert rx.applied == [str(event_id)]


def test_delivered_rows_record_the_events_own_time(db: Database, secret: str) -> None:
    from station.models.ledger import OutboxEvent
    from station.models.sync import OutboxDelivery

    add_events(db, ["A"])
    add_endpoint(db, sync_manager(db), "http://127.0.0.1:9/never", secret=secret)
    Relay(db, FAST).ensure_deliveries()
    with db.read() as session:
        row = session.execute(
            select(OutboxDelivery.event_created_at, OutboxEvent.created_at).join(
                OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id
            )
        ).one()
    assert row[0] == row[1]


def test_deliveries_dead_letters_and_a_disabled_endpoint_are_audited(
    db: Database, secret: str
) -> None:
    from station.audit import verify_chain
    from station.models import AuditEvent

    ids = add_events(db, ["A", "B"])
    replies = {str(ids[0]): Reply(204), str(ids[1]): Reply(410)}
    with Receiver(secret, lambda e, _n: replies[e["id"]]) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        relay = Relay(db, FAST, jitter=no_jitter, station_id="BENCH-9")
        relay.run_once()
        relay.close()
    with db.read() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("sync.%")).order_by(AuditEvent.seq)
        ).all()
        assert [r.action for r in rows] == [
            "sync.endpoint_added", "sync.delivered", "sync.dead_lettered", "sync.endpoint_disabled",
        ]  # fmt: skip
        rows = rows[1:]  # the relay's own, after the supervisor added the endpoint
        assert rows[0].after["events"] == [str(ids[0])] and rows[0].station_id == "BENCH-9"
        assert rows[1].after["event"] == str(ids[1]) and rows[1].after["status"] == 410
        assert verify_chain(session).ok
