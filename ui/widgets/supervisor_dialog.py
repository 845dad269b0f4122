"""Supervisor queue (F10): disputes and flagged verdicts, overdue first, with filters; the
evidence of the selected unit; and a ruling that always needs a written reason."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station.services.disputes import REASON_MIN_LENGTH, RevisedOutcome
from station.services.evidence import Evidence
from station.services.supervisor_queue import QueueItem
from ui.viewmodels.supervisor import SupervisorViewModel
from ui.widgets.evidence_view import EvidenceView

OVERDUE = QColor("#f9d6d3")


class SupervisorDialog(QDialog):
    def __init__(self, vm: SupervisorViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.setWindowTitle(self.tr("Supervisor queue"))
        self.resize(1280, 760)

        self.seller = QLineEdit(self)
        self.seller.setPlaceholderText(self.tr("seller"))
        self.grade = QLineEdit(self)
        self.grade.setPlaceholderText(self.tr("grade"))
        self.grader = QLineEdit(self)
        self.grader.setPlaceholderText(self.tr("grader"))
        self.min_age = QSpinBox(self)
        self.min_age.setRange(0, 24 * 90)
        self.min_age.setSuffix(self.tr(" h or older"))
        self.filter_button = QPushButton(self.tr("Filter"), self)
        filters = QHBoxLayout()
        for widget in (self.seller, self.grade, self.grader, self.min_age, self.filter_button):
            filters.addWidget(widget)

        self.table = QTableWidget(0, 7, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Due"), self.tr("Kind"), self.tr("Seller"), self.tr("Grade"),
             self.tr("Grader"), self.tr("State"), self.tr("Reason or warnings")]
        )  # fmt: skip
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

        self.evidence = EvidenceView(self)
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText(self.tr("Reason for the seller (required)"))
        self.reason.setMaximumHeight(90)
        self.new_grade = QComboBox(self)
        self.new_disposition = QComboBox(self)
        self.refund = QDoubleSpinBox(self)
        self.refund.setRange(0, 100)
        self.refund.setSuffix(" %")
        self.uphold_button = QPushButton(self.tr("Uphold the grade"), self)
        self.revise_button = QPushButton(self.tr("Revise"), self)
        self.accept_button = QPushButton(self.tr("Accept (flagged)"), self)
        self.dispute_button = QPushButton(self.tr("Open a dispute (flagged)"), self)
        for button in (self.uphold_button, self.revise_button, self.accept_button,
                       self.dispute_button):  # fmt: skip
            button.setMinimumHeight(44)  # touch-size
        self.status = QLabel(self)
        self.status.setObjectName("supervisorStatus")
        self.status.setWordWrap(True)

        ruling = QFormLayout()
        ruling.addRow(self.tr("Reason"), self.reason)
        ruling.addRow(self.tr("New grade"), self.new_grade)
        ruling.addRow(self.tr("Disposition"), self.new_disposition)
        ruling.addRow(self.tr("Refund"), self.refund)
        buttons = QHBoxLayout()
        for button in (self.uphold_button, self.revise_button, self.accept_button,
                       self.dispute_button):  # fmt: skip
            buttons.addWidget(button)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.evidence, 1)
        right_layout.addLayout(ruling)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.status)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setSizes([520, 760])
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)

        self.filter_button.clicked.connect(self._apply_filters)
        self.table.itemSelectionChanged.connect(self._selected_changed)
        self.reason.textChanged.connect(self._update_buttons)
        self.uphold_button.clicked.connect(lambda: self._resolve(revise=False))
        self.revise_button.clicked.connect(lambda: self._resolve(revise=True))
        self.accept_button.clicked.connect(lambda: self._review("accepted"))
        self.dispute_button.clicked.connect(lambda: self._review("disputed"))
        vm.queueChanged.connect(self._show_queue)
        vm.evidenceChanged.connect(self._show_evidence)
        vm.messageChanged.connect(self._show_message)
        self._update_buttons()
        vm.refresh()

    # --- queue ----------------------------------------------------------------------------

    def selected(self) -> QueueItem | None:
        rows = self.table.selectionModel().selectedRows()
        return self._vm.items[rows[0].row()] if rows else None

    def _apply_filters(self) -> None:
        self._vm.refresh(
            seller=self.seller.text().strip().upper(),
            grade=self.grade.text().strip().upper(),
            grader=self.grader.text().strip().lower(),
            min_age_hours=self.min_age.value() or None,
        )

    def _show_queue(self, items: list[QueueItem]) -> None:
        self.table.setRowCount(len(items))
        for index, item in enumerate(items):
            due = _when(item.due_at) + (self.tr(" OVERDUE") if item.overdue else "")
            values = (due, item.kind, item.seller or "–", item.grade, item.grader or "–",
                      item.state, item.summary)  # fmt: skip
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                if item.overdue:
                    cell.setBackground(OVERDUE)
                self.table.setItem(index, column, cell)
        self.table.resizeColumnsToContents()
        if items:
            self.table.selectRow(0)
        self._update_buttons()

    def _selected_changed(self) -> None:
        item = self.selected()
        if item is not None:
            self._vm.load_evidence(item)
        self._update_buttons()

    def _show_evidence(self, evidence: Evidence) -> None:
        self.evidence.show_evidence(evidence, self._vm.images)
        self.new_grade.clear()
        self.new_grade.addItems(list(evidence.grades))
        self.new_disposition.clear()
        self.new_disposition.addItems(list(evidence.dispositions))
        current = evidence.report.current_verdict
        if current is not None:
            self.new_grade.setCurrentText(current.grade)
            self.new_disposition.setCurrentText(current.disposition)
            self.refund.setValue(float(current.refund_percent))

    # --- ruling ---------------------------------------------------------------------------

    def _reason_text(self) -> str:
        return " ".join(self.reason.toPlainText().split())

    def _update_buttons(self) -> None:
        item = self.selected()
        has_reason = len(self._reason_text()) >= REASON_MIN_LENGTH
        is_dispute = item is not None and item.kind == "dispute"
        is_flagged = item is not None and item.kind == "flagged"
        self.uphold_button.setEnabled(is_dispute and has_reason)
        self.revise_button.setEnabled(is_dispute and has_reason)
        self.accept_button.setEnabled(is_flagged and has_reason)
        self.dispute_button.setEnabled(is_flagged and has_reason)

    def _resolve(self, revise: bool) -> None:
        item = self.selected()
        if item is None:
            return
        revised = None
        if revise:
            revised = RevisedOutcome(
                grade=self.new_grade.currentText(),
                disposition=self.new_disposition.currentText() or None,
                refund_percent=Decimal(str(round(self.refund.value(), 2))),
            )
        self.status.setText(self.tr("Saving…"))
        self._vm.resolve(item, self._reason_text(), revised)

    def _review(self, outcome: str) -> None:
        item = self.selected()
        if item is not None:
            self._vm.review(item, outcome, self._reason_text())

    def _show_message(self, level: str, text: str) -> None:
        self.status.setText(text)
        colour = {"error": "#b3261e", "conflict": "#8a5300"}.get(level, "#1b7f3b")
        self.status.setStyleSheet(f"color: {colour}; font-weight: bold;")
        if level == "info":
            self.reason.clear()


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
