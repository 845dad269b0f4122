"""Every barcode on every label kind and size must decode to exactly what expected_barcodes says.

PDFs are rasterised with pypdfium2 at 300 dpi; ZPL is rendered offline with zplkit (skipped when
it is not installed) at the printer's own 203 and 300 dpi, then decoded with the station's
decoder, so the test reads the labels the way a bench scanner would.
"""

from __future__ import annotations

import pytest

from labels.api import LABEL_KINDS, LABEL_SIZES, expected_barcodes, render_label
from tests.labels.helpers import decode_pdf, decode_zpl, make_data


def _expected(kind: str, size: str, **overrides: object) -> list[tuple[str, str, bool]]:
    data = make_data(**overrides)
    return sorted((e.format, e.text, e.gs1) for e in expected_barcodes(kind, data, size=size))  # type: ignore[arg-type]


@pytest.mark.parametrize("size", LABEL_SIZES)
@pytest.mark.parametrize("kind", LABEL_KINDS)
def test_pdf_barcodes_scan(kind: str, size: str) -> None:
    pdf = render_label(kind, make_data(), size=size, fmt="pdf")  # type: ignore[arg-type]
    assert decode_pdf(pdf) == _expected(kind, size)


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("size", LABEL_SIZES)
@pytest.mark.parametrize("kind", LABEL_KINDS)
def test_zpl_barcodes_scan(kind: str, size: str, dpi: int) -> None:
    zpl = render_label(kind, make_data(), size=size, fmt="zpl", dpi=dpi)  # type: ignore[arg-type]
    assert decode_zpl(zpl, dpi) == _expected(kind, size)


def test_expected_barcodes_content() -> None:
    data = make_data()
    assert [(e.format, e.text) for e in expected_barcodes("lpn", data, size="4x6")] == [
        ("code128", "LPN-0001234"),
        ("datamatrix", "https://returns.example/lpn/LPN-0001234"),
    ]
    assert [(e.format, e.text) for e in expected_barcodes("route", data, size="2x1")] == [
        ("code128", "LPN-0001234")
    ]
    receipt = expected_barcodes("receipt", data, size="50x25")
    assert [(e.format, e.text) for e in receipt] == [
        ("code128", "1Z999AA10123456784"),
        ("code128", "LPN-0001234"),
    ]


# USPS IMpb: AI 420 + ZIP (variable length, so a GS follows), then the 92… tracking number.
IMPB = "42012345\x1d9205590123456789012345"


@pytest.mark.parametrize("size", LABEL_SIZES)
def test_gs1_128_tracking_with_fnc1(size: str) -> None:
    overrides = {"tracking_number": IMPB, "tracking_gs1": True}
    expected = _expected("receipt", size, **overrides)
    assert ("code128", IMPB, True) in expected
    pdf = render_label("receipt", make_data(**overrides), size=size, fmt="pdf")  # type: ignore[arg-type]
    assert decode_pdf(pdf) == expected
    zpl = render_label("receipt", make_data(**overrides), size=size, fmt="zpl")  # type: ignore[arg-type]
    assert ">;>8420123" in zpl.decode() or ">:>8" in zpl.decode()
    assert decode_zpl(zpl, 203) == expected


@pytest.mark.parametrize(
    ("gtin", "fnsku", "sku", "expected"),
    [
        ("4006381333931", None, "S1", ("ean13", "4006381333931")),
        ("036000291452", None, "S1", ("upca", "036000291452")),
        ("0036000291452", None, "S1", ("upca", "036000291452")),
        ("4006381333931", "X00ABCD123", "S1", ("code128", "X00ABCD123")),
        (None, None, "SKU-ONLY-7", ("code128", "SKU-ONLY-7")),
    ],
)
def test_relabel_sku_barcode_choice(
    gtin: str | None, fnsku: str | None, sku: str, expected: tuple[str, str]
) -> None:
    overrides = {"gtin": gtin, "fnsku": fnsku, "sku": sku}
    exp = _expected("relabel", "2x1", **overrides)
    assert exp == [(expected[0], expected[1], False)]
    pdf = render_label("relabel", make_data(**overrides), size="2x1", fmt="pdf")
    assert decode_pdf(pdf) == exp
    zpl = render_label("relabel", make_data(**overrides), size="2x1", fmt="zpl")
    assert decode_zpl(zpl, 203) == exp
