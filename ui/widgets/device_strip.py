"""A strip of device states (scanner, camera, scale, printer) and the failed-print-jobs list.

Each device shows a coloured dot and its name; the tooltip says what is wrong, so a grader can
tell a supervisor "the printer says connection refused" without opening anything. Failed print
jobs never disappear silently: a red button counts them and opens a dialog to retry or cancel.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from devices.printing import PrintJob
from devices.registry import KINDS
from devices.status import DeviceStatus
from ui.device_bridge import DeviceBridge

COLOURS = {"ok": "#1e7b34", "down": "#b00020", "none": "#888888"}


def status_state(status: DeviceStatus) -> str:
    if status.driver == "none":
        return "none"
    return "ok" if status.connected else "down"


class DeviceStrip(QWidget):
    def __init__(self, bridge: DeviceBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self.titles = {
            "scanner": self.tr("Scanner"),
            "camera": self.tr("Camera"),
            "scale": self.tr("Scale"),
            "printer": self.tr("Printer"),
        }
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.labels: dict[str, QLabel] = {}
        self.states: dict[str, str] = {}
        for kind in KINDS:
            label = QLabel(self)
            label.setObjectName(f"device_{kind}")
            label.setTextFormat(Qt.TextFormat.RichText)
            self.labels[kind] = label
            layout.addWidget(label)
        layout.addStretch(1)
        self.failed_button = QPushButton(self)
        self.failed_button.setObjectName("failedPrintJobs")
        self.failed_button.setStyleSheet("color:#b00020; font-weight:bold;")
        self.failed_button.clicked.connect(self.open_failed_jobs)
        layout.addWidget(self.failed_button)
        for status in bridge.devices.statuses():
            self.show_status(status)
        self.refresh_failed()
        bridge.statusChanged.connect(self.show_status)
        bridge.jobChanged.connect(lambda _job: self.refresh_failed())

    def show_status(self, status: DeviceStatus) -> None:
        state = status_state(status)
        self.states[status.kind] = state
        label = self.labels[status.kind]
        label.setText(f'<span style="color:{COLOURS[state]}">●</span> {self.titles[status.kind]}')
        lines = [f"{status.name or status.kind} ({status.driver})"]
        if status.address:
            lines.append(status.address)
        if status.error:
            lines.append(status.error)
        if status.last_reading:
            lines.append(status.last_reading)
        label.setToolTip("\n".join(lines))

    def refresh_failed(self) -> None:
        count = len(self._bridge.failed_jobs())
        self.failed_button.setText(self.tr("{n} failed print job(s)").format(n=count))
        self.failed_button.setVisible(count > 0)

    def open_failed_jobs(self) -> None:
        FailedJobsDialog(self._bridge, self).exec()
        self.refresh_failed()


class FailedJobsDialog(QDialog):
    """Failed print jobs with their last error; retry after fixing the printer, or cancel."""

    def __init__(self, bridge: DeviceBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self.setWindowTitle(self.tr("Failed print jobs"))
        self.list = QListWidget(self)
        self.retry_button = QPushButton(self.tr("Retry"), self)
        self.cancel_button = QPushButton(self.tr("Cancel job"), self)
        self.retry_button.clicked.connect(lambda: self._act(bridge.retry))
        self.cancel_button.clicked.connect(lambda: self._act(bridge.cancel))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.retry_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(row)
        self.resize(640, 320)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        for job in self._bridge.failed_jobs():
            item = QListWidgetItem(self._describe(job))
            item.setData(Qt.ItemDataRole.UserRole, job.id)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        has = self.list.count() > 0
        self.retry_button.setEnabled(has)
        self.cancel_button.setEnabled(has)

    @staticmethod
    def _describe(job: PrintJob) -> str:
        created = job.created.astimezone().strftime("%H:%M:%S")
        return f"{created}  {job.printer}  {job.kind.upper()}  ×{job.attempts}  {job.last_error}"

    def _act(self, action: object) -> None:
        item = self.list.currentItem()
        if item is None or not callable(action):
            return
        action(item.data(Qt.ItemDataRole.UserRole))
        self.reload()
