"""The settings dialog's Test buttons: one reading, one picture, one printed test label.

Each action blocks for up to the device's timeout, so it runs on a worker, and fails with a
``DeviceCheckError`` that says what failed and where (port, source, host:port), in the
grader's language. ``devices_for_test`` decides what is tested: the running device when the
settings shown are the ones it was built from (a serial port cannot be opened twice), else a
device built just for the test from the edited settings and closed right after, so "does this
new port work?" is answered before anything is saved.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import cv2
import numpy as np

from devices.camera_types import Camera
from devices.config import CameraConfig, PrinterConfig, ScaleConfig, ScannerConfig
from devices.printing import Printer, PrintJob
from devices.registry import DeviceSet, build_devices, probe_serial_port
from devices.scale import Scale
from devices.status import utcnow
from labels.config import LabelsConfig
from labels.model import PAGE_MM, BarcodeBlock, Box, Label, TextBlock
from station.i18n import _
from station.services.common import ServiceError

log = logging.getLogger(__name__)

THUMB_WIDTH = 320
TEST_LPN = "LPNTEST000001"
DeviceConfig = ScannerConfig | ScaleConfig | CameraConfig | PrinterConfig


class DeviceCheckError(ServiceError):
    """A device test failed; the message names the device and where it was looked for."""


@contextmanager
def devices_for_test(
    kind: str, config: DeviceConfig, running: DeviceSet | None, running_config: DeviceConfig | None
) -> Iterator[DeviceSet]:
    """The running devices when ``config`` is what they were built from, else a set with just
    this one device built from ``config`` (closed on exit)."""
    if running is not None and config == running_config:
        yield running
        return
    only: dict[str, Any] = {kind: config}  # the other kinds default to "none"
    devices = build_devices(use_spooler=False, **only)
    try:
        yield devices
    finally:
        devices.close()


def _where(device: Any) -> str:
    inner = getattr(device, "inner", device)
    return str(getattr(inner, "port_url", None) or getattr(inner, "source", None) or device.name)


def test_scale(scale: Scale | None, *, error: str | None = None) -> str:
    """One reading, as "1234.5 g, stable"; ``error`` is the registry's reason when there is none."""
    if scale is None:
        raise DeviceCheckError(_("No scale: {reason}").format(reason=error or _("not configured")))
    try:
        weight = scale.read()
    except Exception as exc:
        raise DeviceCheckError(_("Scale on {port}: {error}").format(port=_where(scale), error=exc)) from exc  # fmt: skip
    state = _("stable") if weight.stable else _("not stable")
    return _("{grams:.1f} g, {state} ({device})").format(grams=weight.grams, state=state, device=_where(scale))  # fmt: skip


def test_camera(camera: Camera | None, *, error: str | None = None) -> bytes:
    """One frame as a JPEG at most ``THUMB_WIDTH`` wide (made here, not on the UI thread)."""
    if camera is None:
        raise DeviceCheckError(_("No camera: {reason}").format(reason=error or _("not configured")))
    try:
        frame = camera.grab()
    except Exception as exc:
        raise DeviceCheckError(_("Camera {source}: {error}").format(source=_where(camera), error=exc)) from exc  # fmt: skip
    image = (
        cv2.imdecode(np.frombuffer(frame.data, np.uint8), cv2.IMREAD_COLOR) if frame.data else None
    )
    if image is None:
        raise DeviceCheckError(_("Camera {source} gave no usable picture").format(source=_where(camera)))  # fmt: skip
    height, width = image.shape[:2]
    if width > THUMB_WIDTH:
        size = (THUMB_WIDTH, max(1, round(height * THUMB_WIDTH / width)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not ok:
        raise DeviceCheckError(_("Camera {source}: cannot encode the picture").format(source=_where(camera)))  # fmt: skip
    return bytes(encoded.tobytes())


def test_scanner(config: ScannerConfig) -> str:
    """A serial scanner's port opens; a keyboard wedge has nothing to open (scan to test it)."""
    if not config.serial_port:
        return _("Keyboard scanner: scan a code into the scan field to test it")
    try:
        probe_serial_port(config.serial_port, config.serial_baudrate)
    except Exception as exc:
        raise DeviceCheckError(_("Scanner on {port}: {error}").format(port=config.serial_port, error=exc)) from exc  # fmt: skip
    return _("Scanner port {port} opens").format(port=config.serial_port)


def test_label(station_id: str, site_id: str, labels: LabelsConfig, when: datetime | None = None) -> tuple[str, bytes]:  # fmt: skip
    """The test label, ``(format, bytes)``: "TEST", station, site, time and a Code 128 test LPN,
    drawn by the same renderers as real labels, at the LPN label's size, format and dpi."""
    moment = (when or utcnow()).strftime("%Y-%m-%d %H:%M UTC")
    width, height = PAGE_MM[labels.lpn_size]
    pad, inner = width * 0.04, width * 0.92
    row = height / 6
    label = Label(width, height, (
        TextBlock(Box(pad, row * 0.2, inner, row * 1.1), f"TEST - {station_id}", row, bold=True),
        TextBlock(Box(pad, row * 1.4, inner, row * 0.8), f"{site_id}  {moment}", row * 0.7),
        BarcodeBlock(Box(0, row * 2.4, width, row * 2.6), "code128", TEST_LPN),
        TextBlock(Box(pad, row * 5.1, inner, row * 0.8), TEST_LPN, row * 0.7),
    ))  # fmt: skip
    if labels.format == "pdf":
        from labels.pdf import label_to_pdf

        return "pdf", label_to_pdf(label, title=f"test {station_id}")
    from labels.zpl import label_to_zpl

    return "zpl", label_to_zpl(label, dpi=labels.dpi)


def test_printer(
    printer: Printer | None, *, station_id: str, site_id: str, labels: LabelsConfig,
    error: str | None = None, when: datetime | None = None,
) -> str:  # fmt: skip
    """Send the test label straight to the printer, not through the spool: the answer ("sent"
    or why not) is wanted now, and a test must not linger in the queue and print hours later."""
    if printer is None:
        raise DeviceCheckError(
            _("No printer: {reason}").format(reason=error or _("not configured"))
        )
    kind, payload = test_label(station_id, site_id, labels, when)
    try:
        printer.send(PrintJob(uuid.uuid4().hex, printer.name, kind, payload))
    except Exception as exc:
        raise DeviceCheckError(_("Printer {name} at {address}: {error}").format(
            name=printer.name, address=printer.address, error=exc)) from exc  # fmt: skip
    log.info("test label sent to %s (%s)", printer.name, printer.address)
    return _("Test label sent to {name} ({address})").format(name=printer.name, address=printer.address)  # fmt: skip
