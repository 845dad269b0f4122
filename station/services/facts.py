"""Facts for the evaluator, drawn from what the bench recorded, and shared lookup helpers."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from inspection_rules import DefectFact, Facts, StandardRegistry
from inspection_rules.model import Standard
from station.db import Database
from station.i18n import _
from station.models import FindingKind, Inspection, InspectionStatus, RmaLine
from station.services.common import InvalidState, NotFound
from station.views import DefectView, InspectionView

T = TypeVar("T")


def facts_for(session: Session, inspection: Inspection) -> Facts:
    answers: dict[str, Any] = {}
    measurements: dict[str, tuple[float, str]] = {}
    defects: list[DefectFact] = []
    for finding in inspection.findings:
        if finding.kind == FindingKind.ANSWER.value:
            answers[finding.item_code] = finding.answer
        elif finding.kind == FindingKind.MEASUREMENT.value and finding.value is not None:
            measurements[finding.item_code] = (finding.value, finding.unit or "")
        elif finding.kind == FindingKind.DEFECT.value:
            defects.append(DefectFact(finding.item_code, finding.zone, finding.severity or "minor"))
    readings = inspection.weight_readings
    stable = [r for r in readings if r.stable]
    reading = stable[-1] if stable else (readings[-1] if readings else None)
    line = inspection.rma_line
    rma = line.rma if line else None
    sku = line.sku if line else None
    return Facts(
        answers=answers,
        measurements=measurements,
        defects=tuple(defects),
        photo_roles=frozenset(p.role for p in inspection.photos),
        weight_g=reading.grams if reading else None,
        weight_stable=bool(reading and reading.stable),
        expected_weight_g=expected_weight(line),
        stated_reason=rma.reason_code if rma else None,
        delivered_on=rma.delivered_on if rma else None,
        return_window_days=rma.return_window_days if rma else None,
        # The day the parcel was received, not today: re-explaining a verdict months later must
        # judge the return window exactly as it was judged then.
        inspected_on=inspection.parcel.received_at.date(),
        is_blind=inspection.parcel.is_blind,
        sku_spec=dict(sku.spec or {}) if sku else {},
        customer_country=rma.customer_country if rma else None,
        expected_serials=tuple(line.serials or ()) if line else (),
    )


def expected_weight(line: RmaLine | None) -> float | None:
    if line is None:
        return None
    if line.expected_unit_weight_g is not None:
        return line.expected_unit_weight_g
    return line.sku.expected_unit_weight_g if line.sku else None


def inspection_view(session: Session, inspection: Inspection) -> InspectionView:
    session.refresh(inspection)
    facts = facts_for(session, inspection)
    return InspectionView.of(
        inspection,
        {
            "answers": dict(facts.answers),
            "photo_roles": tuple(sorted(facts.photo_roles)),
            "weight_g": facts.weight_g,
            "weight_stable": facts.weight_stable,
            "expected_weight_g": facts.expected_weight_g,
            "measurements": dict(facts.measurements),
            "defects": tuple(
                DefectView(f.id, f.item_code, f.zone, f.severity or "minor", f.note)
                for f in inspection.findings
                if f.kind == FindingKind.DEFECT.value
            ),
            "sku_spec": dict(facts.sku_spec),
            "facts": facts,
            "sku_title": inspection.rma_line.sku.title
            if inspection.rma_line and inspection.rma_line.sku
            else None,
        },
    )


def get_inspection(db: Database, inspection_id: uuid.UUID) -> InspectionView:
    with db.read() as session:
        return inspection_view(
            session, get_row(session, Inspection, inspection_id, _("inspection"))
        )


def get_row(session: Session, model: type[T], key: uuid.UUID, what: str) -> T:
    row = session.get(model, key)
    if row is None:
        raise NotFound(_("No {what} with id {key}").format(what=what, key=key))
    return row


def draft_inspection(session: Session, inspection_id: uuid.UUID) -> Inspection:
    inspection = get_row(session, Inspection, inspection_id, _("inspection"))
    if inspection.status != InspectionStatus.DRAFT.value:
        raise InvalidState(
            _("Inspection is {status}; a finalized verdict can only change by revision").format(
                status=inspection.status
            )
        )
    return inspection


def standard_of(standards: StandardRegistry, inspection: Inspection) -> Standard:
    standard = standards.by_hash(inspection.standard_hash)
    if standard is None:
        raise InvalidState(
            _("The standard this inspection was opened with ({hash}) is not available").format(
                hash=inspection.standard_hash[:12]
            )
        )
    return standard
