"""Sync indicator for the status area: pending / offline / failed, and the dead-letter list."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station.sync.status import SyncStatus
from ui.viewmodels.sync import SyncViewModel

OFFLINE_HINTS = ("connect", "refused", "timed out", "timeout", "network", "name resolution")


def describe(status: SyncStatus | None) -> tuple[str, str]:
    """(text, colour) for the indicator; offline is normal and says so calmly."""
    if status is None:
        return "Sync: …", "#666666"
    if status.dead:
        return f"Sync: {status.dead} FAILED", "#b00020"
    if status.pending:
        errors = [e.last_error or "" for e in status.endpoints if e.pending]
        if any(any(h in error.lower() for h in OFFLINE_HINTS) for error in errors):
            return f"Sync: offline, {status.pending} waiting", "#8a5300"
        return f"Sync: {status.pending} pending", "#1f3a5f"
    return "Sync: up to date", "#1e7b34"


class SyncIndicator(QPushButton):
    def __init__(self, vm: SyncViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncIndicator")
        self.setFlat(True)
        self._vm = vm
        self.clicked.connect(self.open_dead_letters)
        vm.statusChanged.connect(self._show)
        self._show(vm.status)
        vm.refresh()

    def _show(self, status: SyncStatus | None) -> None:
        text, colour = describe(status)
        self.setText(self.tr(text))
        self.setStyleSheet(f"color:{colour}; font-weight:bold;")
        if status is not None and status.oldest_pending_age_s is not None:
            minutes = status.oldest_pending_age_s / 60
            self.setToolTip(self.tr("Oldest waiting event: {m:.0f} min").format(m=minutes))

    def open_dead_letters(self) -> DeadLetterDialog:
        dialog = DeadLetterDialog(self._vm, self)
        dialog.show()
        return dialog


class DeadLetterDialog(QDialog):
    """Events an endpoint refused (4xx): shown with the reply, retried by a supervisor."""

    def __init__(self, vm: SyncViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Undelivered events"))
        self.resize(820, 360)
        self._vm = vm
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Endpoint"), self.tr("Unit"), self.tr("Status"), self.tr("Attempts"),
             self.tr("Reply")]
        )  # fmt: skip
        self.summary = QLabel(self)
        self.retry_all = QPushButton(self.tr("Retry all failed"), self)
        self.retry_all.clicked.connect(vm.retry_all_dead)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.retry_all)
        self.message = QLabel(self)
        self.message.setStyleSheet("color: #b00020; font-weight: bold;")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        vm.statusChanged.connect(self._show)
        vm.messageChanged.connect(self.message.setText)
        self._show(vm.status)

    def _show(self, status: SyncStatus | None) -> None:
        letters = status.dead_letters if status else []
        self.summary.setText(describe(status)[0])
        self.table.setRowCount(len(letters))
        for row, letter in enumerate(letters):
            values = [letter.endpoint_url, letter.aggregate_id[:8], str(letter.last_status or "–"),
                      str(letter.attempts), (letter.response_body or letter.last_error or "")[:200]]  # fmt: skip
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.retry_all.setEnabled(bool(letters))
