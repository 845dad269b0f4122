"""Every rights-checked service against every role, with the expected answers written out by
hand from the issue (not read from the permission table under test): a grader does no
supervisor's work, a supervisor no admin's, an admin everything."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from station.db import Database
from station.permissions import PermissionDenied
from station.services import inspections as svc
from station.services.common import Actor, ServiceError
from station.services.disputes import (
    RevisedOutcome,
    add_comment,
    close_dispute,
    open_dispute,
    resolve_dispute,
    start_review,
)
from station.services.second_opinion import request_second_opinion
from station.services.supervisor_queue import review_flagged
from station.services.users import add_user, reset_pin, set_active, set_role
from station.sync.status import retry_all_dead
from tests.core.test_inspections import GOOD_ANSWERS, _answer_all, _open
from tests.factories import make_rma, make_user

REASON = "Checked the photos with the seller"

EXPECTED = {  # service -> roles allowed, from the description of the roles
    "open_dispute": {"supervisor", "admin"},
    "add_comment": {"supervisor", "admin"},
    "start_review": {"supervisor", "admin"},
    "resolve_dispute": {"supervisor", "admin"},
    "close_dispute": {"supervisor", "admin"},
    "request_second_opinion": {"supervisor", "admin"},
    "review_flagged": {"supervisor", "admin"},
    "retry_dead_letters": {"supervisor", "admin"},
    "add_user": {"admin"},
    "set_role": {"admin"},
    "reset_pin": {"admin"},
    "set_active": {"admin"},
}


@pytest.fixture
def world(db: Database, standards, catalog) -> dict[str, Any]:
    people = {role: make_user(db, role) for role in ("grader", "supervisor", "admin")}
    from station.auth import hash_pin
    from station.models import User

    with db.write() as session:  # the admin can sign in, so the bootstrap path is closed
        session.get(User, people["admin"].user_id).pin_hash = hash_pin("2468")  # type: ignore[union-attr]
    make_rma(db, "RMA-1")
    make_rma(db, "RMA-2")
    grader = people["grader"]
    units = []
    for number, grams in (("RMA-1", 421.0), ("RMA-2", 5000.0)):  # the second is flagged
        inspection = _open(db, grader, standards, number)
        _answer_all(db, grader, standards, inspection.id, GOOD_ANSWERS, grams=grams)
        units.append(svc.finalize_inspection(db, grader, standards, inspection.id))
    dispute = open_dispute(db, people["supervisor"], units[0].inspection_id, REASON)
    return {"people": people, "units": units, "dispute": dispute}


def _calls(db: Database, standards, world: dict[str, Any]) -> dict[str, Callable[[Actor], Any]]:
    d, units = world["dispute"], world["units"]
    return {
        "open_dispute": lambda a: open_dispute(db, a, units[1].inspection_id, REASON),
        "add_comment": lambda a: add_comment(db, a, d.id, "called the seller back"),
        "start_review": lambda a: start_review(db, a, d.id, d.version),
        "resolve_dispute": lambda a: resolve_dispute(db, a, standards, d.id,
                                                     expected_version=d.version, reason=REASON,
                                                     revised=RevisedOutcome(grade="A")),
        "close_dispute": lambda a: close_dispute(db, a, d.id, d.version),
        "request_second_opinion": lambda a: request_second_opinion(db, a, d.id, d.version),
        "review_flagged": lambda a: review_flagged(db, a, units[1].id, "accepted", REASON),
        "retry_dead_letters": lambda a: retry_all_dead(db, a),
        "add_user": lambda a: add_user(db, a, "newbie", "New Bie", "grader", pin="1357"),
        "set_role": lambda a: set_role(db, a, "grader", "supervisor"),
        "reset_pin": lambda a: reset_pin(db, a, "grader", "9753"),
        "set_active": lambda a: set_active(db, a, "grader", False),
    }  # fmt: skip


@pytest.mark.parametrize("role", ["grader", "supervisor", "admin"])
@pytest.mark.parametrize("service", sorted(EXPECTED))
def test_role_may_or_may_not_call_service(db, standards, world, role, service):
    call = _calls(db, standards, world)[service]
    actor = world["people"][role]
    if role in EXPECTED[service]:
        try:
            call(actor)
        except PermissionDenied as exc:
            pytest.fail(f"{role} was refused {service}: {exc}")
        except ServiceError:
            pass  # refused for the state (e.g. closing an open dispute): the right was granted
    else:
        with pytest.raises(PermissionDenied):
            call(actor)


def test_nobody_signed_in_may_call_any_of_them(db, standards, world, actor):
    for call in _calls(db, standards, world).values():
        with pytest.raises(PermissionDenied, match="sign in"):
            call(actor)
