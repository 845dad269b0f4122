"""The device strip: registry callbacks (from any thread) reach the widget via Qt signals."""

from __future__ import annotations

import threading
from pathlib import Path

from devices.config import PrinterConfig
from devices.printer_simulator import PrinterSimulator
from devices.registry import build_devices
from ui.device_bridge import DeviceBridge
from ui.widgets.device_strip import DeviceStrip, FailedJobsDialog


def test_status_change_from_a_thread_reaches_the_strip(qtbot, tmp_path: Path):
    devices = build_devices(simulate=True, spool_dir=tmp_path / "spool")
    bridge = DeviceBridge(devices)
    strip = DeviceStrip(bridge)
    qtbot.addWidget(strip)
    assert strip.states["scale"] == "ok"

    worker = threading.Thread(
        target=devices.update, args=("scale",), kwargs={"connected": False, "error": "port gone"}
    )
    with qtbot.waitSignal(bridge.statusChanged, timeout=5000):
        worker.start()
    worker.join()
    qtbot.waitUntil(lambda: strip.states["scale"] == "down", timeout=5000)
    assert "port gone" in strip.labels["scale"].toolTip()
    devices.close()


def test_failed_jobs_indicator_and_dialog_retry_cancel(qtbot, tmp_path: Path):
    sim = PrinterSimulator().start()
    address = sim.address
    sim.stop()
    printer = PrinterConfig(driver="zpl-tcp", address=address, retry_s=0.01, timeout_s=2)
    devices = build_devices(printer=printer, spool_dir=tmp_path / "spool")
    assert devices.spooler is not None
    devices.spooler.max_attempts = 1
    bridge = DeviceBridge(devices)
    strip = DeviceStrip(bridge)
    qtbot.addWidget(strip)
    assert strip.failed_button.isHidden()

    first = devices.spooler.submit("zpl", b"^XA^FD1^FS^XZ")
    second = devices.spooler.submit("zpl", b"^XA^FD2^FS^XZ")
    devices.spooler.start()
    try:
        qtbot.waitUntil(lambda: len(bridge.failed_jobs()) == 2, timeout=10_000)
        qtbot.waitUntil(lambda: not strip.failed_button.isHidden(), timeout=5000)
        qtbot.waitUntil(lambda: strip.states["printer"] == "down", timeout=5000)
        # The strip hears of each failure by its own signal: the second may come a turn later.
        qtbot.waitUntil(lambda: "2 failed" in strip.failed_button.text(), timeout=5000)

        dialog = FailedJobsDialog(bridge, strip)
        qtbot.addWidget(dialog)
        assert dialog.list.count() == 2
        dialog.list.setCurrentRow(1)
        dialog.cancel_button.click()
        assert devices.spooler.get(second.id) is None and dialog.list.count() == 1

        sim.start()
        dialog.list.setCurrentRow(0)
        with qtbot.waitSignal(
            bridge.jobChanged, timeout=10_000, check_params_cb=lambda j: j.state == "sent"
        ):
            dialog.retry_button.click()
        assert sim.wait_for_jobs(1, 10)
        assert sim.jobs == [b"^XA^FD1^FS^XZ"] and devices.spooler.get(first.id) is None
        qtbot.waitUntil(lambda: strip.failed_button.isHidden(), timeout=5000)
    finally:
        devices.close()
        sim.stop()
