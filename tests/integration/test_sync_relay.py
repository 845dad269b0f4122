"""The outbox relay against a real loopback HTTP receiver that verifies Standard Webhooks
signatures and dedupes by webhook-id. Faults: error statuses with and without Retry-After,
connection refused, slow responses/timeouts, dropped connections after the effect, 4xx dead
letters, 410, order per unit, and a relay process killed with SIGKILL mid-batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook, WebhookVerificationError

from station.db import Database
from station.models import AuditEvent
from station.models.ledger import OutboxEvent
from station.models.sync import OutboxDelivery, WebhookEndpoint
from station.outbox import add_outbox_event
from station.permissions import PermissionDenied
from station.services.common import Actor
from station.sync.config import SyncConfig
from station.sync.endpoints import (
    EndpointError,
    add_endpoint,
    generate_secret,
    list_endpoints,
    remove_endpoint,
    rotate_secret,
    set_enabled,
)
from station.sync.relay import Relay
from station.sync.sender import canonical_body, sign
from station.sync.status import retry, retry_all_dead, sync_status
from tests.event_payloads import LABEL_PRINTED, label_printed
from tests.factories import make_user, sync_manager
from tests.integration.webhook_receiver import Receiver, Reply

FAST = SyncConfig(base_backoff_s=0.01, max_backoff_s=0.05, request_timeout_s=5.0)


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def add_events(db: Database, units: list[str]) -> list[uuid.UUID]:
    ids = []
    for unit in units:
        with db.write() as session:
            event = add_outbox_event(session, event_type=LABEL_PRINTED, aggregate_type="unit",
                                     aggregate_id=unit, payload=label_printed(unit))  # fmt: skip
            ids.append(event.id)
    return ids


def drain(relay: Relay, clock: FakeClock | None = None, passes: int = 50) -> None:
    for _ in range(passes):
        relay.run_once()
        if clock is not None:
            clock.advance(3600)
        if sync_status(relay.db).pending == 0:
            return


def delivery(db: Database, event_id: uuid.UUID) -> OutboxDelivery:
    with db.read() as session:
        row = session.scalars(select(OutboxDelivery).where(OutboxDelivery.event_id == event_id))
        return row.one()


@pytest.fixture
def secret() -> str:
    return generate_secret()


def no_jitter(_low: float, _high: float) -> float:
    return 0.0


# --- signing ----------------------------------------------------------------------------


def test_signatures_verify_and_tampering_is_rejected(secret: str) -> None:
    body = canonical_body({"id": "e1", "data": {"b": 1, "a": "é"}})
    msg_id, now = "e1", datetime.now(UTC)
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": sign([secret], msg_id, now, body)}  # fmt: skip
    assert Webhook(secret).verify(body, headers)["data"] == {"a": "é", "b": 1}
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("1", "2"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(body, headers)
    old = now - timedelta(minutes=10)
    stale = {**headers, "webhook-timestamp": str(int(old.timestamp())),
             "webhook-signature": sign([secret], msg_id, old, body)}  # fmt: skip
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, stale)
    rotated = generate_secret()
    both = {**headers, "webhook-signature": sign([rotated, secret], msg_id, now, body)}
    assert " " in both["webhook-signature"]
    Webhook(secret).verify(body, both)
    Webhook(rotated).verify(body, both)


def test_endpoint_validation(db: Database) -> None:
    with pytest.raises(EndpointError):
        add_endpoint(db, sync_manager(db), "ftp://example.com/x")
    with pytest.raises(EndpointError):
        add_endpoint(db, sync_manager(db), "https://example.com/x", secret="not-a-secret")
    _view, generated = add_endpoint(
        db, sync_manager(db), "https://example.com/x", event_types=["a", "b"]
    )
    assert generated.startswith("whsec_")
    assert list_endpoints(db)[0].event_types == ["a", "b"]


def test_only_a_sync_manager_changes_endpoints_and_each_change_is_audited(db: Database) -> None:
    """Where verdicts (and so refunds) are sent is a supervisor's decision: refused to a grader
    and to nobody signed in, checked in the change's own transaction, and audited, without
    the secret."""
    grader = make_user(db, "grader")
    for actor in (grader, Actor(station_id="BENCH-T1")):
        with pytest.raises(PermissionDenied):
            add_endpoint(db, actor, "https://example.com/hook")
    assert list_endpoints(db) == []
    manager = sync_manager(db)
    view, secret = add_endpoint(db, manager, "https://example.com/hook")
    with pytest.raises(PermissionDenied):
        set_enabled(db, grader, view.id, False)
    with pytest.raises(PermissionDenied):
        remove_endpoint(db, grader, view.id)
    assert list_endpoints(db)[0].enabled
    set_enabled(db, manager, view.id, False)
    rotated = rotate_secret(db, manager, view.id)
    remove_endpoint(db, manager, view.id)
    assert list_endpoints(db) == []
    with db.read() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "endpoint")
            .order_by(AuditEvent.seq)
        ).all()  # fmt: skip
        trail = [(row.action, row.actor_id, row.entity_id) for row in rows]
        written = " ".join(str(row.after) for row in rows)
    assert trail == [
        (f"sync.endpoint_{action}", manager.user_id, str(view.id))
        for action in ("added", "disabled", "secret_rotated", "removed")
    ]
    assert "https://example.com/hook" in written
    assert secret not in written and rotated not in written


# --- retries ----------------------------------------------------------------------------


def test_5xx_with_and_without_retry_after_then_delivered_once(db: Database, secret: str) -> None:
    replies = {1: Reply(500), 2: Reply(503, headers={"Retry-After": "120"}), 3: Reply(200)}
    clock = FakeClock()
    with Receiver(secret, lambda _e, n: replies[n]) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        (event_id,) = add_events(db, ["U1"])
        relay = Relay(db, FAST, clock=clock, jitter=no_jitter)
        relay.run_once()
        assert delivery(db, event_id).last_status == 500
        clock.advance(1)
        relay.run_once()
        row = delivery(db, event_id)
        assert row.last_status == 503 and row.state == "pending"
        assert row.next_attempt_at == clock.now + timedelta(seconds=120)  # Retry-After honoured
        clock.advance(60)
        assert relay.run_once().sent == 0  # not due yet
        clock.advance(61)
        relay.run_once()
        relay.close()
    assert delivery(db, event_id).state == "delivered"
    assert rx.requests[str(event_id)] == 3 and rx.applied == [str(event_id)]
    assert len(rx.bodies[str(event_id)]) == 1  # byte-identical body on every retry
    with db.read() as session:
        assert session.get(OutboxEvent, event_id).state == "delivered"  # type: ignore[union-attr]


def test_backoff_is_full_jitter_capped(db: Database) -> None:
    seen: list[tuple[float, float]] = []

    def jitter(low: float, high: float) -> float:
        seen.append((low, high))
        return high / 2

    relay = Relay(db, SyncConfig(base_backoff_s=1, max_backoff_s=10), jitter=jitter)
    assert [relay._backoff(n, None) for n in range(6)] == [0.5, 1, 2, 4, 5, 5]
    assert seen[-1] == (0.0, 10)
    assert relay._backoff(0, 30) == 30  # a longer Retry-After wins
    relay.close()


def test_connection_refused_keeps_pending(db: Database, secret: str, refused_port: int) -> None:
    hook = f"http://127.0.0.1:{refused_port}/hook"
    add_endpoint(db, sync_manager(db), hook, secret=secret)
    (event_id,) = add_events(db, ["U1"])
    relay = Relay(db, FAST, jitter=no_jitter)
    counts = relay.run_once()
    relay.close()
    row = delivery(db, event_id)
    assert counts.retried == 1 and row.state == "pending" and row.attempts == 1
    assert row.last_error and "Connect" in row.last_error and "refused" in row.last_error
    assert "timeout" not in row.last_error  # refused is not slow: the message must say which
    assert sync_status(db).in_flight == 1 and sync_status(db).endpoints[0].last_error


def test_timeout_is_retried_without_double_effect(db: Database, secret: str) -> None:
    # The first answer is held until the relay has given up on it, not delayed by a fixed
    # time: under load a fixed delay races the timeout, and a short timeout also hits the
    # answers that are meant to arrive (each one more effect on the receiver).
    config = SyncConfig(base_backoff_s=0.01, max_backoff_s=0.01, request_timeout_s=2.0)
    held = threading.Event()
    with Receiver(secret, lambda _e, n: Reply(hold=held if n == 1 else None)) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        (event_id,) = add_events(db, ["U1"])
        relay = Relay(db, config, jitter=no_jitter)
        first = relay.run_once()
        assert first.retried == 1 and "timeout" in (delivery(db, event_id).last_error or "")
        held.set()
        assert rx.wait_applied(1)  # the slow first request still completed on the receiver
        drain(relay)
        relay.close()
    assert delivery(db, event_id).state == "delivered"
    assert rx.applied == [str(event_id)] and rx.effects[str(event_id)] == 2  # deduped


def test_dropped_connection_after_apply_is_redelivered_once(db: Database, secret: str) -> None:
    with Receiver(secret, lambda _e, n: Reply(drop_after_apply=n == 1)) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        (event_id,) = add_events(db, ["U1"])
        relay = Relay(db, FAST, jitter=no_jitter)
        assert relay.run_once().retried == 1
        drain(relay)
        relay.close()
    assert rx.requests[str(event_id)] == 2 and rx.applied == [str(event_id)]
    assert delivery(db, event_id).state == "delivered"


# --- order, dead letters, 410 -------------------------------------------------------------


def test_unit_order_kept_while_its_first_event_fails(db: Database, secret: str) -> None:
    ids = add_events(db, ["A", "B", "A", "B", "A"])
    first_a = str(ids[0])

    def behaviour(event: dict[str, Any], n: int) -> Reply:
        return Reply(503) if event["id"] == first_a and n <= 3 else Reply()

    with Receiver(secret, behaviour) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        relay = Relay(db, FAST, jitter=no_jitter)
        relay.run_once()
        assert [u for u, _ in rx.applied_units] == ["B", "B"]  # B flows, A waits for its first
        drain(relay)
        relay.close()
    a_order = [e for u, e in rx.applied_units if u == "A"]
    assert a_order == [str(ids[0]), str(ids[2]), str(ids[4])]
    assert rx.requests[str(ids[2])] == 1  # never sent before the first was delivered


def test_4xx_dead_letters_and_other_units_flow(db: Database, secret: str) -> None:
    ids = add_events(db, ["A", "B", "C"])
    bad = str(ids[1])
    fixed = {"yes": False}

    def behaviour(event: dict[str, Any], _n: int) -> Reply:
        if event["id"] == bad and not fixed["yes"]:
            return Reply(422, body="unknown grade " + "x" * 5000)
        return Reply()

    with Receiver(secret, behaviour) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        relay = Relay(db, FAST, jitter=no_jitter)
        counts = relay.run_once()
        assert (counts.delivered, counts.dead) == (2, 1)
        status = sync_status(db)
        assert status.dead == 1 and status.dead_letters[0].last_status == 422
        assert len(status.dead_letters[0].response_body or "") <= 2000
        fixed["yes"] = True
        grader, supervisor = make_user(db, "grader"), make_user(db, "supervisor")
        with pytest.raises(PermissionDenied):
            retry(db, grader, status.dead_letters[0].id)  # re-sending is a supervisor's call
        assert retry(db, supervisor, status.dead_letters[0].id) == 1
        assert retry_all_dead(db, supervisor) == 0
        drain(relay)
        relay.close()
    assert sorted(rx.applied) == sorted(str(i) for i in ids)
    assert sync_status(db).dead == 0


def test_410_disables_endpoint_and_keeps_the_rest(db: Database, secret: str) -> None:
    ids = add_events(db, ["A", "A", "B"])
    with Receiver(secret, lambda _e, _n: Reply(410)) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        relay = Relay(db, FAST, batch_size=1, jitter=no_jitter)
        counts = relay.run_once()
        relay.close()
    assert counts.endpoints_disabled == 1 and counts.sent == 1
    with db.read() as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        assert not endpoint.enabled and "410" in (endpoint.disabled_reason or "")
    status = sync_status(db)
    assert status.dead == 1 and status.pending == len(ids) - 1  # nothing dropped
    assert rx.applied == []


def test_event_type_filter(db: Database, secret: str) -> None:
    with Receiver(secret) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret, event_types=["other.type"])
        add_events(db, ["A"])
        relay = Relay(db, FAST)
        assert relay.run_once().created == 0
        relay.close()


# --- crash ------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_relay_killed_mid_batch_then_restarted(
    db: Database, secret: str, data_dir: Path, database_url: str
) -> None:
    n = 120
    ids = add_events(db, [f"U{i % 40}" for i in range(n)])
    with Receiver(secret, lambda _e, _n: Reply(delay_s=0.05)) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        env = {**os.environ, "STATION_DATA_DIR": str(data_dir)}
        proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; from station.cli import main; sys.exit(main())",
             "sync", "run", "--data-dir", str(data_dir)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            assert rx.wait_applied(20, timeout=60), proc.stderr.read() if proc.stderr else ""
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        killed_at = len(rx.applied)
        assert killed_at < n  # killed mid-way
        time.sleep(0.2)  # let in-flight handlers finish on the receiver side
        relay = Relay(db, FAST, jitter=no_jitter)
        drain(relay)
        relay.close()
    assert sorted(rx.applied) == sorted(str(i) for i in ids)  # every event, one effect each
    assert len(set(rx.applied)) == n
    assert sync_status(db).pending == 0 and sync_status(db).delivered == n
    for unit in {f"U{i % 40}" for i in range(n)}:
        expected = [str(e) for e, i in zip(ids, range(n), strict=True) if f"U{i % 40}" == unit]
        assert [e for u, e in rx.applied_units if u == unit] == expected
