"""The outbox relay: delivers outbox events to webhook endpoints as Standard Webhooks.

Why it looks like this:

* At least once. Nothing is written before a request is sent, and a delivery is marked
  delivered only after a 2xx, so a crash mid-send means the next run sends again; receivers
  dedupe by ``webhook-id`` (= event id). The body is the stored envelope serialized
  canonically, so a retry is byte-identical (only the timestamp and signature change).
* Order per unit. For each endpoint only the oldest undelivered delivery of a unit (aggregate)
  is eligible, so a unit's later event never overtakes an earlier one, even across restarts (the
  rule is evaluated from the database, not from memory). Different units go in parallel. A dead
  letter counts as undelivered: the unit's later events are held behind it (upstream must not
  get a revision without the verdict it revises) until a supervisor retries or resolves it.
* Never dropped. Retriable failures (408/429/5xx, network errors, timeouts) back off
  exponentially with full jitter, honouring ``Retry-After``; other 4xx go to the dead-letter
  state with the status and (truncated) response body; 410 also disables the endpoint.

One request (signature, HTTP, outcome) is ``sender.send``; creating and pruning the delivery
rows is ``fanout``. Qt-free: the window runs it as a thread (``start``/``stop`` plus a status callback), the CLI
calls ``run_once`` or runs the same thread in the foreground.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import urllib3
from sqlalchemy import (
    Select,
    Table,
    and_,
    bindparam,
    exists,
    or_,
    select,
    update,
)
from sqlalchemy.orm import aliased

from station.db import Database
from station.models.ledger import DeliveryState, OutboxEvent
from station.models.sync import (
    BLOCKING_STATES,
    DONE_STATES,
    DeliveryStatus,
    OutboxDelivery,
    WebhookEndpoint,
)
from station.sync.config import SyncConfig
from station.sync.fanout import fan_out, prune_delivered
from station.sync.lease import RelayLease
from station.sync.relay_audit import audit_deliveries
from station.sync.retry_after import is_retriable
from station.sync.sender import ERROR_LIMIT, Job, Outcome, send
from station.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_RETRY_AFTER_S = 24 * 3600.0  # a receiver cannot park a delivery for longer than a day
ROWS_PER_STEP = 10  # rows decoded between two checks for foreground work
# A batch of 50 writes ~35 WAL pages; SQLite's own checkpoint starts at 1,000 pages.
CHECKPOINT_EVERY = 8

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
    standby: str | None = None  # another relay holds the lease: who (this one sends nothing)

    def add(self, other: RunCounts) -> None:
        for name in ("created", "sent", "delivered", "retried", "dead", "endpoints_disabled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


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
        http: urllib3.PoolManager | None = None,
        clock: Clock = utcnow,
        jitter: Jitter = random.uniform,
        on_status: Callable[[RunCounts], None] | None = None,
        batch_size: int | None = None,
        workers: int | None = None,
        station_id: str = "relay",
    ) -> None:
        self.db = db
        self.station_id = station_id  # recorded on the relay's audit events
        self.config = config or SyncConfig()
        workers = workers or self.config.relay_workers
        self._own_http = http is None
        # urllib3, not httpx: the relay shares the interpreter with the bench, and httpx costs
        # about twice the CPU per request (its pool scans every connection on each request),
        # time taken from a grader's finalize. See bench/bench_sync.py.
        self._http = http or urllib3.PoolManager(
            maxsize=workers,
            block=False,
            timeout=urllib3.Timeout(
                connect=self.config.request_timeout_s, read=self.config.request_timeout_s
            ),
            retries=False,  # the relay's own backoff decides, from the database
        )
        self._clock = clock
        self._jitter = jitter
        self._on_status = on_status
        self._batch_size = batch_size or self.config.relay_batch_size
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="relay-send")
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_prune: datetime | None = None
        self._lease = RelayLease(db)
        self._standby_logged: str | None = None
        self._batches_since_checkpoint = 0

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
        try:
            self._lease.release()
        except Exception:  # a closing relay must not fail on a locked database
            log.exception("could not release the relay lease (it expires by itself)")
        if self._own_http:
            self._http.clear()

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
            self._step_aside()
            holder = self._lease.acquire()
            if holder is not None:
                total.standby = holder.describe()
                if self._standby_logged != holder.owner:
                    log.info("relay standing by: %s is delivering", total.standby)
                    self._standby_logged = holder.owner
                return total
            self._standby_logged = None
            total.created += self.ensure_deliveries()
            jobs = self._due_jobs(started, failed)
            if not jobs:
                break
            outcomes = list(self._pool.map(self._send, jobs))
            counts = self._record(outcomes)
            self._batches_since_checkpoint += 1
            if self._batches_since_checkpoint >= CHECKPOINT_EVERY:
                # The log copy runs here, in the relay's thread, before the log reaches the
                # size at which a commit (perhaps a grader's finalize) would have to do it.
                self.db.checkpoint()
                self._batches_since_checkpoint = 0
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
        """One delivery row per (new event, enabled subscribed endpoint); see ``fan_out``."""
        return fan_out(self.db, stopping=self._stop.is_set, step_aside=self._step_aside)

    def claim_query(self, now: datetime, exclude: set[uuid.UUID] | None = None) -> Select[Any]:
        """The due deliveries ``_due_jobs`` takes (public so its query plan can be checked)."""
        d, e = OutboxDelivery, OutboxEvent
        older = aliased(OutboxDelivery)
        query = (
            select(d.id, d.event_id, d.endpoint_id, d.attempts, e.payload)
            .join(e, e.id == d.event_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == d.endpoint_id)
            .where(d.state == DeliveryStatus.PENDING, WebhookEndpoint.enabled)
            .where(or_(d.next_attempt_at.is_(None), d.next_attempt_at <= now))
            .where(
                ~exists().where(
                    older.endpoint_id == d.endpoint_id,
                    older.aggregate_id == d.aggregate_id,
                    older.state.in_(BLOCKING_STATES),
                    or_(
                        older.event_created_at < d.event_created_at,
                        and_(
                            older.event_created_at == d.event_created_at,
                            older.event_id < d.event_id,
                        ),
                    ),
                )
            )
            .order_by(d.event_created_at, d.event_id)
            .limit(self._batch_size)
        )
        if exclude:
            query = query.where(d.id.not_in(exclude))
        return query

    def _due_jobs(self, now: datetime, exclude: set[uuid.UUID]) -> list[Job]:
        """The oldest undelivered delivery of each unit per enabled endpoint, if it is due.

        Walks pending deliveries in event order and keeps a row only when no older delivery of
        its unit is pending or dead (a dead letter holds the unit's later events): index probes
        (``ix_outbox_deliveries_unit_order``), so a pass costs about the batch (plus the few
        held rows it looks past), not the backlog.
        """
        query = self.claim_query(now, exclude)
        rows: list[Any] = []
        with self.db.read() as session:
            # Row by row decoding is the relay's biggest CPU chunk: take it in small pieces and
            # step aside between them, so a grader's finalize never waits behind a whole batch.
            for part in session.execute(query).partitions(ROWS_PER_STEP):
                rows.extend(part)
                self._step_aside()
            endpoints = {
                ep.id: ep
                for ep in session.scalars(
                    select(WebhookEndpoint).where(WebhookEndpoint.id.in_({r[2] for r in rows}))
                )
            }
        jobs = []
        # One row per unit and endpoint: the (created_at, event id) order is total.
        for delivery_id, event_id, endpoint_id, attempts, payload in rows:
            endpoint = endpoints[endpoint_id]
            secrets = (endpoint.secret, *(endpoint.previous_secrets or []))
            jobs.append(
                Job(
                    delivery_id=delivery_id,
                    event_id=event_id,
                    endpoint_id=endpoint_id,
                    url=endpoint.url,
                    secrets=secrets,
                    payload=payload,
                    attempts=attempts,
                )
            )
        return jobs

    def _step_aside(self) -> None:
        """Background work: let a grader's write (finalize) run first; see WriteGate."""
        if self.db.gate is not None:
            self.db.gate.yield_to_foreground()

    def _send(self, job: Job) -> Outcome:
        self._step_aside()
        return send(self._http, job)

    def _backoff(self, attempts_before: int, retry_after_s: float | None) -> float:
        cap = min(self.config.max_backoff_s, self.config.base_backoff_s * 2**attempts_before)
        delay = self._jitter(0.0, cap)
        if retry_after_s is not None and retry_after_s > delay:
            delay = min(retry_after_s, MAX_RETRY_AFTER_S)
        return delay

    def _record(self, outcomes: list[Outcome]) -> RunCounts:
        """All results of a batch in one transaction: one fsync per batch, not per event."""
        counts = RunCounts(sent=sum(1 for o in outcomes if o.invalid is None))
        now = self._clock()
        delivered_events: set[uuid.UUID] = set()
        delivered_rows: list[dict[str, Any]] = []
        audit_delivered: list[tuple[uuid.UUID, str, uuid.UUID, int]] = []
        audit_dead: list[tuple[uuid.UUID, str, uuid.UUID, dict[str, Any]]] = []
        audit_disabled: list[tuple[uuid.UUID, str]] = []
        with self.db.write(background=True) as session:
            for outcome in outcomes:
                job, status = outcome.job, outcome.status
                attempts = job.attempts + 1
                if outcome.invalid is None and status is not None and 200 <= status < 300:
                    # The common case goes out as one executemany below: a short write lock.
                    delivered_rows.append({"_id": job.delivery_id, "_attempts": attempts,
                                           "_status": status, "_body": outcome.response_body})  # fmt: skip
                    delivered_events.add(job.event_id)
                    audit_delivered.append((job.endpoint_id, job.url, job.event_id, status))
                    counts.delivered += 1
                    continue
                values: dict[str, Any] = {
                    "attempts": attempts,
                    "last_status": status,
                    "response_body": outcome.response_body,
                }
                if outcome.invalid is not None:
                    # A bug in the station, not a network fault: retrying cannot help, and
                    # sending it could make a receiver act on a malformed verdict.
                    values |= {"state": DeliveryStatus.DEAD,
                               "last_error": f"not sent, fails its schema: {outcome.invalid}"}  # fmt: skip
                    counts.dead += 1
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
                    if status == 410 and self._disable(session, job, now):
                        counts.endpoints_disabled += 1
                        audit_disabled.append((job.endpoint_id, job.url))
                session.execute(
                    update(OutboxDelivery)
                    .where(OutboxDelivery.id == job.delivery_id)
                    .values(**values)
                )
                if values.get("state") == DeliveryStatus.DEAD:
                    log.warning("delivery %s to %s dead: %s", job.event_id, job.url, values)
                    audit_dead.append((job.endpoint_id, job.url, job.event_id, values))
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
                            OutboxDelivery.state.not_in(DONE_STATES),
                        )
                    )
                    .values(state=DeliveryState.DELIVERED.value, delivered_at=now)
                )
            audit_deliveries(session, self.station_id, audit_delivered, audit_dead, audit_disabled)
        return counts

    def _disable(self, session: Any, job: Job, now: datetime) -> int:
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
        return prune_delivered(self.db, cutoff)
