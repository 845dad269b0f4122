"""Bench actions on an open inspection: record facts, preview, and finalize a verdict.

Each function is one transaction. ``finalize_inspection`` is the important one: the verdict,
the LPN, the audit event and the outbox event commit together or not at all.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from inspection_rules import Evaluation, Standard, StandardRegistry
from inspection_rules.model import ItemType
from inspection_rules.schema import SEVERITIES
from station.audit import audit_action
from station.db import Database
from station.i18n import _
from station.lpn import new_lpn_code
from station.models import (
    Base,
    Finding,
    FindingKind,
    Inspection,
    InspectionStatus,
    Lpn,
    Photo,
    Rma,
    RmaLine,
    RmaStatus,
    Verdict,
    WeightReading,
)
from station.outbox import add_outbox_event
from station.photos import PhotoStore
from station.services.common import Actor, FinalizeRefused, InvalidState, NotFound
from station.services.events import VERDICT_RECORDED, verdict_payload
from station.services.facts import (
    check_measurement_value,
    check_weight_value,
    draft_inspection,
    facts_for,
    get_row,
    inspection_view,
    standard_of,
)
from station.timeutil import utcnow
from station.views import InspectionView, VerdictView

log = logging.getLogger(__name__)


def record_answer(
    db: Database,
    actor: Actor,
    standards: StandardRegistry,
    inspection_id: uuid.UUID,
    item_code: str,
    answer: Any,
) -> InspectionView:
    """Set (or replace) a checklist answer; ``None`` clears it."""
    with db.write() as session:
        inspection = draft_inspection(session, inspection_id)
        item = _checklist_item(standards, inspection, item_code)
        _validate_answer(item, answer)
        previous = _latest_answer(session, inspection.id, item_code)
        before = {"answer": previous.answer} if previous else None
        if previous is not None:
            session.delete(previous)
        if answer is not None:
            session.add(
                Finding(
                    inspection_id=inspection.id,
                    kind=FindingKind.ANSWER.value,
                    item_code=item_code,
                    answer=answer,
                )
            )
        session.flush()
        audit_action(
            session,
            actor,
            action="fact.recorded",
            entity_type="inspection",
            entity_id=inspection.id,
            before=before,
            after={"item": item_code, "answer": answer},
        )
        return inspection_view(session, inspection)


def record_defect(
    db: Database,
    actor: Actor,
    standards: StandardRegistry,
    inspection_id: uuid.UUID,
    code: str,
    *,
    zone: str | None = None,
    severity: str | None = None,
    note: str | None = None,
) -> InspectionView:
    """Record a defect from the standard's catalogue; severity defaults to the catalogue's."""
    with db.read() as session:
        standard = standard_of(
            standards, get_row(session, Inspection, inspection_id, _("inspection"))
        )
    catalogue = {spec.code: spec for spec in standard.defects}
    if catalogue:
        spec = catalogue.get(code)
        if spec is None:
            raise InvalidState(
                _("Defect {code} is not in the standard's catalogue ({known})").format(
                    code=code, known=", ".join(sorted(catalogue))
                )
            )
        if zone is not None and spec.zones and zone not in spec.zones:
            raise InvalidState(
                _("Zone {zone} does not apply to defect {code} (zones: {zones})").format(
                    zone=zone, code=code, zones=", ".join(spec.zones)
                )
            )
        severity = severity or spec.severity
    severity = severity or "minor"
    if severity not in SEVERITIES:
        raise InvalidState(_("Unknown severity {severity}").format(severity=severity))
    return _add_fact(
        db,
        actor,
        inspection_id,
        "defect.recorded",
        lambda inspection_id: Finding(
            inspection_id=inspection_id,
            kind=FindingKind.DEFECT.value,
            item_code=code,
            zone=zone,
            severity=severity,
            note=note,
        ),
        {"code": code, "zone": zone, "severity": severity},
    )


def remove_defect(
    db: Database, actor: Actor, inspection_id: uuid.UUID, finding_id: uuid.UUID
) -> InspectionView:
    """Take back a defect recorded by mistake (only while the inspection is a draft)."""
    with db.write() as session:
        inspection = draft_inspection(session, inspection_id)
        finding = session.get(Finding, finding_id)
        if (
            finding is None
            or finding.inspection_id != inspection.id
            or finding.kind != FindingKind.DEFECT.value
        ):
            raise NotFound(_("That defect is not recorded on this inspection"))
        before = {"code": finding.item_code, "zone": finding.zone, "severity": finding.severity}
        session.delete(finding)
        session.flush()
        audit_action(
            session,
            actor,
            action="defect.removed",
            entity_type="inspection",
            entity_id=inspection.id,
            before=before,
        )
        return inspection_view(session, inspection)


def record_measurement(
    db: Database,
    actor: Actor,
    inspection_id: uuid.UUID,
    item_code: str,
    value: float,
    unit: str,
    *,
    standards: StandardRegistry | None = None,
) -> InspectionView:
    """Record a measured value; refused (``InvalidState``) when it cannot be one, judged
    against the SKU's spec when ``standards`` is given (``facts.check_measurement_value``)."""
    value = check_measurement_value(db, standards, inspection_id, item_code, value, unit)
    return _add_fact(
        db,
        actor,
        inspection_id,
        "measurement.recorded",
        lambda inspection_id: Finding(
            inspection_id=inspection_id,
            kind=FindingKind.MEASUREMENT.value,
            item_code=item_code,
            value=float(value),
            unit=unit,
        ),
        {"item": item_code, "value": value, "unit": unit},
    )


def record_photo(
    db: Database,
    actor: Actor,
    photos: PhotoStore,
    inspection_id: uuid.UUID,
    role: str,
    *,
    data: bytes | None = None,
    path: Path | None = None,
) -> InspectionView:
    """Copy the photo into the content-addressed store (outside the transaction), then link it."""
    if (data is None) == (path is None):
        raise ValueError("pass exactly one of data or path")
    stored = photos.store(data) if data is not None else photos.store_file(path)  # type: ignore[arg-type]
    return _add_fact(
        db,
        actor,
        inspection_id,
        "photo.recorded",
        lambda inspection_id: Photo(
            inspection_id=inspection_id,
            role=role,
            file_path=stored.relative_path,
            sha256=stored.sha256,
            byte_size=stored.byte_size,
            content_type=stored.content_type,
            width=stored.width,
            height=stored.height,
        ),
        {"role": role, "sha256": stored.sha256},
    )


def record_weight(
    db: Database,
    actor: Actor,
    inspection_id: uuid.UUID,
    grams: float,
    *,
    stable: bool,
    device: str,
    raw_frame: str | None = None,
    capacity_g: float | None = None,
) -> InspectionView:
    """Record a weight; refused (``InvalidState``) when it cannot be one: not a number,
    negative, zero, or over the scale's ``capacity_g`` when given."""
    grams = check_weight_value(grams, capacity_g)
    return _add_fact(
        db,
        actor,
        inspection_id,
        "weight.recorded",
        lambda inspection_id: WeightReading(
            inspection_id=inspection_id,
            grams=float(grams),
            stable=stable,
            device=device,
            raw_frame=raw_frame,
        ),
        {"grams": grams, "stable": stable, "device": device},
    )


def _add_fact(
    db: Database,
    actor: Actor,
    inspection_id: uuid.UUID,
    action: str,
    make_row: Callable[[uuid.UUID], Base],
    after: dict[str, Any],
) -> InspectionView:
    """One fact row plus its audit event, in one transaction, on a draft inspection."""
    with db.write() as session:
        inspection = draft_inspection(session, inspection_id)
        session.add(make_row(inspection.id))
        session.flush()
        audit_action(
            session,
            actor,
            action=action,
            entity_type="inspection",
            entity_id=inspection.id,
            after=after,
        )
        return inspection_view(session, inspection)


def cancel_inspection(db: Database, actor: Actor, inspection_id: uuid.UUID, reason: str) -> None:
    """Set a draft inspection aside (wrong parcel, interrupted): kept, audited, never graded."""
    with db.write() as session:
        inspection = draft_inspection(session, inspection_id)
        inspection.status = InspectionStatus.CANCELLED.value
        inspection.finished_at = utcnow()
        audit_action(
            session,
            actor,
            action="inspection.cancelled",
            entity_type="inspection",
            entity_id=inspection.id,
            before={"status": InspectionStatus.DRAFT.value},
            after={"status": InspectionStatus.CANCELLED.value, "reason": reason},
        )


def evaluate_inspection(
    db: Database, standards: StandardRegistry, inspection_id: uuid.UUID
) -> Evaluation:
    """Preview what finalizing would decide now (and what is still missing)."""
    with db.read() as session:
        inspection = get_row(session, Inspection, inspection_id, _("inspection"))
        return standard_of(standards, inspection).evaluate(facts_for(session, inspection))


def finalize_inspection(
    db: Database, actor: Actor, standards: StandardRegistry, inspection_id: uuid.UUID
) -> VerdictView:
    with db.write() as session:
        # Locked: the same unit finalized at two benches at once gets one verdict, and the
        # second is told it is no longer a draft.
        inspection = draft_inspection(session, inspection_id, for_update=True)
        standard = standard_of(standards, inspection)
        evaluation = standard.evaluate(facts_for(session, inspection))
        if not evaluation.complete:
            raise FinalizeRefused([(m.code, _(m.message)) for m in evaluation.missing])
        assert evaluation.disposition and evaluation.refund and evaluation.responsibility
        if inspection.second_opinion_for_id is not None:
            from station.services.second_opinion import finalize_second_opinion

            return finalize_second_opinion(session, actor, inspection, standard, evaluation)
        line = inspection.rma_line
        amount = None
        if line is not None and line.unit_price is not None:
            amount = (line.unit_price * evaluation.refund.percent / Decimal(100)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        verdict = record_first_verdict(
            session, actor, inspection, standard, evaluation,
            amount=amount, currency=line.currency if line else None,
        )  # fmt: skip
        lpn = allocate_lpn(session, inspection)
        inspection.status = InspectionStatus.FINALIZED.value
        inspection.finished_at = utcnow()
        if line is not None:
            count_unit_received(session, line)
        view = VerdictView.of(verdict, lpn.code, evaluation.upstream_disposition)
        audit_action(
            session,
            actor,
            action="verdict.recorded",
            entity_type="inspection",
            entity_id=inspection.id,
            after={
                "verdict": str(verdict.id),
                "grade": verdict.grade,
                "disposition": verdict.disposition,
                "refund_kind": verdict.refund_kind,
                "refund_percent": str(verdict.refund_percent),
                "lpn": lpn.code,
            },
        )
        add_outbox_event(
            session,
            event_type=VERDICT_RECORDED,
            aggregate_type="inspection",
            aggregate_id=inspection.id,
            payload=verdict_payload(actor, inspection, verdict, lpn, standard),
        )
        return view


def count_unit_received(session: Session, line: RmaLine) -> None:
    """One more unit of ``line`` received, and the RMA's status from all its lines.

    Why not ``line.qty_received += 1``: that writes back the value this transaction read, so
    two benches finalizing units of one line at the same moment on PostgreSQL both write 1.
    The increment is done by the database (``SET qty_received = qty_received + 1``), and the
    RMA row is locked first, so the status is computed from every line's committed count.
    """
    session.execute(select(Rma.id).where(Rma.id == line.rma_id).with_for_update())
    session.execute(
        update(RmaLine)
        .where(RmaLine.id == line.id)
        .values(qty_received=RmaLine.qty_received + 1)
        .execution_options(synchronize_session=False)
    )
    lines = session.scalars(
        select(RmaLine)
        .where(RmaLine.rma_id == line.rma_id)
        .execution_options(populate_existing=True)
    ).all()
    done = all(item.qty_received >= item.qty_expected for item in lines)
    rma = get_row(session, Rma, line.rma_id, _("RMA"))
    rma.status = (RmaStatus.RECEIVED if done else RmaStatus.RECEIVING).value


def record_first_verdict(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    standard: Standard,
    evaluation: Evaluation,
    *,
    amount: Decimal | None,
    currency: str | None,
) -> Verdict:
    """Revision 1 as the standard decided it (also a second opinion's own verdict)."""
    assert evaluation.disposition and evaluation.refund and evaluation.responsibility
    verdict = Verdict(
        inspection_id=inspection.id,
        revision=1,
        grade=evaluation.grade,
        disposition=evaluation.disposition.value,
        refund_kind=evaluation.refund.kind.value,
        refund_percent=evaluation.refund.percent,
        refund_amount=amount,
        currency=currency,
        responsibility=evaluation.responsibility.value,
        reason_codes=list(evaluation.reason_codes),
        warnings=list(evaluation.warnings),
        trace=[{"rule": step.rule, "detail": step.detail} for step in evaluation.trace],
        standard_hash=standard.content_hash,
        decided_by_id=actor.user_id,
    )
    session.add(verdict)
    session.flush()
    return verdict


def allocate_lpn(session: Session, inspection: Inspection) -> Lpn:
    """A fresh LPN; a (vanishingly rare) collision with an existing code draws again."""
    for _attempt in range(5):
        code = new_lpn_code()
        if session.scalar(select(Lpn.id).where(Lpn.code == code)) is None:
            lpn = Lpn(code=code, inspection_id=inspection.id)
            session.add(lpn)
            session.flush()
            return lpn
    raise RuntimeError("could not allocate a unique LPN")


def _checklist_item(standards: StandardRegistry, inspection: Inspection, code: str) -> Any:
    for item in standard_of(standards, inspection).checklist:
        if item.code == code:
            return item
    raise InvalidState(_("Unknown checklist item {code}").format(code=code))


def _validate_answer(item: Any, answer: Any) -> None:
    if answer is None:
        return
    ok = True
    if item.type is ItemType.YES_NO:
        ok = isinstance(answer, bool)
    elif item.type is ItemType.SINGLE_CHOICE:
        ok = answer in {choice.code for choice in item.choices}
    elif item.type is ItemType.MULTI_CHOICE:
        ok = isinstance(answer, list) and set(answer) <= {c.code for c in item.choices}
    elif item.type is ItemType.TEXT:
        ok = isinstance(answer, str)
    if not ok:
        raise InvalidState(
            _("{answer!r} is not a valid answer for {item}").format(answer=answer, item=item.code)
        )


def _latest_answer(session: Session, inspection_id: uuid.UUID, item_code: str) -> Finding | None:
    return session.scalar(
        select(Finding)
        .where(
            Finding.inspection_id == inspection_id,
            Finding.item_code == item_code,
            Finding.kind == FindingKind.ANSWER.value,
        )
        .order_by(Finding.recorded_at.desc())
        .limit(1)
    )
