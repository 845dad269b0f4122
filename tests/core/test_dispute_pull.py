"""Disputes pulled from upstream over real HTTP (pytest-httpserver): created once, resumed from
the cursor after a failure, bad items reported without stopping good ones."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from werkzeug import Request, Response

from station.models import Dispute
from station.services import inspections as svc
from station.sync.pull import PullFailed
from station.sync.pull_disputes import pull_disputes
from tests.core.test_inspections import GOOD_ANSWERS, _answer_all, _open
from tests.factories import make_rma

PATH = "/disputes"


@pytest.fixture
def lpns(db, actor, standards, catalog) -> list[str]:
    codes = []
    for number in ("RMA-1", "RMA-2"):
        make_rma(db, number)
        inspection = _open(db, actor, standards, number)
        _answer_all(db, actor, standards, inspection.id, GOOD_ANSWERS)
        codes.append(svc.finalize_inspection(db, actor, standards, inspection.id).lpn)
    return codes


def _item(n: int, lpn: str) -> dict:
    return {"external_id": f"CS-{n}", "lpn": lpn, "reason": f"Customer disagrees ({n})",
            "party": "customer_service"}  # fmt: skip


def _count(db) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Dispute)) or 0)


def test_pull_creates_resumes_and_is_idempotent(db, actor, lpns, httpserver: HTTPServer):
    pages = {None: [_item(1, lpns[0]), {"external_id": "CS-BAD", "lpn": "NOPE", "reason": "x" * 9}],
             "p2": [_item(2, lpns[1])]}  # fmt: skip
    fail = {"p2": True}
    seen: list[str | None] = []

    def handler(request: Request) -> Response:
        cursor = request.args.get("cursor")
        seen.append(cursor)
        if fail.get(cursor):
            return Response("down", status=503)
        body = {"disputes": pages[cursor], "next_cursor": "p2" if cursor is None else None}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request(PATH).respond_with_handler(handler)
    url = httpserver.url_for(PATH)
    with pytest.raises(PullFailed, match="HTTP 503"):
        pull_disputes(db, actor, url=url, retries=1, sleep=lambda _s: None)
    assert _count(db) == 1  # page 1 kept

    fail.clear()
    seen.clear()
    report = pull_disputes(db, actor, url=url, sleep=lambda _s: None)
    assert seen == ["p2"]  # resumed at the stored cursor
    assert (report.created, report.complete) == (1, True) and _count(db) == 2

    again = pull_disputes(db, actor, url=url, reset=True, sleep=lambda _s: None)
    assert (again.created, again.unchanged) == (0, 2) and _count(db) == 2
    assert len(again.errors) == 1 and "CS-BAD" in again.errors[0] and "NOPE" in again.errors[0]
