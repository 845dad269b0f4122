"""A code held up to the camera becomes a scan, once per presentation.

The decoder skips frames after a decode that overran its time budget, and a code re-arms after
it was absent for a while. Both are timed by a clock the test controls (advanced by the fake
camera's frame interval and, where a test says so, by a "slow" decode), so what the test sees
is the same on an idle laptop and on a loaded two-core CI machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
import zxingcpp

import devices.camera_decoding as camera_decoding
from devices.camera_types import PreviewFrame
from ui.app import connect_camera_decoding
from ui.wedge_filter import WedgeFilter

FRAME_S = 0.1  # the fake camera's frame interval, by the test's clock
CODE = "RMA-NK-000123"


class FakeClock:
    """A monotonic clock that moves only when the test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeLiveCamera:
    """Stands in for the OpenCV camera's streaming side: tests push frames by hand, and each
    frame arrives one frame interval after the previous one by the test's clock."""

    name = "fake-camera"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.listeners: list[Callable[[PreviewFrame], None]] = []

    def add_preview_listener(self, callback: Callable[[PreviewFrame], None]) -> Callable[[], None]:
        self.listeners.append(callback)
        return lambda: self.listeners.remove(callback)

    def push(self, rgb: np.ndarray) -> None:
        self.clock.now += FRAME_S
        for listener in self.listeners:
            listener(PreviewFrame(rgb, rgb.shape[1], rgb.shape[0], 0.0))


def _frame_with(text: str) -> np.ndarray:
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
    image = np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=3))
    canvas = np.full((480, 640), 255, np.uint8)
    canvas[100 : 100 + image.shape[0], 80 : 80 + image.shape[1]] = image
    return np.dstack([canvas] * 3)


BLANK = np.full((480, 640, 3), 255, np.uint8)


@pytest.fixture
def bench(context):  # type: ignore[no-untyped-def]
    """(camera, clock, decoder, scans): the bench's camera decoding wired to a fake camera."""
    clock = FakeClock()
    camera = FakeLiveCamera(clock)
    context.devices.camera = camera
    context.settings = replace(
        context.settings, camera=replace(context.settings.camera, decode=True)
    )
    wedge = WedgeFilter(context.settings.scanner)
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    decoder = connect_camera_decoding(context, wedge, clock=clock)
    assert decoder is not None
    return camera, clock, decoder, scans


def _present_twice(qtbot, bench) -> None:  # type: ignore[no-untyped-def]
    camera, _clock, decoder, scans = bench
    shown = _frame_with(CODE)
    for _ in range(3):  # the label held in front of the lens for a few frames
        camera.push(shown)
    qtbot.waitUntil(lambda: scans == [CODE])
    # 12 frames of 0.1 s: gone for more than 8 frames (and 1 s): the next showing is new.
    for _ in range(12):
        camera.push(BLANK)
    camera.push(shown)
    qtbot.waitUntil(lambda: scans == [CODE, CODE])
    # However long each decode took in real time, by the bench's clock none overran.
    assert (decoder.decoded_frames, decoder.skipped_frames) == (16, 0)


def test_camera_codes_become_scans_once_per_presentation(qtbot, bench):
    _present_twice(qtbot, bench)


def test_a_machine_that_decodes_slowly_sees_the_same_scans(qtbot, bench, monkeypatch):
    """A loaded machine: every decode takes 40 ms of real time, over the 30 ms budget. With
    the real clock, frames were skipped, the code never counted as gone, and the second
    presentation was lost; by the bench's clock nothing changes."""
    real_decode = camera_decoding.decode_image

    def loaded_decode(image, options=None):  # type: ignore[no-untyped-def]
        time.sleep(0.04)  # stands for a busy CPU, not a wait for anything
        return real_decode(image, options)

    monkeypatch.setattr(camera_decoding, "decode_image", loaded_decode)
    _present_twice(qtbot, bench)


def test_a_slow_decode_by_the_bench_clock_skips_the_frames_it_overran(qtbot, bench, monkeypatch):
    """Skipping after a slow decode is right on a real bench (the preview must not back up);
    here the slowness is the clock's, so the test does not depend on the machine."""
    camera, clock, decoder, scans = bench
    real_decode = camera_decoding.decode_image
    slow_s = [0.5]  # the first decode takes 0.5 s by the clock: 0.47 s over a 30 ms budget

    def timed_decode(image, options=None):  # type: ignore[no-untyped-def]
        clock.now += slow_s.pop() if slow_s else 0.0
        return real_decode(image, options)

    monkeypatch.setattr(camera_decoding, "decode_image", timed_decode)
    shown = _frame_with(CODE)
    camera.push(shown)
    qtbot.waitUntil(lambda: scans == [CODE])
    for _ in range(4):  # 0.1 .. 0.4 s after the slow decode ended: still within 0.47 s
        camera.push(BLANK)
    assert (decoder.decoded_frames, decoder.skipped_frames) == (1, 4)
    camera.push(BLANK)  # 0.5 s after: the overrun is paid back, decoding resumes
    assert (decoder.decoded_frames, decoder.skipped_frames) == (2, 4)
