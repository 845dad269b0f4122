"""Benchmark: the daily seller report for a day of 500 inspections (target ≤ 10 s).

Inspections, verdicts and LPNs are bulk-inserted (going through the bench services would time
the services, not the report), with realistic values: the demo seed's RMAs and SKUs, a grade
mix like the demo history's, dispositions, refunds and reason codes that fit the grade.

Reported in the same run: data gathering alone, the PDF without charts (the baseline: the
table is the bulk of the work), and the full report with charts, each the best of a few runs;
then pages and size. Nothing asserts a time; it reports.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from labels.report_daily import render_daily_report  # noqa: E402
from station.db import Database, upgrade_database  # noqa: E402
from station.models import (  # noqa: E402
    Inspection,
    Lpn,
    Parcel,
    Rma,
    RmaLine,
    Seller,
    Verdict,
)
from station.services.daily_report import daily_report_data, daily_report_pdf  # noqa: E402
from station.services.demo import seed_demo  # noqa: E402
from station.services.demo_catalog import random_uuid  # noqa: E402

SELLER = "NORDKNIT"
DAY = date(2026, 11, 21)
# grade, weight, [(disposition, refund kind, percent, responsibility, reasons)]
OUTCOMES: tuple[tuple[str, int, tuple[tuple[str, str, int, str, tuple[str, ...]], ...]], ...] = (
    ("A", 42, (("restock", "full", 100, "customer", ()),
               ("restock", "full", 100, "customer", ("SIZE_EXCHANGE",)))),
    ("B", 30, (("restock_as_graded", "partial", 90, "customer",
                ("MINOR_THREAD_OR_PILLING", "DEFECT_SNAG")),
               ("restock_as_graded", "full", 100, "customer", ("TAGS_MISSING",)))),
    ("C", 17, (("return_to_seller", "full", 100, "manufacturing", ("SIZE_OFF_SPEC",)),
               ("restock_as_graded", "partial", 80, "customer", ("WORN",)))),
    ("D", 8, (("repair", "full", 100, "manufacturing", ("MAJOR_DEFECT", "DEFECT_DYE_FAULT")),
              ("refurbish", "partial", 50, "customer", ("MAJOR_DEFECT", "DEFECT_STAIN")))),
    ("X", 3, (("dispose", "none", 0, "customer", ("CRITICAL_DEFECT", "DEFECT_MOTH")),)),
)  # fmt: skip


def build(db: Database, count: int, rng: random.Random) -> int:
    """Bulk-insert ``count`` finalized inspections of SELLER on DAY; returns how many."""
    with db.read() as session:
        seller_id = session.scalar(select(Seller.id).where(Seller.code == SELLER))
        lines = session.execute(
            select(RmaLine.id, RmaLine.rma_id, RmaLine.sku_id, RmaLine.unit_price, RmaLine.currency)
            .join(Rma, Rma.id == RmaLine.rma_id)
            .where(Rma.seller_id == seller_id)
            .order_by(RmaLine.id)
        ).all()
    lines = lines[:count]
    parcels, inspections, verdicts, lpns = [], [], [], []
    start = datetime.combine(DAY, dtime(7), UTC)
    for index, line in enumerate(lines):
        moment = start + timedelta(seconds=index * 11 * 3600 // max(1, len(lines)))
        grade, _weight, options = rng.choices(OUTCOMES, [o[1] for o in OUTCOMES])[0]
        disposition, kind, percent, who, reasons = rng.choice(options)
        parcel_id, inspection_id = random_uuid(rng), random_uuid(rng)
        parcels.append({"id": parcel_id, "received_at": moment, "station_id": "BENCH-01",
                        "scanned_code": "BENCH", "rma_id": line.rma_id, "is_blind": False})  # fmt: skip
        inspections.append({
            "id": inspection_id, "parcel_id": parcel_id, "rma_line_id": line.id,
            "sku_id": line.sku_id, "station_id": "BENCH-01", "started_at": moment,
            "finished_at": moment + timedelta(seconds=rng.randint(30, 150)),
            "standard_id": "nordknit-knitwear", "standard_version": "1.0.0",
            "standard_hash": "0" * 64, "status": "finalized",
        })  # fmt: skip
        amount = None
        if line.unit_price is not None:
            amount = (line.unit_price * percent / 100).quantize(Decimal("0.01"))
        verdicts.append({
            "id": random_uuid(rng), "inspection_id": inspection_id, "revision": 1,
            "grade": grade, "disposition": disposition, "refund_kind": kind,
            "refund_percent": Decimal(percent), "refund_amount": amount,
            "currency": line.currency, "responsibility": who, "reason_codes": list(reasons),
            "warnings": [], "trace": [], "standard_hash": "0" * 64, "decided_at": moment,
        })  # fmt: skip
        lpns.append({"id": random_uuid(rng), "code": f"LPN{index:012d}",
                     "inspection_id": inspection_id, "created_at": moment})  # fmt: skip
    with db.write() as session:
        for model, rows in ((Parcel, parcels), (Inspection, inspections), (Verdict, verdicts),
                            (Lpn, lpns)):  # fmt: skip
            session.execute(insert(model).execution_options(render_nulls=True), rows)
    return len(lines)


def best_of(runs: int, action: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the full report here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        upgrade_database(url)
        db = Database.open(url)
        # NORDKNIT gets ~40 % of RMAs, ~1.3 lines each: enough lines for the count.
        seed_demo(db, rma_count=int(args.count * 2.2), today=DAY + timedelta(days=1))
        made = build(db, args.count, random.Random(7))
        data_s, data = best_of(args.runs, lambda: daily_report_data(db, SELLER, DAY))
        plain_s, plain = best_of(args.runs, lambda: render_daily_report(data, charts=False))
        ticks: list[tuple[int, int]] = []
        full_s, pdf = best_of(
            args.runs,
            lambda: daily_report_pdf(db, SELLER, DAY, progress=lambda d, n: ticks.append((d, n))),
        )
        zh_s, zh_pdf = best_of(1, lambda: daily_report_pdf(db, SELLER, DAY, language="zh-CN"))
        db.dispose()
    import pypdf

    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    print(f"daily report, {made} inspections of {SELLER} on {DAY} (best of {args.runs}):")
    print(f"  data gathering only              {data_s * 1000:8.0f} ms  ({len(data.rows)} rows)")
    print(f"  baseline: PDF without charts     {plain_s * 1000:8.0f} ms  ({len(plain):,} bytes)")
    print(f"  full report (query + charts)     {full_s * 1000:8.0f} ms  target ≤ 10000 ms")
    print(f"  full report, zh-CN (CID font)    {zh_s * 1000:8.0f} ms  ({len(zh_pdf):,} bytes)")
    print(f"  pages {pages}, size {len(pdf):,} bytes, progress calls per run "
          f"{len(ticks) // args.runs}")  # fmt: skip
    if args.out:
        args.out.write_bytes(pdf)


if __name__ == "__main__":
    main()
