"""``station sync pull-disputes``: disputes opened upstream (by the seller or customer service)
arrive like expected returns do, page by page with a cursor.

The endpoint serves ``{"disputes": [...], "next_cursor": "..."|null}``; each item is a
``dispute.opened`` record: ``external_id`` (upstream's id, the idempotency key), ``lpn`` or
``inspection_id``, ``reason``, and optionally ``party``, ``requested_outcome``, ``comments``,
``attachments``. Items are applied one by one: a bad item is reported with its page and
index and does not stop the good ones; re-pulling the same page changes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from station.db import Database
from station.services.common import Actor, ServiceError
from station.services.disputes import record_upstream_dispute
from station.sync.pull import (
    DEFAULT_BACKOFF_S,
    DEFAULT_RETRIES,
    cursor_name,
    paged_http,
    store_cursor,
    stored_cursor,
)

log = logging.getLogger(__name__)


@dataclass
class DisputePullReport:
    url: str
    cursor: str | None
    pages: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)  # "page 2 #3 (CS-1): no unit with LPN …"
    complete: bool = False


def pull_disputes(
    db: Database,
    actor: Actor,
    *,
    url: str,
    token: str | None = None,
    page_size: int = 200,
    client: httpx.Client | None = None,
    reset: bool = False,
    retries: int = DEFAULT_RETRIES,
    backoff_s: float = DEFAULT_BACKOFF_S,
    timeout_s: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> DisputePullReport:
    """Pull from the stored cursor; raises ``PullFailed`` when a page cannot be fetched, after
    keeping everything applied and the cursor of every page before it."""
    name = cursor_name(url, "dispute_pull")
    cursor = stored_cursor(db, name, reset)
    report = DisputePullReport(url=url, cursor=cursor)
    http = paged_http(url, token=token, client=client, retries=retries, backoff_s=backoff_s,
                      sleep=sleep, timeout_s=timeout_s, key="disputes")  # fmt: skip
    try:
        while True:
            page_no = report.pages + 1
            items, next_cursor = http.page(page_no, cursor, page_size)
            for index, item in enumerate(items):
                _apply(db, actor, item, page_no, index, report)
            keep = next_cursor or cursor
            with db.write() as session:
                store_cursor(session, name, keep)
            report.pages, report.cursor = page_no, keep
            if not next_cursor:
                report.complete = True
                break
            cursor = next_cursor
    finally:
        if client is None:
            http.client.close()
    log.info("dispute pull %s: %d pages, %d new, %d known, %d errors", url, report.pages,
             report.created, report.unchanged, len(report.errors))  # fmt: skip
    return report


def _apply(
    db: Database, actor: Actor, item: Any, page: int, index: int, report: DisputePullReport
) -> None:
    label = f"page {page} #{index}"
    if not isinstance(item, dict):
        report.errors.append(f"{label}: not a dispute object")
        return
    label += f" ({item.get('external_id') or '?'})"
    try:
        _view, created = record_upstream_dispute(db, actor, item)
    except ServiceError as exc:
        report.errors.append(f"{label}: {exc}")
        return
    if created:
        report.created += 1
    else:
        report.unchanged += 1
