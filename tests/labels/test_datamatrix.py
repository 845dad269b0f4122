"""DataMatrix payloads of short, odd and long lengths, and ReportLab's two C40 bugs.

ReportLab's ECC200DataMatrix pads C40 values with zeros; when one value is left over the padding
decodes as a trailing NUL. It also maps ``:;<=>?@`` to the wrong Shift 2 values. The label
renderer's subclass fixes both; these tests show the bugs exist upstream and not in our labels.
"""

from __future__ import annotations

import io

import pytest
from reportlab.graphics.barcode.ecc200datamatrix import ECC200DataMatrix
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels.api import expected_barcodes, render_label
from tests.labels.helpers import decode_pdf, decode_zpl, make_data

PAYLOADS = [
    "A",  # 1 C40 value: the NUL case
    "AB",  # 2 values: legal Shift-1 pad
    "ABC",  # whole triplet
    "LPN7",  # 4 values: NUL case again
    "abcde",  # lowercase: 2 values per char
    "https://r.example/lpn/LPN-000123",  # ':' and '/' through Shift 2
    "Q" * 61,  # odd, longer
    "https://returns.example/lpn/" + "LPN-0001234-" * 7,  # long (~112 chars)
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_lpn_datamatrix_payload_lengths(payload: str) -> None:
    data = make_data(link=payload)
    expected = sorted((e.format, e.text, e.gs1) for e in expected_barcodes("lpn", data, size="4x6"))
    assert ("datamatrix", payload, False) in expected
    assert decode_pdf(render_label("lpn", data, size="4x6", fmt="pdf")) == expected
    assert decode_zpl(render_label("lpn", data, size="4x6", fmt="zpl"), 203) == expected


@pytest.mark.parametrize("payload", ["LPN7", "HTTPS://X"])
def test_small_labels_carry_short_and_odd_payloads(payload: str) -> None:
    data = make_data(link=payload)
    for size in ("2x1", "50x25"):
        found = decode_pdf(render_label("lpn", data, size=size, fmt="pdf"))
        assert ("datamatrix", payload, False) in found


def _plain_reportlab(value: str) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(60 * mm, 60 * mm))
    symbol = ECC200DataMatrix(value, barWidth=1 * mm)
    symbol.x = symbol.y = 0
    symbol.validate()
    symbol.encode()
    canvas.translate(7 * mm, 7 * mm)
    symbol.canv = canvas
    symbol.draw()
    canvas.save()
    return out.getvalue()


def test_upstream_reportlab_bugs_are_real() -> None:
    """If these start failing, ReportLab fixed the bugs and the workaround can go."""
    assert decode_pdf(_plain_reportlab("LPN7")) == [("datamatrix", "LPN7\x00", False)]
    assert decode_pdf(_plain_reportlab("A:B")) != [("datamatrix", "A:B", False)]
