"""The daily seller report as a PDF: what came back, what it was graded, and *why* it came back.

Qt-free and station-free: the station gathers plain data (``DailyReport``) and this module only
lays it out with ReportLab, so the same renderer serves the CLI, the window and tests. A4
landscape, because the inspection table has eleven columns a seller wants side by side.

Charts use ``reportlab.graphics`` (vector, tiny, no matplotlib): the grade distribution, the
customers' top stated reasons, and a stacked bar of stated reasons per SKU, the view that
tells a product team which item to fix. Chinese reports use the built-in CID font
``STSong-Light`` (no font file to ship); it is also used whenever the data itself holds
characters Helvetica cannot draw (a Chinese seller name in an English report).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from labels.daily_strings import text

Progress = Callable[[int, int], None]

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
PAGE = landscape(A4)
MARGIN = 12 * mm
# One colour per grade position (A best .. X worst) and a palette for stated reasons.
GRADE_COLOURS = ("#2e7d32", "#7cb342", "#f9a825", "#ef6c00", "#c62828", "#6d4c41")
REASON_COLOURS = ("#1565c0", "#6a1b9a", "#00838f", "#ad1457", "#ef6c00", "#558b2f", "#757575")
TOP_SKUS = 10
HEADER_BG = colors.HexColor("#263238")
STRIPE = colors.HexColor("#f3f5f7")


@dataclass(frozen=True)
class DailyRow:
    """One finalized inspection as the seller sees it (latest verdict revision)."""

    rma: str
    sku: str
    title: str
    grade: str
    disposition: str
    refund_kind: str
    refund_percent: Decimal
    refund_amount: Decimal | None
    currency: str | None
    responsibility: str
    stated_reason: str | None
    reasons: tuple[str, ...]
    lpn: str | None
    finished_at: datetime


@dataclass(frozen=True)
class DailyReport:
    """Everything the PDF shows; aggregates are computed by the caller from ``rows``."""

    seller_code: str
    seller_name: str
    date_from: date
    date_to: date
    rows: tuple[DailyRow, ...]
    grade_scale: tuple[str, ...] = ("A", "B", "C", "D", "X")
    grades: dict[str, int] = field(default_factory=dict)
    dispositions: dict[str, int] = field(default_factory=dict)
    top_reasons: tuple[tuple[str, int], ...] = ()  # stated reason code (or "none"), count
    # SKU -> stated reason -> count, most-returned SKU first.
    reasons_by_sku: tuple[tuple[str, dict[str, int]], ...] = ()
    refund_totals: dict[str, Decimal] = field(default_factory=dict)
    generated_at: datetime | None = None
    seller_language: str = "en"  # the report's language unless another is asked for


def _needs_cjk(values: Sequence[str]) -> bool:
    for value in values:
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            return True
    return False


class _Fonts:
    def __init__(self, cjk: bool) -> None:
        if cjk:
            if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
            self.regular = self.bold = CJK_FONT
        else:
            self.regular, self.bold = LATIN_FONT, LATIN_BOLD


def _progress_table(progress: Progress | None, total: int) -> type[LongTable]:
    """A LongTable class whose every drawn piece (one per page) reports the rows drawn so far.

    ReportLab splits a long table into pieces of the same class, so a per-render subclass
    with a shared counter sees each page's rows as they are really drawn.
    """
    drawn = [0]

    class ProgressTable(LongTable):
        rows_drawn = drawn

        def draw(self) -> None:
            super().draw()
            drawn[0] += self._nrows - 1  # every piece carries the one header row
            if progress is not None:
                progress(min(drawn[0], total), total)

    return ProgressTable


def render_daily_report(
    report: DailyReport,
    *,
    language: str = "en",
    progress: Progress | None = None,
    charts: bool = True,
) -> bytes:
    """The report as PDF bytes. ``progress(done, total)`` counts table rows as pages are drawn.

    The count moves while ReportLab really lays out and draws each page (not while rows are
    merely prepared), so a progress bar tracks the slow part. It ends at ``(total, total)``;
    an empty report calls ``progress(0, 0)`` once. ``charts=False`` is the benchmark's baseline.
    """
    fonts = _Fonts(
        language == "zh-CN" or _needs_cjk([report.seller_name, *(row.title for row in report.rows)])
    )
    styles = _styles(fonts)
    t = lambda key: text(key, language)  # noqa: E731 - a local shorthand keeps tables readable
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"{t('title')} {report.seller_code} {report.date_from.isoformat()}",
        author="Returns inspection station",
    )
    period = report.date_from.isoformat()
    if report.date_to != report.date_from:
        period += f" – {report.date_to.isoformat()}"
    story: list[Flowable] = [
        Paragraph(escape(t("title")), styles["title"]),
        Paragraph(
            f"<b>{escape(t('seller'))}:</b> {escape(report.seller_code)} · "
            f"{escape(report.seller_name)} &nbsp;&nbsp; <b>{escape(t('period'))}:</b> {period}",
            styles["body"],
        ),
        Spacer(1, 3 * mm),
    ]
    total = len(report.rows)
    table: LongTable | None = None  # doc.build consumes the story list: keep the table
    if not report.rows:
        story.append(Paragraph(escape(t("no_inspections")), styles["heading"]))
    else:
        story.append(_summary_table(report, t, fonts))
        story.append(Spacer(1, 3 * mm))
        if charts:
            story.append(_charts_row(report, t, fonts, language))
            story.append(Spacer(1, 2 * mm))
            story.append(_sku_chart(report, t, fonts, language))
            story.append(Spacer(1, 3 * mm))
        story.append(Paragraph(escape(t("all_inspections")), styles["heading"]))
        table = _inspection_table(report, t, fonts, styles, progress)
        story.append(table)

    def footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(fonts.regular, 7)
        canvas.setFillColor(colors.grey)
        generated = (
            report.generated_at.strftime("%Y-%m-%d %H:%M UTC") if report.generated_at else ""
        )
        canvas.drawString(MARGIN, 7 * mm, f"{report.seller_code} · {period} · {generated}")
        canvas.drawRightString(PAGE[0] - MARGIN, 7 * mm, f"{t('page')} {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    drawn = getattr(type(table), "rows_drawn", [0])[0] if table is not None else 0
    if progress is not None and not (total and drawn >= total):
        progress(total, total)  # the one call for an empty report
    return buffer.getvalue()


def _styles(fonts: _Fonts) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=fonts.bold, fontSize=17, leading=21),
        "heading": ParagraphStyle(
            "heading", fontName=fonts.bold, fontSize=11, leading=14, spaceBefore=2, spaceAfter=3
        ),
        "body": ParagraphStyle("body", fontName=fonts.regular, fontSize=9, leading=12),
        "cell": ParagraphStyle(
            "cell", fontName=fonts.regular, fontSize=7, leading=8.5, alignment=TA_LEFT
        ),
    }


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.0f} {currency}" if currency == "JPY" else f"{amount:,.2f} {currency}"


def _summary_table(report: DailyReport, t: Callable[[str], str], fonts: _Fonts) -> Table:
    grades = " · ".join(f"{g} {report.grades.get(g, 0)}" for g in report.grade_scale)
    refunds = " · ".join(
        _money(amount, currency) for currency, amount in sorted(report.refund_totals.items())
    )
    dispositions = " · ".join(
        f"{t('disp:' + code)} {count}" for code, count in report.dispositions.items()
    )
    data = [
        [t("inspections"), f"{len(report.rows)}   ({grades})"],
        [t("refunds"), refunds or t("none")],
        [t("dispositions"), dispositions],
    ]
    table = Table(data, colWidths=[45 * mm, PAGE[0] - 2 * MARGIN - 45 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (0, -1), fonts.bold, 9),
                ("FONT", (1, 0), (1, -1), fonts.regular, 9),
                ("BACKGROUND", (0, 0), (-1, -1), STRIPE),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _chart_title(drawing: Drawing, title: str, fonts: _Fonts) -> None:
    drawing.add(String(0, drawing.height - 11, title, fontName=fonts.bold, fontSize=10))


def _grade_chart(report: DailyReport, t: Callable[[str], str], fonts: _Fonts) -> Drawing:
    drawing = Drawing(230, 165)
    _chart_title(drawing, t("chart_grades"), fonts)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 20, 190, 115
    chart.data = [[report.grades.get(g, 0) for g in report.grade_scale]]
    chart.categoryAxis.categoryNames = list(report.grade_scale)
    chart.categoryAxis.labels.fontName = fonts.regular
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = fonts.regular
    chart.valueAxis.labels.fontSize = 7
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = fonts.regular
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    for index in range(len(report.grade_scale)):
        chart.bars[(0, index)].fillColor = colors.HexColor(
            GRADE_COLOURS[min(index, len(GRADE_COLOURS) - 1)]
        )
    drawing.add(chart)
    return drawing


def _reason_label(code: str, t: Callable[[str], str]) -> str:
    return t("reason:" + code)


def _reasons_chart(
    report: DailyReport, t: Callable[[str], str], fonts: _Fonts, language: str
) -> Drawing:
    drawing = Drawing(300, 165)
    _chart_title(drawing, t("chart_reasons"), fonts)
    reasons = list(report.top_reasons)[:7]
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 105, 15, 180, 120
    chart.data = [[count for _code, count in reversed(reasons)] or [0]]
    chart.categoryAxis.categoryNames = [
        _reason_label(code, t) for code, _count in reversed(reasons)
    ] or [""]
    chart.categoryAxis.labels.fontName = fonts.regular
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = fonts.regular
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor(REASON_COLOURS[0])
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = fonts.regular
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 7
    drawing.add(chart)
    return drawing


def _charts_row(
    report: DailyReport, t: Callable[[str], str], fonts: _Fonts, language: str
) -> Table:
    row = Table(
        [[_grade_chart(report, t, fonts), _reasons_chart(report, t, fonts, language)]],
        colWidths=[250, 320],
        hAlign="LEFT",
    )
    row.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return row


def _sku_chart(
    report: DailyReport, t: Callable[[str], str], fonts: _Fonts, language: str
) -> Drawing:
    """Stacked bars: per SKU (most returned first), how many came back for which stated reason."""
    skus = list(report.reasons_by_sku)[:TOP_SKUS]
    reasons = [code for code, _count in report.top_reasons][: len(REASON_COLOURS)]
    height = 40 + 15 * max(1, len(skus))
    drawing = Drawing(PAGE[0] - 2 * MARGIN, height + 20)
    _chart_title(drawing, t("chart_sku"), fonts)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 10, 430, height - 10
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [sku for sku, _counts in reversed(skus)] or [""]
    chart.categoryAxis.labels.fontName = fonts.regular
    chart.categoryAxis.labels.fontSize = 7
    chart.data = [
        [counts.get(code, 0) for _sku, counts in reversed(skus)] or [0] for code in reasons
    ] or [[0]]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = fonts.regular
    chart.valueAxis.labels.fontSize = 7
    for index in range(len(reasons)):
        chart.bars[index].fillColor = colors.HexColor(REASON_COLOURS[index])
        chart.bars[index].strokeColor = colors.white
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 600, height
    legend.fontName = fonts.regular
    legend.fontSize = 7
    legend.alignment = "right"
    legend.colorNamePairs = [
        (colors.HexColor(REASON_COLOURS[i]), _reason_label(code, t))
        for i, code in enumerate(reasons)
    ]
    drawing.add(legend)
    return drawing


_COLUMNS = (
    ("col_time", 17), ("col_rma", 25), ("col_sku", 35), ("col_title", 42), ("col_grade", 9),
    ("col_disposition", 22), ("col_refund", 22), ("col_responsibility", 18),
    ("col_stated", 22), ("col_reasons", 31), ("col_lpn", 0),
)  # fmt: skip


def _refund_text(row: DailyRow, t: Callable[[str], str]) -> str:
    label = t("refund:" + row.refund_kind)
    if row.refund_kind == "partial":
        label += f" {row.refund_percent.normalize():f}%"
    if row.refund_amount is not None and row.currency:
        label += f"\n{_money(row.refund_amount, row.currency)}"
    return label


def _inspection_table(
    report: DailyReport,
    t: Callable[[str], str],
    fonts: _Fonts,
    styles: dict[str, ParagraphStyle],
    progress: Progress | None,
) -> LongTable:
    width = PAGE[0] - 2 * MARGIN
    fixed = sum(w for _key, w in _COLUMNS) * mm
    widths = [w * mm if w else width - fixed for _key, w in _COLUMNS]
    stamp = "%m-%d %H:%M" if report.date_to != report.date_from else "%H:%M"
    cell = styles["cell"]
    data: list[list[object]] = [[t(key) for key, _w in _COLUMNS]]
    for row in report.rows:
        data.append(
            [
                row.finished_at.strftime(stamp),
                row.rma,
                row.sku,
                Paragraph(escape(row.title), cell),
                row.grade,
                t("disp:" + row.disposition),
                _refund_text(row, t),
                t("resp:" + row.responsibility),
                _reason_label(row.stated_reason or "none", t),
                Paragraph(escape(", ".join(row.reasons)), cell),
                row.lpn or "",
            ]
        )
    table = _progress_table(progress, len(report.rows))(data, colWidths=widths, repeatRows=1)
    table.setStyle(_table_style(fonts))
    return table


def _table_style(fonts: _Fonts) -> TableStyle:
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, 0), fonts.bold, 7),
        ("FONT", (0, 1), (-1, -1), fonts.regular, 7),
        ("LEADING", (0, 0), (-1, -1), 8.5),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (4, 0), (4, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cfd8dc")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
    ]
    return TableStyle(commands)


__all__ = ["DailyReport", "DailyRow", "Progress", "render_daily_report"]
