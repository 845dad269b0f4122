"""Sync indicator for the status area: pending / offline / failed, and the dead-letter list.

A dead letter holds its unit's later events (the relay keeps each unit's order), so both say
how many events wait behind one and for which units: otherwise a supervisor sees "pending"
that never drains and no reason why.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station.sync.status import DeadDelivery, SyncStatus
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
    elif state == "failed" and status.held:
        text = owner.tr("Sync: {n} FAILED, {held} held").format(n=status.dead, held=status.held)
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
        tips += self._vm.held_lines()
        if sync_state(status) == "failed":
            tips.append(self.tr("Click to see the undelivered events and retry them"))
        self.setToolTip("\n".join(tips))

    def open_dead_letters(self) -> DeadLetterDialog:
        dialog = DeadLetterDialog(self._vm, self)
        dialog.show()
        return dialog


class DeadLetterDialog(Retranslatable, QDialog):
    """Events an endpoint refused (4xx): shown with the reply and the unit's events each one
    holds back, retried by a supervisor, or resolved by hand with a reason (not sent again)."""

    COLUMNS = 6
    REPLY_COLUMN = 5

    def __init__(self, vm: SyncViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(560, 300)
        self.resize(820, 360)
        self._vm = vm
        self.table = QTableWidget(0, self.COLUMNS, self)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(
            self.REPLY_COLUMN, QHeaderView.ResizeMode.Stretch
        )
        self._letters: list[DeadDelivery] = []
        self.summary = QLabel(self)
        self.summary.setObjectName("deadLetterSummary")
        self.summary.setWordWrap(True)
        self.retry_all = QPushButton(self)
        self.retry_all.setMinimumHeight(TOUCH_TARGET_PX)
        self.retry_all.clicked.connect(vm.retry_all_dead)
        self.reason = QLineEdit(self)
        self.reason.setMinimumHeight(TOUCH_TARGET_PX)
        self.reason.textChanged.connect(self._enable_resolve)
        self.resolve = QPushButton(self)
        self.resolve.setMinimumHeight(TOUCH_TARGET_PX)
        self.resolve.clicked.connect(self._resolve_selected)
        self.table.itemSelectionChanged.connect(self._enable_resolve)
        settle = QHBoxLayout()
        settle.addWidget(self.reason, 1)
        settle.addWidget(self.resolve)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.retry_all)
        layout.addLayout(settle)
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
             self.tr("Events held"), self.tr("Reply")]
        )  # fmt: skip
        self.retry_all.setText(self.tr("Retry all failed"))
        self.reason.setPlaceholderText(self.tr("Why it is settled by hand"))
        self.resolve.setText(self.tr("Resolve selected"))
        self.resolve.setToolTip(
            self.tr("Not sent again; the unit's events it holds are sent in order")
        )
        self._show_summary(self._vm.status)

    def _show_summary(self, status: SyncStatus | None) -> None:
        self.summary.setText("\n".join([describe(self, status)[0], *self._vm.held_lines()]))

    def _show(self, status: SyncStatus | None) -> None:
        letters = status.dead_letters if status else []
        self._letters = list(letters)
        self._show_summary(status)
        self.table.setRowCount(len(letters))
        for row, letter in enumerate(letters):
            values = [letter.endpoint_url, letter.aggregate_id[:8], str(letter.last_status or "–"),
                      str(letter.attempts), str(letter.held),
                      (letter.response_body or letter.last_error or "")[:200]]  # fmt: skip
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.retry_all.setEnabled(bool(letters))
        self._enable_resolve()

    def _selected(self) -> DeadDelivery | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return self._letters[min(rows)] if rows and min(rows) < len(self._letters) else None

    def _enable_resolve(self) -> None:
        self.resolve.setEnabled(self._selected() is not None and bool(self.reason.text().strip()))

    def _resolve_selected(self) -> None:
        letter = self._selected()
        if letter is not None:
            self._vm.resolve(letter.id, self.reason.text())
            self.reason.clear()
