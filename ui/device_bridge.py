"""Re-emit the Qt-free device registry's callbacks as Qt signals.

Drivers and the spooler call back from their own threads; emitting a signal of a QObject that
lives on the main thread from another thread queues the delivery, so slots run on the UI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from devices.printing import PrintJob
from devices.registry import DeviceSet
from devices.status import DeviceStatus


class DeviceBridge(QObject):
    statusChanged = Signal(object)  # DeviceStatus
    jobChanged = Signal(object)  # PrintJob

    def __init__(self, devices: DeviceSet, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.devices = devices
        devices.add_status_listener(self._on_status)
        if devices.spooler is not None:
            devices.spooler.add_job_listener(self._on_job)
        self.destroyed.connect(lambda *_: devices.remove_status_listener(self._on_status))

    def _on_status(self, status: DeviceStatus) -> None:
        self.statusChanged.emit(status)

    def _on_job(self, job: PrintJob) -> None:
        self.jobChanged.emit(job)

    def failed_jobs(self) -> list[PrintJob]:
        return self.devices.spooler.failed() if self.devices.spooler else []

    def retry(self, job_id: str) -> None:
        if self.devices.spooler is not None:
            self.devices.spooler.retry(job_id)

    def cancel(self, job_id: str) -> None:
        if self.devices.spooler is not None:
            self.devices.spooler.cancel(job_id)
