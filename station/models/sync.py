"""Sync: webhook endpoints, per-endpoint delivery state of outbox events, pull cursors, and
upstream changes to RMAs that could not be applied because the units were already inspected."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from station.models.base import Base, created_column, id_column


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = id_column()
    url: Mapped[str] = mapped_column(String(2000))
    # Standard Webhooks secret ("whsec_" + base64); older secrets keep signing during a rotation.
    secret: Mapped[str] = mapped_column(String(200))
    previous_secrets: Mapped[list[str]] = mapped_column(default=list)
    # Event types delivered here; empty: all of them.
    event_types: Mapped[list[str]] = mapped_column(default=list)
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = created_column()


class DeliveryStatus:
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    # A dead letter a supervisor settled by hand (not sent again): it stops holding its unit.
    RESOLVED = "resolved"


# A unit's later events wait while an earlier one is in one of these states (per endpoint).
BLOCKING_STATES = (DeliveryStatus.PENDING, DeliveryStatus.DEAD)
# Nothing more will be sent: an event whose deliveries are all done is finished.
DONE_STATES = (DeliveryStatus.DELIVERED, DeliveryStatus.RESOLVED)


class OutboxDelivery(Base):
    """One outbox event to one endpoint: delivered at least once, never dropped silently."""

    __tablename__ = "outbox_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        Index("ix_outbox_deliveries_state_next", "state", "next_attempt_at"),
        # The relay walks pending deliveries in event order and asks, per row, whether an
        # older one of the same unit is still pending: index probes, no GROUP BY. ``state`` is
        # left out of the unit index on purpose: a delivery changing state then rewrites no
        # entry there (those entries are scattered by unit; rewriting them tripled the pages
        # each relay commit wrote), and a unit has only a handful of events to look past.
        Index("ix_outbox_deliveries_state_order", "state", "event_created_at"),
        Index(
            "ix_outbox_deliveries_unit_order",
            "endpoint_id",
            "aggregate_id",
            "event_created_at",
        ),
    )

    id: Mapped[uuid.UUID] = id_column()
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outbox_events.id"))
    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoints.id"))
    # The unit the event is about: one event per unit in flight keeps each unit's order.
    aggregate_id: Mapped[str] = mapped_column(String(64), index=True)
    # The event's created_at, copied so the unit-order rule needs no join (see the index).
    event_created_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    response_body: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_column()


class SyncCursor(Base):
    """Where a pull stopped (an opaque cursor from upstream), so the next pull resumes there."""

    __tablename__ = "sync_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = created_column()


class RmaUpstreamChange(Base):
    """An upstream change to an RMA whose units were already inspected: kept, not applied."""

    __tablename__ = "rma_upstream_changes"

    id: Mapped[uuid.UUID] = id_column()
    rma_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rmas.id"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = created_column()
    reviewed: Mapped[bool] = mapped_column(default=False)
