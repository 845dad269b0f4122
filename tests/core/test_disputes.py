"""Disputes from opened to revised: rights per role, the new revision and its event, the
original left intact, two supervisors at once, upstream disputes, and the queue."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from station.db import Database
from station.models import AuditEvent, OutboxEvent, Seller, User, Verdict
from station.permissions import PermissionDenied
from station.services import inspections as svc
from station.services.common import Actor, InvalidState, ServiceError
from station.services.disputes import (
    DisputeConflict,
    RevisedOutcome,
    add_comment,
    close_dispute,
    get_dispute,
    open_dispute,
    record_upstream_dispute,
    resolve_dispute,
    start_review,
)
from station.services.events import VERDICT_REVISED
from station.services.supervisor_queue import review_flagged, supervisor_queue
from station.sync.events import validate_event
from station.timeutil import utcnow
from tests.core.test_inspections import GOOD_ANSWERS, _answer_all, _open
from tests.factories import make_rma, make_user

REASON = "Seller sent photos: the pilling is from our own handling"


@pytest.fixture
def people(db: Database) -> dict[str, Actor]:
    return {
        "grader": make_user(db, "grader"),
        "supervisor": make_user(db, "supervisor"),
        "supervisor2": make_user(db, "supervisor", "supervisor2"),
        "admin": make_user(db, "admin"),
    }


@pytest.fixture
def finalized(db, people, standards, catalog):
    make_rma(db, "RMA-1", price="80.00")
    grader = people["grader"]
    inspection = _open(db, grader, standards)
    _answer_all(db, grader, standards, inspection.id, GOOD_ANSWERS)
    return svc.finalize_inspection(db, grader, standards, inspection.id)


def _events(db: Database, event_type: str) -> list[dict]:
    with db.read() as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == event_type))
        return [row.payload for row in rows]


def test_dispute_runs_from_opened_to_revised_and_announces_the_revision(
    db, people, standards, finalized
):
    supervisor = people["supervisor"]
    dispute = open_dispute(db, supervisor, finalized.inspection_id, REASON,
                           requested_outcome={"grade": "A"}, comment="called at 10:40")  # fmt: skip
    assert dispute.state == "open" and dispute.verdict_id == finalized.id
    dispute = start_review(db, supervisor, dispute.id, dispute.version)
    assert dispute.state == "in_review"
    dispute = resolve_dispute(
        db, supervisor, standards, dispute.id, expected_version=dispute.version, reason=REASON,
        revised=RevisedOutcome(grade="A", disposition="restock", refund_percent=Decimal(100)),
    )  # fmt: skip
    assert dispute.state == "revised" and dispute.revised_verdict_id is not None

    with db.read() as session:
        verdicts = session.scalars(
            select(Verdict).where(Verdict.inspection_id == finalized.inspection_id)
            .order_by(Verdict.revision)
        ).all()  # fmt: skip
        original, revision = verdicts
        assert (original.id, original.grade) == (finalized.id, finalized.grade)
        assert original.grade != "A"  # the original is untouched
        assert (revision.revision, revision.supersedes_id, revision.grade) == (2, original.id, "A")
        assert revision.refund_kind == "full" and revision.refund_amount == Decimal("80.00")
        assert revision.decided_by_id == supervisor.user_id
    [event] = _events(db, VERDICT_REVISED)
    validate_event(event)
    [recorded] = _events(db, "inspection.verdict.recorded")
    assert event["data"]["supersedes"] == {
        "event_id": recorded["id"], "verdict_id": str(original.id), "revision": 1,
    }  # fmt: skip
    assert event["data"]["dispute_id"] == str(dispute.id)
    assert event["data"]["revision_reason"] == REASON and event["data"]["grade"] == "A"

    closed = close_dispute(db, supervisor, dispute.id, dispute.version)
    assert closed.state == "closed"
    with db.read() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("dispute.%"))
            .order_by(AuditEvent.seq)
        ).all()  # fmt: skip
    assert actions == ["dispute.opened", "dispute.in_review", "dispute.revised", "dispute.closed"]


def test_the_original_verdict_cannot_be_edited_even_directly(db, people, finalized):
    with pytest.raises(DBAPIError), db.write() as session:
        session.execute(text("UPDATE verdicts SET grade = 'A'"))


def test_upheld_writes_no_revision(db, people, standards, finalized):
    supervisor = people["supervisor"]
    dispute = open_dispute(db, supervisor, finalized.inspection_id, REASON)
    upheld = resolve_dispute(db, supervisor, standards, dispute.id,
                             expected_version=dispute.version, reason="Photos show the damage")  # fmt: skip
    assert upheld.state == "upheld" and upheld.revised_verdict_id is None
    assert _events(db, VERDICT_REVISED) == []


@pytest.mark.parametrize("role", ["grader", "supervisor", "admin"])
def test_rights_per_role_on_every_dispute_service(db, people, standards, finalized, role):
    actor = people[role]
    may = role in ("supervisor", "admin")
    if not may:
        with pytest.raises(PermissionDenied, match="may not"):
            open_dispute(db, actor, finalized.inspection_id, REASON)
        dispute = open_dispute(db, people["supervisor"], finalized.inspection_id, REASON)
        for call in (
            lambda: start_review(db, actor, dispute.id, dispute.version),
            lambda: add_comment(db, actor, dispute.id, "looks fine to me"),
            lambda: resolve_dispute(
                db,
                actor,
                standards,
                dispute.id,
                expected_version=dispute.version,
                reason=REASON,
                revised=RevisedOutcome(grade="A"),
            ),
        ):
            with pytest.raises(PermissionDenied):
                call()
        assert get_dispute(db, dispute.id).state == "open"  # nothing changed
        assert _events(db, VERDICT_REVISED) == []
        return
    dispute = open_dispute(db, actor, finalized.inspection_id, REASON)
    dispute = add_comment(db, actor, dispute.id, "seller's photos attached upstream")
    dispute = start_review(db, actor, dispute.id, dispute.version)
    revised = resolve_dispute(db, actor, standards, dispute.id, expected_version=dispute.version,
                              reason=REASON, revised=RevisedOutcome(grade="A"))  # fmt: skip
    assert revised.state == "revised"


def test_nobody_signed_in_may_not_open_a_dispute(db, actor, finalized):
    with pytest.raises(PermissionDenied, match="sign in"):
        open_dispute(db, actor, finalized.inspection_id, REASON)


def test_a_deactivated_supervisor_is_refused(db, people, finalized):
    with db.write() as session:
        session.get(User, people["supervisor"].user_id).active = False  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied, match="not active"):
        open_dispute(db, people["supervisor"], finalized.inspection_id, REASON)


def test_two_supervisors_resolving_at_once_one_wins(db, people, standards, finalized):
    dispute = open_dispute(db, people["supervisor"], finalized.inspection_id, REASON)
    seen = dispute.version  # both supervisors have the dispute open on their screens
    winner = resolve_dispute(db, people["supervisor"], standards, dispute.id,
                             expected_version=seen, reason=REASON,
                             revised=RevisedOutcome(grade="A"))  # fmt: skip
    with pytest.raises(DisputeConflict, match="Supervisor already resolved"):
        resolve_dispute(db, people["supervisor2"], standards, dispute.id,
                        expected_version=seen, reason="No, the grade stands")  # fmt: skip
    assert get_dispute(db, dispute.id).state == winner.state == "revised"
    assert len(_events(db, VERDICT_REVISED)) == 1


def test_two_supervisors_in_threads_exactly_one_succeeds(db, people, standards, finalized):
    dispute = open_dispute(db, people["supervisor"], finalized.inspection_id, REASON)
    results: list[str] = []
    messages: list[str] = []
    start = threading.Barrier(2)

    def resolve(who: str, grade: str) -> None:
        start.wait()
        try:
            resolve_dispute(db, people[who], standards, dispute.id,
                            expected_version=dispute.version, reason=REASON,
                            revised=RevisedOutcome(grade=grade))  # fmt: skip
            results.append("won")
        except DisputeConflict as conflict:
            results.append("conflict")
            messages.append(str(conflict))

    threads = [threading.Thread(target=resolve, args=(w, g))
               for w, g in (("supervisor", "A"), ("supervisor2", "C"))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == ["conflict", "won"]
    # The loser is told who won, in words (not a database error).
    assert "already resolved this dispute" in messages[0], messages
    with db.read() as session:
        assert session.scalar(select(Verdict).where(Verdict.revision == 2)) is not None
        assert len(session.scalars(select(Verdict).where(Verdict.revision > 1)).all()) == 1


def test_a_revision_must_use_a_grade_of_the_standard(db, people, standards, finalized):
    dispute = open_dispute(db, people["supervisor"], finalized.inspection_id, REASON)
    with pytest.raises(ServiceError, match="not one of"):
        resolve_dispute(db, people["supervisor"], standards, dispute.id,
                        expected_version=dispute.version, reason=REASON,
                        revised=RevisedOutcome(grade="Z"))  # fmt: skip
    assert get_dispute(db, dispute.id).state == "open"


def test_a_reason_is_required(db, people, standards, finalized):
    with pytest.raises(ServiceError, match="reason"):
        open_dispute(db, people["supervisor"], finalized.inspection_id, "  ok ")


def test_one_open_dispute_per_unit(db, people, finalized):
    open_dispute(db, people["supervisor"], finalized.inspection_id, REASON)
    with pytest.raises(InvalidState, match="already has an open dispute"):
        open_dispute(db, people["admin"], finalized.inspection_id, REASON)


def test_upstream_dispute_is_idempotent_and_due_by_the_sellers_sla(db, actor, finalized):
    with db.write() as session:
        for seller in session.scalars(select(Seller)):
            seller.dispute_sla_hours = 24
    item = {"external_id": "CS-4711", "lpn": finalized.lpn, "reason": "Customer says unworn",
            "party": "customer_service", "requested_outcome": {"refund_percent": "100"},
            "comments": ["Tags still attached per customer"],
            "attachments": [{"name": "tag.jpg", "url": "https://cs.example/a/1"}]}  # fmt: skip
    first, created = record_upstream_dispute(db, actor, item)
    again, created_again = record_upstream_dispute(db, actor, item)
    assert (created, created_again) == (True, False) and first.id == again.id
    assert first.source == "upstream" and first.external_id == "CS-4711"
    assert first.sla_due_at - first.opened_at == timedelta(hours=24)
    assert first.comments[0]["text"] == "Tags still attached per customer"
    with pytest.raises(ServiceError, match="lpn or inspection_id"):
        record_upstream_dispute(db, actor, {"external_id": "X", "reason": "no unit named"})


def test_queue_sorts_overdue_first_and_filters(db, people, standards, catalog):
    grader = people["grader"]
    make_rma(db, "RMA-1")
    make_rma(db, "RMA-2")
    done = []
    for number in ("RMA-1", "RMA-2"):
        inspection = _open(db, grader, standards, number)
        _answer_all(db, grader, standards, inspection.id, GOOD_ANSWERS)
        done.append(svc.finalize_inspection(db, grader, standards, inspection.id))
    now = utcnow()
    late = open_dispute(db, people["supervisor"], done[1].inspection_id, REASON,
                        now=now - timedelta(days=10))  # fmt: skip
    fresh = open_dispute(db, people["supervisor"], done[0].inspection_id, REASON, now=now)
    queue = supervisor_queue(db, now=now)
    disputes = [item for item in queue if item.kind == "dispute"]
    assert [d.id for d in disputes] == [late.id, fresh.id]
    assert disputes[0].overdue and not disputes[1].overdue
    assert disputes[0].grader == "grader"
    assert supervisor_queue(db, now=now, grader="nobody") == []
    assert [i.id for i in supervisor_queue(db, now=now, min_age_hours=48)] == [late.id]


def test_flagged_verdict_lands_in_the_queue_until_reviewed(db, people, standards, catalog):
    grader = people["grader"]
    make_rma(db, "RMA-1")
    inspection = _open(db, grader, standards)
    _answer_all(db, grader, standards, inspection.id, GOOD_ANSWERS, grams=5000.0)  # far too heavy
    verdict = svc.finalize_inspection(db, grader, standards, inspection.id)
    flagged = [i for i in supervisor_queue(db) if i.kind == "flagged"]
    assert [i.verdict_id for i in flagged] == [verdict.id]
    assert "weight" in flagged[0].summary.lower()
    with pytest.raises(PermissionDenied):
        review_flagged(db, grader, verdict.id, "accepted")
    assert review_flagged(db, people["supervisor"], verdict.id, "accepted",
                          "scale was not zeroed") is None  # fmt: skip
    assert [i for i in supervisor_queue(db) if i.kind == "flagged"] == []
    with pytest.raises(InvalidState, match="already reviewed"):
        review_flagged(db, people["admin"], verdict.id, "accepted")


def test_unknown_dispute_is_not_found(db, people):
    from station.services.common import NotFound

    with pytest.raises(NotFound):
        start_review(db, people["supervisor"], uuid.uuid4(), 1)


def test_second_opinion_is_blind_by_another_grader_and_never_sent_upstream(
    db, people, standards, finalized, photos
):
    from station.models import Inspection, Lpn, RmaLine
    from station.services.evidence import gather_evidence
    from station.services.facts import get_inspection
    from station.services.second_opinion import request_second_opinion

    supervisor = people["supervisor"]
    dispute = open_dispute(db, supervisor, finalized.inspection_id, REASON)
    with pytest.raises(PermissionDenied):
        request_second_opinion(db, people["grader"], dispute.id, dispute.version)
    again_id = request_second_opinion(db, supervisor, dispute.id, dispute.version)
    view = get_inspection(db, again_id)
    # Blind: a fresh draft of the same unit and standard, none of the first grader's facts.
    assert view.status == "draft" and view.answers == {} and view.weight_g is None
    assert view.rma_line_id is not None and view.standard_hash

    with db.read() as session:
        qty_before = session.scalar(select(RmaLine.qty_received))
    _answer_all(db, people["grader"], standards, again_id, {**GOOD_ANSWERS, "condition": "new"})
    with pytest.raises(ServiceError, match="different grader"):
        svc.finalize_inspection(db, people["grader"], standards, again_id)
    other = make_user(db, "grader", "grader2")
    second = svc.finalize_inspection(db, other, standards, again_id)
    assert second.lpn == finalized.lpn  # the unit keeps its LPN
    with db.read() as session:
        assert session.scalar(select(RmaLine.qty_received)) == qty_before
        assert len(session.scalars(select(Lpn)).all()) == 1
        assert session.get(Inspection, again_id).second_opinion_for_id == finalized.inspection_id
    assert len(_events(db, "inspection.verdict.recorded")) == 1  # nothing new upstream

    evidence = gather_evidence(db, standards, photos, finalized.inspection_id)
    assert evidence.second_opinion is not None
    assert evidence.second_opinion.grade == second.grade
    assert evidence.second_opinion.grader_id == other.user_id


def test_scanning_the_units_lpn_finds_the_waiting_second_opinion_for_another_grader(
    db, people, standards, finalized
):
    from station.services.scanning import resolve_scan
    from station.services.second_opinion import request_second_opinion, take_second_opinion

    assert resolve_scan(db, finalized.lpn).second_opinion is None  # none asked for yet
    supervisor = people["supervisor"]
    dispute = open_dispute(db, supervisor, finalized.inspection_id, REASON)
    again_id = request_second_opinion(db, supervisor, dispute.id, dispute.version)
    assert resolve_scan(db, finalized.lpn).second_opinion == again_id

    with pytest.raises(ServiceError, match="different grader"):
        take_second_opinion(db, people["grader"], again_id)  # the first grader: refused at once
    with pytest.raises(PermissionDenied):
        take_second_opinion(db, Actor(station_id="BENCH-T1"), again_id)  # nobody signed in
    other = make_user(db, "grader", "grader2")
    view = take_second_opinion(db, other, again_id)
    assert view.id == again_id and view.status == "draft" and view.answers == {}
    _answer_all(db, other, standards, again_id, GOOD_ANSWERS)
    svc.finalize_inspection(db, other, standards, again_id)
    assert resolve_scan(db, finalized.lpn).second_opinion is None  # given: no longer waiting
    with pytest.raises(InvalidState):
        take_second_opinion(db, other, again_id)
