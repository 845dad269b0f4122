"""Label render times: ZPL (target <= 2 ms) and PDF (target <= 30 ms) per kind and size.

Medians over repeated renders, each next to a baseline measured in the same run so machine speed
cancels out: a bare f-string ZPL with one ^BC, and a bare ReportLab canvas with one Code128 of
the same physical size. The ratio says what the template model costs on top of the minimum.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels.api import LABEL_KINDS, LABEL_SIZES, LabelData, render_label
from labels.model import PAGE_MM

ZPL_TARGET_MS = 2.0
PDF_TARGET_MS = 30.0

DATA = LabelData(
    lpn="LPN-0001234",
    station_id="ST-01",
    site_id="AMS1",
    printed_on=date(2025, 5, 1),
    grade="B",
    disposition="restock_as_graded",
    sku="SKU-RED-42",
    title="Red running shoe, size 42",
    gtin="4006381333931",
    condition_text="Used – Like New",
    tracking_number="1Z999AA10123456784",
)


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm caches (fonts, imports)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bare_zpl(lpn: str) -> bytes:
    return f"^XA^CI28^PW812^LL1218^FO40,40^BY3^BCN,200,Y,N,N^FD{lpn}^FS^XZ".encode()


def bare_pdf(size: str) -> bytes:
    width, height = PAGE_MM[size]
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width * mm, height * mm))
    Code128(DATA.lpn, barWidth=0.3 * mm, barHeight=10 * mm).drawOn(canvas, 2 * mm, 2 * mm)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def main() -> int:
    zpl_base = median_ms(lambda: bare_zpl(DATA.lpn), 2000)
    print(f"baseline bare f-string ZPL: {zpl_base * 1000:.1f} us")
    failures = 0
    print(
        f"{'kind':8} {'size':7} {'ZPL ms':>8} {'x base':>8} {'PDF ms':>8} {'base ms':>8} {'x base':>7}"
    )
    for size in LABEL_SIZES:
        pdf_base = median_ms(lambda size=size: bare_pdf(size), 100)  # type: ignore[misc]
        for kind in LABEL_KINDS:
            zpl = median_ms(lambda k=kind, s=size: render_label(k, DATA, size=s, fmt="zpl"), 500)  # type: ignore[misc]
            pdf = median_ms(lambda k=kind, s=size: render_label(k, DATA, size=s, fmt="pdf"), 60)  # type: ignore[misc]
            flag = ""
            if zpl > ZPL_TARGET_MS or pdf > PDF_TARGET_MS:
                failures += 1
                flag = "  OVER TARGET"
            print(
                f"{kind:8} {size:7} {zpl:8.3f} {zpl / zpl_base:8.0f} {pdf:8.2f} {pdf_base:8.2f}"
                f" {pdf / pdf_base:7.1f}{flag}"
            )
    print(f"targets: ZPL <= {ZPL_TARGET_MS} ms, PDF <= {PDF_TARGET_MS} ms; over target: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
