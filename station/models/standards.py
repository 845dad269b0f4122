"""Every standard version the station has ever loaded, stored by content hash.

A verdict records the hash of the standard it was judged by; keeping the merged content here
means the station can re-evaluate and explain that verdict years later, after the file changed
or was deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from station.models.base import Base, created_column


class StandardVersion(Base):
    __tablename__ = "standard_versions"
    __table_args__ = (Index("ix_standard_versions_standard_loaded", "standard_id", "loaded_at"),)

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    standard_id: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(32))
    seller: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(64))
    # The merged, validated standard in canonical form (what content_hash covers).
    content: Mapped[dict[str, Any]]
    source: Mapped[str | None] = mapped_column(String(500))
    loaded_at: Mapped[datetime] = created_column()
