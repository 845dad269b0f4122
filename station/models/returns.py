"""Expected returns (RMAs) and what physically arrives (parcels)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.models.base import Base, created_column, id_column
from station.models.catalog import Seller, Sku


class RmaStatus(StrEnum):
    EXPECTED = "expected"
    RECEIVING = "receiving"
    RECEIVED = "received"
    CLOSED = "closed"


class Rma(Base):
    __tablename__ = "rmas"

    id: Mapped[uuid.UUID] = id_column()
    # Normalised (upper case, no spaces) so a scan matches with one indexed equality.
    number: Mapped[str] = mapped_column(String(64), unique=True)
    # The upstream system's own id for this return (RMA pull upserts by it).
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_order_id: Mapped[str | None] = mapped_column(String(64), index=True)
    customer_ref: Mapped[str | None] = mapped_column(String(128), index=True)
    customer_country: Mapped[str | None] = mapped_column(String(2))
    reason_code: Mapped[str | None] = mapped_column(String(32))
    reason_text: Mapped[str | None] = mapped_column(String(1000))
    delivered_on: Mapped[date | None]
    # Days after delivery the customer may return; None when the seller set no window.
    return_window_days: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default=RmaStatus.EXPECTED.value, index=True)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = created_column()

    seller: Mapped[Seller] = relationship()
    lines: Mapped[list[RmaLine]] = relationship(
        back_populates="rma", order_by="RmaLine.line_no", cascade="all, delete-orphan"
    )
    tracking_numbers: Mapped[list[RmaTracking]] = relationship(
        back_populates="rma", cascade="all, delete-orphan"
    )

    def return_deadline(self) -> date | None:
        if self.delivered_on is None or self.return_window_days is None:
            return None
        from datetime import timedelta

        return self.delivered_on + timedelta(days=self.return_window_days)


class RmaTracking(Base):
    """An inbound tracking number of an RMA; several per RMA (multi-parcel returns) are common."""

    __tablename__ = "rma_tracking"
    __table_args__ = (UniqueConstraint("rma_id", "tracking_number"),)

    id: Mapped[uuid.UUID] = id_column()
    rma_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rmas.id", ondelete="CASCADE"))
    tracking_number: Mapped[str] = mapped_column(String(64), index=True)
    carrier: Mapped[str | None] = mapped_column(String(32))

    rma: Mapped[Rma] = relationship(back_populates="tracking_numbers")


class RmaLine(Base):
    __tablename__ = "rma_lines"
    __table_args__ = (UniqueConstraint("rma_id", "line_no"),)

    id: Mapped[uuid.UUID] = id_column()
    rma_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rmas.id", ondelete="CASCADE"))
    line_no: Mapped[int]
    # Upstream's id for the line (e.g. Shopify ReturnLineItem gid), sent back in verdict events.
    external_id: Mapped[str | None] = mapped_column(String(128))
    sku_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("skus.id"), index=True)
    sku_code: Mapped[str] = mapped_column(String(64))
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)
    qty_expected: Mapped[int] = mapped_column(default=1)
    qty_received: Mapped[int] = mapped_column(default=0)
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    serials: Mapped[list[str]] = mapped_column(default=list)
    # Overrides the SKU's expected unit weight when the order said otherwise.
    expected_unit_weight_g: Mapped[float | None]

    rma: Mapped[Rma] = relationship(back_populates="lines")
    sku: Mapped[Sku | None] = relationship()


class Parcel(Base):
    """A parcel opened at a bench: matched to an RMA, or a blind return (rma_id is None)."""

    __tablename__ = "parcels"

    id: Mapped[uuid.UUID] = id_column()
    received_at: Mapped[datetime] = created_column()
    station_id: Mapped[str] = mapped_column(String(64))
    received_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    scanned_code: Mapped[str] = mapped_column(String(128))
    tracking_number: Mapped[str | None] = mapped_column(String(64), index=True)
    carrier: Mapped[str | None] = mapped_column(String(32))
    rma_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("rmas.id"), index=True)
    is_blind: Mapped[bool] = mapped_column(default=False)

    rma: Mapped[Rma | None] = relationship()
