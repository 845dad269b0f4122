"""Benchmark: scan→RMA lookup and finalize on a database of 1,000,000 RMAs.

Prints p50/p95 for the station's own service calls next to a baseline measured in the same
run on the same file: a bare indexed ``sqlite3`` SELECT for lookups, and a bare one-row
INSERT + COMMIT with the same pragmas (the fsync floor) for finalize. Targets from the issue:
lookup p95 ≤ 20 ms, finalize p95 ≤ 30 ms. Nothing here asserts a time; it reports.

The seeded database is cached under bench/.cache/ (keyed by the RMA count) because generating
a million realistic RMAs takes a few minutes; delete the cache to measure the seeding too.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inspection_rules import StandardRegistry  # noqa: E402
from station.db import Database, upgrade_database  # noqa: E402
from station.models import Rma, RmaLine  # noqa: E402
from station.services import inspections  # noqa: E402
from station.services.common import Actor  # noqa: E402
from station.services.demo import generate_rma_rows, insert_rma_rows, seed_demo  # noqa: E402
from station.services.receiving import open_inspection, receive_parcel  # noqa: E402
from station.services.scanning import resolve_scan  # noqa: E402
from station.standards import load_registry  # noqa: E402
from station.timeutil import today_utc  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
BATCH = 50_000


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def seeded_database(count: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"rmas-{count}.sqlite3"
    if path.exists():
        print(f"using cached database {path.relative_to(ROOT)} ({count:,} RMAs)")
        return path
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    url = f"sqlite:///{partial}"
    upgrade_database(url)
    db = Database.open(url)
    seed_demo(db, rma_count=0)
    from station.services.demo_catalog import build_catalog

    rng = random.Random(1_000_000)
    catalog = build_catalog(random.Random(20261122), today_utc())  # same ids as seed_demo
    start = time.perf_counter()
    rows = generate_rma_rows(rng, catalog.profiles, count, today_utc())
    done = 0
    while done < count:
        with db.write() as session:
            batch = (row for _, row in zip(range(BATCH), rows, strict=False))
            inserted, _lines, _tracking = insert_rma_rows(session, batch)
        done += inserted
        rate = done / (time.perf_counter() - start)
        print(f"\r  seeded {done:,}/{count:,} RMAs ({rate:,.0f}/s)", end="", flush=True)
    print(f"\n  bulk insert: {count:,} RMAs in {time.perf_counter() - start:.0f} s")
    db.dispose()
    partial.rename(path)
    return path


def sample_codes(path: Path, n: int, rng: random.Random) -> list[str]:
    """Random RMA numbers, tracking numbers and order ids, as a grader would scan them."""
    connection = sqlite3.connect(path)
    max_rowid = connection.execute("SELECT max(rowid) FROM rmas").fetchone()[0]
    codes: list[str] = []
    while len(codes) < n:
        rowid = rng.randint(1, max_rowid)
        row = connection.execute(
            "SELECT r.number, r.external_order_id, t.tracking_number FROM rmas r "
            "LEFT JOIN rma_tracking t ON t.rma_id = r.id WHERE r.rowid = ?",
            (rowid,),
        ).fetchone()
        if row:
            kind = len(codes) % 3
            code = row[2] if kind == 0 and row[2] else row[1] if kind == 1 and row[1] else row[0]
            codes.append(code.lower() if kind == 2 else code)  # some typed in lower case
    connection.close()
    return codes


def bench_lookup(db: Database, path: Path, codes: list[str]) -> dict[str, list[float]]:
    for code in codes[:50]:
        resolve_scan(db, code)  # warm caches, as a running station would be
    ours = [timed(lambda c=code: resolve_scan(db, c)) for code in codes]
    baseline_connection = sqlite3.connect(path)
    numbers = [code.upper() for code in codes]

    def bare(number: str) -> None:
        baseline_connection.execute(
            "SELECT r.id FROM rmas r WHERE r.number = ? UNION ALL SELECT t.rma_id FROM "
            "rma_tracking t WHERE t.tracking_number = ? UNION ALL SELECT r.id FROM rmas r "
            "WHERE r.external_order_id = ?",
            (number, number, number),
        ).fetchall()

    baseline = [timed(lambda n=number: bare(n)) for number in numbers]
    baseline_connection.close()
    return {"ours": ours, "baseline": baseline}


def general_only(db: Database) -> StandardRegistry:
    """The general-merchandise standard for every unit, so one scripted grader fits all SKUs."""
    general = load_registry(db).registry.by_id("general-merchandise")
    assert general is not None
    return StandardRegistry([general])


def prepare_inspections(
    db: Database, actor: Actor, standards: StandardRegistry, n: int, rng: random.Random
) -> list[uuid.UUID]:
    """Receives n expected returns and records every fact, so only finalize is left to time."""
    with db.read() as session:
        lines = session.execute(
            select(Rma.number, RmaLine.id)
            .join(RmaLine, RmaLine.rma_id == Rma.id)
            .where(Rma.status == "expected")
            .limit(n * 20)
        ).all()
    opened = []
    for number, line_id in rng.sample(lines, n):
        parcel = receive_parcel(db, actor, number, number)
        view = open_inspection(db, actor, standards, parcel.id, line_id)
        for code, value in (
            ("item_matches", True),
            ("packaging", "opened"),
            ("condition", rng.choice(["new", "like_new", "used"])),
            ("complete", True),
        ):
            inspections.record_answer(db, actor, standards, view.id, code, value)
        inspections.record_weight(db, actor, view.id, 400, stable=True, device="bench")
        opened.append(view.id)
    return opened


def time_finalizes(
    db: Database, actor: Actor, standards: StandardRegistry, opened: list[uuid.UUID]
) -> list[float]:
    return [
        timed(lambda i=i: inspections.finalize_inspection(db, actor, standards, i)) for i in opened
    ]


def bench_finalize(db: Database, path: Path, n: int, rng: random.Random) -> dict[str, list[float]]:
    actor = Actor(station_id="BENCH-1")
    standards = general_only(db)
    ours = time_finalizes(db, actor, standards, prepare_inspections(db, actor, standards, n, rng))

    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, v TEXT)")

    def floor() -> None:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO bench_floor (v) VALUES ('x')")
        connection.execute("COMMIT")

    baseline = [timed(floor) for _ in range(n)]
    connection.close()
    return {"ours": ours, "baseline": baseline}


def report(name: str, runs: dict[str, list[float]], target_ms: float) -> None:
    ours, base = runs["ours"], runs["baseline"]
    p50, p95 = statistics.median(ours), percentile(ours, 95)
    b50, b95 = statistics.median(base), percentile(base, 95)
    verdict = "meets" if p95 <= target_ms else "MISSES"
    print(
        f"{name:<10} n={len(ours):>5}  p50 {p50:7.2f} ms  p95 {p95:7.2f} ms   "
        f"baseline p50 {b50:6.2f} ms  p95 {b95:6.2f} ms   "
        f"ratio p95 {p95 / b95 if b95 else float('nan'):5.1f}×   "
        f"target p95 ≤ {target_ms:.0f} ms: {verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rmas", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=3000)
    parser.add_argument("--finalizes", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)
    source = seeded_database(args.rmas)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        shutil.copyfile(source, path)  # finalize writes; keep the cached seed pristine
        upgrade_database(f"sqlite:///{path}")  # a cache made by an older schema catches up
        db = Database.open(f"sqlite:///{path}")
        try:
            codes = sample_codes(path, args.lookups, rng)
            print(
                f"\ndatabase: {args.rmas:,} RMAs; {len(codes)} lookups, {args.finalizes} finalizes"
            )
            report("lookup", bench_lookup(db, path, codes), 20)
            report("finalize", bench_finalize(db, path, args.finalizes, rng), 30)
        finally:
            db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
