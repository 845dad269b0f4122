"""Audit events for what the relay did: delivered (per batch and endpoint), dead-lettered,
endpoint disabled. Why: a refund is triggered upstream by a delivery, so "was it sent, when,
to whom" belongs in the same tamper-evident trail as the verdict itself."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from station.audit import append_audit


def audit_deliveries(
    session: Session,
    station_id: str,
    delivered: list[tuple[uuid.UUID, str, uuid.UUID, int]],  # endpoint, url, event, status
    dead: list[tuple[uuid.UUID, str, uuid.UUID, dict[str, Any]]],  # endpoint, url, event, values
    disabled: list[tuple[uuid.UUID, str]],  # endpoint, url
) -> None:
    by_endpoint: dict[tuple[uuid.UUID, str], list[str]] = defaultdict(list)
    for endpoint_id, url, event_id, _status in delivered:
        by_endpoint[(endpoint_id, url)].append(str(event_id))
    for (endpoint_id, url), events in by_endpoint.items():
        append_audit(session, station_id=station_id, action="sync.delivered",
                     entity_type="endpoint", entity_id=endpoint_id,
                     after={"url": url, "events": events})  # fmt: skip
    for endpoint_id, url, event_id, values in dead:
        append_audit(session, station_id=station_id, action="sync.dead_lettered",
                     entity_type="endpoint", entity_id=endpoint_id,
                     after={"url": url, "event": str(event_id),
                            "status": values.get("last_status"),
                            "error": values.get("last_error")})  # fmt: skip
    for endpoint_id, url in disabled:
        append_audit(session, station_id=station_id, action="sync.endpoint_disabled",
                     entity_type="endpoint", entity_id=endpoint_id,
                     after={"url": url, "reason": "410 Gone"})  # fmt: skip
