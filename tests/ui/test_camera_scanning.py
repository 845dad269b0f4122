"""A code held up to the camera becomes a scan, once per presentation."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import zxingcpp

from devices.camera_types import PreviewFrame
from ui.app import connect_camera_decoding
from ui.wedge_filter import WedgeFilter


class FakeLiveCamera:
    """Stands in for the OpenCV camera's streaming side: tests push frames by hand."""

    name = "fake-camera"

    def __init__(self) -> None:
        self.listeners: list = []

    def add_preview_listener(self, callback):  # type: ignore[no-untyped-def]
        self.listeners.append(callback)
        return lambda: self.listeners.remove(callback)

    def push(self, rgb: np.ndarray) -> None:
        for listener in self.listeners:
            listener(PreviewFrame(rgb, rgb.shape[1], rgb.shape[0], 0.0))


def _frame_with(text: str) -> np.ndarray:
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
    image = np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=3))
    canvas = np.full((480, 640), 255, np.uint8)
    canvas[100 : 100 + image.shape[0], 80 : 80 + image.shape[1]] = image
    return np.dstack([canvas] * 3)


def test_camera_codes_become_scans_once_per_presentation(qtbot, context):
    camera = FakeLiveCamera()
    context.devices.camera = camera
    context.settings = replace(
        context.settings, camera=replace(context.settings.camera, decode=True)
    )
    wedge = WedgeFilter(context.settings.scanner)
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    decoder = connect_camera_decoding(context, wedge)
    assert decoder is not None

    code = "RMA-NK-000123"
    blank = np.full((480, 640, 3), 255, np.uint8)
    for _ in range(3):  # the label held in front of the lens for a few frames
        camera.push(_frame_with(code))
    qtbot.waitUntil(lambda: scans == [code])
    for _ in range(12):  # taken away long enough to count as gone ...
        camera.push(blank)
    camera.push(_frame_with(code))  # ... and shown again: a new presentation
    qtbot.waitUntil(lambda: scans == [code, code])
