"""The dispute's optimistic lock refuses any ``expected_version`` but the current one.

Why its own tests: the "two supervisors resolve at once" test is also caught by the state check
(a resolved dispute cannot be resolved again), so a lock that accepts a stale version passes
it. Here the other supervisor only *changes* the dispute (takes it into review, comments), the
dispute stays active, and the stale caller must still be refused with nothing written.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from station.db import Database
from station.models import AuditEvent, OutboxEvent, Verdict
from station.services import inspections as svc
from station.services.common import Actor, NotFound
from station.services.disputes import (
    DisputeConflict,
    RevisedOutcome,
    add_comment,
    close_dispute,
    get_dispute,
    open_dispute,
    resolve_dispute,
    start_review,
)
from tests.core.test_inspections import GOOD_ANSWERS, _answer_all, _open
from tests.factories import make_rma, make_user

REASON = "Seller sent photos: the pilling is from our own handling"


@pytest.fixture
def supervisors(db: Database) -> tuple[Actor, Actor]:
    return make_user(db, "supervisor"), make_user(db, "supervisor", "supervisor2")


@pytest.fixture
def inspection_id(db, standards, catalog):
    make_rma(db, "RMA-1", price="80.00")
    grader = make_user(db, "grader")
    inspection = _open(db, grader, standards)
    _answer_all(db, grader, standards, inspection.id, GOOD_ANSWERS)
    return svc.finalize_inspection(db, grader, standards, inspection.id).inspection_id


def _written(db: Database) -> tuple[int, int, int]:
    """Verdict rows, audit events and outbox events: what a refused call must not add to."""
    with db.read() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model))
            for model in (Verdict, AuditEvent, OutboxEvent)
        )


def test_resolving_with_the_version_before_a_review_started_is_refused(
    db, standards, supervisors, inspection_id
):
    first, second = supervisors
    opened = open_dispute(db, first, inspection_id, REASON)
    reviewing = start_review(db, second, opened.id, opened.version)
    assert reviewing.version != opened.version
    before = _written(db)

    with pytest.raises(DisputeConflict):
        resolve_dispute(db, first, standards, opened.id, expected_version=opened.version,
                        reason=REASON, revised=RevisedOutcome(grade="A"))  # fmt: skip

    assert _written(db) == before
    now = get_dispute(db, opened.id)
    assert (now.state, now.version) == ("in_review", reviewing.version)
    assert now.revised_verdict_id is None


def test_taking_into_review_with_the_version_before_a_comment_is_refused(
    db, supervisors, inspection_id
):
    first, second = supervisors
    opened = open_dispute(db, first, inspection_id, REASON)
    commented = add_comment(db, second, opened.id, "Seller called again")
    assert commented.version != opened.version
    before = _written(db)

    with pytest.raises(DisputeConflict):
        start_review(db, first, opened.id, opened.version)

    assert _written(db) == before
    assert get_dispute(db, opened.id).state == "open"


def test_closing_with_a_stale_version_is_refused(db, standards, supervisors, inspection_id):
    first, second = supervisors
    opened = open_dispute(db, first, inspection_id, REASON)
    upheld = resolve_dispute(db, first, standards, opened.id, expected_version=opened.version,
                             reason="Photos show the damage")  # fmt: skip
    add_comment(db, second, opened.id, "Seller accepts")

    with pytest.raises(DisputeConflict):
        close_dispute(db, first, opened.id, upheld.version)

    assert get_dispute(db, opened.id).state == "upheld"


def test_a_version_from_the_future_is_refused_too(db, standards, supervisors, inspection_id):
    """Only the exact version seen passes: a larger number is a bug of the caller, not a pass."""
    first, _second = supervisors
    opened = open_dispute(db, first, inspection_id, REASON)
    before = _written(db)

    with pytest.raises(DisputeConflict):
        start_review(db, first, opened.id, opened.version + 1)
    with pytest.raises(DisputeConflict):
        resolve_dispute(db, first, standards, opened.id, expected_version=opened.version + 1,
                        reason=REASON, revised=RevisedOutcome(grade="A"))  # fmt: skip

    assert _written(db) == before
    assert get_dispute(db, opened.id).state == "open"


def test_the_current_version_passes_every_step(db, standards, supervisors, inspection_id):
    """The other side of the lock: the version just read always works (no false conflicts)."""
    first, second = supervisors
    dispute = open_dispute(db, first, inspection_id, REASON)
    dispute = add_comment(db, second, dispute.id, "Seller called again")
    dispute = start_review(db, first, dispute.id, dispute.version)
    dispute = resolve_dispute(db, first, standards, dispute.id, expected_version=dispute.version,
                              reason=REASON, revised=RevisedOutcome(grade="A"))  # fmt: skip
    assert close_dispute(db, first, dispute.id, dispute.version).state == "closed"


def test_an_unknown_dispute_is_named_as_such(db, standards, supervisors):
    """Every locked step says what was not found (the bench shows this message)."""
    first, _second = supervisors
    unknown = uuid.uuid4()
    for step in (
        lambda: start_review(db, first, unknown, 1),
        lambda: close_dispute(db, first, unknown, 1),
        lambda: resolve_dispute(db, first, standards, unknown, expected_version=1, reason=REASON),
    ):
        with pytest.raises(NotFound, match=f"^No dispute with id {unknown}$"):
            step()
