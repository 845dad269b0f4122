"""What is this code? Resolve a scan to an RMA (or to nothing: a blind return).

Lookup order is by certainty: an exact database match (LPN, RMA number, inbound tracking
number, order id) beats a format guess, and a valid GTIN beats a 12-digit FedEx guess because
the unit in the grader's hand carries GTINs far more often than parcels carry 12-digit FedEx
labels.

The exact tracking-number match tries every number the scanned code stands for: a carrier's
barcode carries the number printed for humans (a FedEx 34- or 32-digit barcode the 12-digit
number, a FedEx ``96`` 22-digit barcode the 15-digit Ground number, a USPS ``420`` + ZIP label
the IMpb, an SSCC with or without its AI ``00``), and upstream systems store either. Every
reading of the code (``identify_all``) contributes its ``lookup_keys``, so an ambiguous code
still finds its RMA whichever format it turns out to be.

GS1 element strings (read with ``devices.gs1_strings``) come after the exact matches: AI 01
resolves like a GTIN scan and keeps lot/serial/expiry in ``gs1``; AI 00 is kind ``sscc``
(looked up among inbound tracking numbers, since some sellers register the parcel's SSCC).
What the warehouse's own codes look like (RMA numbers, LPNs) comes from ``Settings.codes``
(``CodePatterns``), so a site with its own numbering does not need a code change.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from devices.config import CodePatterns
from devices.gs1 import gtin_to_14, is_valid_gtin
from devices.gs1_strings import Gs1Data, interpret_gs1
from devices.tracking import TrackingNumber, identify_all
from station.codes import GS, normalize_code
from station.db import Database
from station.i18n import _
from station.lpn import is_valid_lpn, looks_like_lpn
from station.models import Inspection, InspectionStatus, Lpn, Rma, RmaLine, RmaStatus, RmaTracking
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
    SSCC = "sscc"
    UNKNOWN = "unknown"


class ScanError(ServiceError):
    pass


@dataclass(frozen=True)
class ScanResult:
    """What a scan resolved to.

    ``valid``: True for a valid number - its check digit holds, or, for carrier formats
    without one (Amazon ``TBA``, LaserShip, ...), its shape is the carrier's; False when the
    check digit is wrong (rescan); None when there is nothing to judge (unknown codes, orders,
    site-specific LPN patterns). ``check_digit`` says whether a check digit was verified, so
    a shape-only ``valid`` is not mistaken for a verified one. ``format`` is the tracking
    format (the data set's id, e.g. ``fedex_34``). ``operator`` is the postal operator of an
    S10 number (carrier ``s10``). ``gs1`` is the interpreted GS1 element string when the scan
    was one (SSCC, GTIN + lot/serial/expiry, ship-to postal code).
    """

    kind: ScanKind
    normalized: str
    rma: RmaView | None
    carrier: str | None = None
    valid: bool | None = None
    candidates: tuple[str, ...] = field(default=())
    message: str | None = None
    operator: str | None = None
    gs1: Gs1Data | None = None
    # An LPN whose unit a supervisor wants inspected again: the draft second opinion waiting.
    second_opinion: uuid.UUID | None = None
    check_digit: bool = False
    format: str | None = None


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


_GS1_SPACES = re.compile(r"[ \t\r\n\u00a0]+")


@dataclass(frozen=True)
class _Codes:
    """One scan, read every way at once, so ``_resolve`` only decides precedence."""

    normalized: str
    readings: list[TrackingNumber]
    gs1: Gs1Data | None
    gs1_error: str | None
    rma_pattern: re.Pattern[str]
    lpn_pattern: re.Pattern[str]


def resolve_scan(db: Database, raw_code: str, patterns: CodePatterns | None = None) -> ScanResult:
    """Resolve one scanned code; ``patterns`` are the site's RMA/LPN formats (``Settings.codes``).

    Raises ``ScanError`` for an empty scan or an unusable pattern.
    """
    patterns = patterns or CodePatterns()
    _refuse_non_text(raw_code)
    normalized = normalize_code(raw_code)
    if not normalized:
        raise ScanError(_("Empty scan: nothing to look up"))
    try:
        rma_pattern, lpn_pattern = re.compile(patterns.rma), re.compile(patterns.lpn)
    except re.error as exc:
        raise ScanError(
            _("Bad RMA/LPN pattern in settings [codes]: {error}").format(error=exc)
        ) from exc
    # GS1 lot/serial values are case-sensitive: read them from the raw scan, not the upper-cased one.
    gs1, gs1_error = interpret_gs1(_GS1_SPACES.sub("", raw_code))
    codes = _Codes(normalized, identify_all(normalized), gs1, gs1_error, rma_pattern, lpn_pattern)
    with db.read() as session:
        return _resolve(session, codes)


# Lone surrogates: what Python makes of bytes that are not UTF-8 (argv, a pipe, a serial port).
_NOT_UTF8 = re.compile(r"[\ud800-\udfff]")


def _refuse_non_text(raw_code: str) -> None:
    """ScanError for what no label holds and no database can look up.

    Bytes that are not UTF-8 cannot be encoded for the database driver at all, and PostgreSQL
    refuses NUL in any text; both come from a scanner set to the wrong character set or with a
    binary prefix/suffix, so the grader is told to check the scanner rather than shown a crash.
    """
    bad = _NOT_UTF8.search(raw_code)
    if bad:
        point = ord(bad.group())  # U+DC80..U+DCFF: the undecodable byte 0x80..0xFF itself
        what = f"0x{point - 0xDC00:02x}" if 0xDC80 <= point <= 0xDCFF else f"U+{point:04X}"
        raise ScanError(
            _("Scan is not UTF-8 text ({what} at position {position}): check the scanner's "
              "character set and rescan").format(what=what, position=bad.start() + 1)
        )  # fmt: skip
    if "\x00" in raw_code:
        raise ScanError(
            _("Scan contains a NUL character at position {position}: check the scanner's "
              "prefix and suffix and rescan").format(position=raw_code.index("\x00") + 1)
        )  # fmt: skip


def _lpn_result(session: Session, normalized: str) -> ScanResult:
    """LPN scan: the check character is verified only for the station's own LPN format."""
    own_format = looks_like_lpn(normalized)
    if own_format and not is_valid_lpn(normalized):
        return ScanResult(
            ScanKind.LPN,
            normalized,
            None,
            valid=False,
            message=_("LPN check character is wrong: rescan the label"),
            check_digit=True,
        )
    rma = session.scalar(
        _rma_query()
        .join(RmaLine, RmaLine.rma_id == Rma.id)
        .join(Inspection, Inspection.rma_line_id == RmaLine.id)
        .join(Lpn, Lpn.inspection_id == Inspection.id)
        .where(Lpn.code == normalized)
    )
    known = rma is not None or session.scalar(select(Lpn.id).where(Lpn.code == normalized))
    waiting = session.scalar(
        select(Inspection.id)
        .join(Lpn, Lpn.inspection_id == Inspection.second_opinion_for_id)
        .where(Lpn.code == normalized, Inspection.status == InspectionStatus.DRAFT.value)
    )
    return ScanResult(
        ScanKind.LPN,
        normalized,
        RmaView.of(rma) if rma else None,
        valid=True if own_format else None,
        message=None if known else _("LPN not found at this station"),
        second_opinion=waiting,
        check_digit=own_format,
    )


def _resolve(session: Session, codes: _Codes) -> ScanResult:
    normalized = codes.normalized

    if codes.lpn_pattern.search(normalized):
        return _lpn_result(session, normalized)

    rma = session.scalar(_rma_query().where(Rma.number == normalized))
    if rma is not None:
        return ScanResult(ScanKind.RMA, normalized, RmaView.of(rma))

    numbers = {normalized}.union(*(reading.lookup_keys for reading in codes.readings))
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
    if rmas and codes.gs1 is not None and codes.gs1.sscc:  # registered SSCC, scanned as GS1
        return _sscc_result(session, codes.gs1.sscc, codes.gs1)
    if rmas:
        stored = {t.tracking_number for t in rmas[0].tracking_numbers}
        # The reading that names what upstream stored (a code may fit several formats).
        tracking = next(
            (r for r in codes.readings if r.lookup_keys & stored),
            codes.readings[0] if codes.readings else None,
        )
        return _tracking_result(
            tracking, normalized, RmaView.of(rmas[0]), tuple(r.number for r in rmas), codes.gs1
        )
    if codes.rma_pattern.search(normalized):
        return ScanResult(
            ScanKind.RMA, normalized, None, message=_("RMA not found at this station")
        )
    return _resolve_rest(session, codes)


def _tracking_result(
    tracking: TrackingNumber | None,
    normalized: str,
    rma: RmaView | None,
    candidates: tuple[str, ...],
    gs1: Gs1Data | None,
) -> ScanResult:
    if tracking is None:  # stored as a tracking number, but no carrier format we know
        return ScanResult(ScanKind.TRACKING, normalized, rma, candidates=candidates, gs1=gs1)
    message = None if tracking.valid else _("Tracking number check digit is wrong: rescan")
    return ScanResult(
        ScanKind.TRACKING,
        tracking.normalized,
        rma,
        tracking.carrier,
        tracking.valid,
        candidates,
        message=None if rma is not None else message,
        operator=tracking.operator,
        gs1=gs1,
        check_digit=tracking.checked,
        format=tracking.format,
    )


def _resolve_rest(session: Session, codes: _Codes) -> ScanResult:
    """Orders, GS1 strings, GTINs, then the tracking-format guess: the less certain matches."""
    normalized, gs1 = codes.normalized, codes.gs1
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

    if gs1 is not None and gs1.sscc:
        return _sscc_result(session, gs1.sscc, gs1)
    if gs1 is not None and gs1.gtin:
        return _gtin_result(session, gs1.gtin, gs1)
    if normalized.isdigit() and len(normalized) in (8, 12, 13, 14) and is_valid_gtin(normalized):
        return _gtin_result(session, normalized, None)

    if codes.readings:
        return _tracking_result(codes.readings[0], normalized, None, (), gs1)
    if codes.gs1_error:
        return ScanResult(ScanKind.UNKNOWN, normalized, None, valid=False, message=codes.gs1_error)
    if gs1 is not None:  # valid GS1 without GTIN/SSCC (e.g. only a ship-to postal code)
        return ScanResult(ScanKind.UNKNOWN, normalized, None, gs1=gs1)
    if GS in normalized:
        return ScanResult(ScanKind.UNKNOWN, normalized, None, message=_("Unrecognised GS1 code"))
    return ScanResult(ScanKind.UNKNOWN, normalized, None)


def _gtin_result(session: Session, gtin: str, gs1: Gs1Data | None) -> ScanResult:
    rmas = _open_first(
        session.scalars(
            _rma_query()
            .join(RmaLine, RmaLine.rma_id == Rma.id)
            .where(RmaLine.gtin.in_(gtin_variants(gtin)))
            .where(Rma.status.in_([RmaStatus.EXPECTED.value, RmaStatus.RECEIVING.value]))
            .limit(MAX_CANDIDATES)
        )
        .unique()
        .all()
    )
    # A GTIN names a product, not a return: only a single open RMA is a match.
    return ScanResult(
        ScanKind.GTIN,
        gtin,
        RmaView.of(rmas[0]) if len(rmas) == 1 else None,
        valid=True,
        candidates=tuple(r.number for r in rmas),
        gs1=gs1,
        check_digit=True,
    )


def _sscc_result(session: Session, sscc: str, gs1: Gs1Data) -> ScanResult:
    """A parcel's SSCC label: an RMA matches only if its seller registered the SSCC."""
    rmas = _open_first(
        session.scalars(
            _rma_query()
            .join(RmaTracking, RmaTracking.rma_id == Rma.id)
            .where(RmaTracking.tracking_number.in_([sscc, "00" + sscc]))
            .limit(MAX_CANDIDATES)
        )
        .unique()
        .all()
    )
    return ScanResult(
        ScanKind.SSCC,
        sscc,
        RmaView.of(rmas[0]) if rmas else None,
        valid=True,
        candidates=tuple(r.number for r in rmas),
        gs1=gs1,
        check_digit=True,
    )


def _open_first(rmas: Sequence[Rma]) -> list[Rma]:
    """Open RMAs before finished ones, so a reused tracking number finds the live return."""
    order = {RmaStatus.EXPECTED.value: 0, RmaStatus.RECEIVING.value: 0}
    return sorted(rmas, key=lambda r: order.get(r.status, 1))
