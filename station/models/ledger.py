"""Append-only records: the hash-chained audit trail and the transactional outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from station.models.base import Base, created_column, id_column


class AuditEvent(Base):
    """One state change. ``hash`` covers this row and ``prev_hash``, so edits break the chain."""

    __tablename__ = "audit_events"
    # SQLite then records the highest seq ever issued: deleting the newest rows is detectable.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012

    # Integer key: the chain needs a total order that survives clock skew between writers.
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    )
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    occurred_at: Mapped[datetime] = created_column()
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    station_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


class OutboxEvent(Base):
    """Written in the same transaction as the fact it announces; the relay delivers it later."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_state_next", "state", "next_attempt_at"),
        Index("ix_outbox_events_fanout", "fanned_out", "created_at"),
    )

    id: Mapped[uuid.UUID] = id_column()
    event_type: Mapped[str] = mapped_column(String(64))
    aggregate_type: Mapped[str] = mapped_column(String(32))
    aggregate_id: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = created_column()
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    # The relay has created this event's deliveries. An index on it finds new events without
    # scanning every pending one (a backlog of 20,000 cost 25 ms per relay pass before).
    fanned_out: Mapped[bool] = mapped_column(default=False, server_default=false())
