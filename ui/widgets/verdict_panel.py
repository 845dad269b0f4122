"""The recorded verdict: the grade big enough to read from the next bench, and the LPN."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from station.services.labels import LabelPrintView
from station.views import VerdictView
from ui.viewmodels.bench import BenchViewModel

GRADE_COLOURS = {"A": "#1e7b34", "B": "#2e7d32", "C": "#b58900", "D": "#c0392b", "X": "#6d0000"}


class VerdictPanel(QWidget):
    def __init__(self, vm: BenchViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.grade_label = QLabel(self)
        self.grade_label.setObjectName("gradeLabel")
        self.grade_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.details = QLabel(self)
        self.details.setObjectName("verdictDetails")
        self.details.setWordWrap(True)
        self.lpn_label = QLabel(self)
        self.lpn_label.setObjectName("lpnLabel")
        self.lpn_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.next_button = QPushButton(self.tr("Next unit of this RMA (F8)"), self)
        self.next_button.clicked.connect(vm.next_unit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.grade_label)
        layout.addWidget(self.lpn_label)
        layout.addWidget(self.details)
        self.labels_box = QGroupBox(self.tr("Labels"), self)
        self.labels_layout = QVBoxLayout(self.labels_box)
        layout.addWidget(self.labels_box)
        layout.addWidget(self.next_button)
        layout.addStretch(1)
        vm.verdictChanged.connect(self._show)
        # Bound methods, not lambdas: Qt drops the connection when this widget is destroyed.
        vm.rmaChanged.connect(self._show_next_button)
        vm.labelsChanged.connect(self._show_labels)
        self.reprint_buttons: list[QPushButton] = []
        self._show(None)

    def _show_labels(self, labels: list[LabelPrintView]) -> None:
        """One row per label printed for this verdict, each with its own Reprint button."""
        while self.labels_layout.count():
            item = self.labels_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.reprint_buttons = []
        self.labels_box.setVisible(bool(labels))
        for label in labels:
            kind = {"lpn": self.tr("LPN"), "relabel": self.tr("Relabel"),
                    "route": self.tr("Route tag"), "receipt": self.tr("Receipt")}.get(label.kind, label.kind)  # fmt: skip
            button = QPushButton(
                self.tr("Reprint {kind} ({size}, {format})").format(
                    kind=kind, size=label.size, format=label.format.upper()
                ),
                self.labels_box,
            )
            button.setMinimumHeight(36)
            button.clicked.connect(lambda _checked=False, i=label.id: self._vm.reprint(i))
            self.labels_layout.addWidget(button)
            self.reprint_buttons.append(button)

    def _show_next_button(self, _rma: object) -> None:
        self.next_button.setVisible(bool(self._vm.remaining_lines()))

    def _show(self, verdict: VerdictView | None) -> None:
        if verdict is None:
            self._show_labels([])
            self.grade_label.clear()
            self.lpn_label.clear()
            self.details.clear()
            return
        colour = GRADE_COLOURS.get(verdict.grade, "#333333")
        self.grade_label.setText(verdict.grade)
        self.grade_label.setStyleSheet(
            f"background:{colour}; color:white; font-size:64pt; font-weight:bold; padding:8px;"
        )
        self.lpn_label.setText(f"<span style='font-size:20pt'>LPN <b>{verdict.lpn}</b></span>")
        amount = f" ({verdict.refund_amount} {verdict.currency})" if verdict.refund_amount else ""
        warnings = (
            f"<br><b style='color:#b00020'>{', '.join(verdict.warnings)}</b>"
            if verdict.warnings
            else ""
        )
        self.details.setText(
            f"{self.tr('Disposition')}: <b>{verdict.disposition}</b> "
            f"({verdict.upstream_disposition})<br>"
            f"{self.tr('Refund')}: <b>{verdict.refund_kind} {verdict.refund_percent}%</b>{amount}"
            f"<br>{self.tr('Responsibility')}: {verdict.responsibility}<br>"
            f"{self.tr('Reasons')}: {', '.join(verdict.reason_codes)}{warnings}"
        )
        self.next_button.setVisible(bool(self._vm.remaining_lines()))
