"""Labels for units and parcels: what goes on them, printing through the spooler, reprints.

A label's content comes from the recorded verdict and the standard it was judged by (the
condition text is the standard's grade label in the seller's language). Every label issued is
recorded with the SHA-256 of the bytes sent, so a reprint can be checked to be the same label.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from devices.spooler import Spooler
from inspection_rules import StandardRegistry
from labels.api import LabelData, LabelFormat, LabelKind, LabelSize, render_label
from labels.config import LabelsConfig
from station.audit import audit_action
from station.db import Database
from station.i18n import _
from station.models import Inspection, LabelPrint, Lpn, Parcel, Verdict
from station.outbox import add_outbox_event
from station.services.common import Actor, InvalidState, NotFound
from station.services.facts import get_row
from station.timeutil import today_utc, utcnow

log = logging.getLogger(__name__)

LABEL_PRINTED = "label.printed"


@dataclass(frozen=True)
class LabelPrintView:
    id: uuid.UUID
    kind: str
    size: str
    format: str
    code: str
    printer: str | None
    job_id: str | None
    payload_sha256: str
    created_at: datetime
    reprint_of: uuid.UUID | None

    @classmethod
    def of(cls, row: LabelPrint) -> LabelPrintView:
        return cls(row.id, row.kind, row.size, row.format, row.code, row.printer, row.job_id,
                   row.payload_sha256, row.created_at, row.reprint_of_id)  # fmt: skip


def _condition_text(standards: StandardRegistry, inspection: Inspection, grade: str, language: str) -> str | None:  # fmt: skip
    standard = standards.by_hash(inspection.standard_hash)
    for grade_spec in standard.spec.grades if standard else ():
        if grade_spec.code == grade:
            label: dict[str, str] = grade_spec.label
            return label.get(language) or label.get("en")
    return None


def _inspection_data(
    session: Session, standards: StandardRegistry, inspection: Inspection, actor: Actor,
    printed_on: date, language: str | None,
) -> LabelData:  # fmt: skip
    verdict = session.scalar(
        select(Verdict).where(Verdict.inspection_id == inspection.id)
        .order_by(Verdict.revision.desc()).limit(1)
    )  # fmt: skip
    lpn = session.scalar(select(Lpn).where(Lpn.inspection_id == inspection.id))
    if verdict is None or lpn is None:
        raise InvalidState(_("Labels are printed once a verdict is recorded"))
    line = inspection.rma_line
    rma = line.rma if line else inspection.parcel.rma
    seller = rma.seller if rma else None
    language = language or (seller.language if seller else "en")
    sku = line.sku if line else None
    return LabelData(
        lpn=lpn.code,
        station_id=inspection.station_id,
        site_id=actor.site_id,
        printed_on=printed_on,
        grade=verdict.grade,
        disposition=verdict.disposition,
        sku=line.sku_code if line else None,
        title=sku.title if sku else None,
        gtin=line.gtin if line else None,
        condition_text=_condition_text(standards, inspection, verdict.grade, language),
        language=language,
        rma_number=rma.number if rma else None,
        tracking_number=inspection.parcel.tracking_number,
        seller_code=seller.code if seller else None,
    )


def _receipt_data(parcel: Parcel, actor: Actor, printed_on: date) -> LabelData:
    return LabelData(
        lpn="RCV" + parcel.id.hex[:10].upper(),
        station_id=parcel.station_id,
        site_id=actor.site_id,
        printed_on=printed_on,
        tracking_number=parcel.tracking_number or parcel.scanned_code,
        language="en",
    )


def issue_labels(
    db: Database,
    actor: Actor,
    standards: StandardRegistry,
    config: LabelsConfig,
    spooler: Spooler | None,
    *,
    kinds: tuple[str, ...],
    inspection_id: uuid.UUID | None = None,
    parcel_id: uuid.UUID | None = None,
) -> list[LabelPrintView]:
    """Render, queue and record each label kind (for a finalized unit, or a blind parcel)."""
    printed_on = today_utc()
    issued: list[LabelPrintView] = []
    for kind in kinds:
        size = config.size_for(kind)
        with db.read() as session:
            data = _data_for(session, standards, actor, kind, inspection_id, parcel_id, printed_on, None)  # fmt: skip
        payload = render_label(_kind(kind), data, size=_size(size), fmt=_fmt(config.format), dpi=config.dpi)  # fmt: skip
        job_id = (
            spooler.submit(config.format, payload, printer=config.printer).id if spooler else None
        )
        issued.append(_record(db, actor, kind, size, config, data, payload, job_id, spooler,
                              inspection_id, parcel_id, reprint_of=None))  # fmt: skip
    return issued


def reprint_label(
    db: Database, actor: Actor, standards: StandardRegistry, spooler: Spooler | None,
    label_print_id: uuid.UUID,
) -> tuple[LabelPrintView, bytes]:  # fmt: skip
    """The same label again: same kind, size, format, language and printed date."""
    with db.read() as session:
        original = get_row(session, LabelPrint, label_print_id, _("label"))
        data = _data_for(session, standards, actor, original.kind, original.inspection_id,
                         original.parcel_id, original.label_date, original.language)  # fmt: skip
        kind, size, fmt, dpi = original.kind, original.size, original.format, original.dpi
        printer, original_id = original.printer, original.id
        inspection_id, parcel_id = original.inspection_id, original.parcel_id
    payload = render_label(_kind(kind), data, size=_size(size), fmt=_fmt(fmt), dpi=dpi)
    job_id = spooler.submit(fmt, payload, printer=printer).id if spooler else None
    config = LabelsConfig(format=fmt, dpi=dpi, printer=printer)
    view = _record(db, actor, kind, size, config, data, payload, job_id, spooler,
                   inspection_id, parcel_id, reprint_of=original_id)  # fmt: skip
    return view, payload


def render_for_lpn(
    db: Database, actor: Actor, standards: StandardRegistry, lpn_code: str, kind: str, *,
    size: str, fmt: str, dpi: int,
) -> bytes:  # fmt: skip
    """A label for a unit found by its LPN (``station label``)."""
    with db.read() as session:
        inspection_id = session.scalar(select(Lpn.inspection_id).where(Lpn.code == lpn_code.strip().upper()))  # fmt: skip
        if inspection_id is None:
            raise NotFound(_("No unit with LPN {lpn}").format(lpn=lpn_code))
        data = _data_for(session, standards, actor, kind, inspection_id, None, today_utc(), None)
    return render_label(_kind(kind), data, size=_size(size), fmt=_fmt(fmt), dpi=dpi)


def labels_for(
    db: Database, inspection_id: uuid.UUID | None = None, *, parcel_id: uuid.UUID | None = None
) -> list[LabelPrintView]:
    """The labels printed for a unit (``inspection_id``) or for a parcel (``parcel_id``: a
    blind parcel's receipt label), oldest first."""
    where = (
        LabelPrint.inspection_id == inspection_id
        if inspection_id is not None
        else LabelPrint.parcel_id == parcel_id
    )
    with db.read() as session:
        rows = session.scalars(select(LabelPrint).where(where).order_by(LabelPrint.created_at))
        return [LabelPrintView.of(row) for row in rows]


def _data_for(
    session: Session, standards: StandardRegistry, actor: Actor, kind: str,
    inspection_id: uuid.UUID | None, parcel_id: uuid.UUID | None, printed_on: date,
    language: str | None,
) -> LabelData:  # fmt: skip
    if kind == "receipt":
        if parcel_id is None and inspection_id is not None:
            parcel_id = get_row(session, Inspection, inspection_id, _("inspection")).parcel_id
        if parcel_id is None:
            raise InvalidState(_("A receipt label needs a parcel"))
        return _receipt_data(get_row(session, Parcel, parcel_id, _("parcel")), actor, printed_on)
    if inspection_id is None:
        raise InvalidState(_("A {kind} label needs an inspected unit").format(kind=kind))
    inspection = get_row(session, Inspection, inspection_id, _("inspection"))
    return _inspection_data(session, standards, inspection, actor, printed_on, language)


def _record(
    db: Database, actor: Actor, kind: str, size: str, config: LabelsConfig, data: LabelData,
    payload: bytes, job_id: str | None, spooler: Spooler | None,
    inspection_id: uuid.UUID | None, parcel_id: uuid.UUID | None, *, reprint_of: uuid.UUID | None,
) -> LabelPrintView:  # fmt: skip
    digest = hashlib.sha256(payload).hexdigest()
    printer = (config.printer or next(iter(spooler.printers), None)) if spooler else None
    with db.write() as session:
        row = LabelPrint(
            inspection_id=inspection_id, parcel_id=parcel_id, code=data.lpn, kind=kind, size=size,
            format=config.format, dpi=config.dpi, language=data.language,
            label_date=data.printed_on, printer=printer, job_id=job_id, payload_sha256=digest,
            reprint_of_id=reprint_of, printed_by_id=actor.user_id, station_id=actor.station_id,
        )  # fmt: skip
        session.add(row)
        if inspection_id is not None and kind == "lpn":
            lpn = session.scalar(select(Lpn).where(Lpn.inspection_id == inspection_id))
            if lpn is not None:
                lpn.printed_at = utcnow()
                lpn.print_count += 1
        session.flush()
        facts = {"kind": kind, "size": size, "format": config.format, "code": data.lpn,
                 "printer": printer, "sha256": digest,
                 "reprint_of": str(reprint_of) if reprint_of else None}  # fmt: skip
        audit_action(session, actor,
                     action="label.printed", entity_type="label", entity_id=row.id, after=facts)  # fmt: skip
        add_outbox_event(session, event_type=LABEL_PRINTED, aggregate_type="inspection",
                         aggregate_id=inspection_id or parcel_id or row.id,
                         payload=_label_printed_payload(row, facts, actor))  # fmt: skip
        return LabelPrintView.of(row)


def _label_printed_payload(row: LabelPrint, facts: dict[str, str | None], actor: Actor) -> dict[str, str | None]:  # fmt: skip
    """The ``label.printed`` data (schema ``resources/schemas/label.printed.v1.json``).

    Carries the label and parcel ids too, so a receiver can tell two prints of the same code
    apart and tie a parcel receipt to its ``return.received`` event.
    """
    return {
        **facts,
        "label_id": str(row.id),
        "site": actor.site_id,
        "station": actor.station_id,
        "inspection_id": str(row.inspection_id) if row.inspection_id else None,
        "parcel_id": str(row.parcel_id) if row.parcel_id else None,
        "job_id": row.job_id,
    }


def _kind(kind: str) -> LabelKind:
    if kind not in ("lpn", "relabel", "route", "receipt"):
        raise InvalidState(_("Unknown label kind {kind}").format(kind=kind))
    return kind  # type: ignore[return-value]


def _size(size: str) -> LabelSize:
    if size not in ("4x6", "2x1", "100x50", "50x25"):
        raise InvalidState(_("Unknown label size {size}").format(size=size))
    return size  # type: ignore[return-value]


def _fmt(fmt: str) -> LabelFormat:
    if fmt not in ("zpl", "pdf"):
        raise InvalidState(_("Unknown label format {fmt}").format(fmt=fmt))
    return fmt  # type: ignore[return-value]
