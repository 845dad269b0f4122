"""Disputes: a seller or customer service contests a grade; a supervisor upholds or revises it.

The lifecycle is open → in_review → upheld | revised → closed. Why it is built this way:

* A verdict is never edited. "Revised" writes a new verdict row (revision n + 1, superseding
  the disputed one), announces it as ``inspection.verdict.revised`` naming the event and
  revision it supersedes, and leaves the original intact for the evidence trail.
* Rights are checked here, against the user's role in the database (``authorize``): a grader
  cannot resolve a dispute through the CLI or a bug in the window either.
* Two supervisors resolving the same dispute at once: the dispute row carries a version
  (optimistic locking). Each caller passes the version it saw; the second to commit gets a
  :class:`DisputeConflict` saying who resolved it first, and nothing of theirs is written.
* Every step appends an audit event with before/after.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from inspection_rules import Disposition, Responsibility, StandardRegistry
from station.audit import audit_action
from station.db import Database
from station.i18n import _
from station.models import (
    Dispute,
    DisputeSource,
    DisputeState,
    Inspection,
    InspectionStatus,
    Lpn,
    User,
    Verdict,
)
from station.outbox import add_outbox_event
from station.permissions import Permission, authorize
from station.services.common import Actor, InvalidState, NotFound, ServiceError
from station.services.events import VERDICT_REVISED, verdict_event_id, verdict_revised_payload
from station.services.facts import get_row, standard_of
from station.timeutil import utcnow

DEFAULT_SLA_HOURS = 72
# Not yet ruled on: in the supervisor's queue, and at most one per unit.
ACTIVE_DISPUTE_STATES = (DisputeState.OPEN.value, DisputeState.IN_REVIEW.value)
REASON_MIN_LENGTH = 5  # "ok" is not a reason a seller can read


class DisputeConflict(ServiceError):
    """Someone else changed the dispute since this user looked at it."""


@dataclass(frozen=True)
class RevisedOutcome:
    """What the supervisor decides instead; fields left None keep the disputed verdict's."""

    grade: str
    disposition: str | None = None
    refund_percent: Decimal | None = None
    responsibility: str | None = None
    reason_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DisputeView:
    id: uuid.UUID
    inspection_id: uuid.UUID
    verdict_id: uuid.UUID
    state: str
    source: str
    external_id: str | None
    reason: str
    requested_outcome: dict[str, Any]
    opened_at: datetime
    sla_due_at: datetime
    version: int
    resolution_reason: str | None
    revised_verdict_id: uuid.UUID | None
    comments: list[Any] = field(default_factory=list)

    @classmethod
    def of(cls, dispute: Dispute) -> DisputeView:
        return cls(
            id=dispute.id,
            inspection_id=dispute.inspection_id,
            verdict_id=dispute.verdict_id,
            state=dispute.state,
            source=dispute.source,
            external_id=dispute.external_id,
            reason=dispute.reason,
            requested_outcome=dict(dispute.requested_outcome or {}),
            opened_at=dispute.opened_at,
            sla_due_at=dispute.sla_due_at,
            version=dispute.version,
            resolution_reason=dispute.resolution_reason,
            revised_verdict_id=dispute.revised_verdict_id,
            comments=list(dispute.comments or []),
        )


def verdict_in_force(session: Session, inspection_id: uuid.UUID) -> Verdict | None:
    """The highest revision of the inspection's verdict, if it has one."""
    return session.scalar(
        select(Verdict)
        .where(Verdict.inspection_id == inspection_id)
        .order_by(Verdict.revision.desc())
        .limit(1)
    )


def current_verdict(session: Session, inspection_id: uuid.UUID) -> Verdict:
    """The verdict in force; refused when there is none yet (nothing to dispute)."""
    verdict = verdict_in_force(session, inspection_id)
    if verdict is None:
        raise InvalidState(_("this inspection has no verdict yet: nothing to dispute"))
    return verdict


def _sla_due(session: Session, inspection: Inspection, opened_at: datetime) -> datetime:
    rma = inspection.parcel.rma
    hours = rma.seller.dispute_sla_hours if rma is not None else DEFAULT_SLA_HOURS
    return opened_at + timedelta(hours=hours)


def _has_active_dispute(session: Session, inspection_id: uuid.UUID) -> bool:
    query = select(Dispute.id).where(
        Dispute.inspection_id == inspection_id, Dispute.state.in_(ACTIVE_DISPUTE_STATES)
    )
    return session.scalar(query.limit(1)) is not None


def open_dispute(
    db: Database,
    actor: Actor,
    inspection_id: uuid.UUID,
    reason: str,
    *,
    requested_outcome: dict[str, Any] | None = None,
    comment: str | None = None,
    now: datetime | None = None,
) -> DisputeView:
    """A supervisor opens a dispute at the bench (e.g. after a seller's phone call)."""
    reason = _required_reason(reason)
    with db.write() as session:
        user = authorize(session, actor, Permission.OPEN_DISPUTE)
        inspection = _finalized(session, inspection_id)
        return DisputeView.of(
            _create(
                session,
                actor,
                inspection,
                reason,
                requested_outcome or {},
                source=DisputeSource.BENCH,
                opened_by=user,
                party=None,
                external_id=None,
                comment=comment,
                attachments=[],
                now=now or utcnow(),
            )
        )


def record_upstream_dispute(
    db: Database, actor: Actor, item: dict[str, Any], *, now: datetime | None = None
) -> tuple[DisputeView, bool]:
    """A ``dispute.opened`` item from upstream (seller or customer service); idempotent by its
    ``external_id``. Returns the dispute and whether it was new.

    The item names the unit by ``lpn`` or ``inspection_id``; ``reason`` is required;
    ``requested_outcome``, ``comments`` (list of text) and ``attachments`` (list of
    ``{name, url, sha256}``) are optional. It arrives by the station's own pull, not a user:
    no permission is checked, and the audit event records the upstream party.
    """
    external_id = str(item.get("external_id") or "").strip()
    if not external_id:
        raise ServiceError(_("an upstream dispute needs its external_id"))
    reason = _required_reason(str(item.get("reason") or ""))
    with db.write() as session:
        existing = session.scalar(select(Dispute).where(Dispute.external_id == external_id))
        if existing is not None:
            return DisputeView.of(existing), False
        inspection = _inspection_for_item(session, item)
        comments = [str(c) for c in item.get("comments") or [] if str(c).strip()]
        dispute = _create(
            session, actor, inspection, reason, dict(item.get("requested_outcome") or {}),
            source=DisputeSource.UPSTREAM, opened_by=None,
            party=str(item.get("party") or "seller")[:64], external_id=external_id[:128],
            comment=None, attachments=list(item.get("attachments") or []),
            now=now or utcnow(),
        )  # fmt: skip
        for text in comments:
            dispute.comments = [*dispute.comments, _comment(None, text, dispute.opened_at)]
        return DisputeView.of(dispute), True


def start_review(
    db: Database, actor: Actor, dispute_id: uuid.UUID, expected_version: int
) -> DisputeView:
    with db.write() as session:
        user = authorize(session, actor, Permission.RESOLVE_DISPUTE)
        dispute = _locked(session, dispute_id, expected_version)
        if dispute.state != DisputeState.OPEN.value:
            raise InvalidState(_("only an open dispute can be taken into review"))
        before = _state_of(dispute)
        dispute.state = DisputeState.IN_REVIEW.value
        dispute.reviewer_id = user.id
        dispute.updated_at = utcnow()
        _commit_version(session, dispute)
        audit_action(session, actor, action="dispute.in_review", entity_type="dispute",
                     entity_id=dispute.id, before=before, after=_state_of(dispute))  # fmt: skip
        return DisputeView.of(dispute)


def add_comment(db: Database, actor: Actor, dispute_id: uuid.UUID, text: str) -> DisputeView:
    text = text.strip()
    if not text:
        raise ServiceError(_("a comment needs some text"))
    with db.write() as session:
        user = authorize(session, actor, Permission.OPEN_DISPUTE)
        dispute = get_row(session, Dispute, dispute_id, _("dispute"))
        dispute.comments = [*dispute.comments, _comment(user, text, utcnow())]
        dispute.updated_at = utcnow()
        audit_action(session, actor, action="dispute.commented", entity_type="dispute",
                     entity_id=dispute.id, after={"text": text})  # fmt: skip
        return DisputeView.of(dispute)


def resolve_dispute(
    db: Database,
    actor: Actor,
    standards: StandardRegistry,
    dispute_id: uuid.UUID,
    *,
    expected_version: int,
    reason: str,
    revised: RevisedOutcome | None = None,
) -> DisputeView:
    """Upheld (``revised`` None) or revised: a new verdict revision supersedes the disputed one.

    ``expected_version`` is the dispute version the supervisor was looking at: if another
    supervisor resolved or changed it since, this raises :class:`DisputeConflict` and writes
    nothing.
    """
    reason = _required_reason(reason)
    with db.write() as session:
        user = authorize(session, actor, Permission.RESOLVE_DISPUTE)
        dispute = _locked(session, dispute_id, expected_version)
        if dispute.state not in ACTIVE_DISPUTE_STATES:
            raise DisputeConflict(_already_resolved(session, dispute))
        before = _state_of(dispute)
        now = utcnow()
        if revised is not None:
            verdict = _write_revision(session, actor, standards, dispute, user, revised, reason)
            dispute.revised_verdict_id = verdict.id
            dispute.state = DisputeState.REVISED.value
        else:
            dispute.state = DisputeState.UPHELD.value
        dispute.resolved_at = now
        dispute.resolved_by_id = user.id
        dispute.resolution_reason = reason
        dispute.updated_at = now
        _commit_version(session, dispute)
        audit_action(session, actor, action=f"dispute.{dispute.state}", entity_type="dispute",
                     entity_id=dispute.id, before=before, after=_state_of(dispute))  # fmt: skip
        return DisputeView.of(dispute)


def close_dispute(
    db: Database, actor: Actor, dispute_id: uuid.UUID, expected_version: int
) -> DisputeView:
    with db.write() as session:
        authorize(session, actor, Permission.RESOLVE_DISPUTE)
        dispute = _locked(session, dispute_id, expected_version)
        if dispute.state not in (DisputeState.UPHELD.value, DisputeState.REVISED.value):
            raise InvalidState(_("a dispute is closed after it was upheld or revised"))
        before = _state_of(dispute)
        dispute.state = DisputeState.CLOSED.value
        dispute.updated_at = utcnow()
        _commit_version(session, dispute)
        audit_action(session, actor, action="dispute.closed", entity_type="dispute",
                     entity_id=dispute.id, before=before, after=_state_of(dispute))  # fmt: skip
        return DisputeView.of(dispute)


def get_dispute(db: Database, dispute_id: uuid.UUID) -> DisputeView:
    with db.read() as session:
        return DisputeView.of(get_row(session, Dispute, dispute_id, _("dispute")))


# --- internals ------------------------------------------------------------------------------


def _required_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN_LENGTH:
        raise ServiceError(_("write a reason the seller can read (at least {n} characters)")
                           .format(n=REASON_MIN_LENGTH))  # fmt: skip
    return reason


def _finalized(session: Session, inspection_id: uuid.UUID) -> Inspection:
    inspection = get_row(session, Inspection, inspection_id, _("inspection"))
    if inspection.status != InspectionStatus.FINALIZED.value:
        raise InvalidState(_("only a finalized inspection can be disputed"))
    return inspection


def _inspection_for_item(session: Session, item: dict[str, Any]) -> Inspection:
    if item.get("inspection_id"):
        try:
            key = uuid.UUID(str(item["inspection_id"]))
        except ValueError:
            raise ServiceError(_("inspection_id is not a valid id")) from None
        return _finalized(session, key)
    lpn_code = str(item.get("lpn") or "").strip()
    if lpn_code:
        lpn = session.scalar(select(Lpn).where(Lpn.code == lpn_code))
        if lpn is None:
            raise NotFound(_("no unit with LPN {lpn}").format(lpn=lpn_code))
        return _finalized(session, lpn.inspection_id)
    raise ServiceError(_("an upstream dispute names its unit by lpn or inspection_id"))


def _create(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    reason: str,
    requested: dict[str, Any],
    *,
    source: DisputeSource,
    opened_by: User | None,
    party: str | None,
    external_id: str | None,
    comment: str | None,
    attachments: list[Any],
    now: datetime,
) -> Dispute:
    if _has_active_dispute(session, inspection.id):
        raise InvalidState(_("this unit already has an open dispute; add a comment to it"))
    verdict = current_verdict(session, inspection.id)
    dispute = Dispute(
        inspection_id=inspection.id,
        verdict_id=verdict.id,
        source=source.value,
        external_id=external_id,
        opened_by_id=opened_by.id if opened_by else None,
        opened_by_party=party,
        reason=reason,
        requested_outcome=requested,
        comments=[_comment(opened_by, comment, now)] if comment else [],
        attachments=attachments,
        state=DisputeState.OPEN.value,
        opened_at=now,
        updated_at=now,
        sla_due_at=_sla_due(session, inspection, now),
    )
    session.add(dispute)
    session.flush()
    audit_action(session, actor, action="dispute.opened", entity_type="dispute",
                 entity_id=dispute.id, after={**_state_of(dispute), "source": source.value,
                 "party": party, "inspection": str(inspection.id), "verdict": str(verdict.id),
                 "reason": reason})  # fmt: skip
    return dispute


def _comment(user: User | None, text: str, at: datetime) -> dict[str, Any]:
    return {"at": at.isoformat(), "by": user.username if user else "upstream", "text": text}


def _state_of(dispute: Dispute) -> dict[str, Any]:
    return {"state": dispute.state, "version": dispute.version}


def _locked(session: Session, dispute_id: uuid.UUID, expected_version: int) -> Dispute:
    """The dispute, row-locked until the transaction ends (``SELECT … FOR UPDATE``).

    Why the lock: on PostgreSQL two supervisors' transactions run side by side; without it
    both pass the version check, both insert a revision of the verdict, and the loser ends in
    a unique-key error instead of being told who resolved it first. With it the second waits,
    then reads the first one's committed version and gets :class:`DisputeConflict`. (SQLite's
    ``BEGIN IMMEDIATE`` already serialises writers; there the clause is not rendered.)
    """
    dispute = get_row(session, Dispute, dispute_id, _("dispute"), for_update=True)
    if dispute.version != expected_version:
        raise DisputeConflict(_already_resolved(session, dispute))
    return dispute


def _commit_version(session: Session, dispute: Dispute) -> None:
    """Flush with the version check in the UPDATE itself (``WHERE version = :seen``), so a
    concurrent writer that read the same version cannot also succeed; ``_locked`` already
    refused a caller whose expected version was old."""
    try:
        session.flush()
    except StaleDataError:
        raise DisputeConflict(_already_resolved(session, dispute)) from None


def _already_resolved(session: Session, dispute: Dispute) -> str:
    session.refresh(dispute)
    who = session.get(User, dispute.resolved_by_id or dispute.reviewer_id) if (
        dispute.resolved_by_id or dispute.reviewer_id) else None  # fmt: skip
    name = who.display_name if who else _("another supervisor")
    if dispute.resolved_at is not None:
        return _("{name} already resolved this dispute ({state}) at {at:%H:%M} UTC; reload it")\
            .format(name=name, state=dispute.state, at=dispute.resolved_at)  # fmt: skip
    return _("{name} changed this dispute meanwhile (now {state}); reload it").format(
        name=name, state=dispute.state
    )


def _write_revision(
    session: Session,
    actor: Actor,
    standards: StandardRegistry,
    dispute: Dispute,
    user: User,
    revised: RevisedOutcome,
    reason: str,
) -> Verdict:
    inspection = get_row(session, Inspection, dispute.inspection_id, _("inspection"))
    superseded = current_verdict(session, inspection.id)
    if superseded.id != dispute.verdict_id:
        raise DisputeConflict(_("the verdict changed since this dispute was opened; reload it"))
    standard = standard_of(standards, inspection)
    if revised.grade not in standard.grades:
        raise ServiceError(_("grade {grade} is not one of {grades} in {standard}").format(
            grade=revised.grade, grades=", ".join(standard.grades), standard=standard.id))  # fmt: skip
    disposition = Disposition(revised.disposition or superseded.disposition)
    responsibility = Responsibility(revised.responsibility or superseded.responsibility)
    percent = (
        superseded.refund_percent if revised.refund_percent is None else revised.refund_percent
    )
    if not Decimal(0) <= percent <= Decimal(100):
        raise ServiceError(_("a refund is between 0 and 100 percent"))
    line = inspection.rma_line
    amount = None
    if line is not None and line.unit_price is not None:
        amount = (line.unit_price * percent / Decimal(100)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    kind = "full" if percent == 100 else "none" if percent == 0 else "partial"
    verdict = Verdict(
        inspection_id=inspection.id,
        revision=superseded.revision + 1,
        supersedes_id=superseded.id,
        grade=revised.grade,
        disposition=disposition.value,
        refund_kind=kind,
        refund_percent=percent,
        refund_amount=amount,
        currency=superseded.currency,
        responsibility=responsibility.value,
        reason_codes=list(revised.reason_codes) or list(superseded.reason_codes),
        warnings=[],
        trace=[{"rule": "dispute", "detail": f"revised by {user.username}: {reason}"}],
        standard_hash=superseded.standard_hash,
        decided_by_id=user.id,
    )
    session.add(verdict)
    session.flush()
    lpn = session.scalar(select(Lpn).where(Lpn.inspection_id == inspection.id))
    assert lpn is not None  # every finalized inspection has one
    superseded_event = verdict_event_id(session, superseded)
    if superseded_event is None:
        raise InvalidState(_("the disputed verdict's event is missing; cannot announce a revision"))
    add_outbox_event(
        session,
        event_type=VERDICT_REVISED,
        aggregate_type="inspection",
        aggregate_id=inspection.id,
        payload=verdict_revised_payload(
            actor,
            inspection,
            verdict,
            lpn,
            standard,
            superseded_event_id=superseded_event,
            superseded=superseded,
            dispute_id=dispute.id,
            reason=reason,
        ),
    )
    audit_action(session, actor, action="verdict.revised", entity_type="inspection",
                 entity_id=inspection.id,
                 before={"verdict": str(superseded.id), "revision": superseded.revision,
                         "grade": superseded.grade, "disposition": superseded.disposition,
                         "refund_percent": str(superseded.refund_percent)},
                 after={"verdict": str(verdict.id), "revision": verdict.revision,
                        "grade": verdict.grade, "disposition": verdict.disposition,
                        "refund_percent": str(verdict.refund_percent), "reason": reason,
                        "dispute": str(dispute.id)})  # fmt: skip
    return verdict
