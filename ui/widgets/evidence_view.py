"""Evidence for a ruling: photos side by side (zoomable), measurements against the spec,
weight against the expected weight, the standard's rule trace and the unit's history."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
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

from station.services.evidence import Evidence, EvidencePhoto
from ui.viewmodels.supervisor import load_photo_image

PASS_COLOUR = "#1b7f3b"
FAIL_COLOUR = "#b3261e"


class ZoomableImage(QGraphicsView):
    """A photo the supervisor can zoom (wheel, or + / -) and pan (drag)."""

    def __init__(
        self, photo: EvidencePhoto, image: QImage | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.photo = photo
        self.setScene(QGraphicsScene(self))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setMinimumSize(220, 220)
        self.zoom = 1.0
        if image is None:
            image = load_photo_image(photo)
        pixmap = QPixmap.fromImage(image)
        self.loaded = not pixmap.isNull()
        if self.loaded:
            self.scene().addItem(QGraphicsPixmapItem(pixmap))
            self.setToolTip(f"{photo.label} · sha256 {photo.sha256[:12]}…")
        else:
            self.scene().addText(self.tr("Photo missing: {sha}").format(sha=photo.sha256[:12]))

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


class EvidenceView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setObjectName("evidenceSummary")
        self.photo_strip = QWidget()
        self.photo_row = QHBoxLayout(self.photo_strip)
        photos = QScrollArea(self)
        photos.setWidgetResizable(True)
        photos.setWidget(self.photo_strip)
        photos.setMinimumHeight(240)
        self.measurements = QTableWidget(0, 4, self)
        self.measurements.setHorizontalHeaderLabels(
            [self.tr("Measurement"), self.tr("Measured"), self.tr("Spec"), self.tr("Result")]
        )
        self.weight = QLabel(self)
        self.trace = QListWidget(self)
        self.history = QListWidget(self)
        tabs = QTabWidget(self)
        measured = QWidget()
        measured_layout = QVBoxLayout(measured)
        measured_layout.addWidget(self.weight)
        measured_layout.addWidget(self.measurements)
        tabs.addTab(measured, self.tr("Measurements and weight"))
        tabs.addTab(self.trace, self.tr("Rule trace"))
        tabs.addTab(self.history, self.tr("History"))
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(photos)
        splitter.addWidget(tabs)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self.images: list[ZoomableImage] = []

    def show_evidence(self, evidence: Evidence, images: dict[str, QImage] | None = None) -> None:
        """``images`` from :func:`load_photo_images` on a worker; without them the photos are
        decoded here, on the calling thread."""
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
        for image in self.images:
            image.deleteLater()
        decoded = images or {}
        self.images = [
            ZoomableImage(photo, decoded.get(photo.sha256), self.photo_strip)
            for photo in evidence.photos
        ]
        for image in self.images:
            self.photo_row.addWidget(image)
        self._show_measurements(evidence)
        self.trace.clear()
        for step in evidence.trace:
            self.trace.addItem(f"{step.get('rule', '')}: {step.get('detail', '')}")
        self.history.clear()
        for revision in report.verdicts:
            self.history.addItem(
                self.tr(
                    "rev {n} · {at:%Y-%m-%d %H:%M} · {grade} / {disposition} / refund "
                    "{refund}% · {by}"
                ).format(
                    n=revision.revision,
                    at=revision.decided_at,
                    grade=revision.grade,
                    disposition=revision.disposition,
                    refund=revision.refund_percent,
                    by=revision.decided_by or "–",
                )
            )
        for note in report.notes:
            self.history.addItem(f"{note.at:%Y-%m-%d %H:%M} · {note.kind} · {note.text}")
        for dispute in evidence.disputes:
            self.history.addItem(
                self.tr("dispute {state} · opened {at:%Y-%m-%d %H:%M} · {reason}").format(
                    state=dispute.state, at=dispute.opened_at, reason=dispute.reason
                )
            )
            if dispute.requested_outcome:
                wanted = ", ".join(f"{k}: {v}" for k, v in dispute.requested_outcome.items())
                self.history.addItem(self.tr("    asks for {wanted}").format(wanted=wanted))
            for comment in dispute.comments:
                self.history.addItem(f"    {comment.get('by', '?')}: {comment.get('text', '')}")
        if evidence.second_opinion is not None and evidence.second_opinion.grade:
            second = evidence.second_opinion
            self.history.addItem(
                self.tr("second opinion: {grade} / {disposition} / refund {refund}%").format(
                    grade=second.grade,
                    disposition=second.disposition,
                    refund=second.refund_percent,
                )
            )

    def _show_measurements(self, evidence: Evidence) -> None:
        report = evidence.report
        rows = report.measurements
        self.measurements.setRowCount(len(rows))
        for index, m in enumerate(rows):
            label = m.label.get("en") or m.code
            spec = (f"{m.expected:g} ± {m.allowed_deviation:g} {m.unit}"
                    if m.expected is not None and m.allowed_deviation is not None else "–")  # fmt: skip
            value = f"{m.value:g} {m.unit}" if m.value is not None else "–"
            result = {True: self.tr("pass"), False: self.tr("FAIL"), None: "–"}[m.passed]
            for column, text in enumerate((label, value, spec, result)):
                item = QTableWidgetItem(text)
                if column == 3 and m.passed is not None:
                    item.setForeground(Qt.GlobalColor.darkGreen if m.passed else Qt.GlobalColor.red)
                self.measurements.setItem(index, column, item)
        w = report.weight
        expected = (f"{w.expected_g:g} g ± {w.allowed_g:g} g"
                    if w.expected_g is not None and w.allowed_g is not None else "–")  # fmt: skip
        measured = f"{w.grams:g} g" if w.grams is not None else "–"
        colour = PASS_COLOUR if w.passed else FAIL_COLOUR if w.passed is False else "#444"
        self.weight.setText(
            self.tr("Weight {measured} (expected {expected})").format(
                measured=measured, expected=expected
            )
        )
        self.weight.setStyleSheet(f"color: {colour}; font-weight: bold;")
