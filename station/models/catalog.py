"""Who the station works for and with: users, sellers and the SKUs sellers sell."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.models.base import Base, created_column, id_column


class Role(StrEnum):
    GRADER = "grader"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = id_column()
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16), default=Role.GRADER.value)
    language: Mapped[str] = mapped_column(String(16), default="en")
    # Memory-hard hash of the PIN or password (station.auth); never the clear value.
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = created_column()
    # Lockout: consecutive wrong PINs, and until when sign-in is refused after too many.
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    pin_changed_at: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]


class DemoCredential(Base):
    """A demo user's PIN in the clear: written only by ``station demo seed``, so that a demo
    station's sign-in screen can say how to sign in. A real database has none."""

    __tablename__ = "demo_credentials"

    username: Mapped[str] = mapped_column(
        String(64), ForeignKey("users.username", ondelete="CASCADE"), primary_key=True
    )
    pin: Mapped[str] = mapped_column(String(32))


class Seller(Base):
    __tablename__ = "sellers"

    id: Mapped[uuid.UUID] = id_column()
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Language of the seller's inspection reports and condition texts (BCP 47, e.g. "zh-CN").
    language: Mapped[str] = mapped_column(String(16), default="en")
    default_currency: Mapped[str] = mapped_column(String(3), default="USD")
    created_at: Mapped[datetime] = created_column()
    # Agreed time to answer a dispute about one of this seller's units.
    dispute_sla_hours: Mapped[int] = mapped_column(default=72, server_default="72")

    skus: Mapped[list[Sku]] = relationship(back_populates="seller")


class Sku(Base):
    __tablename__ = "skus"
    __table_args__ = (UniqueConstraint("seller_id", "code"),)

    id: Mapped[uuid.UUID] = id_column()
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers.id"))
    code: Mapped[str] = mapped_column(String(64))
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(64))
    expected_unit_weight_g: Mapped[float | None]
    # Size / measurement spec as data, e.g. {"size": "M", "measurements": {"chest_cm": 52}}.
    spec: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = created_column()

    seller: Mapped[Seller] = relationship(back_populates="skus")
