"""The daily seller report: a seeded day renders to a PDF a seller can read (and search)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pypdf
import pytest
from sqlalchemy import update

from inspection_rules import StandardRegistry
from labels.report_daily import DailyRow, render_daily_report
from station.db import Database
from station.models import Seller
from station.photos import PhotoStore
from station.services.common import NotFound
from station.services.daily_report import daily_report_data, daily_report_pdf, summarize
from station.services.demo import seed_demo
from station.services.demo_history import HistoryOptions

TODAY = date(2026, 11, 22)
DAY = date(2026, 11, 21)


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _pages(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def seeded(db: Database, shipped_standards: dict, data_dir) -> Database:
    registry = StandardRegistry(list(shipped_standards.values()))
    photos = PhotoStore(data_dir / "photos")
    seed_demo(
        db,
        rma_count=120,
        today=TODAY,
        history=HistoryOptions(registry, photos, days=1, per_day=16, rng_seed=3),
    )
    return db


def _busiest_seller(db: Database) -> str:
    counts = {code: len(daily_report_data(db, code, DAY).rows) for code in ("NORDKNIT", "VOLTIQ")}
    return max(counts, key=lambda code: counts[code])


def test_seeded_day_gives_a_readable_pdf(seeded: Database) -> None:
    seller = _busiest_seller(seeded)
    data = daily_report_data(seeded, seller, DAY)
    assert data.rows and all(row.finished_at.date() == DAY for row in data.rows)
    assert sum(data.grades.values()) == len(data.rows)
    calls: list[tuple[int, int]] = []
    pdf = daily_report_pdf(
        seeded, seller, DAY, language="en", progress=lambda d, n: calls.append((d, n))
    )
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert seller in text
    for title in ("Grade distribution", "Top return reasons", "Return reasons by SKU"):
        assert title in text
    for row in data.rows[:3]:
        assert row.rma in text and row.sku in text
    assert calls and calls[-1] == (len(data.rows), len(data.rows))
    done = [d for d, _n in calls]
    assert done == sorted(done)


def test_chinese_headings_come_back_as_text(seeded: Database) -> None:
    pdf = daily_report_pdf(seeded, "VOLTIQ", DAY, language="zh-CN")
    text = _text(pdf)
    assert "退货检验报告" in text
    assert "等级分布" in text or "没有" in text


def test_spanish_headings(seeded: Database) -> None:
    text = _text(daily_report_pdf(seeded, _busiest_seller(seeded), DAY, language="es"))
    assert "Informe de inspección de devoluciones" in text
    assert "Distribución de grados" in text


def test_empty_day_is_one_clear_page(seeded: Database) -> None:
    calls: list[tuple[int, int]] = []
    pdf = daily_report_pdf(
        seeded, "TRITTFEST", date(2026, 12, 25), progress=lambda d, n: calls.append((d, n))
    )
    assert _pages(pdf) == 1
    assert "No inspections were finalized" in _text(pdf)
    assert calls == [(0, 0)]


def test_unknown_seller_is_an_error(seeded: Database) -> None:
    with pytest.raises(NotFound):
        daily_report_data(seeded, "NOSUCH", DAY)


def test_range_covers_both_days(seeded: Database) -> None:
    seller = _busiest_seller(seeded)
    single = daily_report_data(seeded, seller, DAY)
    wide = daily_report_data(seeded, seller, date(2026, 11, 1), DAY)
    assert len(wide.rows) == len(single.rows)
    assert daily_report_data(seeded, seller, TODAY).rows == ()


def _row(i: int, **changes: object) -> DailyRow:
    values: dict[str, object] = {
        "rma": f"RMA-XX-{i:06d}",
        "sku": f"SKU-{i % 3}",
        "title": "Merino cable-knit cardigan, Navy, M",
        "grade": "ABCDX"[i % 5],
        "disposition": "restock",
        "refund_kind": "full",
        "refund_percent": Decimal(100),
        "refund_amount": Decimal("10.00"),
        "currency": "GBP" if i % 2 else "EUR",
        "responsibility": "customer",
        "stated_reason": ("size", "defect", None)[i % 3],
        "reasons": ("SIZE_EXCHANGE",),
        "lpn": f"LPN{i:010d}",
        "finished_at": datetime(2026, 11, 21, 9, i % 60, tzinfo=UTC),
    }
    values.update(changes)
    return DailyRow(**values)  # type: ignore[arg-type]


def test_aggregates() -> None:
    rows = [_row(i) for i in range(10)]
    report = summarize("S", "Seller", DAY, DAY, rows)
    assert report.grades == {"A": 2, "B": 2, "C": 2, "D": 2, "X": 2}
    assert report.refund_totals == {"EUR": Decimal("50.00"), "GBP": Decimal("50.00")}
    assert dict(report.top_reasons) == {"size": 4, "defect": 3, "none": 3}
    assert report.reasons_by_sku[0] == ("SKU-0", {"size": 4})


def test_long_table_repeats_its_header_on_every_page() -> None:
    rows = [_row(i) for i in range(120)]
    calls: list[tuple[int, int]] = []
    pdf = render_daily_report(
        summarize("S", "Seller", DAY, DAY, rows), progress=lambda d, n: calls.append((d, n))
    )
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    for page in reader.pages[2:]:
        assert "Stated reason" in page.extract_text()
    assert len(calls) >= 3 and calls[-1] == (120, 120)


def test_without_a_language_the_report_is_in_the_sellers(seeded: Database) -> None:
    """As the inspection report: the daily report goes to the seller, in the seller's language
    (the CLI's --lang and the history window's choice only override it)."""
    seller = _busiest_seller(seeded)
    with seeded.write() as session:
        session.execute(update(Seller).where(Seller.code == seller).values(language="es"))
    assert daily_report_data(seeded, seller, DAY).seller_language == "es"
    assert "Informe de inspección de devoluciones" in _text(daily_report_pdf(seeded, seller, DAY))
    english = _text(daily_report_pdf(seeded, seller, DAY, language="en"))
    assert "Informe de inspección" not in english and "Grade distribution" in english
