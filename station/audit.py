"""The hash-chained audit trail.

Each event's hash covers its own content and the previous event's hash, so editing or deleting
any row breaks every hash after it. Appending happens inside the caller's write transaction:
the event commits or rolls back together with the change it records.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from station.i18n import _
from station.models import AuditEvent, new_id
from station.timeutil import utcnow

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
# Rows fetched per round trip while verifying: memory stays flat on a million-row trail.
VERIFY_BATCH = 2_000


def canonical_json(value: Any) -> str:
    """Deterministic JSON (sorted keys, no spaces) so the same content always hashes the same."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


class _EventFields(Protocol):
    """What the hash covers: an ``AuditEvent`` or a plain column row of one."""

    @property
    def prev_hash(self) -> str: ...
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def actor_id(self) -> uuid.UUID | None: ...
    @property
    def station_id(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def entity_type(self) -> str: ...
    @property
    def entity_id(self) -> str: ...
    @property
    def before(self) -> dict[str, Any] | None: ...
    @property
    def after(self) -> dict[str, Any] | None: ...


def _event_hash(event: _EventFields) -> str:
    """The hash recipe (also printed in audit exports, so an auditor can recompute it)."""
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
    on_postgresql = session.get_bind().dialect.name == "postgresql"
    if on_postgresql:
        # Serialise chain appends across concurrent transactions (SQLite's BEGIN IMMEDIATE does).
        session.execute(text("SELECT pg_advisory_xact_lock(7410001)"))
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    prev_hash = last.hash if last else GENESIS_HASH
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
    if on_postgresql:
        # The next number under the lock, not from the sequence, whose values a rolled-back
        # transaction burns: so a hole in ``seq`` is a deleted row on both engines. (SQLite
        # keeps AUTOINCREMENT, which also records the highest number ever issued.)
        event.seq = last.seq + 1 if last else 1
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
    """The result of walking the chain: intact, or the first row where it breaks and why.

    ``checked`` counts the rows read (all of them when intact). ``action``/``entity_*`` name the
    broken row for a human; ``missing`` is the first and last seq of rows found deleted there.
    ``head_seq``/``head_hash`` are the last row that verified: an auditor who keeps them can
    later check that the trail still extends them. ``tail_checked`` says whether deleting the
    newest rows could be detected at all: only SQLite with an AUTOINCREMENT audit table records
    the highest seq ever issued, and nothing in the chain itself can tell a truncation apart.
    """

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    missing: tuple[int, int] | None = None
    head_seq: int | None = None
    head_hash: str | None = None
    tail_checked: bool = False

    def describe(self) -> str:
        """One line for a person: "intact: N events" or where it breaks and why."""
        if self.ok:
            return _("audit trail intact: {count} events").format(count=self.checked)
        if self.action:
            return _("audit trail BROKEN at event #{seq} ({action} on {entity}): {reason}").format(
                seq=self.first_broken_seq,
                action=self.action,
                entity=f"{self.entity_type} {self.entity_id}",
                reason=self.reason,
            )
        return _("audit trail BROKEN at event #{seq}: {reason}").format(
            seq=self.first_broken_seq, reason=self.reason
        )


EVENT_COLUMNS = (  # every column, in table order: what verification and exports read
    AuditEvent.seq,
    AuditEvent.id,
    AuditEvent.occurred_at,
    AuditEvent.actor_id,
    AuditEvent.station_id,
    AuditEvent.action,
    AuditEvent.entity_type,
    AuditEvent.entity_id,
    AuditEvent.before,
    AuditEvent.after,
    AuditEvent.prev_hash,
    AuditEvent.hash,
)


def verify_chain(session: Session) -> ChainCheck:
    """Walk the whole chain in seq order, streaming, and name the first row that fails.

    What each check catches: a row whose content was edited no longer matches its own hash; a
    row re-hashed after an edit, moved, swapped or deleted breaks the *next* row's link; a
    deleted row also leaves a hole in ``seq``, named so the reader knows what is gone (a hole can
    only be a deletion on either engine, see ``append_audit``, so it counts even when the rows
    after it were re-hashed). Deleting the newest rows breaks no link at all: that is found by
    comparing with the highest seq SQLite ever issued, where the schema records it (PostgreSQL
    keeps no such record that survives a rollback: there a truncated tail is not detected).

    Plain column rows, fetched ``VERIFY_BATCH`` at a time, keep memory flat on a million rows.
    """
    statement = (
        select(*EVENT_COLUMNS).order_by(AuditEvent.seq).execution_options(yield_per=VERIFY_BATCH)
    )
    prev_hash, prev_seq, count = GENESIS_HASH, 0, 0
    for row in session.execute(statement):
        count += 1
        missing = (prev_seq + 1, row.seq - 1) if row.seq > prev_seq + 1 else None
        reason: str | None = None
        if row.prev_hash != prev_hash:
            reason = _link_reason(prev_seq)
        elif missing is not None:
            reason = ""  # the hole is the whole story: the rows after it were re-hashed
        elif _event_hash(row) != row.hash:
            reason = _("content does not match its hash")
        if reason is not None:
            if missing is not None:
                reason = "; ".join(part for part in (_missing_reason(*missing), reason) if part)
            log.warning("audit chain broken at seq %s: %s", row.seq, reason)
            return ChainCheck(
                False, count, row.seq, reason, row.action, row.entity_type, row.entity_id,
                missing=missing, head_seq=prev_seq or None,
                head_hash=prev_hash if prev_seq else None,
            )  # fmt: skip
        prev_hash, prev_seq = row.hash, row.seq
    head_seq, head_hash = (prev_seq, prev_hash) if count else (None, None)
    highest = _highest_issued_seq(session)
    if highest is not None and highest > prev_seq:
        gone = highest - prev_seq
        reason = (
            _("the last {count} row is missing (deleted?)")
            if gone == 1
            else _("the last {count} rows are missing (deleted?)")
        ).format(count=gone)
        log.warning("audit chain truncated after seq %s: %s", prev_seq, reason)
        return ChainCheck(
            False, count, prev_seq + 1, reason, missing=(prev_seq + 1, highest),
            head_seq=head_seq, head_hash=head_hash, tail_checked=True,
        )  # fmt: skip
    return ChainCheck(
        True, count, head_seq=head_seq, head_hash=head_hash, tail_checked=highest is not None
    )


def _link_reason(prev_seq: int) -> str:
    if prev_seq == 0:
        return _("previous-hash link does not match the genesis hash (the first row)")
    return _("previous-hash link does not match the hash of row {seq}").format(seq=prev_seq)


def _missing_reason(first: int, last: int) -> str:
    if first == last:
        return _("row {seq} is missing (deleted?)").format(seq=first)
    return _("rows {first}-{last} are missing (deleted?)").format(first=first, last=last)


def _highest_issued_seq(session: Session) -> int | None:
    """SQLite's record of the highest audit seq ever issued; None where nothing records it.

    ``sqlite_sequence`` exists only once some table uses AUTOINCREMENT, and holds a row for
    ``audit_events`` only if that table does; on other databases the check is skipped.
    """
    if session.get_bind().dialect.name != "sqlite":
        return None
    has_table = session.scalar(
        text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
    )
    if not has_table:
        return None
    value = session.scalar(text("SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'"))
    return int(value) if value is not None else None
