"""RMA pull: fetch expected returns page by page from an upstream HTTP endpoint.

Protocol
--------
``GET <url>?limit=<page_size>`` for the first page, then ``GET <url>?cursor=<c>&limit=<n>``
with ``Authorization: Bearer <token>`` when a token is configured. The response is JSON::

    {"rmas": [ {RMA object}, ... ], "next_cursor": "opaque" | null}

Each RMA object has the same fields as a ``station rma import`` JSON file (``RmaRecord``) plus a
required ``external_id``: upstream's own id for the return. Pages are fetched until
``next_cursor`` is null.

Why it is built this way
------------------------
* **Resumable, never applied twice.** Each page is applied in one write transaction together
  with the new cursor (``sync_cursors`` row ``rma_pull:<url>``), so a pull that fails midway
  resumes after the last committed page. On the last page (``next_cursor`` null) the cursor that
  fetched it is kept, so the next pull re-reads only that page (harmless: upserts are
  idempotent) and picks up anything upstream appended to it.
* **Upsert by external id**, else by normalised RMA number (an RMA imported from a file before
  the pull existed is linked, not duplicated). Comparison and update reuse the import's code.
* **The bench is never overridden.** An RMA with an inspection on any line is not changed; the
  differences (``field -> {"old", "new"}``) are kept as an ``RmaUpstreamChange`` row for a
  supervisor to review, with an audit event.
* **Bad records do not block good ones.** An invalid RMA is reported with its page, index and
  external id; the rest of the page is applied.
* **Network trouble is retried, then reported.** Connection errors, timeouts, 408/429 and 5xx are
  retried with exponential backoff; after that ``PullFailed`` names the URL and cursor.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from station.audit import append_audit
from station.db import Database
from station.models import Rma, RmaUpstreamChange, Seller, SyncCursor, new_id
from station.services.rma_import import (
    SellerRef,
    apply_rma_state,
    desired_rma_states,
    inspected_rma_ids,
    stored_rma_state,
)
from station.services.rma_reading import SourceRma
from station.services.rma_records import RmaRecord, describe_errors, json_label
from station.sync.retry_after import is_retriable, parse_retry_after
from station.timeutil import utcnow

log = logging.getLogger(__name__)

DEFAULT_RETRIES = 3
DEFAULT_BACKOFF_S = 0.5
MAX_RETRY_AFTER_S = 300.0  # a pull waits this long for a busy upstream, then gives up
_CURSOR_NAME_MAX = 64  # sync_cursors.name
_SOURCE_MAX = 64  # rma_upstream_changes.source
_EXTERNAL_ID_MAX = 128  # rmas.external_id

__all__ = ["PullFailed", "PullProblem", "PullReport", "cursor_name", "pull_rmas"]


class PullFailed(RuntimeError):
    """The pull stopped; pages committed before this one stay applied."""

    def __init__(self, message: str, *, url: str, page: int, cursor: str | None) -> None:
        where = f"page {page}, cursor {cursor!r}" if cursor else f"page {page}, first page"
        super().__init__(f"RMA pull from {url} failed at {where}: {message}")
        self.url = url
        self.page = page
        self.cursor = cursor


@dataclass(frozen=True)
class PullProblem:
    """One RMA that was not applied (or applied with a warning), and why."""

    page: int
    index: int  # position in the page's "rmas" list, 0-based
    external_id: str | None
    message: str

    def __str__(self) -> str:
        return f"page {self.page} #{self.index} ({self.external_id or '?'}): {self.message}"


@dataclass
class PullReport:
    """What a pull did. ``conflicts`` counts changes kept as ``RmaUpstreamChange`` rows."""

    url: str
    pages: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    errors: list[PullProblem] = field(default_factory=list)
    warnings: list[PullProblem] = field(default_factory=list)
    cursor: str | None = None
    complete: bool = False  # False when max_pages stopped the pull before the last page

    def add(self, page: PullReport) -> None:
        """Add one committed page's counts and problems."""
        self.pages += 1
        self.created += page.created
        self.updated += page.updated
        self.unchanged += page.unchanged
        self.conflicts += page.conflicts
        self.errors.extend(page.errors)
        self.warnings.extend(page.warnings)


def cursor_name(url: str, prefix: str = "rma_pull") -> str:
    """``<prefix>:<url>``; a URL too long for the column is replaced by its hash."""
    name = f"{prefix}:{url}"
    if len(name) <= _CURSOR_NAME_MAX:
        return name
    head = f"{prefix}:sha256:"
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
    return head + digest[: _CURSOR_NAME_MAX - len(head)]


def stored_cursor(db: Database, name: str, reset: bool) -> str | None:
    """Where the last pull of this feed stopped (None: from the first page)."""
    if reset:
        return None
    with db.read() as session:
        stored = session.get(SyncCursor, name)
        return stored.cursor if stored is not None else None


def paged_http(
    url: str,
    *,
    token: str | None,
    client: httpx.Client | None,
    retries: int,
    backoff_s: float,
    sleep: Callable[[float], None],
    timeout_s: float,
    key: str = "rmas",
) -> PagedHttp:
    """The page fetcher for one feed; JSON accepted, the bearer token sent when configured."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return PagedHttp(client or httpx.Client(timeout=timeout_s), url, headers, retries,
                     backoff_s, sleep, key)  # fmt: skip


def pull_rmas(
    db: Database,
    *,
    url: str,
    station_id: str,
    token: str | None = None,
    page_size: int = 200,
    source: str = "upstream",
    client: httpx.Client | None = None,
    max_pages: int | None = None,
    reset: bool = False,
    retries: int = DEFAULT_RETRIES,
    backoff_s: float = DEFAULT_BACKOFF_S,
    timeout_s: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> PullReport:
    """Pull RMAs from ``url`` starting at the stored cursor (``reset``: from the beginning).

    Raises ``PullFailed`` when a page cannot be fetched after ``retries`` retries or its body
    is not the expected JSON; everything committed before it stays.
    """
    name = cursor_name(url)
    cursor = stored_cursor(db, name, reset)
    report = PullReport(url=url, cursor=cursor)
    own_client = client is None
    http = paged_http(url, token=token, client=client, retries=retries, backoff_s=backoff_s,
                      sleep=sleep, timeout_s=timeout_s)  # fmt: skip
    try:
        while max_pages is None or report.pages < max_pages:
            page_no = report.pages + 1
            items, next_cursor = http.page(page_no, cursor, page_size)
            keep = next_cursor if next_cursor else cursor
            with db.write() as session:
                outcome = _apply_page(session, items, url, page_no, station_id, source)
                store_cursor(session, name, keep)
            # Counted only after the commit, so the report never claims a rolled-back write.
            report.add(outcome)
            report.cursor = keep
            log.info(
                "RMA pull %s page %d: %d RMAs, %d errors, next cursor %r",
                url,
                page_no,
                len(items),
                len(outcome.errors),
                next_cursor,
            )
            if not next_cursor:
                report.complete = True
                break
            cursor = next_cursor
    finally:
        if own_client:
            http.client.close()
    log.info(
        "RMA pull %s: %d pages, %d created, %d updated, %d unchanged, %d conflicts, %d errors",
        url,
        report.pages,
        report.created,
        report.updated,
        report.unchanged,
        report.conflicts,
        len(report.errors),
    )
    return report


# --- HTTP ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PagedHttp:
    """GET pages of ``{"<key>": [...], "next_cursor": ...}``; shared with the dispute pull."""

    client: httpx.Client
    url: str
    headers: dict[str, str]
    retries: int
    backoff_s: float
    sleep: Callable[[float], None]
    key: str = "rmas"

    def page(self, page: int, cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
        """One page's ``(items, next_cursor)``. Transient failures are retried with backoff; a
        permanent one fails at once (a wrong token or URL does not get better by waiting)."""

        def fail(message: str) -> PullFailed:
            return PullFailed(message, url=self.url, page=page, cursor=cursor)

        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        last = ""
        asked_wait = 0.0
        for attempt in range(self.retries + 1):
            if attempt:
                delay = max(self.backoff_s * 2 ** (attempt - 1), asked_wait)
                log.warning("RMA pull %s page %d: %s; retry in %.1fs", self.url, page, last, delay)
                self.sleep(delay)
            try:
                response = self.client.get(self.url, params=params, headers=self.headers)
            except httpx.TransportError as exc:  # refused, timeouts, broken connections
                last = f"{type(exc).__name__}: {exc}"
                continue
            status = response.status_code
            if is_retriable(status):
                last = f"HTTP {status}"
                wait = parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC))
                if wait is not None and wait > MAX_RETRY_AFTER_S:
                    raise fail(f"HTTP {status}: upstream asks to wait {wait:.0f}s; pull again "
                               "later (the cursor is kept)")  # fmt: skip
                asked_wait = wait or 0.0
                continue
            if status != 200:
                raise fail(f"HTTP {status}: {response.text[:200]}")
            try:
                body = response.json()
            except ValueError:
                raise fail("the response is not JSON") from None
            if not isinstance(body, dict) or not isinstance(body.get(self.key), list):
                raise fail(f'expected an object with an "{self.key}" list')
            next_cursor = body.get("next_cursor")
            if next_cursor is not None and not isinstance(next_cursor, str):
                raise fail('"next_cursor" must be a string or null')
            return body[self.key], next_cursor or None
        raise fail(f"{last} (gave up after {self.retries + 1} attempts)")


# --- applying a page ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Pulled:
    index: int
    external_id: str
    record: RmaRecord
    seller: SellerRef


def _external_id(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    value = item.get("external_id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text or None


def _validate(
    items: list[Any], sellers: dict[str, SellerRef], page: int, outcome: PullReport
) -> list[_Pulled]:
    """Valid records of the page; each invalid one becomes an error naming its external id."""
    pulled: list[_Pulled] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        external_id = _external_id(item)

        def problem(
            message: str, index: int = index, external_id: str | None = external_id
        ) -> None:
            outcome.errors.append(PullProblem(page, index, external_id, message))

        if external_id is None:
            problem('"external_id" is missing or empty; every pulled RMA needs one')
            continue
        if len(external_id) > _EXTERNAL_ID_MAX:
            problem(f'"external_id" is longer than {_EXTERNAL_ID_MAX} characters')
            continue
        if external_id in seen:
            problem("the same external_id appears twice in this page; the first one was used")
            continue
        try:
            record = RmaRecord.model_validate(item)
        except ValidationError as exc:
            problem("; ".join(message for _loc, message in describe_errors(exc, json_label)))
            continue
        seller = sellers.get(record.seller.upper())
        if seller is None:
            problem(f'seller "{record.seller}" is not set up on this station')
            continue
        seen.add(external_id)
        pulled.append(_Pulled(index, external_id, record, seller))
    return pulled


def _apply_page(
    session: Session, items: list[Any], url: str, page: int, station_id: str, source: str
) -> PullReport:
    """Upsert one page inside the caller's write transaction; the counts are for this page."""
    outcome = PullReport(url=url)
    sellers = {
        seller.code.upper(): SellerRef(seller.id, seller.code)
        for seller in session.scalars(select(Seller))
    }
    seller_codes = {ref.id: ref.code for ref in sellers.values()}
    pulled = _validate(items, sellers, page, outcome)
    if not pulled:
        return outcome

    external_ids = [item.external_id for item in pulled]
    numbers = [item.record.rma_number for item in pulled]
    rmas = list(
        session.scalars(
            select(Rma)
            .where(or_(Rma.external_id.in_(external_ids), Rma.number.in_(numbers)))
            .options(selectinload(Rma.lines), selectinload(Rma.tracking_numbers))
        )
    )
    by_external = {rma.external_id: rma for rma in rmas if rma.external_id}
    by_number = {rma.number: rma for rma in rmas}
    inspected = inspected_rma_ids(session, [rma.id for rma in rmas])
    # Line rows are the RMA's index in the page, so catalogue warnings name the record.
    sources = [
        (
            SourceRma(item.record, item.index, tuple(item.index for _ in item.record.lines)),
            item.seller,
        )
        for item in pulled
    ]
    states, warnings = desired_rma_states(session, sources)
    ids = {item.index: item.external_id for item in pulled}
    outcome.warnings.extend(
        PullProblem(page, warning.line, ids.get(warning.line), warning.message)
        for warning in warnings
    )

    for item, desired in zip(pulled, states, strict=True):
        context = _Context(session, station_id, source, page, seller_codes, outcome)
        try:
            with session.begin_nested():
                _upsert(context, item, desired, by_external, by_number, inspected)
        except IntegrityError as exc:
            # A constraint the checks above did not foresee: skip this RMA, keep the page.
            log.warning("RMA pull: %s not applied: %s", item.external_id, exc.orig)
            outcome.errors.append(
                PullProblem(page, item.index, item.external_id, f"not stored: {exc.orig}")
            )
    return outcome


@dataclass(frozen=True)
class _Context:
    session: Session
    station_id: str
    source: str
    page: int
    seller_codes: dict[uuid.UUID, str]
    outcome: PullReport

    def error(self, item: _Pulled, message: str) -> None:
        self.outcome.errors.append(PullProblem(self.page, item.index, item.external_id, message))

    def audit(
        self,
        action: str,
        rma_id: uuid.UUID,
        before: dict[str, Any] | None,
        after: dict[str, Any],
    ) -> None:
        append_audit(
            self.session,
            station_id=self.station_id,
            action=action,
            entity_type="rma",
            entity_id=rma_id,
            before=before,
            after=after,
        )


def _upsert(
    ctx: _Context,
    item: _Pulled,
    desired: dict[str, Any],
    by_external: dict[str, Rma],
    by_number: dict[str, Rma],
    inspected: set[uuid.UUID],
) -> None:
    record = item.record
    after = {
        **desired,
        "rma_number": record.rma_number,
        "external_id": item.external_id,
        "source": f"{ctx.source}:page {ctx.page}",
    }
    rma = by_external.get(item.external_id)
    if rma is None:
        rma = by_number.get(record.rma_number)
        if rma is not None and rma.external_id and rma.external_id != item.external_id:
            ctx.error(
                item,
                f"RMA {record.rma_number} is already linked to external id {rma.external_id}; "
                "not changed",
            )
            return
    if rma is None:
        rma = Rma(
            id=new_id(),
            number=record.rma_number,
            external_id=item.external_id,
            seller_id=item.seller.id,
        )
        apply_rma_state(rma, record, desired)
        ctx.session.add(rma)
        ctx.session.flush()
        ctx.audit("rma.imported", rma.id, None, after)
        by_external[item.external_id] = rma
        by_number[rma.number] = rma
        ctx.outcome.created += 1
        return
    if rma.seller_id != item.seller.id:
        ctx.error(
            item,
            f"RMA {rma.number} belongs to seller {ctx.seller_codes.get(rma.seller_id, '?')}; "
            "not changed",
        )
        return
    renamed = rma.number != record.rma_number
    if renamed and record.rma_number in by_number:
        ctx.error(
            item, f"RMA number {record.rma_number} is already used by another RMA; not changed"
        )
        return

    current = {**stored_rma_state(rma, ctx.seller_codes), "rma_number": rma.number}
    changes = _differences(current, {**desired, "rma_number": record.rma_number})
    linked = rma.external_id != item.external_id
    if linked:
        # Linking an RMA imported from a file is bookkeeping, not a change to the return.
        rma.external_id = item.external_id
        by_external[item.external_id] = rma
    if not changes:
        if linked:
            ctx.audit("rma.linked", rma.id, None, {"external_id": item.external_id})
        ctx.outcome.unchanged += 1
        return
    if rma.id in inspected:
        _record_conflict(ctx, item, rma, changes)
        return
    apply_rma_state(rma, record, desired)
    if renamed:
        del by_number[rma.number]
        rma.number = record.rma_number
        by_number[rma.number] = rma
    rma.updated_at = utcnow()
    ctx.session.flush()
    ctx.audit("rma.updated", rma.id, current, after)
    ctx.outcome.updated += 1


def _record_conflict(
    ctx: _Context, item: _Pulled, rma: Rma, changes: dict[str, dict[str, Any]]
) -> None:
    """Keep the upstream change for review; the same pending change is not stored twice, so
    re-reading a page (or a reset pull) does not flood the review list."""
    ctx.outcome.conflicts += 1
    source = ctx.source[:_SOURCE_MAX]
    pending = ctx.session.scalars(
        select(RmaUpstreamChange).where(
            RmaUpstreamChange.rma_id == rma.id,
            RmaUpstreamChange.source == source,
            RmaUpstreamChange.reviewed.is_(False),
        )
    ).all()
    if any(change.changes == changes for change in pending):
        return
    change = RmaUpstreamChange(id=new_id(), rma_id=rma.id, source=source, changes=changes)
    ctx.session.add(change)
    ctx.session.flush()
    ctx.audit(
        "rma.upstream_change_recorded",
        rma.id,
        None,
        {"change_id": str(change.id), "external_id": item.external_id, "changes": changes},
    )
    log.info("RMA %s has inspections; upstream change kept for review", rma.number)


def _differences(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``field -> {"old", "new"}``; lines are compared by number (``lines[2].qty``) so a
    reviewer sees what changed rather than two whole line lists."""
    changes: dict[str, dict[str, Any]] = {}
    for key in sorted(set(old) | set(new)):
        if key == "lines" or old.get(key) == new.get(key):
            continue
        changes[key] = {"old": old.get(key), "new": new.get(key)}
    old_lines = {line["line_no"]: line for line in old.get("lines", [])}
    new_lines = {line["line_no"]: line for line in new.get("lines", [])}
    for number in sorted(set(old_lines) | set(new_lines)):
        before, after = old_lines.get(number), new_lines.get(number)
        if before is None or after is None:
            changes[f"lines[{number}]"] = {"old": before, "new": after}
            continue
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                changes[f"lines[{number}].{key}"] = {"old": before.get(key), "new": after.get(key)}
    return changes


def store_cursor(session: Session, name: str, cursor: str | None) -> None:
    row = session.get(SyncCursor, name)
    if row is None:
        session.add(SyncCursor(name=name, cursor=cursor, updated_at=utcnow()))
    else:
        row.cursor = cursor
        row.updated_at = utcnow()
