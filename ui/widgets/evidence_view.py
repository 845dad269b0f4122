"""Evidence for a ruling: photos side by side (zoomable), the recorded defects, measurements
against the spec, weight against the expected weight, the standard's rule trace and the unit's
history.

Defects, zones and photo roles are named from the standard's own texts in the language the
supervisor reads now (the report data carries every language), not the seller's.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsTextItem,
    QGraphicsView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from station.i18n import N_, _, current_language
from station.services.evidence import Evidence, EvidencePhoto
from ui.i18n import Retranslatable
from ui.theme import set_style_property, text_colour
from ui.viewmodels.supervisor import load_photo_image, state_name
from ui.widgets.defect_picker import severity_name
from ui.widgets.verdict_panel import disposition_name, percent_text, refund_text

NOTE_KIND_NAMES: Mapping[str, str] = {
    "dispute.opened": N_("dispute opened"),
    "dispute.in_review": N_("dispute in review"),
    "dispute.commented": N_("comment"),
    "dispute.upheld": N_("grade upheld"),
    "dispute.revised": N_("grade revised"),
    "dispute.closed": N_("dispute closed"),
    "dispute.second_opinion_requested": N_("second opinion requested"),
    "verdict.revised": N_("verdict revised"),
    "verdict.regraded": N_("verdict regraded"),
    "inspection.note": N_("note"),
}
# Photo roles a standard need not name (``photos.always``, extra photos): the bench's words.
PHOTO_ROLE_NAMES: Mapping[str, str] = {
    "front": N_("Front"),
    "back": N_("Back"),
    "label": N_("Label"),
    "defect_closeup": N_("Defect close-up"),
    "packaging": N_("Packaging"),
    "serial_plate": N_("Serial plate"),
}
# What a dispute may ask for (its requested_outcome's keys).
OUTCOME_FIELD_NAMES: Mapping[str, str] = {
    "grade": N_("grade"),
    "disposition": N_("disposition"),
    "refund_percent": N_("refund %"),
    "refund_kind": N_("refund"),
    "responsibility": N_("responsibility"),
}


def _named(names: Mapping[str, str], code: str) -> str:
    text = names.get(code)
    return _(text) if text else code


def local_text(text: Mapping[str, str] | None, fallback: str) -> str:
    """A standard's own text in the language in force, else English, else the code."""
    if not text:
        return fallback
    return text.get(current_language()) or text.get("en") or fallback


class ZoomableImage(Retranslatable, QGraphicsView):
    """A photo the supervisor can zoom (wheel, or + / -) and pan (drag)."""

    def __init__(
        self,
        photo: EvidencePhoto,
        image: QImage | None = None,
        parent: QWidget | None = None,
        role_label: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.photo = photo
        self.role_label = role_label or {}
        self.setScene(QGraphicsScene(self))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        # Small enough that two photos, the evidence tabs and the ruling share 760 px of
        # height (fitInView scales the photo; wheel or + zooms in).
        self.setMinimumSize(180, 120)
        self.zoom = 1.0
        if image is None:
            image = load_photo_image(photo)
        pixmap = QPixmap.fromImage(image)
        self.loaded = not pixmap.isNull()
        self.missing_text: QGraphicsTextItem | None = None
        if self.loaded:
            self.scene().addItem(QGraphicsPixmapItem(pixmap))
        else:
            self.missing_text = self.scene().addText("")
            self.missing_text.setTextWidth(200)
        self.retranslate()

    def label(self) -> str:
        """The photo's role in the language in force: the standard's name for it, else the
        bench's, else as the evidence gave it."""
        named = PHOTO_ROLE_NAMES.get(self.photo.role)
        return local_text(self.role_label, _(named) if named else self.photo.label)

    def retranslate(self) -> None:
        sha = self.photo.sha256[:12]
        if self.missing_text is not None:
            self.missing_text.setPlainText(self.tr("Photo missing: {sha}").format(sha=sha))
            self.setToolTip(self.tr("{photo}: the file is missing").format(photo=self.label()))
        else:
            self.setToolTip(self.tr("{photo} · SHA-256 {sha}…").format(photo=self.label(), sha=sha))

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.fitInView(self.scene().itemsBoundingRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.zoom_by(1.25 if event.angleDelta().y() > 0 else 0.8)

    def keyPressEvent(self, event: object) -> None:
        key = event.key()  # type: ignore[attr-defined]
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.25)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(0.8)
        else:
            super().keyPressEvent(event)  # type: ignore[arg-type]

    def zoom_by(self, factor: float) -> None:
        new = min(16.0, max(0.1, self.zoom * factor))
        self.scale(new / self.zoom, new / self.zoom)
        self.zoom = new


class EvidenceView(Retranslatable, QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.evidence: Evidence | None = None
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setObjectName("evidenceSummary")
        self.photo_strip = QWidget()
        self.photo_row = QHBoxLayout(self.photo_strip)
        photos = QScrollArea(self)
        photos.setWidgetResizable(True)
        photos.setWidget(self.photo_strip)
        photos.setMinimumHeight(140)
        self.measurements = QTableWidget(0, 4, self)
        self.measurements.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.defects = QListWidget(self)
        self.defects.setObjectName("evidenceDefects")
        self.defects.setWordWrap(True)
        self.weight = QLabel(self)
        self.weight.setObjectName("evidenceWeight")
        self.weight.setWordWrap(True)
        self.trace = QListWidget(self)
        self.trace.setWordWrap(True)
        self.history = QListWidget(self)
        self.history.setWordWrap(True)
        self.tabs = QTabWidget(self)
        # What was found on the unit first: a dispute is most often about a defect.
        self.tabs.addTab(self.defects, "")
        measured = QWidget()
        measured_layout = QVBoxLayout(measured)
        measured_layout.addWidget(self.weight)
        measured_layout.addWidget(self.measurements)
        self.tabs.addTab(measured, "")
        self.tabs.addTab(self.trace, "")
        self.tabs.addTab(self.history, "")
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(photos)
        splitter.addWidget(self.tabs)
        # Defects, measurements, trace and history must stay readable beside the photos; the
        # two minimums and the handle fit the room a 760 px queue leaves the evidence (a
        # splitter asked for more than it has lays its children over each other).
        self.tabs.setMinimumHeight(160)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self.images: list[ZoomableImage] = []
        self.retranslate()

    def retranslate(self) -> None:
        self.measurements.setHorizontalHeaderLabels(
            [self.tr("Measurement"), self.tr("Measured"), self.tr("Spec"), self.tr("Result")]
        )
        self.tabs.setTabText(0, self.tr("Defects"))
        self.tabs.setTabText(1, self.tr("Measurements and weight"))
        self.tabs.setTabText(2, self.tr("Rule trace"))
        self.tabs.setTabText(3, self.tr("History"))
        if self.evidence is not None:
            self._show_texts(self.evidence)

    def restyle(self) -> None:
        """Pass and FAIL are coloured by hand in the table: in the new theme's colours."""
        if self.evidence is not None:
            self._show_measurements(self.evidence)

    def show_evidence(self, evidence: Evidence, images: dict[str, QImage] | None = None) -> None:
        """``images`` from :func:`load_photo_images` on a worker; without them the photos are
        decoded here, on the calling thread."""
        self.evidence = evidence
        for image in self.images:
            image.deleteLater()
        decoded = images or {}
        role_labels = {p.sha256: p.role_label for p in evidence.report.photos}
        self.images = [
            ZoomableImage(photo, decoded.get(photo.sha256), self.photo_strip,
                          role_labels.get(photo.sha256))
            for photo in evidence.photos
        ]  # fmt: skip
        for image in self.images:
            self.photo_row.addWidget(image)
        self._show_texts(evidence)

    def _show_texts(self, evidence: Evidence) -> None:
        """Everything written about the evidence, in the language in force now."""
        report = evidence.report
        verdict = report.current_verdict
        self.summary.setText(
            self.tr("{lpn} · {sku} · {seller} · graded {grade} by {grader}").format(
                lpn=report.header.lpn or "–",
                sku=report.item.sku or "–",
                seller=report.header.seller_code or "–",
                grade=verdict.grade if verdict else "–",
                grader=report.header.grader or "–",
            )
        )
        self._show_defects(evidence)
        self._show_measurements(evidence)
        self.trace.clear()
        # The standard's rule trace, as the evaluator recorded it with the verdict.
        for step in evidence.trace:
            self.trace.addItem(f"{step.get('rule', '')}: {step.get('detail', '')}")
        self._show_history(evidence)

    def _show_history(self, evidence: Evidence) -> None:
        report = evidence.report
        self.history.clear()
        for revision in report.verdicts:
            self.history.addItem(
                self.tr(
                    "rev {n} · {at:%Y-%m-%d %H:%M} · {grade} / {disposition} / {refund} · {by}"
                ).format(
                    n=revision.revision,
                    at=revision.decided_at,
                    grade=revision.grade,
                    disposition=disposition_name(revision.disposition),
                    refund=refund_text(self, revision.refund_kind, revision.refund_percent),
                    by=revision.decided_by or "–",
                )
            )
        for note in report.notes:
            self.history.addItem(
                self.tr("{at:%Y-%m-%d %H:%M} · {kind} · {text}").format(
                    at=note.at, kind=_named(NOTE_KIND_NAMES, note.kind), text=note.text
                )
            )
        for dispute in evidence.disputes:
            self.history.addItem(
                self.tr("dispute {state} · opened {at:%Y-%m-%d %H:%M} · {reason}").format(
                    state=state_name(dispute.state),
                    at=dispute.opened_at,
                    reason=dispute.reason,
                )
            )
            if dispute.requested_outcome:
                wanted = ", ".join(
                    self.tr("{field}: {value}").format(
                        field=_named(OUTCOME_FIELD_NAMES, str(key)),
                        value=disposition_name(str(value)) if key == "disposition" else value,
                    )
                    for key, value in dispute.requested_outcome.items()
                )
                self.history.addItem(self.tr("    asks for {wanted}").format(wanted=wanted))
            for comment in dispute.comments:
                self.history.addItem(f"    {comment.get('by', '?')}: {comment.get('text', '')}")
        if evidence.second_opinion is not None and evidence.second_opinion.grade:
            second = evidence.second_opinion
            self.history.addItem(
                self.tr("second opinion: {grade} / {disposition} / refund {refund}%").format(
                    grade=second.grade,
                    disposition=disposition_name(second.disposition),
                    refund=percent_text(second.refund_percent),
                )
            )

    def _show_defects(self, evidence: Evidence) -> None:
        self.defects.clear()
        for defect in evidence.report.defects:
            name = local_text(defect.name, defect.code)
            severity = severity_name(defect.severity)
            if defect.zone:
                zone = local_text(defect.zone_name, defect.zone)
                text = self.tr("{defect} · {zone} · {severity}").format(
                    defect=name, zone=zone, severity=severity
                )
            else:
                text = self.tr("{defect} · {severity}").format(defect=name, severity=severity)
            self.defects.addItem(f"{text} — {defect.note}" if defect.note else text)
        if not evidence.report.defects:
            self.defects.addItem(self.tr("No defects recorded."))

    def _show_measurements(self, evidence: Evidence) -> None:
        report = evidence.report
        rows = report.measurements
        self.measurements.setRowCount(len(rows))
        for index, m in enumerate(rows):
            label = local_text(m.label, m.code)
            spec = (f"{m.expected:g} ± {m.allowed_deviation:g} {m.unit}"
                    if m.expected is not None and m.allowed_deviation is not None else "–")  # fmt: skip
            value = f"{m.value:g} {m.unit}" if m.value is not None else "–"
            result = {True: self.tr("pass"), False: self.tr("FAIL"), None: "–"}[m.passed]
            for column, text in enumerate((label, value, spec, result)):
                item = QTableWidgetItem(text)
                if column == 3 and m.passed is not None:
                    # The theme's state colours: readable on the table in either theme.
                    item.setForeground(QColor(text_colour("success" if m.passed else "error")))
                self.measurements.setItem(index, column, item)
        w = report.weight
        expected = (
            self.tr("{grams} g ± {allowed} g").format(
                grams=f"{w.expected_g:g}", allowed=f"{w.allowed_g:g}"
            )
            if w.expected_g is not None and w.allowed_g is not None
            else "–"
        )
        measured = self.tr("{grams} g").format(grams=f"{w.grams:g}") if w.grams is not None else "–"
        state = "success" if w.passed else "error" if w.passed is False else None
        self.weight.setText(
            self.tr("Weight {measured} (expected {expected})").format(
                measured=measured, expected=expected
            )
        )
        set_style_property(self.weight, "state", state)
