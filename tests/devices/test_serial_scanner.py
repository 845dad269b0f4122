"""The serial scanner over a pseudo-terminal pair: codes arrive, a replugged port reconnects."""

from __future__ import annotations

import os
import queue
import time
from pathlib import Path

from devices.config import ScannerConfig
from devices.serial_scanner import SerialScanner, start_serial_scanner
from devices.wedge import GS, ScanEvent


def _plug(link: Path) -> int:
    """A new pty pair with ``link`` pointing at its device, like a udev by-id symlink."""
    master, slave = os.openpty()
    link.unlink(missing_ok=True)
    link.symlink_to(os.ttyname(slave))
    os.close(slave)
    return master


def _wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_codes_arrive_and_a_replugged_port_reconnects(tmp_path):
    link = tmp_path / "scanner"
    master = _plug(link)
    codes: queue.Queue[ScanEvent] = queue.Queue()
    scanner = SerialScanner(ScannerConfig(serial_port=str(link)), codes.put, reconnect_s=0.05)
    scanner.start()
    try:
        _wait_for(lambda: scanner.connected)  # opening a port flushes what came before
        os.write(master, b"]C1RMA-NK-000123\r\n4006381333931\r")
        assert codes.get(timeout=5) == ScanEvent("RMA-NK-000123", "]C1", "serial")
        assert codes.get(timeout=5).text == "4006381333931"
        os.write(master, b"10ABC\x1d21XY\n")
        assert codes.get(timeout=5).text == f"10ABC{GS}21XY"

        os.close(master)  # unplugged
        master = _plug(link)  # plugged back in (a new device node behind the same name)
        _wait_for(lambda: scanner.opens >= 2 and scanner.connected)
        assert codes.empty()
        os.write(master, b"AFTER-REPLUG\n")
        assert codes.get(timeout=5).text == "AFTER-REPLUG"
    finally:
        scanner.close()
        os.close(master)


def test_factory_only_starts_with_a_port():
    assert start_serial_scanner(ScannerConfig(), lambda event: None) is None
