"""A second opinion on a disputed unit: a blind re-inspection by another grader.

Why it is its own inspection: the second grader records facts and the standard decides, as
for any unit, without seeing the first grade (nothing of the first verdict is on the new
inspection). Its verdict informs the supervisor's ruling and nothing else: no new LPN, no
received quantity, no event upstream; the unit's verdict in force changes only through
``resolve_dispute``. A second opinion by the first grader is refused: it would not be one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection_rules import Evaluation, Standard
from station.audit import audit_action
from station.db import Database
from station.i18n import _
from station.models import Dispute, Inspection, InspectionStatus, Lpn, Verdict
from station.permissions import Permission, authorize
from station.services.common import Actor, InvalidState, ServiceError
from station.services.disputes import ACTIVE_DISPUTE_STATES, current_verdict
from station.services.facts import get_row, inspection_view
from station.timeutil import utcnow
from station.views import InspectionView, VerdictView


@dataclass(frozen=True)
class SecondOpinion:
    inspection_id: uuid.UUID
    status: str
    grade: str | None
    disposition: str | None
    refund_percent: str | None
    grader_id: uuid.UUID | None


def request_second_opinion(
    db: Database, actor: Actor, dispute_id: uuid.UUID, expected_version: int
) -> uuid.UUID:
    """Creates the blind re-inspection (a draft for the same unit and standard)."""
    with db.write() as session:
        authorize(session, actor, Permission.RESOLVE_DISPUTE)
        dispute = get_row(session, Dispute, dispute_id, _("dispute"))
        if dispute.version != expected_version:
            raise InvalidState(_("the dispute changed meanwhile; reload it"))
        if dispute.state not in ACTIVE_DISPUTE_STATES:
            raise InvalidState(_("a second opinion is asked for before the ruling"))
        if dispute.second_opinion_inspection_id is not None:
            raise InvalidState(_("a second opinion was already asked for"))
        original = get_row(session, Inspection, dispute.inspection_id, _("inspection"))
        again = Inspection(
            parcel_id=original.parcel_id,
            rma_line_id=original.rma_line_id,
            sku_id=original.sku_id,
            station_id=actor.station_id,
            standard_id=original.standard_id,
            standard_version=original.standard_version,
            standard_hash=original.standard_hash,
            second_opinion_for_id=original.id,
        )
        session.add(again)
        session.flush()
        dispute.second_opinion_inspection_id = again.id
        dispute.updated_at = utcnow()
        audit_action(session, actor, action="dispute.second_opinion_requested",
                     entity_type="dispute", entity_id=dispute.id,
                     after={"inspection": str(again.id)})  # fmt: skip
        return again.id


def _refuse_the_first_grader(
    session: Session, actor: Actor, inspection: Inspection
) -> tuple[Inspection, Verdict]:
    """The inspection a second opinion is on and its verdict in force; refused to whoever
    graded it or decided that verdict."""
    assert inspection.second_opinion_for_id is not None
    original = get_row(session, Inspection, inspection.second_opinion_for_id, _("inspection"))
    first = current_verdict(session, original.id)
    if actor.user_id in {first.decided_by_id, original.grader_id}:
        raise ServiceError(_("a second opinion needs a different grader than the first"))
    return original, first


def take_second_opinion(db: Database, actor: Actor, inspection_id: uuid.UUID) -> InspectionView:
    """A grader takes up the waiting second opinion at the bench (they scanned the unit's LPN):
    the draft becomes theirs. The first grader is refused here already, before inspecting the
    unit again for nothing (finalizing checks it once more)."""
    with db.write() as session:
        authorize(session, actor, Permission.INSPECT)
        inspection = get_row(session, Inspection, inspection_id, _("inspection"))
        if inspection.second_opinion_for_id is None:
            raise InvalidState(_("this inspection is not a second opinion"))
        if inspection.status != InspectionStatus.DRAFT.value:
            raise InvalidState(_("this second opinion has been given already"))
        original, _first = _refuse_the_first_grader(session, actor, inspection)
        if inspection.grader_id != actor.user_id:
            inspection.grader_id = actor.user_id
            audit_action(session, actor, action="second_opinion.taken", entity_type="inspection",
                         entity_id=inspection.id,
                         after={"second_opinion_for": str(original.id)})  # fmt: skip
        return inspection_view(session, inspection)


def finalize_second_opinion(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    standard: Standard,
    evaluation: Evaluation,
) -> VerdictView:
    """Called by ``finalize_inspection`` for a second-opinion inspection (same transaction)."""
    assert inspection.second_opinion_for_id is not None
    assert evaluation.disposition and evaluation.refund and evaluation.responsibility
    authorize(session, actor, Permission.INSPECT)
    original, first = _refuse_the_first_grader(session, actor, inspection)
    from station.services.inspections import record_first_verdict

    verdict = record_first_verdict(session, actor, inspection, standard, evaluation,
                                   amount=None, currency=first.currency)  # fmt: skip
    inspection.status = InspectionStatus.FINALIZED.value
    inspection.finished_at = utcnow()
    inspection.grader_id = actor.user_id
    lpn = session.scalar(select(Lpn.code).where(Lpn.inspection_id == original.id)) or ""
    audit_action(session, actor, action="second_opinion.recorded", entity_type="inspection",
                 entity_id=original.id,
                 after={"second_opinion": str(inspection.id), "verdict": str(verdict.id),
                        "grade": verdict.grade, "disposition": verdict.disposition})  # fmt: skip
    return VerdictView.of(verdict, lpn, evaluation.upstream_disposition)


def second_opinion_of(session: Session, dispute: Dispute) -> SecondOpinion | None:
    if dispute.second_opinion_inspection_id is None:
        return None
    inspection = get_row(session, Inspection, dispute.second_opinion_inspection_id, "inspection")
    verdict = session.scalar(select(Verdict).where(Verdict.inspection_id == inspection.id))
    return SecondOpinion(
        inspection_id=inspection.id,
        status=inspection.status,
        grade=verdict.grade if verdict else None,
        disposition=verdict.disposition if verdict else None,
        refund_percent=str(verdict.refund_percent) if verdict else None,
        grader_id=verdict.decided_by_id if verdict else None,
    )
