"""Every label the station printed (or wrote to a file), so any of them can be printed again."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from station.models.base import Base, created_column, id_column


class LabelPrint(Base):
    __tablename__ = "label_prints"

    id: Mapped[uuid.UUID] = id_column()
    inspection_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("inspections.id"), index=True
    )
    parcel_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("parcels.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), index=True)  # the LPN (or receipt code) shown
    kind: Mapped[str] = mapped_column(String(16))
    size: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(8))
    dpi: Mapped[int]
    language: Mapped[str] = mapped_column(String(16))
    # The date printed on the label: a reprint shows the original date, so it is the same label.
    label_date: Mapped[date]
    printer: Mapped[str | None] = mapped_column(String(64))
    job_id: Mapped[str | None] = mapped_column(String(64))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    reprint_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("label_prints.id"))
    printed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    station_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()
