"""The label model both renderers draw: boxes in millimetres, text blocks and barcodes.

Why a model at all: ZPL (thermal printers) and PDF (office printers, files) must show the same
label, so positions, sizes and barcode payloads are decided once, here and in ``templates``, and
each renderer only translates. Coordinates are millimetres from the label's top-left corner
(ZPL's origin); the PDF renderer flips them. Fitting text is renderer-specific (each knows its
font metrics) but follows the one rule in ``fit_text``: shrink, wrap onto the allowed lines,
and truncate with an ellipsis as a last resort, never draw outside the box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Symbology = Literal["code128", "ean13", "upca", "datamatrix"]

# Physical sizes (width, height) in mm; the inch sizes are exact so ZPL gets ^PW812^LL1218.
PAGE_MM: dict[str, tuple[float, float]] = {
    "4x6": (101.6, 152.4),
    "2x1": (50.8, 25.4),
    "100x50": (100.0, 50.0),
    "50x25": (50.0, 25.0),
}

# Quiet zone of linear codes, in modules, each side (ISO/IEC 15417 asks for 10).
QUIET_MODULES = 10


@dataclass(frozen=True)
class Box:
    """A rectangle in mm from the label's top-left corner."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class TextBlock:
    """Text fitted into ``box``: at most ``size`` mm high (em), shrunk down to ``min_size``."""

    box: Box
    text: str
    size: float
    min_size: float = 1.8
    lines: int = 1
    bold: bool = False


@dataclass(frozen=True)
class BarcodeBlock:
    """A barcode filling ``box`` (quiet zones included for linear codes).

    ``data`` is what a scanner must read: for GS1 it is the element string with ``\\x1d`` where
    a variable-length field ends, exactly as zxing and keyboard-wedge scanners report it.
    """

    box: Box
    symbology: Symbology
    data: str
    gs1: bool = False


Element = TextBlock | BarcodeBlock


@dataclass(frozen=True)
class Label:
    """One label: its physical size and what is drawn on it."""

    width_mm: float
    height_mm: float
    elements: tuple[Element, ...]

    @property
    def barcodes(self) -> list[BarcodeBlock]:
        return [e for e in self.elements if isinstance(e, BarcodeBlock)]


def is_wide(ch: str) -> bool:
    """CJK and other full-width characters, which take about one em each."""
    return ord(ch) >= 0x1100 and not (0x2000 <= ord(ch) <= 0x206F)


def needs_cjk_font(text: str) -> bool:
    return any(ord(ch) > 0x24F and is_wide(ch) for ch in text)


def _wrap(
    text: str, size: float, width: float, width_fn: Callable[[str, float], float]
) -> list[str]:
    """Greedy word wrap; CJK text (no spaces) breaks between any two characters."""
    tokens: list[tuple[str, str]] = []  # (separator before, token)
    for n, word in enumerate(text.split(" ")):
        pieces = list(word) if needs_cjk_font(word) else [word]
        tokens.extend(("" if k or not n else " ", piece) for k, piece in enumerate(pieces))
    lines: list[str] = []
    current = ""
    for sep, token in tokens:
        candidate = f"{current}{sep}{token}" if current else token
        if current and width_fn(candidate, size) > width:
            lines.append(current)
            current = token
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def fit_text(
    block: TextBlock, width_fn: Callable[[str, float], float], line_gap: float = 1.12
) -> tuple[float, list[str]]:
    """The largest size (mm) and lines at which ``block.text`` fits its box.

    Shrinks in 5 % steps; when even ``min_size`` does not fit, the last line is truncated with
    an ellipsis so nothing is ever drawn through a neighbouring barcode.
    """
    box = block.box
    size = min(block.size, box.h / (block.lines * line_gap - (line_gap - 1)))
    text = " ".join(block.text.split())
    while True:
        lines = _wrap(text, size, box.w, width_fn) if block.lines > 1 else [text]
        fits_h = len(lines) <= block.lines
        fits_w = all(width_fn(line, size) <= box.w for line in lines)
        if (fits_h and fits_w) or size <= block.min_size:
            break
        size = max(block.min_size, size * 0.95)
    lines = lines[: block.lines]
    last = lines[-1] if lines else ""
    truncated = len(_wrap(text, size, box.w, width_fn)) > block.lines if block.lines > 1 else False
    if truncated or width_fn(last, size) > box.w:
        while last and width_fn(last + "…", size) > box.w:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return size, lines
