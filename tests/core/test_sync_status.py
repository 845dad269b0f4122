"""``sync_status`` counts, on both engines: pending / attempted / delivered / dead / resolved
per endpoint, and the events held behind a dead letter, counted apart, with their unit.

The deliveries are put in known states directly (no HTTP), so every expected number below is
what the test itself set up. On PostgreSQL the old query (GROUP BY ``attempts > 0``) failed
with a GroupingError, so these tests are also the regression test for that.
"""

from __future__ import annotations

from sqlalchemy import select, update

from station.db import Database
from station.models.sync import DeliveryStatus, OutboxDelivery, WebhookEndpoint
from station.outbox import add_outbox_event
from station.sync.endpoints import add_endpoint
from station.sync.relay import Relay
from station.sync.status import sync_status
from tests.event_payloads import LABEL_PRINTED, label_printed
from tests.factories import sync_manager

STRICT, LENIENT = "https://strict.example/hook", "https://lenient.example/hook"
UNITS = ["A", "A", "A", "B", "C", "D"]
# (endpoint, event index) -> (state, attempts); everything else is delivered.
STATES = {
    (STRICT, 0): (DeliveryStatus.DEAD, 1),  # A's first: refused, holds A's next two
    (STRICT, 1): (DeliveryStatus.PENDING, 0),
    (STRICT, 2): (DeliveryStatus.PENDING, 0),
    (STRICT, 3): (DeliveryStatus.PENDING, 3),  # B: retrying, not held
    (LENIENT, 4): (DeliveryStatus.RESOLVED, 1),  # C: settled by hand
    (LENIENT, 5): (DeliveryStatus.DEAD, 1),  # D: dead, nothing behind it
}


def _set_up(db: Database) -> None:
    """Two endpoints, six events, and each delivery put in the state ``STATES`` gives it."""
    manager = sync_manager(db)
    add_endpoint(db, manager, STRICT)
    add_endpoint(db, manager, LENIENT)
    event_ids = []
    for unit in UNITS:
        with db.write() as session:
            event = add_outbox_event(session, event_type=LABEL_PRINTED, aggregate_type="unit",
                                     aggregate_id=unit, payload=label_printed(unit))  # fmt: skip
            event_ids.append(event.id)
    relay = Relay(db)
    try:
        assert relay.ensure_deliveries() == len(UNITS) * 2
    finally:
        relay.close()
    with db.write() as session:
        url_of = dict(session.execute(select(WebhookEndpoint.id, WebhookEndpoint.url)).all())
        rows = session.execute(
            select(OutboxDelivery.id, OutboxDelivery.event_id, OutboxDelivery.endpoint_id)
        ).all()
        for delivery_id, event_id, endpoint_id in rows:
            key = (url_of[endpoint_id], event_ids.index(event_id))
            state, attempts = STATES.get(key, (DeliveryStatus.DELIVERED, 1))
            session.execute(
                update(OutboxDelivery)
                .where(OutboxDelivery.id == delivery_id)
                .values(state=state, attempts=attempts)
            )


def test_counts_per_state_and_endpoint(db: Database) -> None:
    _set_up(db)
    status = sync_status(db)
    assert (status.pending, status.in_flight, status.delivered, status.dead) == (3, 1, 6, 2)
    assert (status.held, status.resolved) == (2, 1)
    strict, lenient = status.endpoints
    assert (strict.url, lenient.url) == (STRICT, LENIENT)
    assert (strict.pending, strict.in_flight, strict.delivered, strict.dead) == (3, 1, 2, 1)
    assert (lenient.pending, lenient.in_flight, lenient.delivered, lenient.dead) == (0, 0, 4, 1)


def test_held_events_are_counted_with_their_unit(db: Database) -> None:
    _set_up(db)
    status = sync_status(db)
    strict, lenient = status.endpoints
    assert (strict.held, strict.held_units) == (2, ("A",))
    assert (lenient.held, lenient.held_units) == (0, ())
    held_by_unit = {letter.aggregate_id: letter.held for letter in status.dead_letters}
    assert held_by_unit == {"A": 2, "D": 0}


def test_an_empty_outbox(db: Database) -> None:
    status = sync_status(db)
    assert (status.pending, status.in_flight, status.dead, status.held) == (0, 0, 0, 0)
    assert status.endpoints == [] and status.dead_letters == []
