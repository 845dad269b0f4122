"""The command sheet: one A4 page of Code 128 symbols a grader scans instead of pressing keys.

Taped to the bench and read with a cheap handheld scanner held at arm's length, so the symbols
are sized for that, not for density: a module (narrowest bar) of at least ``MIN_MODULE_MM``,
bars at least ``MIN_BAR_MM`` tall, ISO/IEC 15417 quiet zones of ``QUIET_MODULES`` on both
sides inside each cell, and cells far enough apart that an aiming line crosses one symbol only.
A layout that cannot keep those promises on one page is refused (``SheetDoesNotFit``) rather
than printed too small to scan.

Plain data in, PDF bytes out: the caller (the station) decides the payloads and passes every
text already translated, so ``labels`` stays independent of the station. Chinese text uses the
built-in CID font of ``report_common`` (nothing embedded, still extractable as text).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from labels.model import QUIET_MODULES, Box, TextBlock, fit_text, needs_cjk_font
from labels.report_common import CJK_FONT, LATIN_BOLD, LATIN_FONT, MONO_FONT, register_fonts

PAGE_W_MM, PAGE_H_MM = 210.0, 297.0  # A4
MARGIN_MM = 10.0
COLUMN_GAP_MM = 4.0
MIN_MODULE_MM = 0.33  # what a cheap handheld still resolves at arm's length
MAX_MODULE_MM = 0.6  # wider only makes symbols too long to aim at comfortably
MIN_BAR_MM = 12.0
BAR_MM = 16.0
# Below the symbol: title, subtitle and payload lines (em heights in mm) and their spacing.
TITLE_MM, SUBTITLE_MM, PAYLOAD_MM = 6.0, 3.2, 2.8
_TEXT_STACK_MM = 1.5 + TITLE_MM * 1.12 + 0.6 + SUBTITLE_MM * 1.12 + 0.4 + PAYLOAD_MM * 1.12
ROW_GAP_MM = 6.0
HEADER_TITLE_MM, INSTRUCTION_MM, INSTRUCTION_LINES = 8.0, 3.6, 4
HEADING_MM = 4.6


class SheetDoesNotFit(ValueError):
    """Too many or too long payloads for one page at a scannable size."""


class SheetEntry(NamedTuple):
    """One command: what the symbol encodes, its title in large type and a short explanation."""

    payload: str
    title: str
    subtitle: str = ""


@dataclass(frozen=True)
class SheetSection:
    """A titled group of commands laid out ``columns`` to a row (fewer when a payload is too
    long for the cell at ``MIN_MODULE_MM``)."""

    heading: str
    entries: Sequence[SheetEntry | tuple[str, str, str]]
    columns: int = 2


@dataclass(frozen=True)
class _Grid:
    heading: str
    entries: list[SheetEntry]
    columns: int
    module_mm: float

    @property
    def rows(self) -> int:
        return -(-len(self.entries) // self.columns)

    @property
    def cell_w(self) -> float:
        return cell_width(self.columns)


def cell_width(columns: int) -> float:
    return (PAGE_W_MM - 2 * MARGIN_MM - (columns - 1) * COLUMN_GAP_MM) / columns


def symbol_modules(payload: str) -> float:
    """Width of ``payload``'s Code 128 symbol in modules, without quiet zones."""
    if not payload or not payload.isascii() or not payload.isprintable():
        raise ValueError(f"command payloads must be printable ASCII, not {payload!r}")
    return float(Code128(payload, barWidth=1, quiet=0, humanReadable=0).width)


def _grid(section: SheetSection) -> _Grid:
    entries = [SheetEntry(*entry) for entry in section.entries]
    widest = max((symbol_modules(e.payload) for e in entries), default=0.0) + 2 * QUIET_MODULES
    for columns in range(max(1, section.columns), 0, -1):
        module = min(MAX_MODULE_MM, cell_width(columns) / widest)
        if module >= MIN_MODULE_MM:
            return _Grid(section.heading, entries, columns, module)
    raise SheetDoesNotFit(f"payload too long for a scannable symbol across the page: {widest}")


def _font(text: str, base: str) -> str:
    if needs_cjk_font(text):
        register_fonts()
        return CJK_FONT
    return base


def _draw_text(
    canvas: Canvas, block: TextBlock, font: str, *, centred: bool = True, grey: float = 0.0
) -> None:
    """``block`` fitted into its box (shrunk, then truncated) in ``font``; top-left origin."""
    font = _font(block.text, font)

    def width_mm(text: str, size_mm: float) -> float:
        return float(pdfmetrics.stringWidth(text, font, size_mm * mm)) / mm

    size, lines = fit_text(block, width_mm)
    canvas.setFillGray(grey)
    canvas.setFont(font, size * mm)
    for n, line in enumerate(lines):
        baseline = (PAGE_H_MM - block.box.y - (n * 1.12 + 0.8) * size) * mm
        if centred:
            canvas.drawCentredString((block.box.x + block.box.w / 2) * mm, baseline, line)
        else:
            canvas.drawString(block.box.x * mm, baseline, line)
    canvas.setFillGray(0.0)


def _draw_symbol(canvas: Canvas, payload: str, box: Box, module_mm: float) -> None:
    """The symbol centred in ``box``; the white around it is at least the quiet zone."""
    drawing = createBarcodeDrawing(
        "Code128",
        value=payload,
        barWidth=module_mm * mm,
        barHeight=box.h * mm,
        humanReadable=False,
        quiet=0,
    )
    left = (box.w - symbol_modules(payload) * module_mm) / 2
    renderPDF.draw(drawing, canvas, (box.x + left) * mm, (PAGE_H_MM - box.y - box.h) * mm)


def _draw_cell(
    canvas: Canvas, entry: SheetEntry, x: float, y: float, grid: _Grid, bar: float
) -> None:
    w = grid.cell_w
    _draw_symbol(canvas, entry.payload, Box(x, y, w, bar), grid.module_mm)
    y += bar + 1.5
    _draw_text(
        canvas, TextBlock(Box(x, y, w, TITLE_MM * 1.12), entry.title, TITLE_MM, 2.5), LATIN_BOLD
    )
    y += TITLE_MM * 1.12 + 0.6
    if entry.subtitle:
        _draw_text(
            canvas,
            TextBlock(Box(x, y, w, SUBTITLE_MM * 1.12), entry.subtitle, SUBTITLE_MM, 1.8),
            LATIN_FONT,
            grey=0.25,
        )
        y += SUBTITLE_MM * 1.12 + 0.4
    _draw_text(
        canvas,
        TextBlock(Box(x, y, w, PAYLOAD_MM * 1.12), entry.payload, PAYLOAD_MM, 1.8),
        MONO_FONT,
        grey=0.35,
    )


def render_command_sheet(
    sections: Sequence[SheetSection],
    *,
    title: str,
    instructions: str,
    language: str = "en",
) -> bytes:
    """The sheet as a one-page A4 PDF; ``language`` is the BCP 47 tag of the texts.

    Raises ``SheetDoesNotFit`` when the commands cannot all be printed at a scannable size.
    """
    grids = [_grid(section) for section in sections if section.entries]
    usable_w = PAGE_W_MM - 2 * MARGIN_MM
    header_h = HEADER_TITLE_MM * 1.12 + 2 + INSTRUCTION_MM * (INSTRUCTION_LINES * 1.12) + 4
    headings_h = sum(HEADING_MM * 1.12 + 2.5 for grid in grids if grid.heading)
    rows = sum(grid.rows for grid in grids)
    free = PAGE_H_MM - 2 * MARGIN_MM - header_h - headings_h
    # Bars as tall as the page allows up to BAR_MM, shorter rows before a second page.
    bar = min(BAR_MM, free / rows - _TEXT_STACK_MM - ROW_GAP_MM) if rows else BAR_MM
    if bar < MIN_BAR_MM:
        raise SheetDoesNotFit(f"{rows} rows of commands do not fit on one page")

    out = io.BytesIO()
    # invariant: no creation time or random id, so the same sheet is byte-identical.
    canvas = Canvas(
        out,
        pagesize=(PAGE_W_MM * mm, PAGE_H_MM * mm),
        pageCompression=1,
        invariant=1,
        lang=language,
    )
    canvas.setTitle(title)
    canvas.setCreator("returns-inspection bench station")
    y = MARGIN_MM
    head = TextBlock(
        Box(MARGIN_MM, y, usable_w, HEADER_TITLE_MM * 1.12), title, HEADER_TITLE_MM, 4.0
    )
    _draw_text(canvas, head, LATIN_BOLD, centred=False)
    y += HEADER_TITLE_MM * 1.12 + 2
    box = Box(MARGIN_MM, y, usable_w, INSTRUCTION_MM * INSTRUCTION_LINES * 1.12)
    text = TextBlock(box, instructions, INSTRUCTION_MM, 2.2, lines=INSTRUCTION_LINES)
    _draw_text(canvas, text, LATIN_FONT, centred=False)
    y += box.h + 2
    canvas.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
    canvas.setLineWidth(0.4)
    canvas.line(
        MARGIN_MM * mm, (PAGE_H_MM - y) * mm, (PAGE_W_MM - MARGIN_MM) * mm, (PAGE_H_MM - y) * mm
    )
    y += 2
    for grid in grids:
        if grid.heading:
            heading = TextBlock(
                Box(MARGIN_MM, y, usable_w, HEADING_MM * 1.12), grid.heading, HEADING_MM, 3.0
            )
            _draw_text(canvas, heading, LATIN_BOLD, centred=False)
            y += HEADING_MM * 1.12 + 2.5
        for n, entry in enumerate(grid.entries):
            row, column = divmod(n, grid.columns)
            x = MARGIN_MM + column * (grid.cell_w + COLUMN_GAP_MM)
            _draw_cell(canvas, entry, x, y + row * (bar + _TEXT_STACK_MM + ROW_GAP_MM), grid, bar)
        y += grid.rows * (bar + _TEXT_STACK_MM + ROW_GAP_MM)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
