"""The seller inspection report: one PDF per inspected unit, in the seller's language.

The data is a plain, frozen dataclass tree (``labels.report_data``, built by
``station.services.reports``) holding the standard's texts in every language it has, so the
same data renders in en, zh-CN or es and has one verification hash whatever the language. The
report prints words, never codes (``labels.report_words``). Photos come through a loader
callable, so this module never knows where files live; it downscales them before embedding, so
a report of a dozen 12-megapixel photos stays a few megabytes.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from labels.report_audit import AuditCheck, ReportAuditEvent, audit_section
from labels.report_common import (
    MARGIN,
    PAGE_SIZE,
    Styles,
    Translator,
    binary_streams,
    data_hash,
    downscale_jpeg,
    field_table,
    footer,
    grid_table,
    humanise,
    register_fonts,
)
from labels.report_data import (
    InspectionReportData,
    ReasonFact,
    ReportAnswer,
    ReportDefect,
    ReportHeader,
    ReportItem,
    ReportMeasurement,
    ReportNote,
    ReportPhoto,
    ReportReason,
    ReportStandard,
    ReportVerdict,
    ReportWeight,
)
from labels.report_words import (
    answer_words,
    grade_words,
    photo_role_words,
    reasons_words,
    stated_reason_words,
    warning_words,
)

PhotoLoader = Callable[["ReportPhoto"], bytes | None]
PHOTO_COLUMNS = 2


def render_inspection_report(
    data: InspectionReportData,
    load_photo: PhotoLoader,
    *,
    language: str | None = None,
    verification_hash: str | None = None,
    audit: Sequence[ReportAuditEvent] = (),
    audit_check: AuditCheck | None = None,
    station: str | None = None,
) -> bytes:
    """The report as PDF bytes (A4), in ``language`` (default: the seller's).

    ``audit`` is the unit's slice of the audit trail, printed as its own section with the
    station's check of it (``audit_check``); it is not part of ``data`` so it never changes the
    verification hash (see ``labels.report_audit``). ``station`` is what to call the station of
    the inspection ("Bench 3 · LAX-1 Los Angeles"); default its id. Names change with a bench's
    settings, so they are not part of the hashed data either.
    """
    register_fonts()
    tr = Translator(language or data.header.seller_language)
    digest = verification_hash or data_hash(data)
    builder = _Builder(data, tr, Styles(tr.language), load_photo, audit, audit_check)
    builder.station = station or data.header.station_id
    story = builder.story()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
        title=f"{tr('report.title')} {data.header.lpn or data.header.inspection_id}",
        author=data.header.station_id,
        subject=f"sha256:{digest}",
        keywords=f"verification-hash={digest}",
        creator="returns-station",
    )
    page = footer(tr, digest, left=f"{data.header.inspection_id}")
    with binary_streams():
        doc.build(story, onFirstPage=page, onLaterPages=page)
    return out.getvalue()


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def _when(value: datetime | date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


class _Builder:
    """Turns the data into platypus flowables, one method per report section."""

    def __init__(
        self,
        data: InspectionReportData,
        tr: Translator,
        styles: Styles,
        load_photo: PhotoLoader,
        audit: Sequence[ReportAuditEvent] = (),
        audit_check: AuditCheck | None = None,
    ) -> None:
        self.data = data
        self.tr = tr
        self.s = styles
        self.load_photo = load_photo
        self.audit = tuple(audit)
        self.audit_check = audit_check
        self.station = data.header.station_id
        self.width = PAGE_SIZE[0] - 2 * MARGIN

    def story(self) -> list[Flowable]:
        tr, s = self.tr, self.s
        story: list[Flowable] = [
            s.p(tr("report.title"), s.title),
            s.p(tr("report.subtitle"), s.subtitle),
            Spacer(1, 4 * mm),
        ]
        story += self.verdict_summary()
        story += self.section("section.return", [self.return_fields()])
        story += self.section("section.item", [self.item_fields()])
        story += self.section("section.checklist", self.answers())
        story += self.section("section.measurements", self.measurements())
        story += self.section("section.defects", self.defects())
        story += self.section("section.weight", self.weight())
        story += self.section("section.revisions", self.revisions())
        story += self.section("section.notes", self.notes())
        story += self.section("section.photos", self.photos())
        audit = audit_section(tr, s, self.width, self.audit, self.audit_check)
        story += self.section("section.audit", audit)
        story += [Spacer(1, 4 * mm), s.p(tr("text.verify"), s.label)]
        return story

    def section(self, key: str, body: Sequence[Flowable]) -> list[Flowable]:
        heading = self.s.p(self.tr(key), self.s.heading)
        # Keep the heading with the first block so it never ends a page alone.
        return [KeepTogether([heading, body[0]]), *body[1:]] if body else [heading]

    def empty(self, key: str) -> list[Flowable]:
        return [self.s.p(self.tr(key))]

    def verdict_summary(self) -> list[Flowable]:
        tr, s, verdict = self.tr, self.s, self.data.current_verdict
        standard = self.data.standard
        heading = s.p(tr("section.verdict"), s.heading)
        if verdict is None:
            return [heading, s.p(tr("text.no_verdict"), s.cell_bold)]
        # What the grade means here agrees with the disposition beside it (``grade_words``).
        meaning = grade_words(tr, verdict)
        grade = [s.p(verdict.grade, s.big), *([s.p(meaning, s.cell_bold)] if meaning else [])]
        pairs: list[tuple[str, object]] = [
            (tr("field.grade"), grade),
            (tr("field.disposition"), s.p(tr.code("disposition", verdict.disposition), s.big)),
            (tr("field.refund"), self.refund_text(verdict)),
            (tr("field.responsibility"), tr.code("responsibility", verdict.responsibility)),
            (tr("field.reasons"), reasons_words(tr, verdict)),
            (tr("field.warnings"), self.warnings_text(verdict)),
            (tr("field.standard"), f"{tr.local(standard.title, standard.id)} ({standard.id})"),
            (tr("field.standard_version"), standard.version),
            (tr("field.decided_by"), verdict.decided_by or tr("value.none")),
            (tr("field.decided_at"), _when(verdict.decided_at)),
        ]
        fields = field_table(s, pairs, self.width)
        hash_row = field_table(
            s,
            [(tr("field.standard_hash"), s.p(verdict.standard_hash, s.mono))],
            self.width,
            columns=1,
        )
        return [KeepTogether([heading, fields, hash_row])]

    def warnings_text(self, verdict: ReportVerdict) -> str:
        words = dict.fromkeys(warning_words(self.tr, code) for code in verdict.warnings)
        return "; ".join(words) or self.tr("value.none")

    def refund_text(self, verdict: ReportVerdict) -> str:
        tr = self.tr
        if verdict.refund_kind == "partial":
            text = tr("refund.partial", percent=_num(float(verdict.refund_percent)))
        else:
            text = tr.code("refund", verdict.refund_kind)
        if verdict.refund_amount is not None:
            amount = tr("refund.amount", amount=verdict.refund_amount, currency=verdict.currency)
            text = f"{text} ({amount.strip()})"
        return text

    def return_fields(self) -> Table:
        tr, h = self.tr, self.data.header
        none = tr("value.none")
        seller = " · ".join(x for x in (h.seller_name, h.seller_code) if x) or none
        pairs: list[tuple[str, object]] = [
            (tr("field.seller"), seller),
            (tr("field.rma"), h.rma_number or none),
            (tr("field.order"), h.order_id or none),
            (tr("field.channel"), tr.code("channel", h.channel) if h.channel else none),
            (tr("field.customer_country"), h.customer_country or none),
            (
                tr("field.stated_reason"),
                stated_reason_words(tr, h.stated_reason, h.stated_reason_text),
            ),
            (tr("field.delivered_on"), _when(h.delivered_on)),
            (tr("field.received_on"), _when(h.received_at)),
            (tr("field.tracking"), h.tracking_number or none),
            (tr("field.blind_return"), tr("value.yes") if h.is_blind else tr("value.no")),
            (tr("field.station"), self.station),
            (tr("field.grader"), h.grader or none),
            (tr("field.inspected_at"), _when(h.inspected_at)),
            (tr("field.lpn"), h.lpn or none),
            (tr("field.inspection_id"), self.s.p(h.inspection_id, self.s.mono)),
        ]
        return field_table(self.s, pairs, self.width)

    def item_fields(self) -> Table:
        tr, item = self.tr, self.data.item
        none = tr("value.none")
        pairs: list[tuple[str, object]] = [
            (tr("field.sku"), item.sku or none),
            (tr("field.gtin"), item.gtin or none),
            (tr("field.title"), item.title or none),
            (tr("field.category"), tr.code("category", item.category) if item.category else none),
            (tr("field.serial"), item.serial or none),
        ]
        return field_table(self.s, pairs, self.width)

    def answers(self) -> list[Flowable]:
        tr = self.tr
        if not self.data.answers:
            return self.empty("text.no_answers")
        rows = [
            [tr.local(a.label, humanise(a.code)), answer_words(tr, a.shown, a.value)]
            for a in self.data.answers
        ]
        header = [tr("col.question"), tr("col.answer")]
        return [grid_table(self.s, header, rows, [self.width * 0.6, self.width * 0.4])]

    def verdict_word(self, passed: bool | None) -> str:
        if passed is None:
            return self.tr("value.no_spec")
        return self.tr("value.pass") if passed else self.tr("value.fail")

    def measurements(self) -> list[Flowable]:
        tr = self.tr
        if not self.data.measurements:
            return self.empty("text.no_measurements")
        rows = []
        failed_rows = []
        for index, m in enumerate(self.data.measurements, start=1):
            allowed = f"± {_num(m.allowed_deviation, m.unit)}" if m.allowed_deviation else "—"
            rows.append(
                [
                    tr.local(m.label, humanise(m.code)),
                    _num(m.value, m.unit),
                    _num(m.expected, m.unit),
                    allowed,
                    self.verdict_word(m.passed),
                ]
            )
            if m.passed is False:
                failed_rows.append(("TEXTCOLOR", (4, index), (4, index), (0.75, 0, 0)))
        header = [
            tr("col.measurement"),
            tr("col.measured"),
            tr("col.expected"),
            tr("col.allowed"),
            tr("col.result"),
        ]
        w = self.width
        widths = [w * 0.40, w * 0.14, w * 0.14, w * 0.16, w * 0.16]
        return [grid_table(self.s, header, rows, widths, extra=failed_rows)]

    def defects(self) -> list[Flowable]:
        tr = self.tr
        if not self.data.defects:
            return self.empty("text.no_defects")
        rows = [
            [
                tr.local(d.name, humanise(d.code)),
                tr.local(d.zone_name, "")
                or (tr("value.zone", zone=d.zone) if d.zone else tr("value.none")),
                tr.code("severity", d.severity),
                d.note or "",
            ]
            for d in self.data.defects
        ]
        header = [tr("col.defect"), tr("col.zone"), tr("col.severity"), tr("col.note")]
        w = self.width
        return [grid_table(self.s, header, rows, [w * 0.3, w * 0.3, w * 0.12, w * 0.28])]

    def weight(self) -> list[Flowable]:
        tr, weight = self.tr, self.data.weight
        if weight.grams is None:
            return self.empty("text.no_weight")
        stable = tr("value.stable") if weight.stable else tr("value.unstable")
        difference = (
            f"{weight.grams - weight.expected_g:+.0f} g" if weight.expected_g is not None else "—"
        )
        allowed = f"± {_num(weight.allowed_g, 'g')}" if weight.allowed_g else "—"
        row = [
            f"{_num(weight.grams, 'g')} ({stable})",
            _num(weight.expected_g, "g"),
            difference,
            allowed,
            self.verdict_word(weight.passed),
        ]
        header = [
            tr("col.reading"),
            tr("col.expected"),
            tr("col.difference"),
            tr("col.allowed"),
            tr("col.result"),
        ]
        w = self.width
        widths = [w * 0.28, w * 0.16, w * 0.16, w * 0.2, w * 0.2]
        return [grid_table(self.s, header, [row], widths)]

    def revisions(self) -> list[Flowable]:
        tr = self.tr
        verdicts = self.data.verdicts
        if not verdicts:
            return self.empty("text.no_verdict")
        superseded_by = {
            v.supersedes_revision: v.revision for v in verdicts if v.supersedes_revision
        }
        rows = []
        for v in verdicts:
            later = superseded_by.get(v.revision)
            status = tr("value.superseded", revision=later) if later else tr("value.current")
            summary = (
                f"{tr('field.grade')} {v.grade} · {tr.code('disposition', v.disposition)} · "
                f"{self.refund_text(v)} · {tr.code('responsibility', v.responsibility)}"
            )
            if v.reason_codes:
                summary += f" · {reasons_words(tr, v)}"
            rows.append(
                [f"{v.revision} ({status})", summary, _when(v.decided_at), v.decided_by or "—"]
            )
        header = [tr("col.revision"), tr("field.grade"), tr("col.when"), tr("col.by")]
        w = self.width
        return [grid_table(self.s, header, rows, [w * 0.2, w * 0.46, w * 0.18, w * 0.16])]

    def notes(self) -> list[Flowable]:
        tr = self.tr
        if not self.data.notes:
            return self.empty("text.no_notes")
        rows = [
            [_when(n.at), n.by or "—", f"{self.note_kind(n.kind)}: {n.text}"]
            for n in self.data.notes
        ]
        header = [tr("col.when"), tr("col.by"), tr("col.note")]
        w = self.width
        return [grid_table(self.s, header, rows, [w * 0.2, w * 0.16, w * 0.64])]

    def note_kind(self, kind: str) -> str:
        key = f"note.{kind}"
        return self.tr(key) if self.tr.has(key) else self.tr("note.other")

    def photos(self) -> list[Flowable]:
        photos = self.data.photos
        if not photos:
            return self.empty("text.no_photos")
        workers = max(1, min(len(photos), os.cpu_count() or 1, 8))
        # OpenCV releases the GIL while decoding, so downscaling runs truly in parallel.
        with ThreadPoolExecutor(max_workers=workers) as pool:
            cells = list(pool.map(self.photo_cell, photos))
        col_w = self.width / PHOTO_COLUMNS
        rows = [cells[i : i + PHOTO_COLUMNS] for i in range(0, len(cells), PHOTO_COLUMNS)]
        if len(rows[-1]) < PHOTO_COLUMNS:
            rows[-1] += [[Spacer(1, 1)]] * (PHOTO_COLUMNS - len(rows[-1]))
        table = Table(rows, colWidths=[col_w] * PHOTO_COLUMNS, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        return [table]

    def photo_cell(self, photo: ReportPhoto) -> list[Flowable]:
        tr, s = self.tr, self.s
        box_w = self.width / PHOTO_COLUMNS - 8
        box_h = box_w * 0.75
        caption: list[Flowable] = [
            s.p(photo_role_words(tr, photo.role, photo.role_label), s.cell_bold),
            s.p(tr("text.photo_caption"), s.label),
            # Two halves of 32 characters: the full hash fits the column without odd breaks.
            Paragraph(f"{photo.sha256[:32]}<br/>{photo.sha256[32:]}", s.mono),
        ]
        original = self.load_photo(photo)
        if original is None:
            return [Spacer(box_w, 4), s.p(tr("text.photo_missing"), s.cell_bold), *caption]
        if hashlib.sha256(original).hexdigest() != photo.sha256:
            caption.append(s.p(tr("text.photo_mismatch"), s.cell_bold))
        size = (photo.width, photo.height) if photo.width and photo.height else None
        scaled = downscale_jpeg(original, size_hint=size)
        if scaled is None:
            return [s.p(tr("text.photo_missing"), s.cell_bold), *caption]
        jpeg, width, height = scaled
        scale = min(box_w / width, box_h / height)
        image = Image(io.BytesIO(jpeg), width=width * scale, height=height * scale)
        return [image, Spacer(1, 2), *caption]


__all__ = [
    "InspectionReportData",
    "PhotoLoader",
    "ReasonFact",
    "ReportAnswer",
    "ReportDefect",
    "ReportHeader",
    "ReportItem",
    "ReportMeasurement",
    "ReportNote",
    "ReportPhoto",
    "ReportReason",
    "ReportStandard",
    "ReportVerdict",
    "ReportWeight",
    "render_inspection_report",
]
