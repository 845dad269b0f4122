"""Supervisor queue (F10): disputes and flagged verdicts, overdue first, with filters; the
evidence of the selected unit; and a ruling that always needs a written reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QGridLayout,
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
from ui.i18n import Retranslatable
from ui.theme import TOUCH_TARGET_PX, set_style_property, text_colour
from ui.viewmodels.supervisor import SupervisorViewModel, kind_name, state_name
from ui.widgets.evidence_view import EvidenceView
from ui.widgets.verdict_panel import disposition_name, warning_names
from ui.widgets.wheel_guard import guard_wheel

# An overdue row is tinted with the theme's error flash, which the theme keeps readable under
# its text colour (a fixed pale red left white text unreadable on the dark theme).
OVERDUE_TINT = "flash_error"


class SupervisorDialog(Retranslatable, QDialog):
    def __init__(self, vm: SupervisorViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        # What the status line says, as a function: said again on a language switch.
        self._status: Callable[[], str] | None = None
        self.setMinimumSize(960, 600)
        self.resize(1280, 760)

        self.seller = QLineEdit(self)
        self.grade = QLineEdit(self)
        self.grader = QLineEdit(self)
        self.min_age_label = QLabel(self)
        self.min_age = QSpinBox(self)
        self.min_age.setRange(0, 24 * 90)
        self.min_age_label.setBuddy(self.min_age)
        self.filter_button = QPushButton(self)
        filters = QHBoxLayout()
        for widget in (self.seller, self.grade, self.grader, self.min_age_label, self.min_age,
                       self.filter_button):  # fmt: skip
            filters.addWidget(widget)

        self.table = QTableWidget(0, 7, self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

        self.evidence = EvidenceView(self)
        self.reason = QPlainTextEdit(self)
        self.reason.setMaximumHeight(72)
        self.new_grade = QComboBox(self)
        self.new_disposition = QComboBox(self)
        self.refund = QDoubleSpinBox(self)
        self.refund.setRange(0, 100)
        self.refund.setSuffix(" %")
        self.uphold_button = QPushButton(self)
        self.revise_button = QPushButton(self)
        self.accept_button = QPushButton(self)
        self.dispute_button = QPushButton(self)
        self.second_opinion_button = QPushButton(self)
        touch: tuple[QWidget, ...] = (
            self.seller, self.grade, self.grader, self.min_age, self.filter_button,
            self.new_grade, self.new_disposition, self.refund, self.uphold_button,
            self.revise_button, self.accept_button, self.dispute_button,
            self.second_opinion_button,
        )  # fmt: skip
        for target in touch:
            target.setMinimumHeight(TOUCH_TARGET_PX)
        self.status = QLabel(self)
        self.status.setObjectName("supervisorStatus")
        self.status.setWordWrap(True)

        self.reason_label = QLabel(self)
        self.grade_label = QLabel(self)
        self.disposition_label = QLabel(self)
        self.refund_label = QLabel(self)
        # Grade and refund share a row: the evidence above keeps room for its tabs.
        ruling = QGridLayout()
        ruling.addWidget(self.reason_label, 0, 0)
        ruling.addWidget(self.reason, 0, 1, 1, 3)
        ruling.addWidget(self.grade_label, 1, 0)
        ruling.addWidget(self.new_grade, 1, 1)
        ruling.addWidget(self.refund_label, 1, 2)
        ruling.addWidget(self.refund, 1, 3)
        ruling.addWidget(self.disposition_label, 2, 0)
        ruling.addWidget(self.new_disposition, 2, 1, 1, 3)
        ruling.setColumnStretch(1, 1)
        ruling.setColumnStretch(3, 1)
        for label in (self.reason_label, self.grade_label, self.refund_label,
                      self.disposition_label):  # fmt: skip
            label.setWordWrap(True)
        # One row of rulings: a dispute's (uphold, revise) or a flagged verdict's (accept,
        # open a dispute), whichever the selected item is; two long translated buttons fit.
        buttons = QHBoxLayout()
        for button in (self.uphold_button, self.revise_button, self.accept_button,
                       self.dispute_button):  # fmt: skip
            buttons.addWidget(button)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.evidence, 1)
        right_layout.addLayout(ruling)
        right_layout.addLayout(buttons)
        # Before ruling, a dispute may get a blind re-inspection by another grader: its own
        # row, under the rulings it informs.
        right_layout.addWidget(self.second_opinion_button)
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
        self.second_opinion_button.clicked.connect(self._ask_second_opinion)
        vm.queueChanged.connect(self._show_queue)
        vm.evidenceChanged.connect(self._show_evidence)
        vm.messageChanged.connect(self._show_message)
        self.retranslate()
        self._update_buttons()
        vm.refresh()
        guard_wheel(self)  # the wheel scrolls; it never changes a dropdown's value

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Supervisor queue"))
        self.seller.setPlaceholderText(self.tr("seller"))
        self.grade.setPlaceholderText(self.tr("grade"))
        self.grader.setPlaceholderText(self.tr("grader"))
        self.min_age_label.setText(self.tr("Waiting at least (hours)"))
        self.min_age.setSpecialValueText(self.tr("any"))
        self.filter_button.setText(self.tr("Filter"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Due"), self.tr("Kind"), self.tr("Seller"), self.tr("Grade"),
             self.tr("Grader"), self.tr("State"), self.tr("Reason or warnings")]
        )  # fmt: skip
        self.reason.setPlaceholderText(self.tr("Reason for the seller (required)"))
        self.reason_label.setText(self.tr("Reason"))
        self.grade_label.setText(self.tr("New grade"))
        self.disposition_label.setText(self.tr("Disposition"))
        self.refund_label.setText(self.tr("Refund"))
        self.uphold_button.setText(self.tr("Uphold the grade"))
        self.revise_button.setText(self.tr("Revise"))
        self.accept_button.setText(self.tr("Accept (flagged)"))
        self.dispute_button.setText(self.tr("Open a dispute (flagged)"))
        self.second_opinion_button.setText(self.tr("Ask for a second opinion"))
        self.second_opinion_button.setToolTip(
            self.tr("Another grader inspects the unit again, blind, when they scan its LPN at a "
                    "bench; their grade shows here before you rule")
        )  # fmt: skip
        self._show_queue(self._vm.items, select=False)
        for index in range(self.new_disposition.count()):
            code = str(self.new_disposition.itemData(index))
            self.new_disposition.setItemText(index, disposition_name(code))
        self.status.setText(self._status() if self._status is not None else "")

    def restyle(self) -> None:
        """Overdue rows are tinted by hand: in the new theme's colours."""
        self._show_queue(self._vm.items, select=False)

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

    def _summary(self, item: QueueItem) -> str:
        """A dispute's reason (the supervisor's or seller's words); a flagged verdict's
        warnings, named."""
        if item.kind != "flagged":
            return item.summary
        return ", ".join(warning_names([w for w in item.summary.split("; ") if w]))

    def _show_queue(self, items: list[QueueItem], select: bool = True) -> None:
        blocker = QSignalBlocker(self.table) if not select else None
        chosen = self.table.selectionModel().selectedRows()
        self.table.setRowCount(len(items))
        for index, item in enumerate(items):
            due = (
                self.tr("{when} · OVERDUE").format(when=_when(item.due_at))
                if item.overdue
                else _when(item.due_at)
            )
            values = (due, kind_name(item.kind), item.seller or "–", item.grade,
                      item.grader or "–", state_name(item.state), self._summary(item))  # fmt: skip
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                if item.overdue:
                    cell.setBackground(QColor(text_colour(OVERDUE_TINT)))
                    cell.setForeground(QColor(text_colour("text")))
                self.table.setItem(index, column, cell)
        self.table.resizeColumnsToContents()
        if items and select:
            self.table.selectRow(0)
        elif chosen and chosen[0].row() < len(items):
            self.table.selectRow(chosen[0].row())  # the same rows, said again: keep the choice
        del blocker
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
        for code in evidence.dispositions:
            self.new_disposition.addItem(disposition_name(code), code)
        current = evidence.report.current_verdict
        if current is not None:
            self.new_grade.setCurrentText(current.grade)
            self.new_disposition.setCurrentIndex(self.new_disposition.findData(current.disposition))
            self.refund.setValue(float(current.refund_percent))
        self._update_buttons()  # a second opinion asked for already: not again

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
        for button in (self.uphold_button, self.revise_button):
            button.setVisible(not is_flagged)
        for button in (self.accept_button, self.dispute_button):
            button.setVisible(is_flagged)
        self.second_opinion_button.setVisible(not is_flagged)
        self.second_opinion_button.setEnabled(is_dispute and not self._second_opinion_asked())

    def _second_opinion_asked(self) -> bool:
        """Whether the selected dispute has one already (from its evidence, once loaded)."""
        item, evidence = self.selected(), self._vm.evidence
        return (
            item is not None
            and evidence is not None
            and evidence.inspection_id == item.inspection_id
            and evidence.second_opinion is not None
        )

    def _ask_second_opinion(self) -> None:
        item = self.selected()
        if item is not None:
            self._vm.ask_second_opinion(item)

    def _resolve(self, revise: bool) -> None:
        item = self.selected()
        if item is None:
            return
        revised = None
        if revise:
            disposition = self.new_disposition.currentData()
            revised = RevisedOutcome(
                grade=self.new_grade.currentText(),
                disposition=str(disposition) if disposition else None,
                refund_percent=Decimal(str(round(self.refund.value(), 2))),
            )
        self._say(lambda: self.tr("Saving…"))
        self._vm.resolve(item, self._reason_text(), revised)

    def _review(self, outcome: str) -> None:
        item = self.selected()
        if item is not None:
            self._vm.review(item, outcome, self._reason_text())

    def _say(self, render: Callable[[], str] | None) -> None:
        self._status = render
        self.status.setText(render() if render is not None else "")

    def _show_message(self, level: str, text: str) -> None:
        self._say(self._vm_message)
        state = {"error": "error", "conflict": "warning"}.get(level, "success")
        set_style_property(self.status, "state", state)
        if level == "info":
            self.reason.clear()

    def _vm_message(self) -> str:
        message = self._vm.message()
        return message[1] if message is not None else ""


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
