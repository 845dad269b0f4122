"""The Test buttons' actions against simulators and real files: readings, pictures, labels."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.camera import SimulatedCamera
from devices.camera_opencv import OpenCVCamera
from devices.config import CameraConfig, PrinterConfig, ScaleConfig, ScannerConfig
from devices.printer_simulator import PrinterSimulator
from devices.printing import FolderPrinter, ZplTcpPrinter
from devices.registry import build_devices
from devices.scale import SimulatedScale
from devices.serial_scale import SerialScale
from labels.config import LabelsConfig
from station.services import device_checks as checks
from station.services.device_checks import TEST_LPN, DeviceCheckError, devices_for_test
from tests.labels.helpers import decode_pdf, decode_zpl

WHEN = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def simulator() -> Iterator[PrinterSimulator]:
    with PrinterSimulator() as sim:
        yield sim


def test_scale_reading_shows_grams_and_stability() -> None:
    scale = SimulatedScale(seed=3)
    scale.place(1250.0)

    text = checks.test_scale(scale)

    grams = float(re.match(r"([\d.]+) g", text).group(1))  # type: ignore[union-attr]
    assert abs(grams - 1250.0) <= 0.5
    assert "stable" in text and scale.name in text


def test_scale_error_names_the_port(tmp_path: Path) -> None:
    port = str(tmp_path / "ttyUSB7")
    scale = SerialScale(ScaleConfig(driver="serial", port=port, timeout_s=0.3))
    try:
        with pytest.raises(DeviceCheckError, match=re.escape(port)):
            checks.test_scale(scale)
    finally:
        scale.stop()
    with pytest.raises(DeviceCheckError, match="not configured"):
        checks.test_scale(None)


def test_camera_frame_comes_back_as_a_small_jpeg() -> None:
    camera = SimulatedCamera(width=640, height=480, seed=5)

    data = checks.test_camera(camera)

    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert data[:2] == b"\xff\xd8" and image.shape[1] == 320 and image.shape[0] == 240


def test_camera_errors_name_the_source(tmp_path: Path) -> None:
    source = str(tmp_path / "no-such-video.mp4")
    camera = OpenCVCamera(CameraConfig(driver="opencv", source=source))
    try:
        with pytest.raises(DeviceCheckError, match=re.escape(source)):
            checks.test_camera(camera)
    finally:
        camera.stop()
    with pytest.raises(DeviceCheckError, match="USB unplugged"):
        checks.test_camera(None, error="USB unplugged")


def test_zpl_test_label_reaches_the_printer_and_scans(simulator: PrinterSimulator) -> None:
    printer = ZplTcpPrinter("labels", simulator.host, simulator.port, timeout_s=2)

    text = checks.test_printer(printer, station_id="BENCH-9", site_id="AMS1",
                        labels=LabelsConfig(lpn_size="2x1"), when=WHEN)  # fmt: skip

    assert simulator.wait_for_jobs(1, timeout=5)
    zpl = simulator.jobs[0]
    assert zpl.startswith(b"^XA") and zpl.rstrip().endswith(b"^XZ")
    assert b"TEST - BENCH-9" in zpl and b"2025-05-01 09:30 UTC" in zpl and b"AMS1" in zpl
    assert decode_zpl(zpl, 203) == [("code128", TEST_LPN, False)]
    assert simulator.address in text


def test_pdf_test_label_through_a_folder_printer(tmp_path: Path) -> None:
    printer = FolderPrinter("office", tmp_path / "out")

    checks.test_printer(printer, station_id="BENCH-9", site_id="AMS1",
                 labels=LabelsConfig(format="pdf", lpn_size="4x6"), when=WHEN)  # fmt: skip

    [written] = list((tmp_path / "out").iterdir())
    assert written.suffix == ".pdf"
    assert decode_pdf(written.read_bytes()) == [("code128", TEST_LPN, False)]


def test_refused_printer_names_host_and_port(refused_port: int) -> None:
    printer = ZplTcpPrinter("labels", "127.0.0.1", refused_port, timeout_s=1)
    with pytest.raises(DeviceCheckError, match=f"127.0.0.1:{refused_port}"):
        checks.test_printer(printer, station_id="B", site_id="S", labels=LabelsConfig())


def test_scanner_checks() -> None:
    assert "scan" in checks.test_scanner(ScannerConfig()).lower()
    with pytest.raises(DeviceCheckError, match="/dev/does-not-exist"):
        checks.test_scanner(ScannerConfig(serial_port="/dev/does-not-exist"))


def test_devices_for_test_reuses_the_running_set_only_when_unchanged() -> None:
    running = build_devices(simulate=True, use_spooler=False)
    try:
        with devices_for_test("scale", ScaleConfig(), running, ScaleConfig()) as devices:
            assert devices is running
        edited = ScaleConfig(driver="simulated")
        with devices_for_test("scale", edited, running, ScaleConfig()) as devices:
            assert devices is not running and devices.scale is not None
            assert devices.status("camera").driver == "none"
        printer = PrinterConfig(driver="folder", folder="/nonexistent/x")
        with devices_for_test("printer", printer, running, PrinterConfig()) as devices:
            assert devices.printer is not None and devices.printer.driver == "folder"
    finally:
        running.close()
