"""Import expected returns (RMAs) from a seller's CSV or JSON file.

The clerk's workflow drives the rules: a file with a few bad rows must not block the hundreds
of good ones, so good RMAs are imported and every bad row is reported as ``file:line: reason``.
An RMA is all-or-nothing (a return with a missing line would be received wrongly), so one bad
row skips its whole RMA. Re-importing is safe: RMAs are upserted by their normalised number, and
an RMA that is already being inspected is never changed underneath the bench.

Parsing and validation live in ``rma_reading`` / ``rma_records``; this module owns the database
side: sellers and SKUs, upserts in batched write transactions, and the audit trail.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError
from sqlalchemy.orm import Session, selectinload

from station.audit import append_audit
from station.db import Database
from station.i18n import _
from station.models import Inspection, Rma, RmaLine, Seller, Sku, new_id
from station.services.rma_reading import (
    Problem,
    RmaImportFailed,
    SourceRma,
    read_rma_file,
)
from station.services.rma_records import RmaLineRecord, RmaRecord
from station.services.rma_state import apply_state, line_state, rma_state, snapshot_state
from station.timeutil import utcnow

log = logging.getLogger(__name__)

# RMAs per write transaction: small enough that a 50k-row file never holds the bench's
# database lock for long, large enough that per-transaction overhead stays negligible.
BATCH_SIZE = 500

__all__ = [
    "BATCH_SIZE",
    "ImportProblem",
    "ImportReport",
    "RmaImportFailed",
    "RmaLineRecord",
    "RmaRecord",
    "import_rmas",
]


@dataclass(frozen=True)
class ImportProblem:
    """One reported problem; ``str()`` gives the ``file:line: message`` form editors jump to."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class ImportReport:
    """What an import did. ``skipped`` counts RMAs (not rows) that were not written,
    including ``conflicts`` (RMAs already being inspected that the file would change)."""

    file: str
    format: str
    encoding: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    conflicts: int = 0
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (what ``station rma import --json`` prints)."""
        data = asdict(self)
        data["errors"] = [str(problem) for problem in self.errors]
        data["warnings"] = [str(problem) for problem in self.warnings]
        data["ok"] = self.ok
        return data


@dataclass
class _BatchOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    unstorable: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def add(self, other: _BatchOutcome) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.conflicts += other.conflicts
        self.unstorable += other.unstorable
        self.errors += other.errors
        self.warnings += other.warnings


@dataclass(frozen=True)
class _SellerRef:
    id: uuid.UUID
    code: str


def import_rmas(
    db: Database,
    path: Path,
    *,
    station_id: str,
    encoding: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import every valid RMA in ``path``; raise ``RmaImportFailed`` if the file is unusable.

    ``encoding`` overrides detection (BOM, UTF-8, GB18030, then cp1252).
    """
    path = Path(path)
    read = read_rma_file(path, encoding)
    report = ImportReport(
        file=str(path), format=read.format, encoding=read.encoding, skipped=read.skipped
    )
    errors = list(read.errors)
    warnings = list(read.warnings)

    with db.read() as session:
        sellers = {
            seller.code.upper(): _SellerRef(seller.id, seller.code)
            for seller in session.scalars(select(Seller))
        }
    accepted: list[tuple[SourceRma, _SellerRef]] = []
    for source in read.rmas:
        seller = sellers.get(source.record.seller.upper())
        if seller is None:
            report.skipped += 1
            errors.append(Problem(source.line, _unknown_seller(source.record, sellers)))
            continue
        accepted.append((source, seller))

    for start in range(0, len(accepted), batch_size):
        batch = accepted[start : start + batch_size]
        outcome = _write_guarded(db, batch, station_id=station_id, file_name=path.name)
        # Counted only after the commit, so the report never claims a rolled-back write.
        report.created += outcome.created
        report.updated += outcome.updated
        report.unchanged += outcome.unchanged
        report.conflicts += outcome.conflicts
        report.skipped += outcome.conflicts + outcome.unstorable
        errors.extend(outcome.errors)
        warnings.extend(outcome.warnings)

    report.errors = _problems(report.file, errors)
    report.warnings = _problems(report.file, warnings)
    log.info(
        "RMA import %s: %d created, %d updated, %d unchanged, %d skipped, %d errors",
        path,
        report.created,
        report.updated,
        report.unchanged,
        report.skipped,
        len(report.errors),
    )
    return report


def _problems(file: str, problems: Iterable[Problem]) -> list[ImportProblem]:
    ordered = sorted(problems, key=lambda problem: problem.line)
    return [ImportProblem(file, problem.line, problem.message) for problem in ordered]


def _unknown_seller(record: RmaRecord, sellers: dict[str, _SellerRef]) -> str:
    known = sorted(seller.code for seller in sellers.values())
    if not known:
        return _(
            'seller "{seller}" is not set up on this station; known sellers are none '
            "(RMA {rma} not imported)"
        ).format(seller=record.seller, rma=record.rma_number)
    listed = ", ".join(known[:10]) + (", …" if len(known) > 10 else "")
    return _(
        'seller "{seller}" is not set up on this station; known sellers are {sellers} '
        "(RMA {rma} not imported)"
    ).format(seller=record.seller, sellers=listed, rma=record.rma_number)


# --- persistence --------------------------------------------------------------------------


def _write_guarded(
    db: Database,
    batch: Sequence[tuple[SourceRma, _SellerRef]],
    *,
    station_id: str,
    file_name: str,
) -> _BatchOutcome:
    """Write one batch; if a value in it cannot be stored, write its RMAs one at a time.

    The validators should refuse every such value on its row, but if one slips through (a
    database limit they do not know), it must cost only its own RMA, reported at its line, and
    never the good RMAs of the same batch. Faults of the database itself (disk full, locked)
    are not about one RMA and propagate.
    """
    try:
        with db.write() as session:
            return _write_batch(session, batch, station_id=station_id, file_name=file_name)
    except (StatementError, OverflowError, UnicodeEncodeError) as exc:
        if isinstance(exc, DBAPIError) and not isinstance(exc, DataError | IntegrityError):
            raise
        if len(batch) == 1:
            return _unstorable(batch[0][0], exc)
        log.warning("%d RMAs could not be stored together (%s); one at a time", len(batch), exc)
    outcome = _BatchOutcome()
    for item in batch:
        outcome.add(_write_guarded(db, [item], station_id=station_id, file_name=file_name))
    return outcome


def _unstorable(source: SourceRma, fault: Exception) -> _BatchOutcome:
    log.warning("RMA %s could not be stored: %s", source.record.rma_number, fault)
    # The driver's reason is English; its first line only (SQL and parameters follow).
    reason = str(getattr(fault, "orig", None) or fault).splitlines()[0][:200]
    message = _("could not be stored ({reason}) (RMA {rma} not imported)").format(
        reason=reason, rma=source.record.rma_number
    )
    return _BatchOutcome(unstorable=1, errors=[Problem(source.line, message)])


def _write_batch(
    session: Session,
    batch: Sequence[tuple[SourceRma, _SellerRef]],
    *,
    station_id: str,
    file_name: str,
) -> _BatchOutcome:
    """Upsert one batch inside the caller's write transaction."""
    outcome = _BatchOutcome()
    numbers = [source.record.rma_number for source, _seller in batch]
    existing = {
        rma.number: rma
        for rma in session.scalars(
            select(Rma)
            .where(Rma.number.in_(numbers))
            .options(selectinload(Rma.lines), selectinload(Rma.tracking_numbers))
        )
    }
    inspected = _inspected_rma_ids(session, [rma.id for rma in existing.values()])
    skus = _load_skus(session, batch)
    seller_codes = {seller.id: seller.code for seller in session.scalars(select(Seller))}

    # Rows first, then one flush, then the audit events: a flush per RMA would dominate the
    # time of a large import. All of it is one transaction, so the order is not observable.
    audits: list[tuple[str, uuid.UUID, dict[str, Any] | None, dict[str, Any]]] = []
    for source, seller in batch:
        record = source.record
        desired = _desired_state(source, seller, skus, outcome)
        rma = existing.get(record.rma_number)
        after = {**desired, "source": f"{file_name}:{source.line}"}
        if rma is None:
            rma = Rma(id=new_id(), number=record.rma_number, seller_id=seller.id)
            apply_state(rma, record, desired)
            session.add(rma)
            audits.append(("rma.imported", rma.id, None, after))
            outcome.created += 1
            continue
        current = snapshot_state(rma, seller_codes)
        if current == desired:
            outcome.unchanged += 1
        elif rma.seller_id != seller.id:
            outcome.conflicts += 1
            outcome.errors.append(
                Problem(
                    source.line,
                    _("RMA {rma} already exists for seller {seller}; not changed").format(
                        rma=rma.number, seller=seller_codes.get(rma.seller_id, "?")
                    ),
                )
            )
        elif rma.id in inspected:
            outcome.conflicts += 1
            outcome.errors.append(
                Problem(
                    source.line,
                    _("RMA {rma} already has inspections; not changed").format(rma=rma.number),
                )
            )
        else:
            apply_state(rma, record, desired)
            rma.updated_at = utcnow()
            audits.append(("rma.updated", rma.id, current, after))
            outcome.updated += 1
    session.flush()
    for action, rma_id, before, after in audits:
        append_audit(
            session,
            station_id=station_id,
            action=action,
            entity_type="rma",
            entity_id=rma_id,
            before=before,
            after=after,
        )
    return outcome


def _inspected_rma_ids(session: Session, rma_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    if not rma_ids:
        return set()
    query = (
        select(RmaLine.rma_id)
        .join(Inspection, Inspection.rma_line_id == RmaLine.id)
        .where(RmaLine.rma_id.in_(rma_ids))
        .distinct()
    )
    return set(session.scalars(query))


def _load_skus(
    session: Session, batch: Sequence[tuple[SourceRma, _SellerRef]]
) -> dict[tuple[uuid.UUID, str], Sku]:
    """The batch's SKUs keyed by (seller, code) and (seller, upper-cased code)."""
    seller_ids = {seller.id for _source, seller in batch}
    codes = {line.sku for source, _seller in batch for line in source.record.lines}
    codes |= {code.upper() for code in codes}
    found: dict[tuple[uuid.UUID, str], Sku] = {}
    code_list = sorted(codes)
    for start in range(0, len(code_list), 500):
        query = select(Sku).where(
            Sku.seller_id.in_(seller_ids), Sku.code.in_(code_list[start : start + 500])
        )
        for sku in session.scalars(query):
            found[(sku.seller_id, sku.code)] = sku
            found.setdefault((sku.seller_id, sku.code.upper()), sku)
    return found


def _desired_state(
    source: SourceRma,
    seller: _SellerRef,
    skus: dict[tuple[uuid.UUID, str], Sku],
    outcome: _BatchOutcome,
) -> dict[str, Any]:
    """The RMA as it should be stored, in the same JSON form ``snapshot_state`` reads back."""
    record = source.record
    lines = []
    for (number, line), row in zip(record.numbered_lines(), source.line_rows, strict=True):
        sku = skus.get((seller.id, line.sku)) or skus.get((seller.id, line.sku.upper()))
        if sku is None:
            outcome.warnings.append(
                Problem(
                    row,
                    _(
                        'SKU "{sku}" is not in the catalogue of seller {seller}; '
                        "the line was imported without a catalogue link"
                    ).format(sku=line.sku, seller=seller.code),
                )
            )
        elif line.gtin and sku.gtin and line.gtin != sku.gtin:
            outcome.warnings.append(
                Problem(
                    row,
                    _(
                        'GTIN "{gtin}" differs from the catalogue GTIN "{catalogue_gtin}" of SKU '
                        '"{sku}"; the file\'s GTIN was kept'
                    ).format(gtin=line.gtin, catalogue_gtin=sku.gtin, sku=sku.code),
                )
            )
        lines.append(
            line_state(
                line_no=number,
                external_id=line.external_id,
                sku=sku.code if sku else line.sku,
                sku_id=sku.id if sku else None,
                gtin=line.gtin or (sku.gtin if sku else None),
                qty=line.qty,
                unit_price=line.unit_price,
                currency=line.currency,
                serials=list(line.serials),
                weight=line.expected_unit_weight_g,
            )
        )
    return rma_state(
        seller=seller.code,
        channel=record.channel.value,
        order_id=record.order_id,
        customer_ref=record.customer_ref,
        customer_country=record.customer_country,
        reason_code=record.reason_code.value if record.reason_code else None,
        reason_text=record.reason_text,
        delivered_on=record.delivered_on.isoformat() if record.delivered_on else None,
        return_window_days=record.return_window_days,
        tracking_numbers=list(record.tracking_numbers),
        lines=lines,
    )


# --- shared with the RMA pull (station.sync.pull) -----------------------------------------
# A pulled RMA must be compared and updated exactly like an imported one, so the pull uses
# these instead of a second copy of the comparison and update rules.

SellerRef = _SellerRef


def desired_rma_states(
    session: Session, sources: Sequence[tuple[SourceRma, SellerRef]]
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Each RMA as it should be stored (comparable with ``stored_rma_state``), plus the
    catalogue warnings (unknown SKU, GTIN mismatch) named by each source's line rows."""
    skus = _load_skus(session, sources)
    outcome = _BatchOutcome()
    states = [_desired_state(source, seller, skus, outcome) for source, seller in sources]
    return states, outcome.warnings


def stored_rma_state(rma: Rma, seller_codes: dict[uuid.UUID, str]) -> dict[str, Any]:
    """The stored RMA in the comparable form (also the audit ``before``)."""
    return snapshot_state(rma, seller_codes)


def apply_rma_state(rma: Rma, record: RmaRecord, desired: dict[str, Any]) -> None:
    """Make ``rma`` match ``desired`` in place (lines kept by number so their ids survive)."""
    apply_state(rma, record, desired)


def inspected_rma_ids(session: Session, rma_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """The RMAs among ``rma_ids`` with at least one inspection on any line."""
    return _inspected_rma_ids(session, rma_ids)
