"""ZPL structure, PDF page size, CJK text, text fitting and the legacy LPN wrapper."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from labels.api import LABEL_KINDS, LABEL_SIZES, render_label
from labels.model import Box, TextBlock, fit_text
from labels.templates import build_label
from labels.zpl import code128_zpl
from tests.labels.helpers import make_data

PW_LL = {
    ("4x6", 203): (812, 1218),
    ("2x1", 203): (406, 203),
    ("100x50", 203): (799, 400),
    ("50x25", 203): (400, 200),
    ("4x6", 300): (1200, 1800),
    ("2x1", 300): (600, 300),
    ("100x50", 300): (1181, 591),
    ("50x25", 300): (591, 295),
}


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("size", LABEL_SIZES)
@pytest.mark.parametrize("kind", LABEL_KINDS)
def test_zpl_structure(kind: str, size: str, dpi: int) -> None:
    data = make_data()
    zpl = render_label(kind, data, size=size, fmt="zpl", dpi=dpi).decode("utf-8")  # type: ignore[arg-type]
    assert zpl.startswith("^XA\n^CI28\n") and zpl.rstrip().endswith("^XZ")
    width, length = PW_LL[(size, dpi)]
    assert f"^PW{width}^LL{length}" in zpl
    for x, y in re.findall(r"\^FO(\d+),(\d+)", zpl):
        assert 0 <= int(x) < width and 0 <= int(y) < length
    label = build_label(kind, data, size)  # type: ignore[arg-type]
    for barcode in label.barcodes:
        command = {"code128": "^BC", "datamatrix": "^BX", "ean13": "^BE", "upca": "^BU"}
        assert command[barcode.symbology] in zpl
        if barcode.symbology == "code128":
            payload = code128_zpl(barcode.data, barcode.gs1)[0]
        elif barcode.symbology == "ean13":
            payload = barcode.data[:12]
        else:
            payload = barcode.data
        assert f"^FD{payload}^FS" in zpl


def test_zpl_escapes_carets_and_tildes() -> None:
    zpl = render_label("lpn", make_data(sku="A^B~C_D"), size="4x6", fmt="zpl").decode()
    assert "^FH^FDSKU A_5EB_7EC_5FD^FS" in zpl


def test_code128_subsets() -> None:
    assert code128_zpl("LPN-0001234") == (">:LPN->5000123>64", 11)
    assert code128_zpl("12345678") == (">;12345678", 5)
    assert code128_zpl("A>B") == (">:A><B", 4)
    assert code128_zpl("42012345\x1d92", gs1=True) == (">;>842012345>8>692", 10)


@pytest.mark.parametrize("size", LABEL_SIZES)
def test_pdf_page_is_the_physical_size(size: str) -> None:
    pdf = render_label("route", make_data(), size=size, fmt="pdf")  # type: ignore[arg-type]
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    label = build_label("route", make_data(), size)  # type: ignore[arg-type]
    assert float(box.width) == pytest.approx(label.width_mm / 25.4 * 72, abs=0.01)
    assert float(box.height) == pytest.approx(label.height_mm / 25.4 * 72, abs=0.01)
    if size == "4x6":
        assert (float(box.width), float(box.height)) == pytest.approx((288, 432), abs=0.01)


@pytest.mark.parametrize("size", LABEL_SIZES)
def test_cjk_condition_text_in_pdf(size: str) -> None:
    data = make_data(condition_text="二手 - 几乎全新", language="zh-CN")
    pdf = render_label("relabel", data, size=size, fmt="pdf")  # type: ignore[arg-type]
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "几乎全新" in text.replace(" ", "")
    assert b"STSong-Light" in pdf


def test_cjk_in_zpl_is_utf8_with_a_cjk_font() -> None:
    data = make_data(condition_text="二手 - 几乎全新", language="zh-CN")
    zpl = render_label("relabel", data, size="4x6", fmt="zpl").decode("utf-8")
    assert "^CI28" in zpl and "^CWJ," in zpl and "^FX" in zpl
    assert re.search(r"\^AJN,\d+,\d+\^FD二手 - 几乎全新\^FS", zpl)


def test_route_shows_disposition_words() -> None:
    for disposition, words in [
        ("restock_as_graded", "RESTOCK AS GRADED"),
        ("return_to_seller", "RETURN TO SELLER"),
        ("quarantine", "QUARANTINE"),
    ]:
        pdf = render_label("route", make_data(disposition=disposition), size="4x6", fmt="pdf")
        text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
        assert words in text


def test_receipt_shows_blind_return() -> None:
    for size in LABEL_SIZES:
        pdf = render_label("receipt", make_data(), size=size, fmt="pdf")
        assert "BLIND RETURN" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_small_labels_drop_secondary_fields() -> None:
    text = {
        size: " ".join(
            PdfReader(io.BytesIO(render_label("lpn", make_data(), size=size, fmt="pdf")))
            .pages[0]
            .extract_text()
            .split()
        )
        for size in ("4x6", "2x1")
    }
    assert "Red running" in text["4x6"] and "Red running" not in text["2x1"]


def test_fit_text_never_overflows() -> None:
    def width(text: str, size: float) -> float:
        return len(text) * size * 0.6

    block = TextBlock(Box(0, 0, 20, 4), "x" * 200, size=4, min_size=2)
    size, lines = fit_text(block, width)
    assert size == 2 and len(lines) == 1 and lines[0].endswith("…")
    assert width(lines[0], size) <= 20
    size, lines = fit_text(TextBlock(Box(0, 0, 50, 20), "RETURN TO SELLER", 10, lines=2), width)
    assert len(lines) == 2 and all(width(line, size) <= 50 for line in lines)


def test_pdf_is_deterministic_for_reprints() -> None:
    first = render_label("lpn", make_data(), size="4x6", fmt="pdf")
    assert render_label("lpn", make_data(), size="4x6", fmt="pdf") == first
