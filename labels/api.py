"""The labels package's public face: what a label shows, which labels exist, how to render one.

Everything the bench prints goes through ``render_label``: one label model, two renderers (ZPL
II for thermal printers, PDF at exact physical size for office printers and files).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

LabelKind = Literal["lpn", "relabel", "route", "receipt"]
LabelSize = Literal["4x6", "2x1", "100x50", "50x25"]
LabelFormat = Literal["zpl", "pdf"]
LABEL_KINDS: tuple[LabelKind, ...] = ("lpn", "relabel", "route", "receipt")
LABEL_SIZES: tuple[LabelSize, ...] = ("4x6", "2x1", "100x50", "50x25")


@dataclass(frozen=True)
class LabelData:
    """Everything any label kind may show; a kind uses the fields it needs."""

    lpn: str
    station_id: str
    site_id: str
    printed_on: date
    grade: str | None = None
    disposition: str | None = None  # restock, restock_as_graded, repair, ... (DESIGN.md §2)
    sku: str | None = None
    title: str | None = None
    gtin: str | None = None
    fnsku: str | None = None  # marketplace SKU barcode (e.g. Amazon X00...), if the seller has one
    condition_text: str | None = None  # in the seller's language, e.g. "Used – Like New"
    language: str = "en"
    rma_number: str | None = None
    tracking_number: str | None = None  # receipt labels: the inbound tracking number scanned
    seller_code: str | None = None
    # Payload of the 2D code; default: a GS1 element string or a URL built from the LPN.
    link: str | None = None
    # Where the default 2D payload points: ``link_base + lpn``.
    link_base: str = "https://returns.example/lpn/"
    # The tracking number is a GS1 element string (USPS IMpb ``420…``, SSCC ``00…``) with
    # ``\x1d`` after variable-length fields: it is printed as GS1-128 (FNC1 first).
    tracking_gs1: bool = False


@dataclass(frozen=True)
class ExpectedBarcode:
    """A barcode a rendered label must carry, and the exact text a scanner must read from it."""

    format: str  # as devices.decoding names them: "code128", "datamatrix", "qrcode", ...
    text: str
    gs1: bool = False


def render_label(
    kind: LabelKind, data: LabelData, *, size: LabelSize, fmt: LabelFormat, dpi: int = 203
) -> bytes:
    """ZPL II (UTF-8, ``^CI28``) or a one-page PDF at the label's physical size.

    ``dpi`` is the thermal printer's resolution (203 or 300) and only matters for ZPL; the PDF
    is vector and exact in size whatever prints it.
    """
    from labels.templates import build_label

    label = build_label(kind, data, size)
    if fmt == "zpl":
        from labels.zpl import label_to_zpl

        return label_to_zpl(label, dpi=dpi)
    if fmt == "pdf":
        from labels.pdf import label_to_pdf

        return label_to_pdf(label, title=f"{kind} {data.lpn}")
    raise ValueError(f"unknown label format {fmt!r}")


def expected_barcodes(
    kind: LabelKind, data: LabelData, *, size: LabelSize
) -> list[ExpectedBarcode]:
    """What the label's barcodes must decode to (tests and the bench verify every one).

    Read from the same label model the renderers draw, so it cannot drift from the output.
    """
    from labels.templates import build_label

    return [
        ExpectedBarcode(format=b.symbology, text=b.data, gs1=b.gs1)
        for b in build_label(kind, data, size).barcodes
    ]
