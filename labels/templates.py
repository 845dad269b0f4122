"""Label templates as data: which slot sits where, per kind and per size class.

Why data rather than drawing code: one table is read by both renderers and by
``expected_barcodes``, so a layout change can never make the PDF, the ZPL and the tests disagree.
A slot absent from a size's table is simply not printed: small labels drop secondary fields
(title, date, station) instead of squeezing them until they overflow.

Slot tuples: ``(slot, x, y, w, h, size)`` in mm; ``size`` is the largest text height (em) for
text slots and is ignored for barcode slots (named ``bc_*``/``dm_*``). An optional seventh item
gives the number of lines a text slot may wrap onto.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from labels.model import PAGE_MM, BarcodeBlock, Box, Element, Label, Symbology, TextBlock

if TYPE_CHECKING:
    from labels.api import LabelData, LabelKind, LabelSize

Slot = (
    tuple[str, float, float, float, float, float]
    | tuple[str, float, float, float, float, float, int]
)

# Size classes: the two small sizes share one layout (drawn within 50 x 25 mm).
SIZE_CLASS: dict[str, str] = {"4x6": "tall", "100x50": "wide", "2x1": "small", "50x25": "small"}

LAYOUTS: dict[str, dict[str, tuple[Slot, ...]]] = {
    "lpn": {
        "tall": (
            ("bc_lpn", 4, 6, 93.6, 28, 0),
            ("lpn", 4, 35, 93.6, 8, 7),
            ("dm_link", 6, 46, 40, 40, 0),
            ("grade", 50, 46, 47, 20, 18),
            ("disposition", 50, 68, 47, 16, 6, 2),
            ("sku", 4, 92, 93.6, 8, 6),
            ("title", 4, 102, 93.6, 16, 6, 2),
            ("date_station", 4, 140, 93.6, 6, 4.5),
        ),
        "wide": (
            ("bc_lpn", 2, 3, 66, 17, 0),
            ("lpn", 4, 21, 62, 5, 4.5),
            ("dm_link", 71, 3, 26, 26, 0),
            ("grade", 4, 28, 20, 12, 10),
            ("disposition", 26, 28, 42, 6, 4.5),
            ("sku", 26, 35, 42, 5, 3.5),
            ("title", 4, 41.5, 62, 4, 3),
            ("date_station", 68, 41.5, 30, 4, 2.6),
        ),
        "small": (
            ("bc_lpn", 0.5, 1, 49, 9, 0),
            ("lpn", 1.5, 10.3, 35, 3.2, 2.8),
            ("grade", 1.5, 14, 10, 6, 5),
            ("disposition", 12, 14, 25, 3.2, 2.6),
            ("sku", 12, 18, 25, 3, 2.4),
            ("dm_link", 38, 13.5, 11, 11, 0),
        ),
    },
    "relabel": {
        "tall": (
            ("bc_sku", 4, 8, 93.6, 30, 0),
            ("sku_code", 4, 40, 93.6, 7, 6),
            ("sku", 4, 50, 93.6, 7, 5),
            ("title", 4, 59, 93.6, 12, 5, 2),
            ("condition", 4, 74, 93.6, 30, 10, 2),
            ("bc_lpn", 4, 112, 64, 16, 0),
            ("lpn", 6, 129, 60, 5, 4),
            ("date_station", 4, 142, 93.6, 5, 3.5),
        ),
        "wide": (
            ("bc_sku", 2, 3, 72, 18, 0),
            ("sku_code", 4, 22, 70, 4.5, 4),
            ("condition", 4, 28, 92, 9, 7),
            ("title", 4, 38.5, 92, 4.5, 3.5),
            ("sku", 4, 44, 45, 4, 3.2),
            ("date_station", 55, 44, 41, 4, 3),
        ),
        "small": (
            ("bc_sku", 0.5, 1, 49, 11, 0),
            ("sku_code", 1.5, 12.5, 47, 3.2, 2.8),
            ("condition", 1.5, 16.3, 47, 7.5, 4.5, 2),
        ),
    },
    "route": {
        "tall": (
            ("disposition", 4, 8, 93.6, 70, 28, 3),
            ("grade", 4, 82, 93.6, 14, 10),
            ("bc_lpn", 2, 110, 72, 20, 0),
            ("lpn", 4, 131, 68, 5, 4),
            ("date_station", 4, 142, 93.6, 5, 3.5),
        ),
        "wide": (
            ("disposition", 3, 2, 94, 31, 14, 2),
            ("bc_lpn", 1, 35, 58, 10, 0),
            ("lpn", 3, 45.5, 54, 3.5, 3),
            ("grade", 62, 35, 35, 8, 6),
            ("date_station", 62, 45, 35, 3.5, 2.6),
        ),
        "small": (
            ("disposition", 1.5, 0.8, 47, 13, 7, 2),
            ("bc_lpn", 0.5, 14.3, 49, 7.2, 0),
            ("lpn", 1.5, 21.8, 47, 2.8, 2.4),
        ),
    },
    "receipt": {
        "tall": (
            ("blind", 4, 6, 93.6, 16, 12),
            ("bc_tracking", 2, 26, 97.6, 28, 0),
            ("tracking", 4, 55, 93.6, 6, 5),
            ("received", 4, 66, 93.6, 7, 5),
            ("station", 4, 75, 93.6, 6, 4.5),
            ("bc_lpn", 2, 95, 97.6, 25, 0),
            ("lpn", 4, 121, 93.6, 7, 6),
        ),
        "wide": (
            ("blind", 3, 1.5, 94, 7, 6),
            ("bc_tracking", 1, 9.5, 98, 14, 0),
            ("tracking", 3, 24, 94, 4, 3.5),
            ("bc_lpn", 1, 29.5, 62, 12, 0),
            ("lpn", 3, 42, 58, 4, 3.5),
            ("received", 66, 31, 31, 4, 3),
            ("station", 66, 36, 31, 4, 3),
        ),
        "small": (
            ("blind", 1.5, 0.6, 47, 3.4, 3),
            ("bc_tracking", 0.5, 4.2, 49, 7.6, 0),
            ("tracking", 1.5, 12, 47, 2.6, 2.2),
            ("bc_lpn", 0.5, 15, 49, 6.6, 0),
            ("lpn", 1.5, 21.9, 30, 2.6, 2.2),
            ("received", 32, 21.9, 16.5, 2.6, 2.0),
        ),
    },
}

BOLD_SLOTS = frozenset({"grade", "disposition", "blind", "lpn", "condition"})


def disposition_words(disposition: str | None) -> str:
    """``restock_as_graded`` -> ``RESTOCK AS GRADED`` (the words sorters read from afar)."""
    return (disposition or "QUARANTINE").replace("_", " ").replace("-", " ").upper()


def default_link(data: LabelData) -> str:
    """The 2D code's payload when the caller gave none: a URL that contains the LPN."""
    return f"{data.link_base}{data.lpn}"


def sku_barcode(data: LabelData) -> tuple[Symbology, str]:
    """The SKU barcode as the marketplace expects it: FNSKU, else the GTIN, else the SKU.

    A GTIN-12, or a GTIN-13/14 that is a UPC-A padded with zeros, prints as UPC-A (scanners and
    zxing report such a symbol as UPC-A anyway); any other GTIN-13/14 with one leading zero as
    EAN-13.
    """
    if data.fnsku:
        return "code128", data.fnsku
    gtin = (data.gtin or "").strip()
    if gtin.isdigit() and len(gtin) in (12, 13, 14):
        digits = gtin.lstrip("0").rjust(12, "0") if len(gtin.lstrip("0")) <= 12 else gtin
        if len(digits) == 12:
            return "upca", digits
        if len(digits) == 13 or (len(digits) == 14 and digits.startswith("0")):
            return "ean13", digits[-13:]
    return "code128", data.sku or data.lpn


def tracking_barcode(data: LabelData) -> tuple[str, bool]:
    """The inbound tracking number; a GS1 element string (USPS IMpb, SSCC) prints as GS1-128."""
    return data.tracking_number or "NO TRACKING", data.tracking_gs1


def _text_for(kind: LabelKind, slot: str, data: LabelData) -> str | None:
    date_text = data.printed_on.isoformat()
    texts: dict[str, Callable[[], str | None]] = {
        "lpn": lambda: data.lpn,
        "grade": lambda: (
            (f"GRADE {data.grade}" if kind == "route" else data.grade) if data.grade else None
        ),
        "disposition": lambda: disposition_words(data.disposition),
        "sku": lambda: f"SKU {data.sku}" if data.sku else None,
        "title": lambda: data.title,
        "date_station": lambda: f"{date_text}  {data.station_id}",
        "sku_code": lambda: sku_barcode(data)[1],
        "condition": lambda: data.condition_text,
        "blind": lambda: "BLIND RETURN",
        "tracking": lambda: tracking_barcode(data)[0].replace("\x1d", " "),
        "received": lambda: f"RECEIVED {date_text}",
        "station": lambda: f"{data.station_id} {data.site_id}".strip(),
    }
    return texts[slot]()


def _barcode_for(slot: str, data: LabelData) -> tuple[Symbology, str, bool]:
    if slot == "bc_lpn":
        return "code128", data.lpn, False
    if slot == "dm_link":
        return "datamatrix", data.link or default_link(data), False
    if slot == "bc_sku":
        symbology, value = sku_barcode(data)
        return symbology, value, False
    if slot == "bc_tracking":
        value, gs1 = tracking_barcode(data)
        return "code128", value, gs1
    raise KeyError(slot)


def build_label(kind: LabelKind, data: LabelData, size: LabelSize) -> Label:
    """The label model for one kind, size and set of data (what both renderers draw)."""
    if size not in PAGE_MM:
        raise ValueError(f"unknown label size {size!r}")
    if kind not in LAYOUTS:
        raise ValueError(f"unknown label kind {kind!r}")
    width, height = PAGE_MM[size]
    elements: list[Element] = []
    for slot_def in LAYOUTS[kind][SIZE_CLASS[size]]:
        slot, x, y, w, h, font = slot_def[:6]
        lines = slot_def[6] if len(slot_def) > 6 else 1
        box = Box(float(x), float(y), float(w), float(h))
        if slot.startswith(("bc_", "dm_")):
            symbology, value, gs1 = _barcode_for(slot, data)
            elements.append(BarcodeBlock(box, symbology, value, gs1))
            continue
        text = _text_for(kind, slot, data)
        if text:
            elements.append(
                TextBlock(box, text, float(font), lines=int(lines), bold=slot in BOLD_SLOTS)
            )
    return Label(width, height, tuple(elements))
