"""The hash-chained audit trail.

Each event's hash covers its own content and the previous event's hash, so editing or deleting
any row breaks every hash after it. Appending happens inside the caller's write transaction:
the event commits or rolls back together with the change it records.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from station.models import AuditEvent, new_id
from station.timeutil import utcnow

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """Deterministic JSON (sorted keys, no spaces) so the same content always hashes the same."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _event_hash(event: AuditEvent) -> str:
    body = canonical_json(
        {
            "prev": event.prev_hash,
            "id": str(event.id),
            "at": event.occurred_at.isoformat(),
            "actor": str(event.actor_id) if event.actor_id else None,
            "station": event.station_id,
            "action": event.action,
            "entity": [event.entity_type, event.entity_id],
            "before": event.before,
            "after": event.after,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append_audit(
    session: Session,
    *,
    station_id: str,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | str,
    actor_id: uuid.UUID | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    if session.get_bind().dialect.name == "postgresql":
        # Serialise chain appends across concurrent transactions (SQLite's BEGIN IMMEDIATE does).
        session.execute(text("SELECT pg_advisory_xact_lock(7410001)"))
    prev_hash = (
        session.scalar(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1))
        or GENESIS_HASH
    )
    event = AuditEvent(
        id=new_id(),
        occurred_at=utcnow(),
        actor_id=actor_id,
        station_id=station_id,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=_jsonable(before),
        after=_jsonable(after),
        prev_hash=prev_hash,
    )
    event.hash = _event_hash(event)
    session.add(event)
    session.flush()
    return event


class _Acting(Protocol):
    @property
    def station_id(self) -> str: ...
    @property
    def user_id(self) -> uuid.UUID | None: ...


def audit_action(
    session: Session,
    actor: _Acting,
    *,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """``append_audit`` for a service call: who and where come from the acting user."""
    return append_audit(
        session, station_id=actor.station_id, action=action, entity_type=entity_type,
        entity_id=entity_id, actor_id=actor.user_id, before=before, after=after,
    )  # fmt: skip


def _jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Round-trip through canonical JSON so what is hashed is exactly what is stored."""
    if value is None:
        return None
    result: dict[str, Any] = json.loads(canonical_json(value))
    return result


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None


def verify_chain(session: Session) -> ChainCheck:
    """Walk the whole chain; the first row whose link or content does not match is named."""
    prev = GENESIS_HASH
    count = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        count += 1
        if event.prev_hash != prev:
            return ChainCheck(False, count, event.seq, "previous-hash link does not match")
        expected = _event_hash(event)
        if expected != event.hash:
            return ChainCheck(False, count, event.seq, "row content does not match its hash")
        prev = event.hash
    return ChainCheck(True, count)
