"""Transactional outbox: events are rows written in the caller's transaction.

The relay (``station.sync.relay``) delivers pending rows; writing them here, in the same transaction as
the verdict, is what makes "never lost" possible: no verdict without its event, no event
without its verdict.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from station.models import DeliveryState, OutboxEvent, new_id
from station.timeutil import utcnow

SCHEMA_VERSION = 1


def add_outbox_event(
    session: Session,
    *,
    event_type: str,
    aggregate_type: str,
    aggregate_id: uuid.UUID | str,
    payload: dict[str, Any],
) -> OutboxEvent:
    event_id = new_id()
    now = utcnow()
    envelope = {
        "id": str(event_id),
        "type": event_type,
        "schema_version": SCHEMA_VERSION,
        "occurred_at": now.isoformat(),
        "data": payload,
    }
    event = OutboxEvent(
        id=event_id,
        event_type=event_type,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        payload=envelope,
        created_at=now,
        state=DeliveryState.PENDING.value,
        next_attempt_at=now,
    )
    session.add(event)
    session.flush()
    return event


def refan_pending(session: Session) -> int:
    """Marks undelivered events as new for the relay, which then creates any delivery missing
    for the current endpoints. Call it when an endpoint is added or enabled: events written
    while it did not exist (or was off) must still reach it."""
    result = session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.state == DeliveryState.PENDING.value, OutboxEvent.fanned_out)
        .values(fanned_out=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
