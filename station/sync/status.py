"""What the relay is doing, for the status bar, ``station sync status`` and the dead-letter list.

Dead deliveries are never dropped: they stay here, visible, until a supervisor retries them or
resolves them by hand. Until then they hold their unit's later events (per endpoint, see the
relay), and the status counts those held events apart, with their units, so nobody wonders why
a unit's events stop.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from station.audit import audit_action
from station.db import Database
from station.i18n import _
from station.models.ledger import DeliveryState, OutboxEvent
from station.models.sync import DONE_STATES, DeliveryStatus, OutboxDelivery, WebhookEndpoint
from station.permissions import Permission, authorize
from station.services.common import Actor, ServiceError
from station.timeutil import utcnow


@dataclass(frozen=True)
class EndpointStatus:
    id: uuid.UUID
    url: str
    enabled: bool
    disabled_reason: str | None
    pending: int  # everything not sent yet, held events included
    in_flight: int  # attempted at least once, not delivered yet
    delivered: int
    dead: int
    last_error: str | None
    held: int = 0  # of ``pending``: later events of a unit waiting behind its dead letter
    held_units: tuple[str, ...] = ()  # the units whose events are held, oldest dead letter first


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
    held: int = 0  # the unit's later events (at this endpoint) held behind this dead letter


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
    held: int = 0  # of ``pending``: events held behind a dead letter of their unit
    resolved: int = 0  # dead letters a supervisor settled by hand


def held_text(n: int, units: tuple[str, ...] | list[str], shown: int = 3) -> str:
    """ "3 event(s) held behind a dead letter (unit U-1)", in the language in force: the CLI
    and the window say it with the same words."""
    names = ", ".join(units[:shown]) + (", …" if len(units) > shown else "")
    return _("{n} event(s) held behind a dead letter (unit {units})").format(n=n, units=names)


def _after(later: type[OutboxDelivery], earlier: type[OutboxDelivery]) -> ColumnElement[bool]:
    """``later``'s event comes after ``earlier``'s: the relay's (created_at, event id) order."""
    return or_(
        later.event_created_at > earlier.event_created_at,
        and_(
            later.event_created_at == earlier.event_created_at,
            later.event_id > earlier.event_id,
        ),
    )


def _state_counts(session: Session) -> dict[tuple[uuid.UUID, str], tuple[int, int]]:
    """(endpoint, state) -> (deliveries, of which attempted). The attempted ones are summed
    with CASE, not grouped by ``attempts > 0``: PostgreSQL binds the select's and the GROUP
    BY's ``> 0`` as two parameters and then refuses the query as ungrouped (GroupingError)."""
    d = OutboxDelivery
    tried = func.sum(case((d.attempts > 0, 1), else_=0))
    query = select(d.endpoint_id, d.state, func.count(), tried).group_by(d.endpoint_id, d.state)
    return {
        (endpoint_id, state): (int(count), int(attempted or 0))
        for endpoint_id, state, count, attempted in session.execute(query)
    }


def _held_counts(session: Session) -> dict[tuple[uuid.UUID, str], int]:
    """(endpoint, unit) -> pending deliveries of the unit after one of its dead letters.

    Starts from the dead letters (few, found by ``ix_outbox_deliveries_state_order``) and
    probes each one's unit (``ix_outbox_deliveries_unit_order``): the backlog is not scanned.
    """
    dead, later = aliased(OutboxDelivery), aliased(OutboxDelivery)
    query = (
        select(dead.endpoint_id, dead.aggregate_id, func.count(distinct(later.id)))
        .select_from(dead)
        .join(
            later,
            and_(
                later.endpoint_id == dead.endpoint_id,
                later.aggregate_id == dead.aggregate_id,
                later.state == DeliveryStatus.PENDING,
                _after(later, dead),
            ),
        )
        .where(dead.state == DeliveryStatus.DEAD)
        .group_by(dead.endpoint_id, dead.aggregate_id)
        .order_by(func.min(dead.event_created_at))
    )
    return {(endpoint_id, unit): int(n) for endpoint_id, unit, n in session.execute(query)}


def _endpoint_status(
    session: Session,
    ep: WebhookEndpoint,
    counts: dict[tuple[uuid.UUID, str], tuple[int, int]],
    held: dict[tuple[uuid.UUID, str], int],
) -> EndpointStatus:
    d = OutboxDelivery
    last_error = session.scalar(
        select(d.last_error)
        .where(d.endpoint_id == ep.id, d.last_error.is_not(None))
        .order_by(d.next_attempt_at.desc())
        .limit(1)
    )
    pending, in_flight = counts.get((ep.id, DeliveryStatus.PENDING), (0, 0))
    held_units = tuple(unit for (e, unit) in held if e == ep.id)
    return EndpointStatus(
        id=ep.id,
        url=ep.url,
        enabled=ep.enabled,
        disabled_reason=ep.disabled_reason,
        pending=pending,
        in_flight=in_flight,
        delivered=counts.get((ep.id, DeliveryStatus.DELIVERED), (0, 0))[0],
        dead=counts.get((ep.id, DeliveryStatus.DEAD), (0, 0))[0],
        last_error=last_error,
        held=sum(n for (e, _unit), n in held.items() if e == ep.id),
        held_units=held_units,
    )


def _dead_letters(
    session: Session, held: dict[tuple[uuid.UUID, str], int], limit: int
) -> list[DeadDelivery]:
    d = OutboxDelivery
    rows = session.execute(
        select(d, WebhookEndpoint.url)
        .join(WebhookEndpoint, WebhookEndpoint.id == d.endpoint_id)
        .where(d.state == DeliveryStatus.DEAD)
        .order_by(d.created_at)
        .limit(limit)
    ).all()
    return [
        DeadDelivery(
            id=row.id,
            event_id=row.event_id,
            endpoint_url=url,
            aggregate_id=row.aggregate_id,
            attempts=row.attempts,
            last_status=row.last_status,
            last_error=row.last_error,
            response_body=row.response_body,
            held=held.get((row.endpoint_id, row.aggregate_id), 0),
        )
        for row, url in rows
    ]


def sync_status(db: Database, *, now: datetime | None = None, dead_limit: int = 50) -> SyncStatus:
    """One consistent picture (one read transaction) for the indicator, the CLI and the list."""
    now = now or utcnow()
    d = OutboxDelivery
    with db.read() as session:
        counts = _state_counts(session)
        held = _held_counts(session)
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
        endpoints = [
            _endpoint_status(session, ep, counts, held)
            for ep in session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at))
        ]
        dead_letters = _dead_letters(session, held, dead_limit)

    def total(state: str, attempted: bool = False) -> int:
        return sum(v[1 if attempted else 0] for (_, s), v in counts.items() if s == state)

    return SyncStatus(
        pending=total(DeliveryStatus.PENDING),
        in_flight=total(DeliveryStatus.PENDING, attempted=True),
        delivered=total(DeliveryStatus.DELIVERED),
        dead=total(DeliveryStatus.DEAD),
        oldest_pending_age_s=(now - oldest).total_seconds() if oldest else None,
        undelivered_events=int(undelivered or 0),
        endpoints=endpoints,
        dead_letters=dead_letters,
        held=sum(held.values()),
        resolved=total(DeliveryStatus.RESOLVED),
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


def resolve(db: Database, actor: Actor, delivery_id: uuid.UUID | str, reason: str) -> int:
    """Dead → resolved: a supervisor settled the refused event another way, so it is not sent
    again and stops holding its unit's later events, which then flow in order. Like a retry
    it is a decision about refunds: authorised, audited with the reason. Returns 1, or 0 if
    the delivery was not dead."""
    key = delivery_id if isinstance(delivery_id, uuid.UUID) else uuid.UUID(str(delivery_id))
    reason = " ".join(reason.split())
    if not reason:
        raise ServiceError(_("Say why the dead letter is resolved (a reason is required)"))
    now = utcnow()
    with db.write() as session:
        authorize(session, actor, Permission.MANAGE_SYNC)
        row = session.get(OutboxDelivery, key)
        if row is None or row.state != DeliveryStatus.DEAD:
            return 0
        row.state = DeliveryStatus.RESOLVED
        row.next_attempt_at = None
        session.flush()
        # The event is finished once no endpoint is still owed it (retention can prune it).
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == row.event_id)
            .where(
                ~exists().where(
                    OutboxDelivery.event_id == OutboxEvent.id,
                    OutboxDelivery.state.not_in(DONE_STATES),
                )
            )
            .values(state=DeliveryState.DELIVERED.value, delivered_at=now)
        )
        audit_action(session, actor, action="sync.resolved", entity_type="sync",
                     entity_id=str(key),
                     after={"event": str(row.event_id), "unit": row.aggregate_id,
                            "reason": reason})  # fmt: skip
        return 1
