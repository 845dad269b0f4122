"""History (F9): recent verdicts with reprint and report buttons, and a daily seller report."""

from __future__ import annotations

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

from station.services.history import HistoryRow
from ui.viewmodels.history import HistoryViewModel

LANGUAGES = (("en", "English"), ("zh-CN", "中文"), ("es", "Español"))


class HistoryDialog(QDialog):
    def __init__(self, vm: HistoryViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.setWindowTitle(self.tr("History"))
        self.resize(980, 560)
        self.table = QTableWidget(0, 7, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Finished"), self.tr("LPN"), self.tr("RMA"), self.tr("Seller"),
             self.tr("SKU"), self.tr("Grade"), self.tr("Disposition")]
        )  # fmt: skip
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.language = QComboBox(self)
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        self.reprint_button = QPushButton(self.tr("Reprint labels"), self)
        self.report_button = QPushButton(self.tr("Inspection report (PDF)"), self)
        self.day = QDateEdit(QDate.currentDate().addDays(-1), self)
        self.day.setCalendarPopup(True)
        self.daily_button = QPushButton(self.tr("Daily report for this seller"), self)
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.status = QLabel(self)
        self.status.setObjectName("historyStatus")
        for button in (self.reprint_button, self.report_button, self.daily_button):
            button.setMinimumHeight(36)

        row_actions = QHBoxLayout()
        for widget in (self.reprint_button, self.report_button, QLabel(self.tr("Language")),
                       self.language, self.day, self.daily_button):  # fmt: skip
            row_actions.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row_actions)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

        self.reprint_button.clicked.connect(self._reprint)
        self.report_button.clicked.connect(self._report)
        self.daily_button.clicked.connect(self._daily)
        vm.rowsChanged.connect(self._show_rows)
        vm.progressChanged.connect(self._show_progress)
        vm.reportReady.connect(self._open_report)
        vm.messageChanged.connect(self._show_message)
        vm.refresh()

    def selected(self) -> HistoryRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self._vm.rows[rows[0].row()] if rows else None

    def _show_rows(self, rows: list[HistoryRow]) -> None:
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            values = [row.finished_at.strftime("%Y-%m-%d %H:%M"), row.lpn, row.rma_number or "–",
                      row.seller_code or "–", row.sku or "–", row.grade, row.disposition]  # fmt: skip
            for column, value in enumerate(values):
                self.table.setItem(index, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        if rows:
            self.table.selectRow(0)

    def _reprint(self) -> None:
        row = self.selected()
        if row is not None:
            self._vm.reprint_labels(row.inspection_id)

    def _report(self) -> None:
        row = self.selected()
        if row is not None:
            self.status.setText(self.tr("Writing the report…"))
            self._vm.inspection_report(row, str(self.language.currentData()))

    def _daily(self) -> None:
        row = self.selected()
        if row is None or row.seller_code is None:
            self.status.setText(self.tr("Select a return with a seller first"))
            return
        self.progress.setValue(0)
        self.progress.setVisible(True)
        qdate = self.day.date()
        day = date(qdate.year(), qdate.month(), qdate.day())
        self._vm.daily_report(row.seller_code, day, str(self.language.currentData()))

    def _show_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def _open_report(self, path: str) -> None:
        self.progress.setVisible(False)
        self.status.setText(self.tr("Report written: {path}").format(path=path))
        QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    def _show_message(self, level: str, text: str) -> None:
        self.progress.setVisible(False)
        self.status.setText(text)
