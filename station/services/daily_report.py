"""The daily seller report: which of a seller's returns were inspected, graded how, and why.

Data gathering lives here (one query, plain rows, aggregates in Python); layout lives in
``labels.report_daily``. The period is a range of UTC calendar days, inclusive, matched on
``inspections.finished_at``: verdict rows are append-only and keep the time they were written,
while ``finished_at`` is the time the unit left the bench (and what the demo history
back-dates). Only the latest verdict revision of each inspection counts, so a regrade replaces
the original in the seller's numbers instead of counting the unit twice.

Blind returns (no RMA, so no seller) never appear in a seller's report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from labels.report_daily import DailyReport, DailyRow, Progress, render_daily_report
from station.db import Database
from station.i18n import _
from station.models import (
    Inspection,
    InspectionStatus,
    Lpn,
    Rma,
    RmaLine,
    Seller,
    Sku,
    StandardVersion,
    Verdict,
)
from station.services.common import NotFound
from station.timeutil import utcnow

DailyReportData = DailyReport
DEFAULT_GRADES = ("A", "B", "C", "D", "X")
NO_REASON = "none"

__all__ = [
    "DailyReportData",
    "DailyRow",
    "daily_report_data",
    "daily_report_pdf",
    "summarize",
]


def _day_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(date_from, time(0), UTC),
        datetime.combine(date_to + timedelta(days=1), time(0), UTC),
    )


def daily_report_data(
    db: Database, seller_code: str, date_from: date, date_to: date | None = None
) -> DailyReportData:
    """Rows and aggregates for ``seller_code`` from ``date_from`` to ``date_to`` (inclusive).

    Raises ``NotFound`` for an unknown seller (a typo must not look like a quiet day).
    """
    date_to = date_to or date_from
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    start, end = _day_bounds(date_from, date_to)
    latest = (
        select(Verdict.inspection_id, func.max(Verdict.revision).label("revision"))
        .group_by(Verdict.inspection_id)
        .subquery()
    )
    verdict = aliased(Verdict)
    with db.read() as session:
        seller = session.scalar(select(Seller).where(Seller.code == seller_code.strip().upper()))
        if seller is None:
            raise NotFound(_("No seller with code {code}").format(code=seller_code))
        query = (
            select(
                Rma.number,
                RmaLine.sku_code,
                Sku.title,
                verdict.grade,
                verdict.disposition,
                verdict.refund_kind,
                verdict.refund_percent,
                verdict.refund_amount,
                verdict.currency,
                verdict.responsibility,
                Rma.reason_code,
                verdict.reason_codes,
                Lpn.code,
                Inspection.finished_at,
                Inspection.standard_hash,
            )
            .join(RmaLine, RmaLine.id == Inspection.rma_line_id)
            .join(Rma, Rma.id == RmaLine.rma_id)
            .outerjoin(Sku, Sku.id == RmaLine.sku_id)
            .join(latest, latest.c.inspection_id == Inspection.id)
            .join(
                verdict,
                (verdict.inspection_id == Inspection.id) & (verdict.revision == latest.c.revision),
            )
            .outerjoin(Lpn, Lpn.inspection_id == Inspection.id)
            .where(
                Rma.seller_id == seller.id,
                Inspection.status == InspectionStatus.FINALIZED.value,
                Inspection.finished_at >= start,
                Inspection.finished_at < end,
            )
            .order_by(Inspection.finished_at, Rma.number)
        )
        rows: list[DailyRow] = []
        hashes: set[str] = set()
        for record in session.execute(query):
            hashes.add(record.standard_hash)
            rows.append(
                DailyRow(
                    rma=record.number,
                    sku=record.sku_code,
                    title=record.title or "",
                    grade=record[3],
                    disposition=record.disposition,
                    refund_kind=record.refund_kind,
                    refund_percent=Decimal(record.refund_percent),
                    refund_amount=record.refund_amount,
                    currency=record.currency,
                    responsibility=record.responsibility,
                    stated_reason=record.reason_code,
                    reasons=tuple(record.reason_codes or ()),
                    lpn=record[12],
                    finished_at=record.finished_at,
                )
            )
        scale = _grade_scale(
            session.scalars(
                select(StandardVersion.content).where(StandardVersion.content_hash.in_(hashes))
            ).all()
            if hashes
            else []
        )
        seller_name = seller.name
        code = seller.code
        seller_language = seller.language
    return summarize(
        code, seller_name, date_from, date_to, rows, scale, seller_language=seller_language
    )


def _grade_scale(contents: Iterable[dict[str, object]]) -> tuple[str, ...]:
    """The grade order of the standards used (usually one shared A..X scale)."""
    scale: list[str] = []
    for content in contents:
        grades = content.get("grades") or []
        for grade in grades if isinstance(grades, list) else []:
            code = grade.get("code") if isinstance(grade, dict) else None
            if isinstance(code, str) and code not in scale:
                scale.append(code)
    return tuple(scale) or DEFAULT_GRADES


def summarize(
    seller_code: str,
    seller_name: str,
    date_from: date,
    date_to: date,
    rows: Sequence[DailyRow],
    grade_scale: Sequence[str] = DEFAULT_GRADES,
    *,
    generated_at: datetime | None = None,
    seller_language: str = "en",
) -> DailyReportData:
    """Aggregates from rows alone (pure, so the bench can time it and tests can feed it)."""
    scale = list(grade_scale)
    grades = Counter(row.grade for row in rows)
    scale.extend(sorted(g for g in grades if g not in scale))  # a grade outside the scale shows
    dispositions = Counter(row.disposition for row in rows)
    reasons = Counter(row.stated_reason or NO_REASON for row in rows)
    per_sku: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        per_sku[row.sku][row.stated_reason or NO_REASON] += 1
    refunds: defaultdict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row.refund_amount is not None and row.currency:
            refunds[row.currency] += row.refund_amount
    by_sku = sorted(per_sku.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    return DailyReport(
        seller_code=seller_code,
        seller_name=seller_name,
        date_from=date_from,
        date_to=date_to,
        rows=tuple(rows),
        grade_scale=tuple(scale),
        grades={g: grades.get(g, 0) for g in scale},
        dispositions=dict(dispositions.most_common()),
        top_reasons=tuple(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        reasons_by_sku=tuple((sku, dict(counts)) for sku, counts in by_sku),
        refund_totals=dict(sorted(refunds.items())),
        generated_at=generated_at or utcnow(),
        seller_language=seller_language,
    )


def daily_report_pdf(
    db: Database,
    seller_code: str,
    date_from: date,
    date_to: date | None = None,
    *,
    language: str | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The daily report as PDF bytes; ``progress(done, total)`` follows the table's pages.

    ``language`` is the report's: en, zh-CN or es (others fall back to English labels); by
    default the seller's, as the inspection report. An empty period gives a one-page "no
    inspections" report.
    """
    data = daily_report_data(db, seller_code, date_from, date_to)
    return render_daily_report(data, language=language or data.seller_language, progress=progress)
