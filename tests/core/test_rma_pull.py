"""RMA pull over real loopback HTTP: cursors, resume after failure, upserts, conflicts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug import Request, Response

from station.audit import verify_chain
from station.db import Database
from station.models import (
    AuditEvent,
    Inspection,
    Parcel,
    Rma,
    RmaUpstreamChange,
    Seller,
    SyncCursor,
)
from station.sync.pull import PullFailed, cursor_name, pull_rmas
from tests.core.test_rma_import import catalog  # noqa: F401 - same sellers and SKUs as import

STATION = "BENCH-T1"
PATH = "/rmas"


def rma(n: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "external_id": f"ext-{n}",
        "rma_number": f"rma-{n}",
        "seller": "NORDKNIT" if n % 2 else "VOLTEDGE",
        "channel": "amazon",
        "reason_text": "Too small",
        "tracking_numbers": [f"1Z{n:04d}"],
        "lines": [{"sku": "NK-SWT-M" if n % 2 else "VE-PB-10K", "qty": 1}],
    }
    data.update(changes)
    return data


class Upstream:
    """Serves ``pages`` by cursor ("p2", "p3", ...); ``fail`` maps a cursor to HTTP statuses to
    return (one per request, the last repeated) before serving the page."""

    def __init__(self, pages: list[list[dict[str, Any]]]) -> None:
        self.pages = pages
        self.fail: dict[str | None, int] = {}
        self.retry_after: str | None = None  # sent with every failure when set
        self.requests: list[Request] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        cursor = request.args.get("cursor")
        if cursor in self.fail:
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return Response("upstream down", status=self.fail[cursor], headers=headers)
        index = 0 if cursor is None else int(cursor[1:]) - 1
        next_cursor = f"p{index + 2}" if index + 1 < len(self.pages) else None
        body = {"rmas": self.pages[index], "next_cursor": next_cursor}
        return Response(json.dumps(body), content_type="application/json")

    @property
    def cursors(self) -> list[str | None]:
        return [request.args.get("cursor") for request in self.requests]


@pytest.fixture
def upstream(httpserver: HTTPServer) -> Upstream:
    server = Upstream([[rma(1), rma(2)], [rma(3), rma(4)], [rma(5)]])
    httpserver.expect_request(PATH).respond_with_handler(server)
    return server


def pull(db: Database, httpserver: HTTPServer, **kwargs: Any) -> Any:
    kwargs.setdefault("sleep", lambda _seconds: None)
    return pull_rmas(db, url=httpserver.url_for(PATH), station_id=STATION, **kwargs)


def count(db: Database, model: type) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def load(db: Database, number: str) -> Rma:
    with db.read() as session:
        found = session.scalar(
            select(Rma).where(Rma.number == number).options(selectinload(Rma.lines))
        )
    assert found is not None
    return found


def stored_cursor(db: Database, httpserver: HTTPServer) -> str | None:
    with db.read() as session:
        row = session.get(SyncCursor, cursor_name(httpserver.url_for(PATH)))
        return row.cursor if row else None


def inspect_first_line(db: Database, number: str) -> None:
    with db.write() as session:
        found = session.scalar(select(Rma).where(Rma.number == number))
        assert found is not None
        parcel = Parcel(station_id=STATION, scanned_code="1Z0001", rma_id=found.id)
        session.add(parcel)
        session.flush()
        session.add(
            Inspection(
                parcel_id=parcel.id,
                rma_line_id=found.lines[0].id,
                station_id=STATION,
                standard_id="general",
                standard_version="1",
                standard_hash="0" * 64,
            )
        )


@pytest.mark.usefixtures("catalog")
def test_three_pages_create_everything_and_store_the_cursor(
    db: Database, httpserver: HTTPServer, upstream: Upstream
) -> None:
    report = pull(db, httpserver, page_size=2)

    assert (report.pages, report.created, report.updated, report.unchanged) == (3, 5, 0, 0)
    assert report.errors == [] and report.complete
    assert upstream.cursors == [None, "p2", "p3"]
    assert {request.args.get("limit") for request in upstream.requests} == {"2"}
    assert report.cursor == "p3" == stored_cursor(db, httpserver)
    assert count(db, Rma) == 5
    created = load(db, "RMA-3")
    assert created.external_id == "ext-3" and created.lines[0].sku_id is not None
    with db.read() as session:
        assert verify_chain(session).ok
        actions = session.scalars(select(AuditEvent.action)).all()
        assert actions == ["rma.imported"] * 5


@pytest.mark.usefixtures("catalog")
def test_repull_is_idempotent_and_resumes_from_the_cursor(
    db: Database, httpserver: HTTPServer, upstream: Upstream
) -> None:
    pull(db, httpserver)
    upstream.requests.clear()

    again = pull(db, httpserver)
    assert upstream.cursors == ["p3"]  # only the last page is read again
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)

    upstream.requests.clear()
    full = pull(db, httpserver, reset=True)
    assert upstream.cursors == [None, "p2", "p3"]
    assert (full.created, full.updated, full.unchanged, full.conflicts) == (0, 0, 5, 0)
    assert count(db, Rma) == 5
    assert count(db, AuditEvent) == 5


@pytest.mark.usefixtures("catalog")
def test_failure_midway_keeps_page_one_and_resumes_at_page_two(
    db: Database, httpserver: HTTPServer, upstream: Upstream
) -> None:
    upstream.fail["p2"] = 500
    delays: list[float] = []

    with pytest.raises(PullFailed) as failed:
        pull(db, httpserver, retries=2, backoff_s=0.1, sleep=delays.append)

    assert failed.value.page == 2 and failed.value.cursor == "p2"
    assert httpserver.url_for(PATH) in str(failed.value) and "HTTP 500" in str(failed.value)
    assert upstream.cursors == [None, "p2", "p2", "p2"]  # one try + two retries
    assert delays == [0.1, 0.2]
    assert count(db, Rma) == 2
    assert stored_cursor(db, httpserver) == "p2"

    del upstream.fail["p2"]
    upstream.requests.clear()
    report = pull(db, httpserver)
    assert upstream.cursors == ["p2", "p3"]  # page 1 is not read again
    assert (report.pages, report.created, report.unchanged) == (2, 3, 0)
    assert count(db, Rma) == 5


@pytest.mark.usefixtures("catalog")
def test_connection_refused_is_a_clear_pull_failed(db: Database, refused_port: int) -> None:
    url = f"http://127.0.0.1:{refused_port}/rmas"
    with pytest.raises(PullFailed, match="ConnectError") as failed:
        pull_rmas(db, url=url, station_id=STATION, retries=1, sleep=lambda _s: None)
    assert url in str(failed.value) and failed.value.page == 1


@pytest.mark.usefixtures("catalog")
def test_change_to_uninspected_rma_is_applied(
    db: Database, httpserver: HTTPServer, upstream: Upstream
) -> None:
    pull(db, httpserver)
    before = load(db, "RMA-5")
    upstream.pages[2] = [rma(5, reason_text="Too big", lines=[{"sku": "NK-SWT-M", "qty": 3}])]

    report = pull(db, httpserver)

    assert (report.updated, report.conflicts) == (1, 0)
    after = load(db, "RMA-5")
    assert after.id == before.id and after.reason_text == "Too big"
    assert after.lines[0].qty_expected == 3 and after.lines[0].id == before.lines[0].id
    assert count(db, RmaUpstreamChange) == 0
    with db.read() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "rma.updated"))
        assert event is not None and event.entity_id == str(after.id)


@pytest.mark.usefixtures("catalog")
def test_change_to_inspected_rma_is_recorded_not_applied(
    db: Database, httpserver: HTTPServer, upstream: Upstream
) -> None:
    pull(db, httpserver)
    inspect_first_line(db, "RMA-5")
    upstream.pages[2] = [rma(5, reason_text="Too big", lines=[{"sku": "NK-SWT-M", "qty": 3}])]

    report = pull(db, httpserver)
    pull(db, httpserver)  # the same pending change is not stored twice

    assert (report.updated, report.conflicts) == (0, 1)
    after = load(db, "RMA-5")
    assert after.reason_text == "Too small" and after.lines[0].qty_expected == 1
    with db.read() as session:
        changes = session.scalars(select(RmaUpstreamChange)).all()
        assert len(changes) == 1
        change = changes[0]
        assert change.rma_id == after.id and change.source == "upstream" and not change.reviewed
        assert change.changes == {
            "reason_text": {"old": "Too small", "new": "Too big"},
            "lines[1].qty": {"old": 1, "new": 3},
        }
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.action == "rma.upstream_change_recorded")
        )
        assert event is not None and event.entity_id == str(after.id)
        assert verify_chain(session).ok


@pytest.mark.usefixtures("catalog")
def test_bad_records_are_reported_and_the_others_applied(
    db: Database, httpserver: HTTPServer
) -> None:
    page = [
        rma(1),
        rma(2, lines=[{"sku": "VE-PB-10K", "qty": "two"}]),
        {k: v for k, v in rma(3).items() if k != "external_id"},
        rma(7, seller="NOBODY"),
        rma(9),
    ]
    httpserver.expect_request(PATH).respond_with_json({"rmas": page, "next_cursor": None})

    report = pull(db, httpserver)

    assert report.created == 2
    assert [(e.index, e.external_id) for e in report.errors] == [
        (1, "ext-2"),
        (2, None),
        (3, "ext-7"),
    ]
    assert "qty" in report.errors[0].message and "not a whole number" in report.errors[0].message
    assert "external_id" in report.errors[1].message
    assert "NOBODY" in report.errors[2].message
    assert "ext-2" in str(report.errors[0])
    assert count(db, Rma) == 2
    assert report.cursor is None and report.complete


@pytest.mark.usefixtures("catalog")
def test_existing_rma_is_linked_by_number(db: Database, httpserver: HTTPServer) -> None:
    with db.write() as session:
        seller = session.scalar(select(Seller).where(Seller.code == "NORDKNIT"))
        assert seller is not None
        session.add(Rma(number="RMA-1", seller_id=seller.id, channel="amazon"))
    httpserver.expect_request(PATH).respond_with_json({"rmas": [rma(1)], "next_cursor": None})

    report = pull(db, httpserver)

    assert (report.created, report.updated) == (0, 1)
    assert count(db, Rma) == 1
    assert load(db, "RMA-1").external_id == "ext-1"


@pytest.mark.usefixtures("catalog")
def test_bearer_token_is_sent(db: Database, httpserver: HTTPServer) -> None:
    httpserver.expect_request(
        PATH, headers={"Authorization": "Bearer s3cret"}, query_string={"limit": "50"}
    ).respond_with_json({"rmas": [rma(1)], "next_cursor": None})

    report = pull(db, httpserver, token="s3cret", page_size=50)

    assert report.created == 1
    httpserver.check_assertions()


@pytest.mark.usefixtures("catalog")
def test_unauthorised_fails_at_once(db: Database, httpserver: HTTPServer) -> None:
    httpserver.expect_request(PATH).respond_with_data("no", status=401)
    with pytest.raises(PullFailed, match="HTTP 401"):
        pull(db, httpserver, sleep=lambda _s: pytest.fail("4xx must not be retried"))
    assert len(httpserver.log) == 1


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured_then_the_page_is_read(
    db: Database, httpserver: HTTPServer, status: int
) -> None:
    upstream = Upstream([[rma(1)]])
    upstream.fail[None] = status
    upstream.retry_after = "7"
    delays: list[float] = []

    def sleep(seconds: float) -> None:
        delays.append(seconds)
        upstream.fail.clear()  # upstream is back after the wait it asked for

    httpserver.expect_request(PATH).respond_with_handler(upstream)
    report = pull(db, httpserver, retries=2, backoff_s=0.1, sleep=sleep)
    assert delays == [7.0]  # the server's wait, not the 0.1 s backoff
    assert report.created == 1


@pytest.mark.usefixtures("catalog")
def test_a_retry_after_longer_than_a_pull_waits_fails_clearly(
    db: Database, httpserver: HTTPServer
) -> None:
    upstream = Upstream([[rma(1)]])
    upstream.fail[None] = 429
    upstream.retry_after = "3600"
    httpserver.expect_request(PATH).respond_with_handler(upstream)
    with pytest.raises(PullFailed, match="asks to wait 3600s"):
        pull(db, httpserver, sleep=lambda _s: pytest.fail("must not sleep an hour"))
    assert count(db, Rma) == 0


def test_retry_after_reads_seconds_and_http_dates() -> None:
    from datetime import UTC, datetime

    from station.sync.retry_after import is_retriable, parse_retry_after

    now = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Sun, 22 Nov 2026 12:01:30 GMT", now) == 90
    assert parse_retry_after("Sun, 22 Nov 2026 11:00:00 GMT", now) == 0  # past: at once
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None
    assert [s for s in (200, 400, 404, 408, 409, 410, 422, 429, 500, 503) if is_retriable(s)] == [
        408, 429, 500, 503,
    ]  # fmt: skip
