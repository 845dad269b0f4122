"""Plain, immutable views that services return: the UI and CLI never hold ORM objects."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from inspection_rules import Facts
from station.models import Inspection, Rma, RmaLine, Verdict


def jsonable(value: Any) -> Any:
    """Dataclass views to JSON-ready values (UUIDs, dates, decimals as strings)."""
    if hasattr(value, "__dataclass_fields__"):
        return {key: jsonable(item) for key, item in asdict(value).items()}
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [jsonable(item) for item in value]
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class RmaLineView:
    id: uuid.UUID
    line_no: int
    sku: str
    gtin: str | None
    title: str | None
    category: str | None
    qty_expected: int
    qty_received: int
    unit_price: Decimal | None
    currency: str | None
    serials: tuple[str, ...]
    expected_unit_weight_g: float | None

    @property
    def remaining(self) -> int:
        return max(0, self.qty_expected - self.qty_received)

    @classmethod
    def of(cls, line: RmaLine) -> RmaLineView:
        sku = line.sku
        weight = line.expected_unit_weight_g
        if weight is None and sku is not None:
            weight = sku.expected_unit_weight_g
        return cls(
            id=line.id,
            line_no=line.line_no,
            sku=line.sku_code,
            gtin=line.gtin or (sku.gtin if sku else None),
            title=sku.title if sku else None,
            category=sku.category if sku else None,
            qty_expected=line.qty_expected,
            qty_received=line.qty_received,
            unit_price=line.unit_price,
            currency=line.currency,
            serials=tuple(line.serials or ()),
            expected_unit_weight_g=weight,
        )


@dataclass(frozen=True)
class RmaView:
    id: uuid.UUID
    number: str
    seller_code: str
    seller_name: str
    channel: str
    order_id: str | None
    customer_ref: str | None
    customer_country: str | None
    reason_code: str | None
    reason_text: str | None
    delivered_on: date | None
    return_deadline: date | None
    status: str
    tracking_numbers: tuple[str, ...]
    lines: tuple[RmaLineView, ...]

    def outside_window(self, on: date) -> bool:
        return self.return_deadline is not None and on > self.return_deadline

    @classmethod
    def of(cls, rma: Rma) -> RmaView:
        return cls(
            id=rma.id,
            number=rma.number,
            seller_code=rma.seller.code,
            seller_name=rma.seller.name,
            channel=rma.channel,
            order_id=rma.external_order_id,
            customer_ref=rma.customer_ref,
            customer_country=rma.customer_country,
            reason_code=rma.reason_code,
            reason_text=rma.reason_text,
            delivered_on=rma.delivered_on,
            return_deadline=rma.return_deadline(),
            status=rma.status,
            tracking_numbers=tuple(t.tracking_number for t in rma.tracking_numbers),
            lines=tuple(RmaLineView.of(line) for line in rma.lines),
        )


@dataclass(frozen=True)
class VerdictView:
    id: uuid.UUID
    inspection_id: uuid.UUID
    revision: int
    grade: str
    disposition: str
    upstream_disposition: str | None
    refund_kind: str
    refund_percent: Decimal
    refund_amount: Decimal | None
    currency: str | None
    responsibility: str
    reason_codes: tuple[str, ...]
    warnings: tuple[str, ...]
    lpn: str | None
    decided_at: datetime
    standard_hash: str
    trace: tuple[dict[str, str], ...] = field(default=())

    @classmethod
    def of(cls, verdict: Verdict, lpn: str | None, upstream: str | None) -> VerdictView:
        return cls(
            id=verdict.id,
            inspection_id=verdict.inspection_id,
            revision=verdict.revision,
            grade=verdict.grade,
            disposition=verdict.disposition,
            upstream_disposition=upstream,
            refund_kind=verdict.refund_kind,
            refund_percent=verdict.refund_percent,
            refund_amount=verdict.refund_amount,
            currency=verdict.currency,
            responsibility=verdict.responsibility,
            reason_codes=tuple(verdict.reason_codes),
            warnings=tuple(verdict.warnings),
            lpn=lpn,
            decided_at=verdict.decided_at,
            standard_hash=verdict.standard_hash,
            trace=tuple(verdict.trace),
        )


@dataclass(frozen=True)
class DefectView:
    id: uuid.UUID
    code: str
    zone: str | None
    severity: str
    note: str | None = None


@dataclass(frozen=True)
class InspectionView:
    id: uuid.UUID
    parcel_id: uuid.UUID
    rma_number: str | None
    rma_line_id: uuid.UUID | None
    sku: str | None
    status: str
    standard_id: str
    standard_version: str
    standard_hash: str
    answers: dict[str, Any]
    photo_roles: tuple[str, ...]
    weight_g: float | None
    weight_stable: bool
    expected_weight_g: float | None
    measurements: dict[str, tuple[float, str]] = field(default_factory=dict)
    defects: tuple[DefectView, ...] = ()
    sku_spec: dict[str, Any] = field(default_factory=dict)
    sku_title: str | None = None
    # A blind return's item as identified at the bench (SKU and title, or the grader's words).
    identified_as: str | None = None
    # Exactly what the evaluator sees (RMA context, receipt day): lets the UI preview locally.
    facts: Facts | None = None

    @classmethod
    def of(cls, inspection: Inspection, facts_summary: dict[str, Any]) -> InspectionView:
        line = inspection.rma_line
        return cls(
            id=inspection.id,
            parcel_id=inspection.parcel_id,
            rma_number=line.rma.number if line else None,
            rma_line_id=inspection.rma_line_id,
            sku=line.sku_code if line else None,
            status=inspection.status,
            standard_id=inspection.standard_id,
            standard_version=inspection.standard_version,
            standard_hash=inspection.standard_hash,
            **facts_summary,
        )
