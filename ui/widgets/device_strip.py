"""A strip of device states (scanner, camera, scale, printer) and the failed-print-jobs list.

Each device shows a coloured dot and its name; the tooltip says what is wrong, so a grader can
tell a supervisor "the printer says connection refused" without opening anything. Failed print
jobs never disappear silently: a red button counts them and opens a dialog to retry or cancel.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

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
from station.i18n import N_, _
from ui.device_bridge import DeviceBridge
from ui.i18n import Retranslatable
from ui.theme import TOUCH_TARGET_PX, set_style_property, text_colour

# The dot's colour by state: the theme's, so it reads on the dark theme as on the light one.
STATE_COLOURS: Mapping[str, str] = {"ok": "success", "down": "error", "none": "muted_text"}
DEVICE_NAMES: Mapping[str, str] = {
    "scanner": N_("Scanner"),
    "camera": N_("Camera"),
    "scale": N_("Scale"),
    "printer": N_("Printer"),
}
DEVICE_STATE_NAMES: Mapping[str, str] = {
    "ok": N_("working"),
    "down": N_("not working"),
    "none": N_("not configured"),
}


def status_state(status: DeviceStatus) -> str:
    if status.driver == "none":
        return "none"
    return "ok" if status.connected else "down"


def device_name(kind: str) -> str:
    text = DEVICE_NAMES.get(kind)
    return _(text) if text else kind


def device_state_name(state: str) -> str:
    text = DEVICE_STATE_NAMES.get(state)
    return _(text) if text else state


class DeviceStrip(Retranslatable, QWidget):
    def __init__(self, bridge: DeviceBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.labels: dict[str, QLabel] = {}
        self.states: dict[str, str] = {}
        self._statuses: dict[str, DeviceStatus] = {}
        for kind in KINDS:
            label = QLabel(self)
            label.setObjectName(f"device_{kind}")
            label.setTextFormat(Qt.TextFormat.RichText)
            self.labels[kind] = label
            layout.addWidget(label)
        layout.addStretch(1)
        self.failed_button = QPushButton(self)
        self.failed_button.setObjectName("failedPrintJobs")
        self.failed_button.setMinimumHeight(TOUCH_TARGET_PX)
        set_style_property(self.failed_button, "state", "error")
        self.failed_button.clicked.connect(self.open_failed_jobs)
        layout.addWidget(self.failed_button)
        for status in bridge.devices.statuses():
            self.show_status(status)
        self.refresh_failed()
        bridge.statusChanged.connect(self.show_status)
        # Bound methods, not lambdas: Qt drops the connection when this widget is destroyed
        # (a print job can still change on the spooler's thread after the strip is gone).
        bridge.jobChanged.connect(self._job_changed)
        self.retranslate()

    def retranslate(self) -> None:
        for status in self._statuses.values():
            self.show_status(status)
        self.refresh_failed()

    def restyle(self) -> None:
        """The dots are coloured in rich text: in the new theme's colours."""
        for status in self._statuses.values():
            self.show_status(status)

    def show_status(self, status: DeviceStatus) -> None:
        state = status_state(status)
        self.states[status.kind] = state
        self._statuses[status.kind] = status
        label = self.labels[status.kind]
        name = device_name(status.kind)
        markup = (
            f'<span style="color:{text_colour(STATE_COLOURS[state])}">●</span> {html.escape(name)}'
        )
        label.setText(markup)
        # The dot's colour is not the only sign: the state is said in words, for the tooltip
        # and for screen readers.
        summary = self.tr("{device}: {state}").format(device=name, state=device_state_name(state))
        lines = [summary, self.tr("Driver: {driver}").format(driver=status.driver)]
        if status.name and status.name != status.kind:
            lines.append(self.tr("Device: {name}").format(name=status.name))
        if status.address:
            lines.append(self.tr("Address: {address}").format(address=status.address))
        if status.error:
            lines.append(self.tr("Problem: {error}").format(error=status.error))
        if status.last_reading:
            lines.append(self.tr("Last reading: {reading}").format(reading=status.last_reading))
        label.setToolTip("\n".join(lines))
        label.setAccessibleName(summary)

    def _job_changed(self, _job: PrintJob) -> None:
        self.refresh_failed()

    def refresh_failed(self) -> None:
        count = len(self._bridge.failed_jobs())
        self.failed_button.setText(self.tr("{n} failed print job(s)").format(n=count))
        self.failed_button.setVisible(count > 0)

    def open_failed_jobs(self) -> None:
        FailedJobsDialog(self._bridge, self).exec()
        self.refresh_failed()


class FailedJobsDialog(Retranslatable, QDialog):
    """Failed print jobs with their last error; retry after fixing the printer, or cancel."""

    def __init__(self, bridge: DeviceBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        self.retry_button = QPushButton(self)
        self.cancel_button = QPushButton(self)
        self.retry_button.clicked.connect(lambda: self._act(bridge.retry))
        self.cancel_button.clicked.connect(lambda: self._act(bridge.cancel))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        for button in (self.retry_button, self.cancel_button, *buttons.buttons()):
            button.setMinimumHeight(TOUCH_TARGET_PX)
        row = QHBoxLayout()
        row.addWidget(self.retry_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(row)
        self.setMinimumSize(480, 240)
        self.resize(640, 320)
        self.reload()
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Failed print jobs"))
        self.retry_button.setText(self.tr("Retry"))
        self.cancel_button.setText(self.tr("Cancel job"))
        for index in range(self.list.count()):
            item = self.list.item(index)
            job = self._bridge_job(str(item.data(Qt.ItemDataRole.UserRole)))
            if job is not None:
                item.setText(self._describe(job))

    def _bridge_job(self, job_id: str) -> PrintJob | None:
        return next((job for job in self._bridge.failed_jobs() if job.id == job_id), None)

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

    def _describe(self, job: PrintJob) -> str:
        return self.tr("{time} · {printer} · {kind} · {attempts} attempt(s) · {error}").format(
            time=job.created.astimezone().strftime("%H:%M:%S"),
            printer=job.printer,
            kind=job.kind.upper(),
            attempts=job.attempts,
            error=job.last_error or "–",
        )

    def _act(self, action: object) -> None:
        item = self.list.currentItem()
        if item is None or not callable(action):
            return
        action(item.data(Qt.ItemDataRole.UserRole))
        self.reload()
