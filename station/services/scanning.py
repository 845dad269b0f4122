"""What is this code? Resolve a scan to an RMA (or to nothing: a blind return).

Lookup order is by certainty: an exact database match (LPN, RMA number, inbound tracking
number, order id) beats a format guess, and a valid GTIN beats a 12-digit FedEx guess because
the unit in the grader's hand carries GTINs far more often than parcels carry 12-digit FedEx
labels.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from devices.gs1 import gtin_to_14, is_valid_gtin
from devices.tracking import TrackingNumber, identify_tracking
from station.codes import GS, normalize_code
from station.db import Database
from station.i18n import _
from station.lpn import is_valid_lpn, looks_like_lpn
from station.models import Inspection, Lpn, Rma, RmaLine, RmaStatus, RmaTracking
from station.services.common import ServiceError
from station.views import RmaView

log = logging.getLogger(__name__)

MAX_CANDIDATES = 20


class ScanKind(StrEnum):
    RMA = "rma"
    TRACKING = "tracking"
    ORDER = "order"
    LPN = "lpn"
    GTIN = "gtin"
    UNKNOWN = "unknown"


class ScanError(ServiceError):
    pass


@dataclass(frozen=True)
class ScanResult:
    kind: ScanKind
    normalized: str
    rma: RmaView | None
    carrier: str | None = None
    valid: bool | None = None
    candidates: tuple[str, ...] = field(default=())
    message: str | None = None


def _rma_query() -> Select[Rma]:
    return select(Rma).options(
        selectinload(Rma.lines).selectinload(RmaLine.sku),
        selectinload(Rma.tracking_numbers),
        selectinload(Rma.seller),
    )


def gtin_variants(gtin: str) -> list[str]:
    """The same GTIN as it may be stored: 8, 12, 13 or 14 digits (UPC-A is EAN-13 with 0)."""
    full = gtin_to_14(gtin)
    return [full[-n:] for n in (14, 13, 12, 8) if set(full[: 14 - n]) <= {"0"}]


def resolve_scan(db: Database, raw_code: str) -> ScanResult:
    normalized = normalize_code(raw_code)
    if not normalized:
        raise ScanError(_("Empty scan: nothing to look up"))
    tracking = identify_tracking(normalized)
    with db.read() as session:
        return _resolve(session, normalized, tracking)


def _resolve(session: Session, normalized: str, tracking: TrackingNumber | None) -> ScanResult:
    carrier = tracking.carrier if tracking else None
    valid = tracking.valid if tracking else None

    if looks_like_lpn(normalized):
        if not is_valid_lpn(normalized):
            return ScanResult(
                ScanKind.LPN,
                normalized,
                None,
                valid=False,
                message=_("LPN check character is wrong: rescan the label"),
            )
        rma = session.scalar(
            _rma_query()
            .join(RmaLine, RmaLine.rma_id == Rma.id)
            .join(Inspection, Inspection.rma_line_id == RmaLine.id)
            .join(Lpn, Lpn.inspection_id == Inspection.id)
            .where(Lpn.code == normalized)
        )
        known = rma is not None or session.scalar(select(Lpn.id).where(Lpn.code == normalized))
        return ScanResult(
            ScanKind.LPN,
            normalized,
            RmaView.of(rma) if rma else None,
            valid=True,
            message=None if known else _("LPN not found at this station"),
        )

    rma = session.scalar(_rma_query().where(Rma.number == normalized))
    if rma is not None:
        return ScanResult(ScanKind.RMA, normalized, RmaView.of(rma))

    numbers = {normalized} | ({tracking.normalized} if tracking else set())
    rmas = _open_first(
        session.scalars(
            _rma_query()
            .join(RmaTracking, RmaTracking.rma_id == Rma.id)
            .where(RmaTracking.tracking_number.in_(numbers))
            .limit(MAX_CANDIDATES)
        )
        .unique()
        .all()
    )
    if rmas:
        return ScanResult(
            ScanKind.TRACKING,
            tracking.normalized if tracking else normalized,
            RmaView.of(rmas[0]),
            carrier,
            valid,
            tuple(r.number for r in rmas),
        )

    orders = {normalized, normalized.lstrip("#"), "#" + normalized.lstrip("#")}
    rmas = _open_first(
        session.scalars(
            _rma_query().where(Rma.external_order_id.in_(orders)).limit(MAX_CANDIDATES)
        ).all()
    )
    if rmas:
        return ScanResult(
            ScanKind.ORDER,
            normalized,
            RmaView.of(rmas[0]),
            candidates=tuple(r.number for r in rmas),
        )

    if normalized.isdigit() and len(normalized) in (8, 12, 13, 14) and is_valid_gtin(normalized):
        rmas = _open_first(
            session.scalars(
                _rma_query()
                .join(RmaLine, RmaLine.rma_id == Rma.id)
                .where(RmaLine.gtin.in_(gtin_variants(normalized)))
                .where(Rma.status.in_([RmaStatus.EXPECTED.value, RmaStatus.RECEIVING.value]))
                .limit(MAX_CANDIDATES)
            )
            .unique()
            .all()
        )
        # A GTIN names a product, not a return: only a single open RMA is a match.
        return ScanResult(
            ScanKind.GTIN,
            normalized,
            RmaView.of(rmas[0]) if len(rmas) == 1 else None,
            valid=True,
            candidates=tuple(r.number for r in rmas),
        )

    if tracking is not None:
        message = None if tracking.valid else _("Tracking number check digit is wrong: rescan")
        return ScanResult(
            ScanKind.TRACKING, tracking.normalized, None, carrier, valid, message=message
        )
    if GS in normalized:
        return ScanResult(ScanKind.UNKNOWN, normalized, None, message=_("Unrecognised GS1 code"))
    return ScanResult(ScanKind.UNKNOWN, normalized, None)


def _open_first(rmas: Sequence[Rma]) -> list[Rma]:
    """Open RMAs before finished ones, so a reused tracking number finds the live return."""
    order = {RmaStatus.EXPECTED.value: 0, RmaStatus.RECEIVING.value: 0}
    return sorted(rmas, key=lambda r: order.get(r.status, 1))
