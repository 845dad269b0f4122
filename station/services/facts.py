"""Facts for the evaluator, drawn from what the bench recorded, shared lookup helpers, and the
checks a typed or read value passes before it becomes a fact (the same checks the bench's form
makes while the grader types, so the CLI, the tests and the window refuse alike)."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from inspection_rules import DefectFact, Facts, StandardRegistry
from inspection_rules.model import Standard
from station.db import Database
from station.i18n import _, current_language
from station.models import FindingKind, Inspection, InspectionStatus, RmaLine, Sku
from station.services.common import InvalidState, NotFound
from station.typed_numbers import Refusal, measurement_refusal, read_number, weight_refusal
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
        item_identified=inspection.sku_id is not None or bool(inspection.item_description),
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
            "identified_as": _identified_as(session, inspection),
        },
    )


def _identified_as(session: Session, inspection: Inspection) -> str | None:
    """What a blind return's item was identified as: its SKU, or the grader's words."""
    if inspection.rma_line_id is not None:
        return None
    if inspection.sku_id is not None:
        sku = session.get(Sku, inspection.sku_id)
        return f"{sku.code} · {sku.title}" if sku is not None else None
    return inspection.item_description


def get_inspection(db: Database, inspection_id: uuid.UUID) -> InspectionView:
    with db.read() as session:
        return inspection_view(
            session, get_row(session, Inspection, inspection_id, _("inspection"))
        )


def get_row(
    session: Session, model: type[T], key: uuid.UUID, what: str, *, for_update: bool = False
) -> T:
    """The row, or :class:`NotFound`. ``for_update`` row-locks it until the transaction ends
    (PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers) and reads its latest
    committed state even when the session holds an older copy."""
    row = session.get(model, key, with_for_update=True if for_update else None)
    if row is None:
        raise NotFound(_("No {what} with id {key}").format(what=what, key=key))
    return row


def draft_inspection(
    session: Session, inspection_id: uuid.UUID, *, for_update: bool = False
) -> Inspection:
    inspection = get_row(session, Inspection, inspection_id, _("inspection"), for_update=for_update)
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


def check_weight_value(grams: object, capacity_g: float | None) -> float:
    """The weight to record, or ``InvalidState`` saying why it cannot be one: not a number,
    negative, zero, over the capacity. Text is read as a grader's typing is (``"212,5"``)."""
    value = _as_number(grams, _("Weight"), "g")
    problem = weight_refusal(value, capacity_g)
    if problem is not None:
        raise InvalidState(problem)
    return value


def check_measurement_value(
    db: Database,
    standards: StandardRegistry | None,
    inspection_id: uuid.UUID,
    item_code: str,
    value: object,
    unit: str,
) -> float:
    """The measurement to record, or ``InvalidState`` saying why it cannot be one: not a
    number, zero or negative, or (with the standards at hand) more than ten times off the SKU's
    spec value (``station.typed_numbers``). The item is named by its label in the station's
    language where the standard is known."""
    expected: float | None = None
    field = item_code
    if standards is not None:
        with db.read() as session:
            inspection = get_row(session, Inspection, inspection_id, _("inspection"))
            standard = standards.by_hash(inspection.standard_hash)
            line = inspection.rma_line
            sku_spec = dict(line.sku.spec or {}) if line is not None and line.sku else {}
        if standard is not None:
            result = standard.check_measurement(item_code, None, sku_spec)
            expected = result.expected if result is not None else None
            item = next((i for i in standard.spec.checklist if i.code == item_code), None)
            if item is not None:
                field = _local_label(item.label) or item_code
    number = _as_number(value, field, unit)
    problem = measurement_refusal(number, field, unit, expected)
    if problem is not None:
        raise InvalidState(problem)
    return number


def _as_number(value: object, field: str, unit: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    read = read_number(value, field, unit) if isinstance(value, str) else None
    if isinstance(read, float):
        return read
    raise InvalidState(
        read.message
        if isinstance(read, Refusal)
        else _("{field}: {value} is not a number").format(field=field, value=repr(value)[:24])
    )


def _local_label(label: dict[str, str]) -> str | None:
    language = current_language()
    return label.get(language) or label.get("en") or next(iter(label.values()), None)
