"""Pieces every seller report shares: language, fonts, mixed-script text, tables, photos, hashes.

Qt-free and station-free like the rest of ``labels``: the inspection report and the daily
report both build ReportLab platypus documents from plain data, so the station can render them
in a worker thread, from the CLI or in tests alike.

Fonts: Latin text is Helvetica, Chinese text is ReportLab's built-in CID font ``STSong-Light``
(the PDF viewer supplies the glyphs), so no font file is downloaded or embedded. Paragraph text
is split into runs by script, so a Chinese seller name in an English report, or a SKU code in a
Chinese one, each get the right font and still extract as text.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID
from xml.sax.saxutils import escape

import cv2
import numpy as np
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from labels.locale.report import LANGUAGES, MESSAGES

LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
MONO_FONT = "Courier"
CJK_FONT = "STSong-Light"
PAGE_SIZE = A4
MARGIN = 15 * mm
# Photos: long edge in pixels and JPEG quality after downscaling; about 250 dpi at the printed
# size of a two-column grid, while 12 photos stay well under 3 MB.
PHOTO_MAX_PX = 1200
PHOTO_QUALITY = 75

# CJK ideographs, kana, hangul, CJK punctuation and full-width forms: what Helvetica cannot show.
_CJK_RUN = re.compile(
    "([\u2e80-\u2fff\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+)"
)


def missing_keys() -> dict[str, list[str]]:
    """Keys English has that another language lacks (empty when the catalogue is complete)."""
    english = set(MESSAGES["en"])
    return {
        language: sorted(english - set(MESSAGES.get(language, {})))
        for language in LANGUAGES
        if english - set(MESSAGES.get(language, {}))
    }


def register_fonts() -> None:
    """Register the CID font once per process (ReportLab keeps a global font registry)."""
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def normalize_language(language: str | None) -> str:
    """The catalogue language for a BCP 47 tag: ``zh``/``zh_CN``/``zh-Hans`` -> ``zh-CN``, ..."""
    if not language:
        return "en"
    tag = language.replace("_", "-")
    if tag in LANGUAGES:
        return tag
    base = tag.split("-")[0].lower()
    if base == "zh":
        return "zh-CN"
    return base if base in LANGUAGES else "en"


class Translator:
    """Looks report strings up in one language; a key missing there falls back to English."""

    def __init__(self, language: str | None) -> None:
        self.language = normalize_language(language)
        self._messages = MESSAGES[self.language]

    def __call__(self, key: str, **values: Any) -> str:
        text = self._messages.get(key) or MESSAGES["en"][key]
        return text.format(**values) if values else text

    def local(self, text: Mapping[str, str] | None, fallback: str = "") -> str:
        """Pick a standard's multilingual text (``{"en": ..., "zh-CN": ...}``) for this language."""
        if not text:
            return fallback
        base = self.language.split("-")[0]
        return (
            text.get(self.language)
            or text.get(base)
            or text.get("en")
            or next(iter(text.values()), fallback)
        )

    def has(self, key: str) -> bool:
        return key in MESSAGES["en"]

    def code(self, prefix: str, code: str | None) -> str:
        """A translated enum value (``disposition.repair``); an unknown one humanised, so a
        seller never reads a raw code (``"new_state"`` -> ``"New state"``)."""
        if not code:
            return self("value.none")
        key = f"{prefix}.{code}"
        return self(key) if key in MESSAGES["en"] else humanise(code)


def humanise(code: str) -> str:
    """A code as words, for codes no catalogue knows: ``SUPERVISOR_REGRADE`` -> "Supervisor
    regrade". Better than the code, never as good as a translation."""
    words = re.sub(r"[_\s]+", " ", code).strip()
    return words[:1].upper() + words[1:].lower() if words else code


def markup(text: object) -> str:
    """Paragraph markup for plain text: XML-escaped, CJK runs switched to the CID font."""
    escaped = escape(str(text)).replace("\n", "<br/>")
    return _CJK_RUN.sub(rf'<font name="{CJK_FONT}">\1</font>', escaped)


def has_cjk(text: str) -> bool:
    return _CJK_RUN.search(text) is not None


class Styles:
    """The paragraph styles of a report; ``wordWrap="CJK"`` lets Chinese lines break anywhere."""

    def __init__(self, language: str) -> None:
        wrap = "CJK" if language.startswith("zh") else None
        base = {"fontName": LATIN_FONT, "wordWrap": wrap}
        self.title = ParagraphStyle("title", fontSize=16, leading=20, **base)
        self.title.fontName = LATIN_BOLD
        self.subtitle = ParagraphStyle(
            "subtitle", fontSize=9, leading=12, textColor=colors.grey, **base
        )
        self.heading = ParagraphStyle(
            "heading", fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=3, **base
        )
        self.heading.fontName = LATIN_BOLD
        self.body = ParagraphStyle("body", fontSize=8.5, leading=11, **base)
        self.label = ParagraphStyle(
            "label", fontSize=8, leading=10.5, textColor=colors.grey, **base
        )
        self.cell_bold = ParagraphStyle("bold", fontSize=8.5, leading=11, **base)
        self.cell_bold.fontName = LATIN_BOLD
        self.mono = ParagraphStyle(
            "mono", fontName=MONO_FONT, fontSize=6.5, leading=8, wordWrap="CJK"
        )
        self.big = ParagraphStyle("big", fontSize=14, leading=17, **base)
        self.big.fontName = LATIN_BOLD

    def p(self, text: object, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(markup(text), style or self.body)


GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.Color(0.75, 0.75, 0.75)),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
)
FIELDS = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.Color(0.88, 0.88, 0.88)),
    ]
)


def grid_table(
    styles: Styles,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """A ruled table with a shaded, repeated header row; cells are text or flowables."""
    data: list[list[Any]] = [[styles.p(h, styles.cell_bold) for h in header]]
    for row in rows:
        data.append([c if isinstance(c, Paragraph) else styles.p(c) for c in row])
    table = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(GRID)
    if extra:
        table.setStyle(TableStyle(list(extra)))
    return table


def field_table(
    styles: Styles, pairs: Sequence[tuple[str, object]], width: float, columns: int = 2
) -> Table:
    """Label/value pairs laid out in ``columns`` pairs per row; a value is text, a paragraph
    or a list of paragraphs stacked in its cell."""
    label_w = width / columns * 0.38
    value_w = width / columns - label_w
    cells: list[Any] = []
    for label, value in pairs:
        shown = value if isinstance(value, Paragraph | list) else styles.p(value)
        cells += [styles.p(label, styles.label), shown]
    per_row = columns * 2
    while len(cells) % per_row:
        cells.append("")
    rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    table = Table(rows, colWidths=[label_w, value_w] * columns, hAlign="LEFT")
    table.setStyle(FIELDS)
    return table


def downscale_jpeg(
    data: bytes,
    *,
    max_px: int = PHOTO_MAX_PX,
    quality: int = PHOTO_QUALITY,
    size_hint: tuple[int, int] | None = None,
) -> tuple[bytes, int, int] | None:
    """A JPEG whose long edge is at most ``max_px``: (bytes, width, height); None if undecodable.

    A 12-megapixel original is decoded at 1/2, 1/4 or 1/8 scale straight from the JPEG's DCT
    blocks when the known size allows (``size_hint``), which is several times faster than a full
    decode followed by a resize.
    """
    flag = cv2.IMREAD_COLOR
    if size_hint and data[:2] == b"\xff\xd8":
        long_edge = max(size_hint)
        for factor, reduced in ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4)):
            if long_edge // factor >= max_px:
                flag = reduced
                break
        else:
            if long_edge // 2 >= max_px:
                flag = cv2.IMREAD_REDUCED_COLOR_2
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    if image is None:
        return None
    height, width = image.shape[:2]
    scale = max_px / max(width, height)
    if scale < 1:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        return None
    height, width = image.shape[:2]
    return encoded.tobytes(), width, height


# Field metadata for report data classes: what the verification hash leaves out.
# NOT_HASHED: presentation derived from hashed data (reasons in words, a grade's description):
# wording can improve in a new version without every report sent before it failing to verify.
NOT_HASHED: Mapping[str, Any] = {"hash": "never"}
# HASHED_WHEN_SET: recorded data added after reports were first issued; left out while empty,
# so every report without it still hashes as it did when it was sent.
HASHED_WHEN_SET: Mapping[str, Any] = {"hash": "when_set"}


def _hashed_fields(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(value):
        rule = f.metadata.get("hash")
        item = getattr(value, f.name)
        if rule == "never" or (rule == "when_set" and item in (None, "", (), {})):
            continue
        out[f.name] = _jsonable(item)
    return out


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _hashed_fields(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, frozenset | set) else items
    if isinstance(value, Enum):
        return _jsonable(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def canonical_json(data: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text, dates ISO 8601, decimals and UUIDs as strings."""
    return json.dumps(_jsonable(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def data_hash(data: Any) -> str:
    """SHA-256 of the canonical JSON of a report's data: what the footer of every page prints."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def footer(tr: Translator, verification_hash: str, left: str = "") -> Callable[[Canvas, Any], None]:
    """A page callback drawing the verification hash and the page number on every page."""

    def draw(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        width, _height = PAGE_SIZE
        y = 9 * mm
        canvas.setStrokeColor(colors.Color(0.8, 0.8, 0.8))
        canvas.line(MARGIN, y + 9, width - MARGIN, y + 9)
        label = tr("footer.hash") + ":"
        font = CJK_FONT if has_cjk(label) else LATIN_FONT
        canvas.setFont(font, 6.5)
        canvas.drawString(MARGIN, y, label)
        label_w = pdfmetrics.stringWidth(label, font, 6.5)
        canvas.setFont(MONO_FONT, 6.5)
        canvas.drawString(MARGIN + label_w + 3, y, verification_hash)
        page = tr("footer.page", page=doc.page)
        page_font = CJK_FONT if has_cjk(page) else LATIN_FONT
        canvas.setFont(page_font, 7)
        canvas.drawRightString(width - MARGIN, y, page)
        if left:
            left_font = CJK_FONT if has_cjk(left) else LATIN_FONT
            canvas.setFont(left_font, 6.5)
            canvas.drawString(MARGIN, y - 8, left)
        canvas.restoreState()

    return draw


@contextmanager
def binary_streams() -> Iterator[None]:
    """Build without ASCII85 text encoding of streams: JPEGs go in as bytes, 25 % smaller.

    ReportLab reads this setting from its global config at build time; it is restored after.
    Either value yields a valid PDF, so a concurrent build elsewhere is never broken by it.
    """
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous
