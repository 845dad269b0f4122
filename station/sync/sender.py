"""One webhook delivery attempt: the Standard Webhooks signature and the HTTP request.

Why a module of its own: the relay decides *when* and *whether* to send (order per unit,
backoff, dead letters) from the database; this part only turns one stored event into one signed
request and its outcome, with no database. The body is the stored envelope serialized
canonically, so a retry is byte-identical (only the timestamp and signature change), and during
a secret rotation each request carries one signature per secret.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import urllib3
from standardwebhooks import Webhook
from urllib3.exceptions import HTTPError as TransportError
from urllib3.exceptions import NewConnectionError
from urllib3.exceptions import TimeoutError as TransportTimeout

from station.sync.events import EventSchemaError, validate_event
from station.sync.retry_after import parse_retry_after

RESPONSE_BODY_LIMIT = 2000
ERROR_LIMIT = 500


@dataclass(frozen=True)
class Job:
    delivery_id: uuid.UUID
    event_id: uuid.UUID
    endpoint_id: uuid.UUID
    url: str
    secrets: tuple[str, ...]
    payload: dict[str, Any]
    attempts: int


@dataclass
class Outcome:
    job: Job
    status: int | None = None
    error: str | None = None
    response_body: str | None = None
    retry_after_s: float | None = None
    invalid: str | None = None  # the event fails its published schema: never sent
    extra: dict[str, Any] = field(default_factory=dict)


def canonical_body(envelope: dict[str, Any]) -> str:
    """Sorted keys, no whitespace: the same bytes on every retry, so signatures are stable."""
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sign(secrets: tuple[str, ...] | list[str], msg_id: str, timestamp: datetime, body: str) -> str:
    """One ``v1,<b64>`` per secret, space-separated: receivers accept any one during rotation."""
    return " ".join(Webhook(s).sign(msg_id, timestamp, body) for s in secrets)


def send(http: urllib3.PoolManager, job: Job) -> Outcome:
    """Validates, signs and POSTs one event; never raises for what the receiver or the network
    does: the outcome says it (status, error, the kept part of the body, Retry-After)."""
    try:
        validate_event(job.payload)  # receivers code against the published schema
    except EventSchemaError as exc:
        return Outcome(job, invalid=str(exc)[:ERROR_LIMIT])
    body = canonical_body(job.payload)  # here, not when batching: CPU only when sending
    msg_id = str(job.event_id)
    timestamp = datetime.now(UTC)  # wall clock: receivers check it against theirs
    headers = {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": sign(job.secrets, msg_id, timestamp, body),
        "user-agent": "returns-station-relay/1",
    }
    try:
        response = http.request(
            "POST",
            job.url,
            body=body.encode("utf-8"),
            headers=headers,
            redirect=False,
            preload_content=False,
        )
    except NewConnectionError as exc:  # first: urllib3 makes it a ConnectTimeoutError too
        return Outcome(job, error=f"ConnectError: {exc}"[:ERROR_LIMIT])
    except TransportTimeout as exc:
        return Outcome(job, error=f"timeout: {type(exc).__name__}")
    except TransportError as exc:
        return Outcome(job, error=f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT])
    outcome = Outcome(job, status=response.status)
    try:
        # Read the body only when it is kept; a big one is cut and its connection dropped.
        if response.status >= 300:
            data = response.read(RESPONSE_BODY_LIMIT * 4, decode_content=True)
            outcome.response_body = data.decode("utf-8", "replace")[:RESPONSE_BODY_LIMIT]
            outcome.retry_after_s = parse_retry_after(
                response.headers.get("retry-after"), datetime.now(UTC)
            )
        else:
            response.read(RESPONSE_BODY_LIMIT * 4)
    except (TransportError, OSError):
        pass  # the status is what counts; the connection is dropped below
    finally:
        if not response.closed:
            response.close()  # a longer body than we keep: drop the connection, not read on
        response.release_conn()
    return outcome
