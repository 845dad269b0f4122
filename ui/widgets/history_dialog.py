"""History (F9): recent verdicts with reprint and report buttons, and a daily seller report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station.i18n import LANGUAGES
from station.services.history import HistoryRow
from ui.i18n import Retranslatable
from ui.theme import TOUCH_TARGET_PX
from ui.viewmodels.history import HistoryViewModel
from ui.widgets.verdict_panel import disposition_name
from ui.widgets.wheel_guard import guard_wheel


class HistoryDialog(Retranslatable, QDialog):
    def __init__(self, vm: HistoryViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        # What the status line says, as a function: said again on a language switch.
        self._status: Callable[[], str] | None = None
        self.setMinimumSize(720, 420)
        self.resize(980, 560)
        self.table = QTableWidget(0, 7, self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.language = QComboBox(self)
        # First and chosen: the seller's own language (the report goes to the seller). Then
        # each language in its own words (never translated), so anyone can find theirs.
        self.language.addItem("", None)
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.reprint_button = QPushButton(self)
        self.report_button = QPushButton(self)
        self.day = QDateEdit(QDate.currentDate().addDays(-1), self)
        self.day.setCalendarPopup(True)
        self.daily_button = QPushButton(self)
        self.language_label = QLabel(self)
        self.language_label.setBuddy(self.language)
        self.day_label = QLabel(self)
        self.day_label.setBuddy(self.day)
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.status = QLabel(self)
        self.status.setObjectName("historyStatus")
        self.status.setWordWrap(True)
        touch: tuple[QWidget, ...] = (self.reprint_button, self.report_button,
                                      self.daily_button, self.language, self.day)  # fmt: skip
        for target in touch:
            target.setMinimumHeight(TOUCH_TARGET_PX)

        # The selected return's actions, then the seller's daily report: two rows, so long
        # (German, pseudo) button texts never squeeze each other.
        unit_actions = QHBoxLayout()
        unit_actions.addWidget(self.reprint_button)
        unit_actions.addWidget(self.report_button)
        unit_actions.addStretch(1)
        daily_actions = QHBoxLayout()
        for widget in (self.language_label, self.language, self.day_label, self.day,
                       self.daily_button):  # fmt: skip
            daily_actions.addWidget(widget)
        daily_actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(unit_actions)
        layout.addLayout(daily_actions)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

        self.reprint_button.clicked.connect(self._reprint)
        self.report_button.clicked.connect(self._report)
        self.daily_button.clicked.connect(self._daily)
        vm.rowsChanged.connect(self._show_rows)
        vm.progressChanged.connect(self._show_progress)
        vm.reportReady.connect(self._open_report)
        vm.messageChanged.connect(self._show_message)
        self.retranslate()
        vm.refresh()
        guard_wheel(self)  # the wheel scrolls; it never changes a dropdown's value

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("History"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Finished"), self.tr("LPN"), self.tr("RMA"), self.tr("Seller"),
             self.tr("SKU"), self.tr("Grade"), self.tr("Disposition")]
        )  # fmt: skip
        self.reprint_button.setText(self.tr("Reprint labels"))
        self.report_button.setText(self.tr("Inspection report (PDF)"))
        self.language_label.setText(self.tr("Report language"))
        self.language.setItemText(0, self.tr("The seller's language"))
        self.day_label.setText(self.tr("Day"))
        self.daily_button.setText(self.tr("Daily report for this seller"))
        self._show_rows(self._vm.rows, select=False)
        self.status.setText(self._status() if self._status is not None else "")

    def report_language(self) -> str | None:
        """The language chosen for reports; None: each seller's own."""
        code = self.language.currentData()
        return str(code) if code else None

    def selected(self) -> HistoryRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self._vm.rows[rows[0].row()] if rows else None

    def _show_rows(self, rows: list[HistoryRow], select: bool = True) -> None:
        chosen = self.table.selectionModel().selectedRows()
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            values = [row.finished_at.strftime("%Y-%m-%d %H:%M"), row.lpn, row.rma_number or "–",
                      row.seller_code or "–", row.sku or "–", row.grade,
                      disposition_name(row.disposition)]  # fmt: skip
            for column, value in enumerate(values):
                self.table.setItem(index, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        if rows and select:
            self.table.selectRow(0)
        elif chosen and chosen[0].row() < len(rows):
            self.table.selectRow(chosen[0].row())  # the same rows, said again: keep the choice

    def _say(self, render: Callable[[], str] | None) -> None:
        self._status = render
        self.status.setText(render() if render is not None else "")

    def _reprint(self) -> None:
        row = self.selected()
        if row is not None:
            self._vm.reprint_labels(row.inspection_id)

    def _report(self) -> None:
        row = self.selected()
        if row is not None:
            self._say(lambda: self.tr("Writing the report…"))
            self._vm.inspection_report(row, self.report_language())

    def _daily(self) -> None:
        row = self.selected()
        if row is None or row.seller_code is None:
            self._say(lambda: self.tr("Select a return with a seller first"))
            return
        self.progress.setValue(0)
        self.progress.setVisible(True)
        qdate = self.day.date()
        day = date(qdate.year(), qdate.month(), qdate.day())
        self._vm.daily_report(row.seller_code, day, self.report_language())

    def _show_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def _open_report(self, path: str) -> None:
        self.progress.setVisible(False)
        self._say(lambda: self.tr("Report written: {path}").format(path=path))
        QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    def _show_message(self, level: str, text: str) -> None:
        self.progress.setVisible(False)
        self._say(self._vm_message)

    def _vm_message(self) -> str:
        message = self._vm.message()
        return message[1] if message is not None else ""
