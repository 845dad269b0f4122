"""Outbox event payloads: what a receiver needs to act without calling back.

Each builder returns the ``data`` part of an event whose envelope ``station.outbox`` adds; the
shape is published as ``resources/schemas/<type>.v1.json`` (see ``docs/events.md``) and checked
by ``station.sync.events.validate_event`` before the relay sends it. Change a field here and the
schema (and, for anything but an addition of an optional field, its version) must change too.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection_rules.model import SHOPIFY_DISPOSITION, Disposition, Standard
from station.models import Inspection, Lpn, OutboxEvent, Parcel, Rma, Verdict
from station.services.common import Actor

VERDICT_RECORDED = "inspection.verdict.recorded"
VERDICT_REVISED = "inspection.verdict.revised"
RETURN_RECEIVED = "return.received"

VERDICT_EVENT_TYPES = (VERDICT_RECORDED, VERDICT_REVISED)


def verdict_payload(
    actor: Actor,
    inspection: Inspection,
    verdict: Verdict,
    lpn: Lpn,
    standard: Standard,
) -> dict[str, Any]:
    """What a receiver needs to refund, restock or repair without calling back.

    ``supersedes`` is null: this is the first verdict. Revisions use
    :func:`verdict_revised_payload`, a separate event type, because a receiver must treat a
    revision differently (undo or adjust what it did on the first verdict).
    """
    line = inspection.rma_line
    rma = line.rma if line else inspection.parcel.rma
    serials = list(line.serials) if line and line.serials else []
    if inspection.serial_number and inspection.serial_number not in serials:
        serials.append(inspection.serial_number)
    return {
        "site": actor.site_id,
        "station": actor.station_id,
        "grader": str(inspection.grader_id) if inspection.grader_id else None,
        "inspection_id": str(inspection.id),
        "verdict_id": str(verdict.id),
        "revision": verdict.revision,
        "supersedes": None,
        "rma": rma.number if rma else None,
        "return_id": rma.external_id if rma else None,
        "order_id": rma.external_order_id if rma else None,
        "channel": rma.channel if rma else None,
        "seller": rma.seller.code if rma else None,
        "line_id": str(line.id) if line else None,
        "line_ids": [str(line.id)] if line else [],
        "line_no": line.line_no if line else None,
        "upstream_line_id": line.external_id if line else None,
        "sku": line.sku_code if line else None,
        "gtin": line.gtin if line else None,
        # One inspection is one physical unit, whatever the line's expected quantity.
        "quantity": 1,
        "lpn": lpn.code,
        "serial": inspection.serial_number,
        "serials": serials,
        "blind": inspection.parcel.is_blind,
        "grade": verdict.grade,
        "disposition": verdict.disposition,
        "shopify_disposition_type": SHOPIFY_DISPOSITION[Disposition(verdict.disposition)],
        "refund": {
            "kind": verdict.refund_kind,
            "percent": str(verdict.refund_percent),
            "amount": str(verdict.refund_amount) if verdict.refund_amount is not None else None,
            "currency": verdict.currency,
        },
        "responsibility": verdict.responsibility,
        "reason_codes": list(verdict.reason_codes),
        "warnings": list(verdict.warnings),
        "standard": {"id": standard.id, "version": standard.version, "hash": standard.content_hash},
        "photos": [{"role": p.role, "sha256": p.sha256} for p in inspection.photos],
        "report": report_reference(inspection),
        "decided_at": verdict.decided_at.isoformat(),
    }


def report_reference(inspection: Inspection) -> dict[str, Any]:
    """Where the receiver fetches the report; the data hash is not computed at finalize time.

    Rendering the report data inside the finalize transaction would make saving a verdict slow;
    the receiver can ask for the report (and its verification hash) when it needs it.
    """
    return {
        "kind": "inspection_report",
        "inspection_id": str(inspection.id),
        "url": f"/inspections/{inspection.id}/report",
        "data_hash": None,
    }


def verdict_revised_payload(
    actor: Actor,
    inspection: Inspection,
    verdict: Verdict,
    lpn: Lpn,
    standard: Standard,
    *,
    superseded_event_id: uuid.UUID | str,
    superseded: Verdict,
    dispute_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """A new revision: the full verdict again plus what it supersedes.

    The full verdict (not a diff) so a receiver that missed the first event can still act; the
    superseded event id and revision let it apply the revision only on top of the state it
    expects (``supersedes.revision`` must be its current revision) and detect a gap otherwise.
    """
    if verdict.revision != superseded.revision + 1:
        raise ValueError(
            f"revision {verdict.revision} does not follow superseded revision {superseded.revision}"
        )
    data = verdict_payload(actor, inspection, verdict, lpn, standard)
    data["supersedes"] = {
        "event_id": str(superseded_event_id),
        "verdict_id": str(superseded.id),
        "revision": superseded.revision,
    }
    data["dispute_id"] = str(dispute_id) if dispute_id else None
    data["revision_reason"] = reason
    return data


def verdict_event_id(session: Session, verdict: Verdict) -> uuid.UUID | None:
    """The outbox event that announced ``verdict`` (what a revision's ``supersedes`` names).

    Events are looked up by their inspection (the aggregate) and matched on the payload in
    Python: payloads are JSON, and one inspection has only a handful of verdict events.
    """
    rows = session.scalars(
        select(OutboxEvent).where(
            OutboxEvent.aggregate_type == "inspection",
            OutboxEvent.aggregate_id == str(verdict.inspection_id),
            OutboxEvent.event_type.in_(VERDICT_EVENT_TYPES),
        )
    )
    for row in rows:
        if row.payload.get("data", {}).get("verdict_id") == str(verdict.id):
            return row.id
    return None


def return_received_payload(actor: Actor, parcel: Parcel, rma: Rma | None) -> dict[str, Any]:
    """A parcel was opened: lets upstream mark the return as arrived before grading ends."""
    return {
        "parcel_id": str(parcel.id),
        "received_at": parcel.received_at.isoformat(),
        "site": actor.site_id,
        "station": parcel.station_id,
        "received_by": str(parcel.received_by_id) if parcel.received_by_id else None,
        "scanned_code": parcel.scanned_code,
        "tracking_number": parcel.tracking_number,
        "carrier": parcel.carrier,
        "rma": rma.number if rma else None,
        "return_id": rma.external_id if rma else None,
        "order_id": rma.external_order_id if rma else None,
        "seller": rma.seller.code if rma else None,
        "blind": parcel.is_blind,
    }
