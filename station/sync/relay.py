"""The outbox relay: delivers outbox events to webhook endpoints as Standard Webhooks.

Why it looks like this:

* At least once. Nothing is written before a request is sent, and a delivery is marked
  delivered only after a 2xx, so a crash mid-send means the next run sends again; receivers
  dedupe by ``webhook-id`` (= event id). The body is the stored envelope serialized
  canonically, so a retry is byte-identical (only the timestamp and signature change).
* Order per unit. For each endpoint only the oldest pending delivery of a unit (aggregate) is
  eligible, so a unit's later event never overtakes an earlier one, even across restarts (the
  rule is evaluated from the database, not from memory). Different units go in parallel.
* Never dropped. Retriable failures (408/429/5xx, network errors, timeouts) back off
  exponentially with full jitter, honouring ``Retry-After``; other 4xx go to the dead-letter
  state with the status and (truncated) response body; 410 also disables the endpoint.

Qt-free: the window runs it as a thread (``start``/``stop`` plus a status callback), the CLI
calls ``run_once`` or runs the same thread in the foreground.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, cast

import httpx
from sqlalchemy import Table, and_, bindparam, delete, exists, func, insert, or_, select, update
from standardwebhooks import Webhook

from station.db import Database
from station.models.ledger import DeliveryState, OutboxEvent
from station.models.sync import DeliveryStatus, OutboxDelivery, WebhookEndpoint
from station.sync.config import SyncConfig
from station.timeutil import utcnow

log = logging.getLogger(__name__)

RESPONSE_BODY_LIMIT = 2000
ERROR_LIMIT = 500
MAX_RETRY_AFTER_S = 24 * 3600.0  # a receiver cannot park a delivery for longer than a day
ENSURE_CHUNK = 500  # rows per write transaction: short locks, so finalize never waits long

Clock = Callable[[], datetime]
Jitter = Callable[[float, float], float]


@dataclass
class RunCounts:
    """What one ``run_once`` did; also what the status callback receives."""

    created: int = 0  # delivery rows created for new events
    sent: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    endpoints_disabled: int = 0
    pruned: int = 0
    error: str | None = None  # the relay itself failed (database, bug): it keeps running

    def add(self, other: RunCounts) -> None:
        for name in ("created", "sent", "delivered", "retried", "dead", "endpoints_disabled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class _Job:
    delivery_id: uuid.UUID
    event_id: uuid.UUID
    endpoint_id: uuid.UUID
    url: str
    secrets: tuple[str, ...]
    body: str
    attempts: int


@dataclass
class _Outcome:
    job: _Job
    status: int | None = None
    error: str | None = None
    response_body: str | None = None
    retry_after_s: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def canonical_body(envelope: dict[str, Any]) -> str:
    """Sorted keys, no whitespace: the same bytes on every retry, so signatures are stable."""
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sign(secrets: tuple[str, ...] | list[str], msg_id: str, timestamp: datetime, body: str) -> str:
    """One ``v1,<b64>`` per secret, space-separated: receivers accept any one during rotation."""
    return " ".join(Webhook(s).sign(msg_id, timestamp, body) for s in secrets)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def is_retriable(status: int) -> bool:
    return status in (408, 429) or status >= 500


class Relay:
    """Delivers due outbox events. ``run_once`` for the CLI, ``start``/``stop`` for the app.

    ``clock`` and ``jitter`` are injectable so tests control backoff without sleeping;
    ``on_status`` is called from the relay thread after every pass (marshal it to the UI
    thread yourself). ``workers`` requests run in parallel, never two for the same unit.
    """

    def __init__(
        self,
        db: Database,
        config: SyncConfig | None = None,
        *,
        client: httpx.Client | None = None,
        clock: Clock = utcnow,
        jitter: Jitter = random.uniform,
        on_status: Callable[[RunCounts], None] | None = None,
        batch_size: int = 200,
        workers: int = 8,
    ) -> None:
        self.db = db
        self.config = config or SyncConfig()
        self._own_client = client is None
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(self.config.request_timeout_s),
            limits=httpx.Limits(max_connections=workers, max_keepalive_connections=workers),
            follow_redirects=False,
        )
        self._clock = clock
        self._jitter = jitter
        self._on_status = on_status
        self._batch_size = batch_size
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="relay-send")
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_prune: datetime | None = None

    # --- thread --------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="outbox-relay", daemon=True)
        self._thread.start()

    def set_status_callback(self, callback: Callable[[RunCounts], None] | None) -> None:
        """Who hears about each pass (the window's sync indicator, via a queued signal)."""
        self._on_status = callback

    def wake(self) -> None:
        """Deliver now instead of at the next interval (call after writing an event)."""
        self._wake.set()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Stops after the current batch; undelivered work stays pending in the database."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def close(self) -> None:
        self.stop()
        self._pool.shutdown(wait=True)
        if self._own_client:
            self._client.close()

    def run_forever(self) -> None:
        """The thread's loop in the caller's thread (``station sync run``); ends on ``stop``."""
        self._stop.clear()
        self._loop()

    def _loop(self) -> None:
        while not self._stop.is_set():
            counts = self._safe_run_once()
            if self._on_status is not None:
                try:
                    self._on_status(counts)
                except Exception:
                    log.exception("relay status callback failed")
            if counts.sent:
                continue  # drained something: look again at once, new work may be due
            self._wake.wait(self.config.relay_interval_s)
            self._wake.clear()

    def _safe_run_once(self) -> RunCounts:
        try:
            return self.run_once()
        except Exception as exc:  # the relay must outlive a locked or flaky database
            log.exception("relay pass failed")
            return RunCounts(error=f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT])

    # --- one pass ------------------------------------------------------------------------

    def run_once(self) -> RunCounts:
        """Creates missing deliveries, sends everything due (batch by batch), prunes."""
        total = RunCounts()
        started = self._clock()
        failed: set[uuid.UUID] = set()
        while not self._stop.is_set():
            total.created += self.ensure_deliveries()
            jobs = self._due_jobs(started, failed)
            if not jobs:
                break
            outcomes = list(self._pool.map(self._send, jobs))
            counts = self._record(outcomes)
            total.add(counts)
            failed.update(
                o.job.delivery_id for o in outcomes if o.status is None or o.status >= 300
            )
            if len(failed) > 5000:
                break  # the rest waits for the next pass; keeps the NOT IN list bounded
        total.pruned = self._maybe_prune()
        if total.sent:
            log.info(
                "relay: %d sent, %d delivered, %d retrying, %d dead",
                total.sent, total.delivered, total.retried, total.dead,
            )  # fmt: skip
        return total

    def ensure_deliveries(self) -> int:
        """One delivery row per (pending event, enabled subscribed endpoint), created lazily."""
        created = 0
        with self.db.read() as session:
            endpoints = [
                (e.id, list(e.event_types or []))
                for e in session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.enabled))
            ]
        for endpoint_id, types in endpoints:
            query = (
                select(OutboxEvent.id, OutboxEvent.aggregate_id)
                .where(OutboxEvent.state == DeliveryState.PENDING.value)
                .where(
                    ~exists().where(
                        OutboxDelivery.event_id == OutboxEvent.id,
                        OutboxDelivery.endpoint_id == endpoint_id,
                    )
                )
                .order_by(OutboxEvent.created_at)
                .limit(ENSURE_CHUNK)
            )
            if types:
                query = query.where(OutboxEvent.event_type.in_(types))
            while True:
                with self.db.read() as session:  # cheap check first: no write lock when idle
                    if not session.execute(query.limit(1)).first():
                        break
                with self.db.write() as session:
                    rows = session.execute(query).all()
                    if not rows:
                        break
                    now = utcnow()
                    session.execute(
                        insert(OutboxDelivery),
                        [
                            {
                                "id": uuid.uuid4(),
                                "event_id": event_id,
                                "endpoint_id": endpoint_id,
                                "aggregate_id": aggregate_id,
                                "state": DeliveryStatus.PENDING,
                                "attempts": 0,
                                "next_attempt_at": None,  # due at once
                                "created_at": now,
                            }
                            for event_id, aggregate_id in rows
                        ],
                    )
                created += len(rows)
                if len(rows) < ENSURE_CHUNK:
                    break
        return created

    def _due_jobs(self, now: datetime, exclude: set[uuid.UUID]) -> list[_Job]:
        """The oldest pending delivery of each unit per enabled endpoint, if it is due."""
        d, e = OutboxDelivery, OutboxEvent
        # Heads by GROUP BY (one scan), not a correlated NOT EXISTS (quadratic on SQLite).
        heads = (
            select(d.endpoint_id, d.aggregate_id, func.min(e.created_at).label("first"))
            .join(e, e.id == d.event_id)
            .where(d.state == DeliveryStatus.PENDING)
            .group_by(d.endpoint_id, d.aggregate_id)
            .subquery()
        )
        query = (
            select(d.id, d.event_id, d.endpoint_id, d.aggregate_id, d.attempts, e.payload)
            .join(e, e.id == d.event_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == d.endpoint_id)
            .where(d.state == DeliveryStatus.PENDING, WebhookEndpoint.enabled)
            .where(or_(d.next_attempt_at.is_(None), d.next_attempt_at <= now))
            .join(
                heads,
                and_(
                    heads.c.endpoint_id == d.endpoint_id,
                    heads.c.aggregate_id == d.aggregate_id,
                    heads.c.first == e.created_at,
                ),
            )
            .order_by(e.created_at, e.id)
            .limit(self._batch_size)
        )
        if exclude:
            query = query.where(d.id.not_in(exclude))
        with self.db.read() as session:
            rows = session.execute(query).all()
            endpoints = {
                ep.id: ep
                for ep in session.scalars(
                    select(WebhookEndpoint).where(WebhookEndpoint.id.in_({r[2] for r in rows}))
                )
            }
        jobs = []
        seen: set[tuple[uuid.UUID, str]] = set()
        for delivery_id, event_id, endpoint_id, aggregate_id, attempts, payload in rows:
            if (endpoint_id, aggregate_id) in seen:
                continue  # same created_at for two events of a unit: still one in flight
            seen.add((endpoint_id, aggregate_id))
            endpoint = endpoints[endpoint_id]
            secrets = (endpoint.secret, *(endpoint.previous_secrets or []))
            jobs.append(
                _Job(
                    delivery_id=delivery_id,
                    event_id=event_id,
                    endpoint_id=endpoint_id,
                    url=endpoint.url,
                    secrets=secrets,
                    body=canonical_body(payload),
                    attempts=attempts,
                )
            )
        return jobs

    def _send(self, job: _Job) -> _Outcome:
        msg_id = str(job.event_id)
        timestamp = datetime.now(UTC)  # wall clock: receivers check it against theirs
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": sign(job.secrets, msg_id, timestamp, job.body),
            "user-agent": "returns-station-relay/1",
        }
        try:
            response = self._client.post(job.url, content=job.body.encode("utf-8"), headers=headers)
        except httpx.TimeoutException as exc:
            return _Outcome(job, error=f"timeout: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            return _Outcome(job, error=f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT])
        outcome = _Outcome(job, status=response.status_code)
        if response.status_code >= 300:
            outcome.response_body = response.text[:RESPONSE_BODY_LIMIT]
            outcome.retry_after_s = parse_retry_after(
                response.headers.get("retry-after"), datetime.now(UTC)
            )
        return outcome

    def _backoff(self, attempts_before: int, retry_after_s: float | None) -> float:
        cap = min(self.config.max_backoff_s, self.config.base_backoff_s * 2**attempts_before)
        delay = self._jitter(0.0, cap)
        if retry_after_s is not None and retry_after_s > delay:
            delay = min(retry_after_s, MAX_RETRY_AFTER_S)
        return delay

    def _record(self, outcomes: list[_Outcome]) -> RunCounts:
        """All results of a batch in one transaction: one fsync per batch, not per event."""
        counts = RunCounts(sent=len(outcomes))
        now = self._clock()
        delivered_events: set[uuid.UUID] = set()
        delivered_rows: list[dict[str, Any]] = []
        with self.db.write() as session:
            for outcome in outcomes:
                job, status = outcome.job, outcome.status
                attempts = job.attempts + 1
                if status is not None and 200 <= status < 300:
                    # The common case goes out as one executemany below: a short write lock.
                    delivered_rows.append({"_id": job.delivery_id, "_attempts": attempts,
                                           "_status": status, "_body": outcome.response_body})  # fmt: skip
                    delivered_events.add(job.event_id)
                    counts.delivered += 1
                    continue
                values: dict[str, Any] = {
                    "attempts": attempts,
                    "last_status": status,
                    "response_body": outcome.response_body,
                }
                if status is not None and 200 <= status < 300:
                    values |= {
                        "state": DeliveryStatus.DELIVERED,
                        "delivered_at": now,
                        "last_error": None,
                    }
                    delivered_events.add(job.event_id)
                    counts.delivered += 1
                elif status is None or is_retriable(status):
                    error = outcome.error or f"HTTP {status}"
                    limit = self.config.max_attempts
                    if limit is not None and attempts >= limit:
                        values |= {"state": DeliveryStatus.DEAD, "last_error": error}
                        counts.dead += 1
                    else:
                        delay = self._backoff(job.attempts, outcome.retry_after_s)
                        values |= {
                            "last_error": error,
                            "next_attempt_at": now + timedelta(seconds=delay),
                        }
                        counts.retried += 1
                else:
                    values |= {"state": DeliveryStatus.DEAD, "last_error": f"HTTP {status}"}
                    counts.dead += 1
                    if status == 410:
                        counts.endpoints_disabled += self._disable(session, job, now)
                session.execute(
                    update(OutboxDelivery)
                    .where(OutboxDelivery.id == job.delivery_id)
                    .values(**values)
                )
                if values.get("state") == DeliveryStatus.DEAD:
                    log.warning("delivery %s to %s dead: %s", job.event_id, job.url, values)
            if delivered_rows:
                table = cast(Table, OutboxDelivery.__table__)
                session.connection().execute(
                    update(table)
                    .where(table.c.id == bindparam("_id"))
                    .values(
                        attempts=bindparam("_attempts"),
                        last_status=bindparam("_status"),
                        response_body=bindparam("_body"),
                        state=DeliveryStatus.DELIVERED,
                        delivered_at=now,
                        last_error=None,
                    ),
                    delivered_rows,
                )
            if delivered_events:
                session.execute(
                    update(OutboxEvent)
                    .where(OutboxEvent.id.in_(delivered_events))
                    .where(
                        ~exists().where(
                            OutboxDelivery.event_id == OutboxEvent.id,
                            OutboxDelivery.state != DeliveryStatus.DELIVERED,
                        )
                    )
                    .values(state=DeliveryState.DELIVERED.value, delivered_at=now)
                )
        return counts

    def _disable(self, session: Any, job: _Job, now: datetime) -> int:
        reason = f"receiver answered 410 Gone at {now.isoformat(timespec='seconds')}"
        result = session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == job.endpoint_id, WebhookEndpoint.enabled)
            .values(enabled=False, disabled_reason=reason, updated_at=now)
        )
        log.warning("endpoint %s disabled: %s", job.url, reason)
        return int(result.rowcount or 0)

    # --- retention -----------------------------------------------------------------------

    def _maybe_prune(self) -> int:
        now = self._clock()
        if self._last_prune is not None and now - self._last_prune < timedelta(hours=1):
            return 0
        self._last_prune = now
        return self.prune(now)

    def prune(self, now: datetime | None = None) -> int:
        """Deletes delivered events (and their deliveries) older than ``retention_days``."""
        cutoff = (now or self._clock()) - timedelta(days=self.config.retention_days)
        old = select(OutboxEvent.id).where(
            OutboxEvent.state == DeliveryState.DELIVERED.value,
            OutboxEvent.delivered_at < cutoff,
        )
        with self.db.read() as session:
            if session.execute(old.limit(1)).first() is None:
                return 0
        with self.db.write() as session:
            session.execute(delete(OutboxDelivery).where(OutboxDelivery.event_id.in_(old)))
            result = session.execute(
                delete(OutboxEvent).where(OutboxEvent.id.in_(old.scalar_subquery()))
            )
            pruned = int(getattr(result, "rowcount", 0) or 0)
        log.info("pruned %d delivered events older than %s", pruned, cutoff)
        return pruned
