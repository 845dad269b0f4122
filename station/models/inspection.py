"""One physical unit examined at a bench, the facts recorded, and the verdict it ends in."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.models.base import Base, created_column, id_column
from station.models.returns import Parcel, RmaLine


class InspectionStatus(StrEnum):
    DRAFT = "draft"
    FINALIZED = "finalized"
    CANCELLED = "cancelled"


class FindingKind(StrEnum):
    ANSWER = "answer"
    MEASUREMENT = "measurement"
    DEFECT = "defect"


class Inspection(Base):
    __tablename__ = "inspections"

    id: Mapped[uuid.UUID] = id_column()
    parcel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parcels.id"), index=True)
    rma_line_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("rma_lines.id"), index=True)
    sku_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("skus.id"))
    grader_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    station_id: Mapped[str] = mapped_column(String(64))
    serial_number: Mapped[str | None] = mapped_column(String(128))
    # A blind return's item as the grader described it, when no GTIN or SKU identified it.
    item_description: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime] = created_column()
    finished_at: Mapped[datetime | None]
    standard_id: Mapped[str] = mapped_column(String(128))
    standard_version: Mapped[str] = mapped_column(String(32))
    # SHA-256 of the standard's canonical form: the exact rules this unit was judged by.
    standard_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=InspectionStatus.DRAFT.value)
    # A blind re-inspection of the same unit for a dispute: its verdict informs the supervisor
    # and is never sent upstream; the unit keeps its LPN and its verdict in force.
    second_opinion_for_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("inspections.id"))

    parcel: Mapped[Parcel] = relationship()
    rma_line: Mapped[RmaLine | None] = relationship()
    findings: Mapped[list[Finding]] = relationship(
        back_populates="inspection", order_by="Finding.recorded_at"
    )
    photos: Mapped[list[Photo]] = relationship(
        back_populates="inspection", order_by="Photo.taken_at"
    )
    weight_readings: Mapped[list[WeightReading]] = relationship(
        back_populates="inspection", order_by="WeightReading.read_at"
    )
    verdicts: Mapped[list[Verdict]] = relationship(
        back_populates="inspection", order_by="Verdict.revision"
    )


class Finding(Base):
    """A checklist answer, a measurement, or a defect (kind says which columns are used)."""

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_inspection_item", "inspection_id", "item_code"),)

    id: Mapped[uuid.UUID] = id_column()
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"))
    kind: Mapped[str] = mapped_column(String(16))
    # Checklist item code for answers/measurements, defect code for defects.
    item_code: Mapped[str] = mapped_column(String(64))
    answer: Mapped[Any | None] = mapped_column(JSON)
    value: Mapped[float | None]
    unit: Mapped[str | None] = mapped_column(String(16))
    zone: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = created_column()

    inspection: Mapped[Inspection] = relationship(back_populates="findings")


class Photo(Base):
    __tablename__ = "photos"

    id: Mapped[uuid.UUID] = id_column()
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    # Relative to the photo store root, so a data dir can move without rewriting rows.
    file_path: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    byte_size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None]
    height: Mapped[int | None]
    taken_at: Mapped[datetime] = created_column()

    inspection: Mapped[Inspection] = relationship(back_populates="photos")


class WeightReading(Base):
    __tablename__ = "weight_readings"

    id: Mapped[uuid.UUID] = id_column()
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"), index=True)
    grams: Mapped[float]
    stable: Mapped[bool]
    device: Mapped[str] = mapped_column(String(128))
    # The frame exactly as the scale sent it, kept as evidence.
    raw_frame: Mapped[str | None] = mapped_column(Text)
    read_at: Mapped[datetime] = created_column()

    inspection: Mapped[Inspection] = relationship(back_populates="weight_readings")


class Verdict(Base):
    """Immutable: a change is a new row with a higher revision that supersedes this one."""

    __tablename__ = "verdicts"

    id: Mapped[uuid.UUID] = id_column()
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"), index=True)
    revision: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("verdicts.id"), unique=True)
    grade: Mapped[str] = mapped_column(String(8))
    disposition: Mapped[str] = mapped_column(String(32))
    refund_kind: Mapped[str] = mapped_column(String(16))
    refund_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    refund_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    responsibility: Mapped[str] = mapped_column(String(32))
    reason_codes: Mapped[list[str]] = mapped_column(default=list)
    warnings: Mapped[list[str]] = mapped_column(default=list)
    # How the standard got from facts to this verdict, step by step.
    trace: Mapped[list[Any]] = mapped_column(default=list)
    standard_hash: Mapped[str] = mapped_column(String(64))
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = created_column()

    inspection: Mapped[Inspection] = relationship(back_populates="verdicts")


class Lpn(Base):
    """Licence plate number printed for each inspected unit."""

    __tablename__ = "lpns"

    id: Mapped[uuid.UUID] = id_column()
    code: Mapped[str] = mapped_column(String(32), unique=True)
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"), unique=True)
    created_at: Mapped[datetime] = created_column()
    printed_at: Mapped[datetime | None]
    print_count: Mapped[int] = mapped_column(default=0)
