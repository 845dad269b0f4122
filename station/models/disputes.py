"""Disputes about verdicts, and supervisor reviews of flagged verdicts.

A dispute never edits a verdict: resolving it as "revised" writes a new verdict revision that
supersedes the disputed one (verdicts are append-only). The row carries a version number so
two supervisors resolving the same dispute at once cannot both win (optimistic locking).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from station.models.base import Base, created_column, id_column


class DisputeState(StrEnum):
    OPEN = "open"
    IN_REVIEW = "in_review"
    UPHELD = "upheld"  # the grade stands
    REVISED = "revised"  # a new verdict revision replaced it
    CLOSED = "closed"


class DisputeSource(StrEnum):
    BENCH = "bench"  # opened by a supervisor at the station
    UPSTREAM = "upstream"  # pulled from the seller's or customer service's system


class Dispute(Base):
    __tablename__ = "disputes"
    __table_args__ = (Index("ix_disputes_state_due", "state", "sla_due_at"),)

    id: Mapped[uuid.UUID] = id_column()
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"), index=True)
    verdict_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("verdicts.id"))  # disputed
    source: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)  # upstream id
    opened_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    opened_by_party: Mapped[str | None] = mapped_column(String(64))  # "seller", "customer_service"
    reason: Mapped[str] = mapped_column(Text)
    # What the disputing party asks for, e.g. {"grade": "A", "refund_percent": "100"}.
    requested_outcome: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comments: Mapped[list[Any]] = mapped_column(default=list)  # [{at, by, text}]
    attachments: Mapped[list[Any]] = mapped_column(default=list)  # [{name, url, sha256}]
    state: Mapped[str] = mapped_column(String(16), default=DisputeState.OPEN.value)
    opened_at: Mapped[datetime] = created_column()
    sla_due_at: Mapped[datetime]
    updated_at: Mapped[datetime] = created_column()
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    resolution_reason: Mapped[str | None] = mapped_column(Text)
    revised_verdict_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("verdicts.id"))
    # A blind re-inspection by another grader (second opinion), when one was asked for.
    second_opinion_inspection_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("inspections.id")
    )
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class VerdictReview(Base):
    """A supervisor looked at a flagged verdict (the standard's warnings) and decided."""

    __tablename__ = "verdict_reviews"

    id: Mapped[uuid.UUID] = id_column()
    verdict_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("verdicts.id"), unique=True)
    reviewed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = created_column()
    outcome: Mapped[str] = mapped_column(String(16))  # "accepted" or "disputed"
    note: Mapped[str | None] = mapped_column(Text)
