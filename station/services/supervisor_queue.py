"""The supervisor's queue: open disputes and flagged verdicts, the most urgent first.

Flagged verdicts are those the standard finalized with warnings (weight out of tolerance,
serial mismatch, outside the return window): the grade stands, but a supervisor should look.
They stay in the queue until reviewed; a review is its own row (``VerdictReview``) because
verdicts are append-only. Both kinds get a due time from the seller's dispute SLA, and the
queue sorts overdue items first, then by due time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from station.audit import audit_action
from station.db import Database
from station.i18n import _
from station.models import (
    Dispute,
    Inspection,
    Parcel,
    Rma,
    Seller,
    User,
    Verdict,
    VerdictReview,
)
from station.permissions import Permission, authorize
from station.services.common import Actor, InvalidState, ServiceError
from station.services.disputes import (
    ACTIVE_DISPUTE_STATES,
    DEFAULT_SLA_HOURS,
    DisputeView,
    open_dispute,
)
from station.services.facts import get_row
from station.timeutil import utcnow


@dataclass(frozen=True)
class QueueItem:
    kind: str  # "dispute" or "flagged"
    id: uuid.UUID  # the dispute, or the flagged verdict
    inspection_id: uuid.UUID
    verdict_id: uuid.UUID
    seller: str | None
    grade: str
    grader: str | None
    state: str
    summary: str  # the dispute's reason, or the standard's warnings
    opened_at: datetime
    due_at: datetime
    overdue: bool
    version: int  # what a resolving call passes back (disputes); 0 for flagged verdicts

    def age_hours(self, now: datetime) -> float:
        return (now - self.opened_at).total_seconds() / 3600


def supervisor_queue(
    db: Database,
    *,
    now: datetime | None = None,
    seller: str | None = None,
    grade: str | None = None,
    grader: str | None = None,
    min_age_hours: float | None = None,
) -> list[QueueItem]:
    """Open disputes and unreviewed flagged verdicts, overdue first, then by due time."""
    now = now or utcnow()
    with db.read() as session:
        items = _dispute_items(session, now) + _flagged_items(session, now)
    if seller:
        items = [i for i in items if i.seller == seller]
    if grade:
        items = [i for i in items if i.grade == grade]
    if grader:
        items = [i for i in items if i.grader == grader]
    if min_age_hours is not None:
        items = [i for i in items if i.age_hours(now) >= min_age_hours]
    return sorted(items, key=lambda i: (not i.overdue, i.due_at, i.opened_at))


def review_flagged(
    db: Database, actor: Actor, verdict_id: uuid.UUID, outcome: str, note: str | None = None
) -> DisputeView | None:
    """``accepted``: the warning is explained, the grade stands. ``disputed``: a dispute is
    opened at once (the note is its reason), so the revision path is the usual one."""
    if outcome not in ("accepted", "disputed"):
        raise ServiceError(_("a review is accepted or disputed"))
    with db.write() as session:
        user = authorize(session, actor, Permission.REVIEW_FLAGGED)
        verdict = get_row(session, Verdict, verdict_id, _("verdict"))
        if not verdict.warnings:
            raise InvalidState(_("this verdict has no warnings to review"))
        if session.scalar(select(VerdictReview).where(VerdictReview.verdict_id == verdict.id)):
            raise InvalidState(_("this verdict was already reviewed"))
        session.add(VerdictReview(verdict_id=verdict.id, reviewed_by_id=user.id,
                                  outcome=outcome, note=note))  # fmt: skip
        audit_action(session, actor, action="verdict.reviewed", entity_type="inspection",
                     entity_id=verdict.inspection_id,
                     after={"verdict": str(verdict.id), "outcome": outcome, "note": note,
                            "warnings": list(verdict.warnings)})  # fmt: skip
        inspection_id = verdict.inspection_id
    if outcome == "disputed":
        return open_dispute(db, actor, inspection_id, note or _("flagged by the standard"))
    return None


def _seller_and_grader(
    session: Session, inspection: Inspection, verdict: Verdict
) -> tuple[str | None, str | None, int]:
    rma = inspection.parcel.rma
    seller = rma.seller.code if rma is not None else None
    sla = rma.seller.dispute_sla_hours if rma is not None else DEFAULT_SLA_HOURS
    decider = session.get(User, verdict.decided_by_id) if verdict.decided_by_id else None
    return seller, (decider.username if decider else None), sla


def _dispute_items(session: Session, now: datetime) -> list[QueueItem]:
    items = []
    disputes = session.scalars(select(Dispute).where(Dispute.state.in_(ACTIVE_DISPUTE_STATES)))
    for dispute in disputes:
        verdict = session.get(Verdict, dispute.verdict_id)
        inspection = session.get(Inspection, dispute.inspection_id)
        assert verdict is not None and inspection is not None
        seller, grader, _sla = _seller_and_grader(session, inspection, verdict)
        items.append(
            QueueItem(
                kind="dispute",
                id=dispute.id,
                inspection_id=inspection.id,
                verdict_id=verdict.id,
                seller=seller,
                grade=verdict.grade,
                grader=grader,
                state=dispute.state,
                summary=dispute.reason,
                opened_at=dispute.opened_at,
                due_at=dispute.sla_due_at,
                overdue=dispute.sla_due_at < now,
                version=dispute.version,
            )
        )
    return items


def _flagged_items(session: Session, now: datetime) -> list[QueueItem]:
    """Verdicts in force (no later revision) with warnings, not reviewed, not disputed now."""
    later = aliased(Verdict)
    query = (
        select(Verdict, Inspection)
        .join(Inspection, Inspection.id == Verdict.inspection_id)
        .join(Parcel, Parcel.id == Inspection.parcel_id)
        .outerjoin(Rma, Rma.id == Parcel.rma_id)
        .outerjoin(Seller, Seller.id == Rma.seller_id)
        .where(~exists().where(later.supersedes_id == Verdict.id))
        .where(~exists().where(VerdictReview.verdict_id == Verdict.id))
        .where(
            ~exists().where(
                Dispute.inspection_id == Verdict.inspection_id,
                Dispute.state.in_(ACTIVE_DISPUTE_STATES),
            )
        )
    )
    items = []
    for verdict, inspection in session.execute(query):
        if not verdict.warnings:
            continue  # JSON lists: filtered here, portable across SQLite and PostgreSQL
        seller, grader, sla = _seller_and_grader(session, inspection, verdict)
        due = verdict.decided_at + timedelta(hours=sla)
        items.append(
            QueueItem(
                kind="flagged",
                id=verdict.id,
                inspection_id=inspection.id,
                verdict_id=verdict.id,
                seller=seller,
                grade=verdict.grade,
                grader=grader,
                state="flagged",
                summary="; ".join(verdict.warnings),
                opened_at=verdict.decided_at,
                due_at=due,
                overdue=due < now,
                version=0,
            )
        )
    return items
