"""Seller reports: gather what an inspection recorded, render it, and hash it for verification.

``inspection_report_data`` reads everything in one read transaction and returns a plain frozen
tree (``labels.report_data.InspectionReportData``) holding the standard's texts in every
language, so rendering needs no database and the data - and its verification hash - is the same
whichever language the PDF is printed in. A seller who gets the report can ask the warehouse to
recompute ``report_data_hash`` for the inspection later; a different value means the recorded
data changed after the report was sent.

The report prints words, never codes: reasons are traced back to the standard's texts
(``station.services.report_reasons``), the audit slice is described step by step from the
standard's texts too, and the station is named as this bench's settings call it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection_rules import StandardRegistry
from labels.report_audit import AuditCheck, ReportAuditEvent
from labels.report_common import data_hash
from labels.report_data import (
    InspectionReportData,
    ReportAnswer,
    ReportDefect,
    ReportHeader,
    ReportItem,
    ReportMeasurement,
    ReportNote,
    ReportPhoto,
    ReportStandard,
    ReportVerdict,
    ReportWeight,
)
from labels.report_inspection import render_inspection_report
from station.audit import _event_hash
from station.audit_export import audit_slice
from station.db import Database
from station.i18n import _
from station.models import AuditEvent, FindingKind, Inspection, Lpn, User, Verdict
from station.photos import PhotoStore
from station.services.facts import facts_for, get_row, standard_of
from station.services.report_reasons import (
    ReasonWords,
    choice_words,
    grade_note,
    is_default_grade,
)

# Audit actions whose note belongs in the report's "disputes and notes" section.
NOTE_ACTIONS = ("dispute.", "verdict.revised", "verdict.regraded", "inspection.note")


def report_data_hash(data: InspectionReportData) -> str:
    """SHA-256 of the canonical JSON of the report data (printed in every page's footer)."""
    return data_hash(data)


def inspection_report_data(
    db: Database, standards: StandardRegistry, inspection_id: uuid.UUID
) -> InspectionReportData:
    with db.read() as session:
        inspection = get_row(session, Inspection, inspection_id, _("inspection"))
        return _gather(session, standards, inspection)


class StationNames(Protocol):
    """What this bench is called (``Settings`` has these): the report's name for its station."""

    @property
    def station_id(self) -> str: ...
    @property
    def station_name(self) -> str: ...
    @property
    def warehouse(self) -> str: ...


def station_label(station_id: str, here: StationNames | None) -> str:
    """ "Bench 3 · LAX-1 Los Angeles" for this bench's own inspections; another bench's id as it
    was recorded (an inspection row stores only the id, and only this bench knows its name)."""
    if here is None or station_id != here.station_id:
        return station_id
    name = here.station_name.strip() or here.station_id
    return " · ".join(part for part in (name, here.warehouse.strip()) if part)


def inspection_report_pdf(
    db: Database,
    standards: StandardRegistry,
    photos: PhotoStore,
    inspection_id: uuid.UUID,
    *,
    language: str | None = None,
    station: StationNames | None = None,
) -> bytes:
    """The seller report as PDF bytes; ``language`` defaults to the seller's.

    ``station`` is this bench's settings, to name the station of its own inspections. The
    unit's audit slice is read in the same transaction as the data, so the report never shows
    an event about data it does not show (or the reverse).
    """
    with db.read() as session:
        inspection = get_row(session, Inspection, inspection_id, _("inspection"))
        data = _gather(session, standards, inspection)
        audit, check = report_audit(session, standards, inspection, station)

    def load(photo: ReportPhoto) -> bytes | None:
        path = photos.path_of(photo.file_path)
        try:
            return path.read_bytes()
        except OSError:
            return None  # shown in the report as missing: evidence gone is itself a finding

    return render_inspection_report(
        data,
        load,
        language=language,
        verification_hash=report_data_hash(data),
        audit=audit,
        audit_check=check,
        station=station_label(data.header.station_id, station),
    )


def report_audit_events(session: Session, inspection_id: uuid.UUID) -> tuple[ReportAuditEvent, ...]:
    """The unit's audit slice for the report (see ``report_audit``), without the check."""
    inspection = get_row(session, Inspection, inspection_id, _("inspection"))
    return report_audit(session, None, inspection, None)[0]


def report_audit(
    session: Session,
    standards: StandardRegistry | None,
    inspection: Inspection,
    station: StationNames | None,
) -> tuple[tuple[ReportAuditEvent, ...], AuditCheck]:
    """The unit's audit slice (its own, its parcel's, labels', disputes' events), each step with
    the standard's words for what it recorded, and the check of the rows against their hashes.

    Actors are shown by display name; an event nobody was signed in for shows its station.
    """
    events = audit_slice(session, inspection_id=inspection.id)
    actor_ids = {uuid.UUID(e["actor_id"]) for e in events if e["actor_id"]}
    names: dict[str, str] = {}
    if actor_ids:
        rows = session.execute(select(User.id, User.display_name).where(User.id.in_(actor_ids)))
        names = {str(row[0]): row[1] for row in rows}
    standard = standards.by_hash(inspection.standard_hash) if standards is not None else None
    words = _StepWords(standard.spec if standard is not None else None)
    shown = tuple(
        ReportAuditEvent(
            seq=e["seq"],
            at=datetime.fromisoformat(e["occurred_at"]),
            action=e["action"],
            actor=names.get(e["actor_id"] or "") or station_label(e["station_id"], station),
            hash=e["hash"],
            texts=words.texts(e["action"], e["after"] or e["before"] or {}),
            values=_step_values(e),
        )
        for e in events
    )
    return shown, AuditCheck(rows=len(events), altered=_altered(events))


def _altered(events: Sequence[dict[str, Any]]) -> tuple[int, ...]:
    """Rows whose content no longer matches their hash, or whose link to the row just before
    them (when both are in the slice) is broken: the recipe ``station audit verify`` uses."""
    altered: list[int] = []
    previous: dict[str, Any] | None = None
    for event in events:
        row = SimpleNamespace(
            **{**event, "occurred_at": datetime.fromisoformat(event["occurred_at"])}
        )
        linked = previous is None or previous["seq"] + 1 != event["seq"]
        if not linked:
            linked = previous is not None and event["prev_hash"] == previous["hash"]
        if _event_hash(row) != event["hash"] or not linked:
            altered.append(event["seq"])
        previous = event
    return tuple(altered)


def _step_values(event: Mapping[str, Any]) -> dict[str, Any]:
    """The plain values a step's words need, from the event's recorded JSON."""
    after: Mapping[str, Any] = event["after"] or {}
    before: Mapping[str, Any] = event["before"] or {}
    values: dict[str, Any] = {
        key: after[key]
        for key in ("rma", "blind", "answer", "value", "unit", "zone", "severity", "grams",
                    "stable", "grade", "disposition", "outcome", "kind")
        if key in after
    }  # fmt: skip
    values["subject_code"] = (
        after.get("item") or after.get("code") or after.get("role") or before.get("code")
    )
    values["reprint"] = bool(after.get("reprint_of"))
    text = after.get("reason") or after.get("text") or after.get("note")
    if text:
        values["text"] = str(text)
    return values


class _StepWords:
    """The standard's words for what an audit step recorded: question, answer, defect, zone."""

    def __init__(self, spec: Any) -> None:
        self.items = {item.code: item for item in spec.checklist} if spec else {}
        self.defects = {d.code: d for d in spec.defects} if spec else {}
        self.zones: Mapping[str, Mapping[str, str]] = spec.zones if spec else {}
        self.roles = {i.role: i.label for i in spec.checklist if i.role} if spec else {}

    def texts(self, action: str, after: Mapping[str, Any]) -> dict[str, dict[str, str]]:
        if action in ("fact.recorded", "measurement.recorded"):
            item = self.items.get(str(after.get("item")))
            if item is None:
                return {}
            return {
                "subject": dict(item.label),
                "value": dict(choice_words(item, after.get("answer"))),
            }
        if action in ("defect.recorded", "defect.removed"):
            defect = self.defects.get(str(after.get("code")))
            zone = self.zones.get(str(after.get("zone")), {})
            return {"subject": dict(defect.name) if defect else {}, "zone": dict(zone)}
        if action == "photo.recorded":
            return {"subject": dict(self.roles.get(str(after.get("role")), {}))}
        return {}


def _gather(
    session: Session, standards: StandardRegistry, inspection: Inspection
) -> InspectionReportData:
    standard = standard_of(standards, inspection)
    spec = standard.spec
    facts = facts_for(session, inspection)
    evaluation = standard.evaluate(facts)
    items = {item.code: item for item in standard.checklist}
    users = _user_names(session, inspection)
    line = inspection.rma_line
    rma = inspection.parcel.rma or (line.rma if line else None)
    sku = line.sku if line else None
    seller = rma.seller if rma else (sku.seller if sku else None)
    lpn = session.scalar(select(Lpn.code).where(Lpn.inspection_id == inspection.id))

    header = ReportHeader(
        inspection_id=str(inspection.id),
        seller_code=seller.code if seller else None,
        seller_name=seller.name if seller else None,
        seller_language=seller.language if seller else "en",
        rma_number=rma.number if rma else None,
        order_id=rma.external_order_id if rma else None,
        channel=rma.channel if rma else None,
        customer_country=rma.customer_country if rma else None,
        stated_reason=rma.reason_code if rma else None,
        stated_reason_text=(rma.reason_text or None) if rma else None,
        delivered_on=rma.delivered_on if rma else None,
        received_at=inspection.parcel.received_at,
        tracking_number=inspection.parcel.tracking_number,
        is_blind=inspection.parcel.is_blind,
        station_id=inspection.station_id,
        grader=users.get(inspection.grader_id) if inspection.grader_id else None,
        inspected_at=inspection.finished_at,
        lpn=lpn,
    )
    serial_item = spec.serial.item if spec.serial else None
    serial = inspection.serial_number or (
        str(facts.answers[serial_item]) if serial_item and serial_item in facts.answers else None
    )
    item = ReportItem(
        sku=sku.code if sku else (line.sku_code if line else None),
        gtin=(sku.gtin if sku else None) or (line.gtin if line else None),
        title=sku.title if sku else None,
        serial=serial,
        category=sku.category if sku else getattr(standard, "category", None),
    )
    answers = tuple(
        _answer(code, items.get(code), value)
        for code, value in _in_checklist_order(facts.answers, list(items))
        if value is not None
    )
    measurements = tuple(
        ReportMeasurement(
            code=m.code,
            label=dict(items[m.code].label) if m.code in items else {},
            value=m.value,
            unit=m.unit,
            expected=m.expected,
            allowed_deviation=m.allowed_deviation,
            passed=m.passed,
        )
        for m in evaluation.measurements
        if m.value is not None or m.code in facts.measurements
    )
    catalogue = {d.code: d for d in spec.defects}
    zones: Mapping[str, Mapping[str, str]] = spec.zones
    defects = tuple(
        ReportDefect(
            code=f.item_code,
            name=dict(catalogue[f.item_code].name) if f.item_code in catalogue else {},
            zone=f.zone,
            zone_name=dict(zones.get(f.zone, {})) if f.zone else {},
            severity=f.severity or "minor",
            note=f.note,
        )
        for f in inspection.findings
        if f.kind == FindingKind.DEFECT.value
    )
    role_labels = {
        item.photo_role: dict(item.label) for item in standard.checklist if item.photo_role
    }
    photos = tuple(
        ReportPhoto(
            role=p.role,
            role_label=role_labels.get(p.role, {}),
            sha256=p.sha256,
            file_path=p.file_path,
            content_type=p.content_type,
            byte_size=p.byte_size,
            width=p.width,
            height=p.height,
            taken_at=p.taken_at,
        )
        for p in inspection.photos
    )
    return InspectionReportData(
        header=header,
        item=item,
        standard=ReportStandard(
            id=inspection.standard_id,
            version=inspection.standard_version,
            content_hash=inspection.standard_hash,
            title=dict(standard.title),
        ),
        answers=answers,
        measurements=measurements,
        defects=defects,
        weight=_weight(inspection, facts.expected_weight_g, spec),
        photos=photos,
        verdicts=_verdicts(session, inspection, ReasonWords(spec, facts), users),
        notes=_notes(session, inspection, users),
    )


def _in_checklist_order(answers: Mapping[str, Any], order: list[str]) -> list[tuple[str, Any]]:
    rank = {code: index for index, code in enumerate(order)}
    return sorted(answers.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))


def _answer(code: str, item: Any, value: Any) -> ReportAnswer:
    if item is None:  # an answer to an item the standard no longer has: still shown
        return ReportAnswer(code=code, label={}, type="unknown", value=value)
    choices = {choice.code: dict(choice.label) for choice in item.choices}
    chosen = value if isinstance(value, list) else [value]
    shown = tuple(choices[c] for c in chosen if isinstance(c, str) and c in choices)
    return ReportAnswer(
        code=code, label=dict(item.label), type=str(item.type.value), value=value, shown=shown
    )


def _weight(inspection: Inspection, expected: float | None, spec: Any) -> ReportWeight:
    readings = inspection.weight_readings
    stable = [r for r in readings if r.stable]
    reading = stable[-1] if stable else (readings[-1] if readings else None)
    allowed: float | None = None
    if expected:
        policy = spec.weight
        options = [
            t
            for t in (
                policy.tolerance_g,
                expected * policy.tolerance_percent / 100
                if policy.tolerance_percent is not None
                else None,
            )
            if t is not None
        ]
        allowed = max(options) if options else None
    passed = None
    if reading is not None and expected and allowed is not None:
        passed = abs(reading.grams - expected) <= allowed
    return ReportWeight(
        grams=reading.grams if reading else None,
        stable=bool(reading and reading.stable),
        device=reading.device if reading else None,
        expected_g=expected,
        allowed_g=allowed,
        passed=passed,
    )


def _verdicts(
    session: Session, inspection: Inspection, words: ReasonWords, users: Mapping[uuid.UUID, str]
) -> tuple[ReportVerdict, ...]:
    """Every revision, oldest first, each with its reasons and grade described from itself."""
    spec = words.spec
    rows = session.scalars(
        select(Verdict)
        .where(Verdict.inspection_id == inspection.id)
        .order_by(Verdict.revision, Verdict.decided_at)
    ).all()
    revision_of = {row.id: row.revision for row in rows}
    grade_labels = {g.code: dict(g.label) for g in spec.grades}
    return tuple(
        ReportVerdict(
            revision=row.revision,
            supersedes_revision=revision_of.get(row.supersedes_id) if row.supersedes_id else None,
            grade=row.grade,
            grade_label=grade_labels.get(row.grade, {}),
            disposition=row.disposition,
            refund_kind=row.refund_kind,
            refund_percent=row.refund_percent,
            refund_amount=row.refund_amount,
            currency=row.currency,
            responsibility=row.responsibility,
            reason_codes=tuple(row.reason_codes or ()),
            warnings=tuple(row.warnings or ()),
            standard_hash=row.standard_hash,
            decided_by=users.get(row.decided_by_id) if row.decided_by_id else None,
            decided_at=row.decided_at,
            reasons=words.reasons(tuple(row.reason_codes or ()), row.trace),
            grade_note=grade_note(spec, row.grade, row.disposition),
            default_grade=is_default_grade(row.trace),
        )
        for row in rows
    )


def _notes(
    session: Session, inspection: Inspection, users: Mapping[uuid.UUID, str]
) -> tuple[ReportNote, ...]:
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == "inspection",
            AuditEvent.entity_id == str(inspection.id),
        )
        .order_by(AuditEvent.seq)
    ).all()
    notes = []
    for event in events:
        if not event.action.startswith(NOTE_ACTIONS):
            continue
        after = event.after or {}
        text = after.get("note") or after.get("reason") or after.get("text")
        if text:
            by = users.get(event.actor_id) if event.actor_id else None
            notes.append(ReportNote(event.occurred_at, by, event.action, str(text)))
    return tuple(notes)


def _user_names(session: Session, inspection: Inspection) -> dict[uuid.UUID, str]:
    """Display names of everyone who graded or decided on this inspection, in one query."""
    ids = {inspection.grader_id, *(v.decided_by_id for v in inspection.verdicts)}
    ids.discard(None)
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    return {row[0]: row[1] for row in rows}
