"""Webhook endpoints: where the relay delivers outbox events, and with which secret.

Secrets follow the Standard Webhooks format (``whsec_`` + base64) so any receiver using an
official Standard Webhooks library can verify our signatures without custom code.
"""

from __future__ import annotations

import base64
import binascii
import logging
import secrets
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from station.audit import audit_action
from station.db import Database
from station.models.sync import OutboxDelivery, WebhookEndpoint
from station.outbox import refan_pending
from station.permissions import Permission, authorize
from station.services.common import Actor
from station.timeutil import utcnow

log = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"


class EndpointError(ValueError):
    """An endpoint request the user must fix (bad URL, bad secret, unknown id)."""


@dataclass(frozen=True)
class EndpointView:
    id: uuid.UUID
    url: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    rotating: bool  # previous secrets still sign during a key rotation


def generate_secret() -> str:
    """24 random bytes, the size the Standard Webhooks reference libraries generate."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def validate_secret(secret: str) -> str:
    if not secret.startswith(SECRET_PREFIX):
        raise EndpointError(f"the secret must start with {SECRET_PREFIX!r}")
    body = secret[len(SECRET_PREFIX) :]
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EndpointError("the secret must be whsec_ followed by base64") from exc
    if len(raw) < 16:
        raise EndpointError("the secret is too short (at least 16 bytes of key)")
    return secret


def validate_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"not an http(s) URL: {url!r}")
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        log.warning("endpoint %s is plain http: events travel unencrypted", url)
    return url


def _view(endpoint: WebhookEndpoint) -> EndpointView:
    return EndpointView(
        id=endpoint.id,
        url=endpoint.url,
        event_types=list(endpoint.event_types or []),
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        rotating=bool(endpoint.previous_secrets),
    )


def _audited(session: Session, actor: Actor, action: str, endpoint: WebhookEndpoint) -> None:
    """Where verdicts (refunds) go is a supervisor's decision, recorded with who made it.
    Never the secret: the audit trail is exported and shown."""
    audit_action(session, actor, action=f"sync.endpoint_{action}", entity_type="endpoint",
                 entity_id=str(endpoint.id),
                 after={"url": endpoint.url, "enabled": endpoint.enabled,
                        "event_types": list(endpoint.event_types or [])})  # fmt: skip


def add_endpoint(
    db: Database,
    actor: Actor,
    url: str,
    *,
    secret: str | None = None,
    event_types: list[str] | None = None,
) -> tuple[EndpointView, str]:
    """Returns the endpoint and its secret (generated when not given: shown to the user once).
    Endpoint changes are sync management (``Permission.MANAGE_SYNC``), checked and audited in
    the same transaction as the change."""
    validate_url(url)
    secret = validate_secret(secret) if secret else generate_secret()
    now = utcnow()
    endpoint = WebhookEndpoint(
        url=url,
        secret=secret,
        previous_secrets=[],
        event_types=sorted({t.strip() for t in event_types or [] if t.strip()}),
        enabled=True,
        created_at=now,
        updated_at=now,
    )
    with db.write() as session:
        authorize(session, actor, Permission.MANAGE_SYNC)
        session.add(endpoint)
        session.flush()
        refan_pending(session)
        _audited(session, actor, "added", endpoint)
        return _view(endpoint), secret


def list_endpoints(db: Database) -> list[EndpointView]:
    with db.read() as session:
        rows = session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at))
        return [_view(e) for e in rows]


def _get(session: Session, endpoint_id: uuid.UUID | str) -> WebhookEndpoint:
    try:
        key = endpoint_id if isinstance(endpoint_id, uuid.UUID) else uuid.UUID(str(endpoint_id))
    except ValueError as exc:
        raise EndpointError(f"not an endpoint id: {endpoint_id}") from exc
    endpoint = session.get(WebhookEndpoint, key)
    if endpoint is None:
        raise EndpointError(f"no endpoint {endpoint_id}")
    return endpoint


def remove_endpoint(db: Database, actor: Actor, endpoint_id: uuid.UUID | str) -> None:
    """Removes the endpoint and its delivery records: it will receive nothing more."""
    with db.write() as session:
        authorize(session, actor, Permission.MANAGE_SYNC)
        endpoint = _get(session, endpoint_id)
        _audited(session, actor, "removed", endpoint)
        session.execute(delete(OutboxDelivery).where(OutboxDelivery.endpoint_id == endpoint.id))
        session.delete(endpoint)


def set_enabled(
    db: Database,
    actor: Actor,
    endpoint_id: uuid.UUID | str,
    enabled: bool,
    reason: str | None = None,
) -> EndpointView:
    """Disabling keeps pending deliveries (nothing is dropped); enabling resumes them."""
    with db.write() as session:
        authorize(session, actor, Permission.MANAGE_SYNC)
        endpoint = _get(session, endpoint_id)
        if enabled and not endpoint.enabled:
            refan_pending(session)
        endpoint.enabled = enabled
        endpoint.disabled_reason = None if enabled else (reason or "disabled by user")
        endpoint.updated_at = utcnow()
        _audited(session, actor, "enabled" if enabled else "disabled", endpoint)
        return _view(endpoint)


def rotate_secret(
    db: Database, actor: Actor, endpoint_id: uuid.UUID | str, new_secret: str | None = None
) -> str:
    """New secret signs from now on; the old one keeps signing until the receiver switches."""
    secret = validate_secret(new_secret) if new_secret else generate_secret()
    with db.write() as session:
        authorize(session, actor, Permission.MANAGE_SYNC)
        endpoint = _get(session, endpoint_id)
        _audited(session, actor, "secret_rotated", endpoint)
        endpoint.previous_secrets = [endpoint.secret, *(endpoint.previous_secrets or [])][:2]
        endpoint.secret = secret
        endpoint.updated_at = utcnow()
    return secret
