"""Sync indicator for the status area: pending / offline / failed, and the dead-letter list."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station.sync.status import SyncStatus
from ui.i18n import Retranslatable
from ui.theme import TOUCH_TARGET_PX, set_style_property
from ui.viewmodels.sync import SyncViewModel

OFFLINE_HINTS = ("connect", "refused", "timed out", "timeout", "network", "name resolution")
# The theme's state (ui/theme.py) each sync state is shown in ("checking" is plain text).
SYNC_COLOURS = {
    "checking": "",
    "failed": "error",
    "offline": "warning",
    "pending": "info",
    "up_to_date": "success",
}


def sync_state(status: SyncStatus | None) -> str:
    """One of :data:`SYNC_COLOURS`' keys: offline is normal at a bench and is told apart from
    events an endpoint refused (failed), which need a supervisor."""
    if status is None:
        return "checking"
    if status.dead:
        return "failed"
    if status.pending:
        errors = [e.last_error or "" for e in status.endpoints if e.pending]
        if any(any(h in error.lower() for h in OFFLINE_HINTS) for error in errors):
            return "offline"
        return "pending"
    return "up_to_date"


def describe(owner: QObject, status: SyncStatus | None) -> tuple[str, str]:
    """(text, colour) for the indicator, in the language in force; offline says so calmly."""
    state = sync_state(status)
    if status is None or state == "checking":
        text = owner.tr("Sync: checking…")
    elif state == "failed":
        text = owner.tr("Sync: {n} FAILED").format(n=status.dead)
    elif state == "offline":
        text = owner.tr("Sync: offline, {n} waiting").format(n=status.pending)
    elif state == "pending":
        text = owner.tr("Sync: {n} pending").format(n=status.pending)
    else:
        text = owner.tr("Sync: up to date")
    return text, SYNC_COLOURS[state]


class SyncIndicator(Retranslatable, QPushButton):
    def __init__(self, vm: SyncViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncIndicator")
        self.setFlat(True)
        self.setMinimumHeight(TOUCH_TARGET_PX)
        self._vm = vm
        self.clicked.connect(self.open_dead_letters)
        vm.statusChanged.connect(self._show)
        self.retranslate()
        vm.refresh()

    def retranslate(self) -> None:
        self._show(self._vm.status)

    def _show(self, status: SyncStatus | None) -> None:
        text, colour = describe(self, status)
        self.setText(text)
        set_style_property(self, "state", colour or None)
        tips = [text]
        if status is not None and status.oldest_pending_age_s is not None:
            minutes = status.oldest_pending_age_s / 60
            tips.append(self.tr("Oldest waiting event: {m:.0f} min").format(m=minutes))
        if sync_state(status) == "failed":
            tips.append(self.tr("Click to see the undelivered events and retry them"))
        self.setToolTip("\n".join(tips))

    def open_dead_letters(self) -> DeadLetterDialog:
        dialog = DeadLetterDialog(self._vm, self)
        dialog.show()
        return dialog


class DeadLetterDialog(Retranslatable, QDialog):
    """Events an endpoint refused (4xx): shown with the reply, retried by a supervisor."""

    def __init__(self, vm: SyncViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(560, 300)
        self.resize(820, 360)
        self._vm = vm
        self.table = QTableWidget(0, 5, self)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel(self)
        self.summary.setObjectName("deadLetterSummary")
        self.summary.setWordWrap(True)
        self.retry_all = QPushButton(self)
        self.retry_all.setMinimumHeight(TOUCH_TARGET_PX)
        self.retry_all.clicked.connect(vm.retry_all_dead)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.retry_all)
        self.message = QLabel(self)
        self.message.setObjectName("deadLetterMessage")
        set_style_property(self.message, "state", "error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        vm.statusChanged.connect(self._show)
        # A refused retry: the service's own message, already in the user's language.
        vm.messageChanged.connect(self.message.setText)
        self._show(vm.status)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Undelivered events"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Endpoint"), self.tr("Unit"), self.tr("Status"), self.tr("Attempts"),
             self.tr("Reply")]
        )  # fmt: skip
        self.retry_all.setText(self.tr("Retry all failed"))
        self.summary.setText(describe(self, self._vm.status)[0])

    def _show(self, status: SyncStatus | None) -> None:
        letters = status.dead_letters if status else []
        self.summary.setText(describe(self, status)[0])
        self.table.setRowCount(len(letters))
        for row, letter in enumerate(letters):
            values = [letter.endpoint_url, letter.aggregate_id[:8], str(letter.last_status or "–"),
                      str(letter.attempts), (letter.response_body or letter.last_error or "")[:200]]  # fmt: skip
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.retry_all.setEnabled(bool(letters))
