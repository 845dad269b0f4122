"""Shared helpers: label data and the raster-and-decode round trip every barcode must survive."""

from __future__ import annotations

from datetime import date

import numpy as np
import pypdfium2 as pdfium
import pytest

from devices.decoding import decode_image
from labels.api import LabelData

Found = list[tuple[str, str, bool]]


def make_data(**overrides: object) -> LabelData:
    base: dict[str, object] = {
        "lpn": "LPN-0001234",
        "station_id": "ST-01",
        "site_id": "AMS1",
        "printed_on": date(2025, 5, 1),
        "grade": "B",
        "disposition": "restock_as_graded",
        "sku": "SKU-RED-42",
        "title": "Red running shoe, size 42, with a title far too long for any label",
        "gtin": "4006381333931",
        "condition_text": "Used – Like New",
        "tracking_number": "1Z999AA10123456784",
    }
    base.update(overrides)
    return LabelData(**base)  # type: ignore[arg-type]


def decode_pdf(pdf: bytes, dpi: int = 300) -> Found:
    page = pdfium.PdfDocument(pdf)[0]
    image = np.asarray(page.render(scale=dpi / 72).to_pil().convert("L"))
    return sorted((b.format, b.text, b.gs1) for b in decode_image(image))


def decode_zpl(zpl: bytes, dpi: int) -> Found:
    """Render ZPL offline with zplkit (a local Rust renderer), then decode the raster."""
    zplkit = pytest.importorskip("zplkit")
    document = zplkit.render(zpl, zplkit.Options(dpi=dpi))
    raster = document.labels[0].rasterize()
    image = np.frombuffer(raster.pixels, np.uint8).reshape(raster.height, raster.width)
    if dpi < 300:  # printer dots are coarse: upscale so thin bars are several pixels wide
        image = np.kron(image, np.ones((2, 2), np.uint8))
    return sorted((b.format, b.text, b.gs1) for b in decode_image(image))
