"""An RMA as comparable JSON-ready state, and applying such a state to the stored rows.

The import and the upstream pull compare what a source says with what is stored, write the
difference, and keep the before/after in the audit trail; this is the one definition of that
state (split from ``rma_import`` so each module stays readable).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from station.models import Rma, RmaLine, RmaTracking
from station.services.rma_records import RmaRecord

_CENT = Decimal("0.01")


def snapshot_state(rma: Rma, seller_codes: dict[uuid.UUID, str]) -> dict[str, Any]:
    """The stored RMA in comparable JSON form (also the audit ``before``)."""
    return rma_state(
        seller=seller_codes.get(rma.seller_id, "?"),
        channel=rma.channel,
        order_id=rma.external_order_id,
        customer_ref=rma.customer_ref,
        customer_country=rma.customer_country,
        reason_code=rma.reason_code,
        reason_text=rma.reason_text,
        delivered_on=rma.delivered_on.isoformat() if rma.delivered_on else None,
        return_window_days=rma.return_window_days,
        tracking_numbers=[tracking.tracking_number for tracking in rma.tracking_numbers],
        lines=[
            line_state(
                line_no=line.line_no,
                external_id=line.external_id,
                sku=line.sku_code,
                sku_id=line.sku_id,
                gtin=line.gtin,
                qty=line.qty_expected,
                unit_price=line.unit_price,
                currency=line.currency,
                serials=list(line.serials or []),
                weight=line.expected_unit_weight_g,
            )
            for line in rma.lines
        ],
    )


def rma_state(
    *, tracking_numbers: list[str], lines: list[dict[str, Any]], **fields: Any
) -> dict[str, Any]:
    # Tracking numbers are a set in the database, and lines are identified by number.
    return {
        **fields,
        "tracking_numbers": sorted(tracking_numbers),
        "lines": sorted(lines, key=lambda line: line["line_no"]),
    }


def line_state(
    *,
    line_no: int,
    external_id: str | None,
    sku: str,
    sku_id: uuid.UUID | None,
    gtin: str | None,
    qty: int,
    unit_price: Decimal | None,
    currency: str | None,
    serials: list[str],
    weight: float | None,
) -> dict[str, Any]:
    return {
        "line_no": line_no,
        "external_id": external_id,
        "sku": sku,
        "sku_id": str(sku_id) if sku_id else None,
        "gtin": gtin,
        "qty": qty,
        "unit_price": str(Decimal(unit_price).quantize(_CENT)) if unit_price is not None else None,
        "currency": currency,
        "serials": serials,
        "expected_unit_weight_g": float(weight) if weight is not None else None,
    }


def apply_state(rma: Rma, record: RmaRecord, desired: dict[str, Any]) -> None:
    """Make ``rma`` match ``desired``; lines are updated by number so their ids survive."""
    rma.channel = desired["channel"]
    rma.external_order_id = desired["order_id"]
    rma.customer_ref = desired["customer_ref"]
    rma.customer_country = desired["customer_country"]
    rma.reason_code = desired["reason_code"]
    rma.reason_text = desired["reason_text"]
    rma.delivered_on = record.delivered_on
    rma.return_window_days = desired["return_window_days"]

    wanted_tracking = set(desired["tracking_numbers"])
    for tracking in list(rma.tracking_numbers):
        if tracking.tracking_number not in wanted_tracking:
            rma.tracking_numbers.remove(tracking)
    have_tracking = {tracking.tracking_number for tracking in rma.tracking_numbers}
    for number in desired["tracking_numbers"]:
        if number not in have_tracking:
            rma.tracking_numbers.append(RmaTracking(tracking_number=number))

    old_lines = {line.line_no: line for line in rma.lines}
    for spec in desired["lines"]:
        line = old_lines.pop(spec["line_no"], None)
        if line is None:
            line = RmaLine(line_no=spec["line_no"])
            rma.lines.append(line)
        line.external_id = spec["external_id"]
        line.sku_code = spec["sku"]
        line.sku_id = uuid.UUID(spec["sku_id"]) if spec["sku_id"] else None
        line.gtin = spec["gtin"]
        line.qty_expected = spec["qty"]
        line.unit_price = Decimal(spec["unit_price"]) if spec["unit_price"] else None
        line.currency = spec["currency"]
        line.serials = list(spec["serials"])
        line.expected_unit_weight_g = spec["expected_unit_weight_g"]
    for line in old_lines.values():
        rma.lines.remove(line)
