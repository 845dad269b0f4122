"""What the relay is doing, for the status bar, ``station sync status`` and the dead-letter list.

Dead deliveries are never dropped: they stay here, visible, until someone retries them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update

from station.audit import audit_action
from station.db import Database
from station.models.ledger import DeliveryState, OutboxEvent
from station.models.sync import DeliveryStatus, OutboxDelivery, WebhookEndpoint
from station.permissions import Permission, authorize
from station.services.common import Actor
from station.timeutil import utcnow


@dataclass(frozen=True)
class EndpointStatus:
    id: uuid.UUID
    url: str
    enabled: bool
    disabled_reason: str | None
    pending: int
    in_flight: int  # attempted at least once, not delivered yet
    delivered: int
    dead: int
    last_error: str | None


@dataclass(frozen=True)
class DeadDelivery:
    id: uuid.UUID
    event_id: uuid.UUID
    endpoint_url: str
    aggregate_id: str
    attempts: int
    last_status: int | None
    last_error: str | None
    response_body: str | None


@dataclass(frozen=True)
class SyncStatus:
    pending: int
    in_flight: int
    delivered: int
    dead: int
    oldest_pending_age_s: float | None
    undelivered_events: int  # outbox events not yet delivered to every endpoint
    endpoints: list[EndpointStatus] = field(default_factory=list)
    dead_letters: list[DeadDelivery] = field(default_factory=list)


def sync_status(db: Database, *, now: datetime | None = None, dead_limit: int = 50) -> SyncStatus:
    now = now or utcnow()
    d = OutboxDelivery
    with db.read() as session:
        counts: dict[tuple[uuid.UUID, str, bool], int] = {}
        query = select(d.endpoint_id, d.state, d.attempts > 0, func.count()).group_by(
            d.endpoint_id, d.state, d.attempts > 0
        )
        for endpoint_id, state, tried, count in session.execute(query):
            counts[(endpoint_id, state, bool(tried))] = count
        oldest = session.scalar(
            select(func.min(OutboxEvent.created_at))
            .join(d, d.event_id == OutboxEvent.id)
            .where(d.state == DeliveryStatus.PENDING)
        )
        undelivered = session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.state == DeliveryState.PENDING.value)
        )
        endpoints = []
        for ep in session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at)):
            last_error = session.scalar(
                select(d.last_error)
                .where(d.endpoint_id == ep.id, d.last_error.is_not(None))
                .order_by(d.next_attempt_at.desc())
                .limit(1)
            )

            def n(state: str, tried: bool | None = None, ep_id: uuid.UUID = ep.id) -> int:
                return sum(
                    v
                    for (e, s, t), v in counts.items()
                    if e == ep_id and s == state and (tried is None or t == tried)
                )

            endpoints.append(
                EndpointStatus(
                    id=ep.id,
                    url=ep.url,
                    enabled=ep.enabled,
                    disabled_reason=ep.disabled_reason,
                    pending=n(DeliveryStatus.PENDING),
                    in_flight=n(DeliveryStatus.PENDING, True),
                    delivered=n(DeliveryStatus.DELIVERED),
                    dead=n(DeliveryStatus.DEAD),
                    last_error=last_error,
                )
            )
        dead_rows = session.execute(
            select(d, WebhookEndpoint.url)
            .join(WebhookEndpoint, WebhookEndpoint.id == d.endpoint_id)
            .where(d.state == DeliveryStatus.DEAD)
            .order_by(d.created_at)
            .limit(dead_limit)
        ).all()
        dead_letters = [
            DeadDelivery(
                id=row.id,
                event_id=row.event_id,
                endpoint_url=url,
                aggregate_id=row.aggregate_id,
                attempts=row.attempts,
                last_status=row.last_status,
                last_error=row.last_error,
                response_body=row.response_body,
            )
            for row, url in dead_rows
        ]

    def total(state: str, tried: bool | None = None) -> int:
        return sum(
            v for (_, s, t), v in counts.items() if s == state and (tried is None or t == tried)
        )

    return SyncStatus(
        pending=total(DeliveryStatus.PENDING),
        in_flight=total(DeliveryStatus.PENDING, True),
        delivered=total(DeliveryStatus.DELIVERED),
        dead=total(DeliveryStatus.DEAD),
        oldest_pending_age_s=(now - oldest).total_seconds() if oldest else None,
        undelivered_events=int(undelivered or 0),
        endpoints=endpoints,
        dead_letters=dead_letters,
    )


def _requeue(db: Database, actor: Actor, condition: object) -> int:
    """Dead → pending with attempts reset, by a user allowed to manage sync (a supervisor):
    re-sending a refused refund is a decision, so it is authorised and audited."""
    with db.write() as session:
        authorize(session, actor, Permission.MANAGE_SYNC)
        ids = list(
            session.scalars(
                select(OutboxDelivery.id)
                .where(OutboxDelivery.state == DeliveryStatus.DEAD)
                .where(condition)  # type: ignore[arg-type]
            )
        )
        if not ids:
            return 0
        session.execute(
            update(OutboxDelivery)
            .where(OutboxDelivery.id.in_(ids))
            .values(state=DeliveryStatus.PENDING, attempts=0, next_attempt_at=utcnow())
        )
        audit_action(session, actor, action="sync.retried", entity_type="sync",
                     entity_id="dead_letters",
                     after={"deliveries": [str(i) for i in ids]})  # fmt: skip
        return len(ids)


def retry(db: Database, actor: Actor, delivery_id: uuid.UUID | str) -> int:
    """Dead → pending with attempts reset; returns 1, or 0 if it was not dead."""
    key = delivery_id if isinstance(delivery_id, uuid.UUID) else uuid.UUID(str(delivery_id))
    return _requeue(db, actor, OutboxDelivery.id == key)


def retry_all_dead(db: Database, actor: Actor) -> int:
    return _requeue(db, actor, OutboxDelivery.state == DeliveryStatus.DEAD)
