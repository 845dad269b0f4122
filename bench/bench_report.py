"""Benchmark: the seller inspection report with 8 photos from 12-megapixel (4000×3000) sources.

Targets from the issue: ≤ 1 s to render, ≤ 3 MB. Baselines measured in the same run: the same
report with no photo files (what the document itself costs), and a bare ReportLab canvas that
places the 8 original JPEGs as they are (what embedding without downscaling would weigh).
Nothing here asserts; it reports. The inspection is built through the real bench services
(the test suite's builder) on a fresh SQLite file in a temporary directory.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from inspection_rules import StandardRegistry  # noqa: E402
from inspection_rules.loader import load_standards  # noqa: E402
from labels.report_inspection import render_inspection_report  # noqa: E402
from station.db import Database, upgrade_database  # noqa: E402
from station.photos import PhotoStore  # noqa: E402
from station.services.reports import (  # noqa: E402
    inspection_report_data,
    inspection_report_pdf,
    report_data_hash,
)
from tests.labels.test_report_inspection import build_inspection  # noqa: E402

PHOTOS = 8
SIZE = (4000, 3000)
RUNS = 5


def timed(fn: Callable[[], bytes], runs: int = RUNS) -> tuple[float, float, int]:
    """(median s, max s, output bytes) over ``runs`` calls."""
    times = []
    out = b""
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times), len(out)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        url = f"sqlite:///{root / 'station.sqlite3'}"
        upgrade_database(url)
        db = Database.open(url)
        registry = StandardRegistry(load_standards().standards.values())
        photos = PhotoStore(root / "photos")
        print(f"generating {PHOTOS} photos of {SIZE[0]}×{SIZE[1]} ...", flush=True)
        inspection_id = build_inspection(
            db, registry, photos, photo_count=PHOTOS, photo_size=SIZE, language="zh-CN"
        )
        data = inspection_report_data(db, registry, inspection_id)
        originals = [photos.path_of(p.file_path).read_bytes() for p in data.photos]
        source_mb = sum(map(len, originals)) / 1e6

        rows = [
            (
                "report, 8 photos (zh-CN)",
                timed(lambda: inspection_report_pdf(db, registry, photos, inspection_id)),
            ),
            (
                "report, 8 photos (en)",
                timed(
                    lambda: inspection_report_pdf(
                        db, registry, photos, inspection_id, language="en"
                    )
                ),
            ),
            ("  data gathering only", timed(lambda: report_data_hash(
                inspection_report_data(db, registry, inspection_id)).encode())),
            (
                "baseline: report, no photo files",
                timed(lambda: render_inspection_report(data, lambda _photo: None)),
            ),
            ("baseline: bare canvas, 8 originals", timed(lambda: bare_canvas(originals), runs=1)),
        ]  # fmt: skip
        db.dispose()

    print(f"sources: {PHOTOS} JPEGs, {source_mb:.1f} MB in total")
    print(f"{'case':<38} {'median':>9} {'max':>9} {'size':>10}")
    for name, (median, worst, size) in rows:
        print(f"{name:<38} {median * 1000:>7.0f}ms {worst * 1000:>7.0f}ms {size / 1e6:>8.2f}MB")
    median, _worst, size = rows[0][1]
    verdict = "OK" if median <= 1.0 and size <= 3_000_000 else "MISSED"
    print(f"target ≤ 1 s and ≤ 3 MB: {verdict}")


def bare_canvas(originals: list[bytes]) -> bytes:
    """8 original JPEGs drawn on 4 A4 pages, no downscaling: the size floor without resampling."""
    from reportlab.lib.utils import ImageReader

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for index, data in enumerate(originals):
        y = 440 if index % 2 == 0 else 60
        canvas.drawImage(ImageReader(io.BytesIO(data)), 40, y, width=500, height=375)
        if index % 2 == 1:
            canvas.showPage()
    canvas.save()
    return out.getvalue()


if __name__ == "__main__":
    main()
