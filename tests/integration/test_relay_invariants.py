"""Relay invariants that a plausible one-line bug breaks while every functional test passes:

* during a secret rotation every request carries a signature a receiver still holding the OLD
  secret verifies (Standard Webhooks sends ``v1,a v1,b``), and one switched to the new secret
  verifies too;
* only a 2xx answer is a delivery: a 3xx (the relay never follows redirects) is not;
* ``max_attempts`` means exactly that many requests before the dead letter, not one more or
  one fewer, and no limit means retry forever.

Against the real loopback receiver of ``webhook_receiver``, which verifies every signature
with the official ``standardwebhooks`` library.
"""

from __future__ import annotations

import uuid
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook, WebhookVerificationError

from station.db import Database
from station.models.ledger import OutboxEvent
from station.models.sync import WebhookEndpoint
from station.sync.endpoints import (
    EndpointError,
    add_endpoint,
    generate_secret,
    list_endpoints,
    rotate_secret,
)
from station.sync.relay import Relay
from station.sync.sender import canonical_body, sign
from tests.factories import sync_manager
from tests.integration.test_sync_relay import FAST, FakeClock, add_events, delivery, no_jitter
from tests.integration.webhook_receiver import Receiver, Reply


def _event_state(db: Database, event_id: uuid.UUID) -> str:
    with db.read() as session:
        event = session.get(OutboxEvent, event_id)
        assert event is not None
        return event.state


# --- secret rotation --------------------------------------------------------------------


def test_during_a_rotation_a_receiver_with_the_old_secret_still_verifies(db: Database) -> None:
    old = generate_secret()
    with Receiver(old) as rx:
        view, _secret = add_endpoint(db, sync_manager(db), rx.url, secret=old)
        new = rotate_secret(db, sync_manager(db), view.id)
        assert new != old and list_endpoints(db)[0].rotating
        (first,) = add_events(db, ["U1"])
        with closing(Relay(db, FAST, jitter=no_jitter)) as relay:
            relay.run_once()
            # The receiver switches to the new secret; the relay must still be understood.
            rx.webhook = Webhook(new)
            (second,) = add_events(db, ["U2"])
            relay.run_once()
    assert rx.rejected == 0
    assert rx.applied == [str(first), str(second)]
    assert delivery(db, first).state == "delivered" and delivery(db, second).state == "delivered"


def test_a_receiver_with_neither_secret_is_refused() -> None:
    """The other half of rotation: a stranger's secret never verifies (guards the test above
    against a receiver that accepts anything)."""
    old, new, stranger = generate_secret(), generate_secret(), generate_secret()
    body, now = canonical_body({"id": "e1", "data": {}}), datetime.now(UTC)
    headers = {"webhook-id": "e1", "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": sign([new, old], "e1", now, body)}  # fmt: skip
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(stranger).verify(body, headers)


def test_old_secrets_stop_signing_after_two_more_rotations(db: Database) -> None:
    """A rotation keeps the last two secrets signing, newest first; older ones stop."""
    manager = sync_manager(db)
    first = generate_secret()
    view, _ = add_endpoint(db, manager, "https://example.com/hook", secret=first)
    second = rotate_secret(db, manager, view.id)
    third = rotate_secret(db, manager, view.id)
    fourth = rotate_secret(db, manager, view.id)
    with db.read() as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        assert endpoint.secret == fourth
        assert endpoint.previous_secrets == [third, second]


# --- what counts as delivered -----------------------------------------------------------


@pytest.mark.parametrize("status", [300, 301, 302, 304, 307, 308])
def test_a_3xx_answer_is_not_a_delivery(db: Database, status: int) -> None:
    secret = generate_secret()
    reply = Reply(status, headers={"Location": "http://127.0.0.1:9/elsewhere"})
    with Receiver(secret, lambda _e, _n: reply) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        (event_id,) = add_events(db, ["U1"])
        with closing(Relay(db, FAST, jitter=no_jitter)) as relay:
            counts = relay.run_once()
    assert rx.requests[str(event_id)] == 1
    assert counts.delivered == 0
    row = delivery(db, event_id)
    assert row.state != "delivered" and row.delivered_at is None and row.last_status == status
    assert _event_state(db, event_id) == "pending"


@pytest.mark.parametrize("status", [200, 204, 299])
def test_every_2xx_answer_is_a_delivery(db: Database, status: int) -> None:
    secret = generate_secret()
    with Receiver(secret, lambda _e, _n: Reply(status, body="")) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        (event_id,) = add_events(db, ["U1"])
        with closing(Relay(db, FAST, jitter=no_jitter)) as relay:
            counts = relay.run_once()
    assert counts.delivered == 1 and rx.applied == [str(event_id)]
    row = delivery(db, event_id)
    assert row.state == "delivered" and row.last_status == status and row.attempts == 1
    assert _event_state(db, event_id) == "delivered"


# --- max_attempts -----------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 3])
def test_dead_letter_after_exactly_max_attempts_requests(db: Database, limit: int) -> None:
    secret = generate_secret()
    clock = FakeClock()
    with Receiver(secret, lambda _e, _n: Reply(503)) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        (event_id,) = add_events(db, ["U1"])
        relay = Relay(db, replace(FAST, max_attempts=limit), clock=clock, jitter=no_jitter)
        with closing(relay):
            for attempt in range(1, limit):
                counts = relay.run_once()
                clock.advance(3600)
                row = delivery(db, event_id)
                assert (counts.retried, counts.dead) == (1, 0)
                assert (row.state, row.attempts) == ("pending", attempt)
            counts = relay.run_once()
            assert (counts.retried, counts.dead) == (0, 1)
            clock.advance(3600)
            assert relay.run_once().sent == 0  # a dead letter is not sent again by itself
    row = delivery(db, event_id)
    assert (row.state, row.attempts, row.last_status) == ("dead", limit, 503)
    assert rx.requests[str(event_id)] == limit


def test_without_max_attempts_a_retriable_failure_is_retried_forever(db: Database) -> None:
    secret = generate_secret()
    clock = FakeClock()
    with Receiver(secret, lambda _e, _n: Reply(503)) as rx:
        add_endpoint(db, sync_manager(db), rx.url, secret=secret)
        (event_id,) = add_events(db, ["U1"])
        with closing(Relay(db, FAST, clock=clock, jitter=no_jitter)) as relay:
            for _ in range(6):
                assert relay.run_once().retried == 1
                clock.advance(3600)
    row = delivery(db, event_id)
    assert (row.state, row.attempts) == ("pending", 6)
    assert rx.requests[str(event_id)] == 6


def test_a_rotation_to_a_given_secret_uses_exactly_that_secret(db: Database) -> None:
    """The receiver's operator may choose the new secret; it is validated, then used as is."""
    manager = sync_manager(db)
    old, given = generate_secret(), generate_secret()
    view, _ = add_endpoint(db, manager, "https://example.com/hook", secret=old)
    with pytest.raises(EndpointError):
        rotate_secret(db, manager, view.id, "not-a-secret")
    assert rotate_secret(db, manager, view.id, given) == given
    with db.read() as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        assert (endpoint.secret, endpoint.previous_secrets) == (given, [old])
