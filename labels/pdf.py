"""The PDF renderer: a label model to a one-page PDF at the label's exact physical size.

Why ReportLab's own barcode widgets: they are vector, exact and already a dependency. Two of
their quirks are handled here:

- Code 128 FNC1 is the character ``\\xf1``; a GS1 element string's ``\\x1d`` separators become
  FNC1 and one FNC1 is put first, which is what makes a symbol GS1-128.
- ``ECC200DataMatrix`` encodes ``:;<=>?@`` with the wrong C40 Shift 2 values (a URL's
  ``https:`` decodes as ``https^``); ``_DataMatrix`` corrects the mapping.
- ``ECC200DataMatrix`` (a fixed 44 x 44 C40 symbol) pads its C40 values to a multiple of three
  with zeros. Two values left is fine (a trailing Shift 1 is the standard's padding), but with
  one value left the padding forms "Shift 1, 0", i.e. a NUL that every decoder returns as a
  trailing ``\\x00``. ``_DataMatrix`` encodes such tails correctly: it leaves C40 (``254``) and
  writes the last characters in ASCII encodation.

CJK text uses ReportLab's built-in CID font ``STSong-Light`` (no font file to ship); PDF
viewers and pypdf extract it as Unicode.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.ecc200datamatrix import ECC200DataMatrix
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from labels.model import QUIET_MODULES, BarcodeBlock, Label, TextBlock, fit_text, needs_cjk_font

CJK_FONT = "STSong-Light"
_MAX_MODULE_MM = 0.5  # wider bars only waste space and make tall, hard-to-aim symbols


def _ensure_cjk_font() -> None:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


class _DataMatrix(ECC200DataMatrix):
    """ECC200DataMatrix without the trailing NUL on payloads whose C40 values end one short."""

    col_modules = 44  # ReportLab only draws the 44 x 44 symbol (set again in __init__)

    def _encode_c40_char(self, char: str) -> list[int]:
        """ReportLab maps ``:;<=>?@`` to Shift 2 values 25..31 (``o - 33``); they are 15..21."""
        o = ord(char)
        if 58 <= o <= 64:
            return [1, o - 43]
        if 128 <= o <= 255:
            return [1, 30, *self._encode_c40_char(chr(o - 128))]
        return list(super()._encode_c40_char(char))

    def _encode_c40(self, value: str) -> list[int]:
        values_per_char = [self._encode_c40_char(c) for c in value]
        total = sum(len(v) for v in values_per_char)
        if total % 3 != 1:
            return list(super()._encode_c40(value))
        # Longest prefix whose C40 values fill whole triplets; the rest goes out in ASCII.
        cut = len(value)
        acc = total
        while cut > 0 and acc % 3 != 0:
            cut -= 1
            acc -= len(values_per_char[cut])
        encoded = [x for v in values_per_char[:cut] for x in v]
        codewords: list[int] = []
        if encoded:
            codewords.append(230)
            for i in range(0, len(encoded), 3):
                c = encoded[i : i + 3]
                packed = c[0] * 1600 + c[1] * 40 + c[2] + 1
                codewords += [packed // 256, packed % 256]
            codewords.append(254)
        for ch in value[cut:]:
            o = ord(ch)
            codewords += [235, o - 127] if o > 127 else [o + 1]
        if len(codewords) > self.cw_data:
            raise ValueError("too much data for a 44 x 44 DataMatrix")
        if len(codewords) < self.cw_data:
            codewords.append(129)
            while len(codewords) < self.cw_data:
                r = ((149 * (len(codewords) + 1)) % 253) + 1
                codewords.append((129 + r) % 254)
        return codewords


def _font_for(block: TextBlock) -> str:
    if needs_cjk_font(block.text):
        _ensure_cjk_font()
        return CJK_FONT
    return "Helvetica-Bold" if block.bold else "Helvetica"


def _draw_text(canvas: Canvas, block: TextBlock, page_h: float) -> None:
    font = _font_for(block)

    def width_mm(text: str, size_mm: float) -> float:
        return float(pdfmetrics.stringWidth(text, font, size_mm * mm)) / mm

    size, lines = fit_text(block, width_mm)
    canvas.setFont(font, size * mm)
    top = page_h - block.box.y
    for n, line in enumerate(lines):
        baseline = top - (n * 1.12 + 0.8) * size
        canvas.drawString(block.box.x * mm, baseline * mm, line)


def _linear(block: BarcodeBlock) -> tuple[str, dict[str, Any]]:
    """ReportLab's barcode name and arguments for a linear symbol."""
    if block.symbology == "ean13":
        return "EAN13", {"value": block.data[:12]}
    if block.symbology == "upca":
        return "UPCA", {"value": block.data[:11]}
    value = "\xf1" + block.data.replace("\x1d", "\xf1") if block.gs1 else block.data
    return "Code128", {"value": value}


def _draw_barcode(canvas: Canvas, block: BarcodeBlock, page_h: float) -> None:
    box = block.box
    bottom = page_h - box.y - box.h
    if block.symbology == "datamatrix":
        side_modules = _DataMatrix.col_modules + 2
        module = min(box.w, box.h) / side_modules
        symbol = _DataMatrix(block.data, barWidth=module * mm)
        symbol.validate()
        if not symbol.valid:
            raise ValueError("DataMatrix payloads must be Latin-1 text")
        symbol.encode()
        offset = module + (min(box.w, box.h) - module * side_modules) / 2
        x0, y0 = (box.x + offset) * mm, (bottom + offset) * mm
        step = module * mm
        path = canvas.beginPath()
        for row_no, row in enumerate(symbol.encoded):  # bottom row first
            col = 0
            while col < len(row):  # one rectangle per run of dark modules: smaller, faster PDF
                if not row[col]:
                    col += 1
                    continue
                start = col
                while col < len(row) and row[col]:
                    col += 1
                path.rect(x0 + start * step, y0 + row_no * step, (col - start) * step, step)
        canvas.drawPath(path, stroke=0, fill=1)
        return
    name, args = _linear(block)
    if name == "Code128":
        modules = float(Code128(args["value"], barWidth=1, quiet=0, humanReadable=0).width)
        quiet = 2 * QUIET_MODULES
    else:
        modules, quiet = 95.0, 18
    module = min(_MAX_MODULE_MM, box.w / (modules + quiet))
    drawing = createBarcodeDrawing(
        name, barWidth=module * mm, barHeight=box.h * mm, humanReadable=False, quiet=0, **args
    )
    left = (box.w - module * modules) / 2
    renderPDF.draw(drawing, canvas, (box.x + left) * mm, bottom * mm)


def label_to_pdf(label: Label, *, title: str = "label") -> bytes:
    """A one-page PDF of exactly ``label.width_mm`` x ``label.height_mm``."""
    out = io.BytesIO()
    # invariant: no creation time or random document id, so a reprint is byte-identical.
    canvas = Canvas(
        out,
        pagesize=(label.width_mm * mm, label.height_mm * mm),
        pageCompression=1,
        invariant=1,
    )
    canvas.setTitle(title)
    canvas.setCreator("returns-inspection bench station")
    for element in label.elements:
        if isinstance(element, TextBlock):
            _draw_text(canvas, element, label.height_mm)
        else:
            _draw_barcode(canvas, element, label.height_mm)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
