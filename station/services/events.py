"""Outbox event payloads: what a receiver needs to act without calling back."""

from __future__ import annotations

from typing import Any

from inspection_rules.model import SHOPIFY_DISPOSITION, Disposition, Standard
from station.models import Inspection, Lpn, Verdict
from station.services.common import Actor

VERDICT_RECORDED = "inspection.verdict.recorded"


def verdict_payload(
    actor: Actor,
    inspection: Inspection,
    verdict: Verdict,
    lpn: Lpn,
    standard: Standard,
) -> dict[str, Any]:
    """What a receiver needs to refund, restock or repair without calling back."""
    line = inspection.rma_line
    rma = line.rma if line else inspection.parcel.rma
    return {
        "site": actor.site_id,
        "station": actor.station_id,
        "grader": str(inspection.grader_id) if inspection.grader_id else None,
        "inspection_id": str(inspection.id),
        "verdict_id": str(verdict.id),
        "revision": verdict.revision,
        "supersedes": None,
        "rma": rma.number if rma else None,
        "order_id": rma.external_order_id if rma else None,
        "channel": rma.channel if rma else None,
        "seller": rma.seller.code if rma else None,
        "line_no": line.line_no if line else None,
        "sku": line.sku_code if line else None,
        "gtin": line.gtin if line else None,
        "quantity": 1,
        "serial": inspection.serial_number,
        "lpn": lpn.code,
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
        "decided_at": verdict.decided_at.isoformat(),
    }
