"""Recent finalized inspections at this station's database, for reprints and reports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from station.db import Database
from station.models import (
    Inspection,
    InspectionStatus,
    LabelPrint,
    Lpn,
    Rma,
    RmaLine,
    Seller,
    Verdict,
)


@dataclass(frozen=True)
class HistoryRow:
    inspection_id: uuid.UUID
    finished_at: datetime
    lpn: str
    rma_number: str | None
    seller_code: str | None
    sku: str | None
    grade: str
    disposition: str
    labels_printed: int


def recent_inspections(
    db: Database, *, limit: int = 200, seller_code: str | None = None
) -> list[HistoryRow]:
    """Newest first; the latest verdict revision of each inspection."""
    latest = (
        select(Verdict.inspection_id, func.max(Verdict.revision).label("revision"))
        .group_by(Verdict.inspection_id)
        .subquery()
    )
    labels = (
        select(LabelPrint.inspection_id, func.count().label("printed"))
        .group_by(LabelPrint.inspection_id)
        .subquery()
    )
    query = (
        select(
            Inspection.id, Inspection.finished_at, Lpn.code, Rma.number, Seller.code,
            RmaLine.sku_code, Verdict.grade, Verdict.disposition, labels.c.printed,
        )
        .join(Lpn, Lpn.inspection_id == Inspection.id)
        .join(latest, latest.c.inspection_id == Inspection.id)
        .join(Verdict, (Verdict.inspection_id == Inspection.id)
              & (Verdict.revision == latest.c.revision))
        .outerjoin(RmaLine, RmaLine.id == Inspection.rma_line_id)
        .outerjoin(Rma, Rma.id == RmaLine.rma_id)
        .outerjoin(Seller, Seller.id == Rma.seller_id)
        .outerjoin(labels, labels.c.inspection_id == Inspection.id)
        .where(Inspection.status == InspectionStatus.FINALIZED.value)
        .order_by(Inspection.finished_at.desc())
        .limit(limit)
    )  # fmt: skip
    if seller_code:
        query = query.where(Seller.code == seller_code)
    with db.read() as session:
        return [
            HistoryRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8] or 0)
            for row in session.execute(query)
        ]
