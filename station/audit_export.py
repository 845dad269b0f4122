"""Slices of the audit trail, for a seller or an auditor who wants to check them themselves.

A slice carries every column, ``prev_hash`` and ``hash`` included, so the receiver can recompute
each row's hash (``HASH_RECIPE``) and, where the slice is contiguous, check that each row's
``prev_hash`` is the previous row's ``hash``. The JSON export also carries the verification of
the whole chain at export time and its head hash: kept by the receiver, that head lets a later
export prove the trail was only appended to since.

Selection is Qt-free and separate from writing, so the seller report reuses ``audit_slice``.
Rows are streamed, so exporting a large trail does not load it into memory.
"""

from __future__ import annotations

import csv
import json
import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TextIO

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from station.audit import EVENT_COLUMNS, VERIFY_BATCH, ChainCheck, canonical_json
from station.i18n import _
from station.models import AuditEvent, Dispute, Inspection, LabelPrint, Verdict
from station.services.facts import get_row

log = logging.getLogger(__name__)

EXPORT_FORMAT = "station-audit-export/1"
FIELDS = (
    "seq", "id", "occurred_at", "actor_id", "station_id", "action", "entity_type", "entity_id",
    "before", "after", "prev_hash", "hash",
)  # fmt: skip
HASH_RECIPE = (
    "hash = sha256 of the UTF-8 JSON, keys sorted, separators ',' and ':', non-ASCII kept, of "
    '{"prev": prev_hash, "id": id, "at": occurred_at, "actor": actor_id, "station": '
    'station_id, "action": action, "entity": [entity_type, entity_id], "before": before, '
    '"after": after}; the first row links to prev_hash "000...0" (64 zeros)'
)


def inspection_entities(session: Session, inspection_id: uuid.UUID) -> dict[str, set[str]]:
    """The audited things that belong to one inspection, as {entity_type: {entity_id, ...}}.

    Why these: services audit the inspection itself (facts, verdicts, revisions), its parcel's
    arrival, the labels printed for it (and the parcel's receipt labels) and its disputes; a
    verdict entity is included for services that audit verdicts on their own. Another unit of
    the same parcel is not included: its events are that unit's story.
    """
    inspection = get_row(session, Inspection, inspection_id, _("inspection"))
    labels = session.scalars(
        select(LabelPrint.id).where(
            or_(
                LabelPrint.inspection_id == inspection.id,
                and_(
                    LabelPrint.parcel_id == inspection.parcel_id,
                    LabelPrint.inspection_id.is_(None),
                ),
            )
        )
    )
    verdicts = session.scalars(select(Verdict.id).where(Verdict.inspection_id == inspection.id))
    disputes = session.scalars(select(Dispute.id).where(Dispute.inspection_id == inspection.id))
    return {
        "inspection": {str(inspection.id)},
        "parcel": {str(inspection.parcel_id)},
        "label": {str(i) for i in labels},
        "verdict": {str(i) for i in verdicts},
        "dispute": {str(i) for i in disputes},
    }


def iter_audit_slice(
    session: Session,
    *,
    inspection_id: uuid.UUID | None = None,
    entity_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Iterator[dict[str, Any]]:
    """Matching events oldest first, each as a plain dict of every column (``FIELDS``).

    Filters combine with AND; ``since`` and ``until`` are whole UTC days, both included.
    """
    conditions: list[ColumnElement[bool]] = []
    if inspection_id is not None:
        entities = inspection_entities(session, inspection_id)
        matches = [
            and_(AuditEvent.entity_type == kind, AuditEvent.entity_id.in_(sorted(ids)))
            for kind, ids in entities.items()
            if ids
        ]
        conditions.append(or_(*matches) if matches else false())
    if entity_id is not None:
        conditions.append(AuditEvent.entity_id == entity_id)
    if since is not None:
        conditions.append(AuditEvent.occurred_at >= _day_start(since))
    if until is not None:
        conditions.append(AuditEvent.occurred_at < _day_start(until + timedelta(days=1)))
    log.debug("audit slice: inspection=%s entity=%s since=%s until=%s",
              inspection_id, entity_id, since, until)  # fmt: skip
    statement = (
        select(*EVENT_COLUMNS)
        .where(*conditions)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=VERIFY_BATCH)
    )
    # Not a generator function: a bad inspection id fails here, before anything is written.
    return (event_record(row) for row in session.execute(statement))


def audit_slice(
    session: Session,
    *,
    inspection_id: uuid.UUID | None = None,
    entity_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[dict[str, Any]]:
    """``iter_audit_slice`` as a list: for small slices (one inspection's, in a report)."""
    return list(
        iter_audit_slice(
            session, inspection_id=inspection_id, entity_id=entity_id, since=since, until=until
        )
    )


def event_record(row: Any) -> dict[str, Any]:
    """One event as JSON-ready values; ``occurred_at`` is exactly the text the hash covers."""
    return {
        "seq": row.seq,
        "id": str(row.id),
        "occurred_at": row.occurred_at.isoformat(),
        "actor_id": str(row.actor_id) if row.actor_id else None,
        "station_id": row.station_id,
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "before": row.before,
        "after": row.after,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def chain_summary(check: ChainCheck) -> dict[str, Any]:
    """The verification result as JSON (``station audit verify --json`` and export headers)."""
    return {
        "ok": check.ok,
        "events": check.checked,
        "first_broken_seq": check.first_broken_seq,
        "reason": check.reason,
        "action": check.action,
        "entity_type": check.entity_type,
        "entity_id": check.entity_id,
        "missing": list(check.missing) if check.missing else None,
        "head_seq": check.head_seq,
        "head_hash": check.head_hash,
        "tail_checked": check.tail_checked,
    }


@dataclass
class SliceSummary:
    """What an export wrote: ``links_ok`` covers every pair of rows with consecutive seqs."""

    count: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    contiguous: bool = True
    links_ok: bool = True
    _last_hash: str | None = None

    def add(self, record: dict[str, Any]) -> dict[str, Any]:
        seq = record["seq"]
        if self.last_seq is not None:
            if seq == self.last_seq + 1:
                self.links_ok = self.links_ok and record["prev_hash"] == self._last_hash
            else:
                self.contiguous = False
        self.count += 1
        self.first_seq = seq if self.first_seq is None else self.first_seq
        self.last_seq, self._last_hash = seq, record["hash"]
        return record

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}


def write_json(
    out: TextIO, records: Iterable[dict[str, Any]], check: ChainCheck, filters: dict[str, Any]
) -> SliceSummary:
    """A JSON document: header (format, whole-chain check, filters, recipe), events, summary.

    Written row by row so a large export never sits in memory; the summary comes last because
    it is only known once every row has been written.
    """
    summary = SliceSummary()
    header = {
        "format": EXPORT_FORMAT,
        "chain": chain_summary(check),
        "filters": filters,
        "hash_recipe": HASH_RECIPE,
    }
    out.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "events": [')
    for index, record in enumerate(records):
        out.write("\n" if index == 0 else ",\n")
        out.write(json.dumps(summary.add(record), ensure_ascii=False, sort_keys=True))
    out.write('\n], "slice": ' + json.dumps(summary.as_json()) + "}\n")
    return summary


def write_csv(out: TextIO, records: Iterable[dict[str, Any]]) -> SliceSummary:
    """One row per event, ``FIELDS`` as columns; ``before``/``after`` as canonical JSON text."""
    summary = SliceSummary()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for record in records:
        summary.add(record)
        writer.writerow(
            [
                canonical_json(record[name])
                if name in ("before", "after") and record[name] is not None
                else record[name]
                for name in FIELDS
            ]
        )
    return summary
