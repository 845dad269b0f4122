"""The OpenCV camera over an image folder, the quality gate and the simulator."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.camera import SAMPLE_PHOTOS, CameraError, SimulatedCamera
from devices.camera_opencv import OpenCVCamera
from devices.camera_quality import BLURRY_PROMPT, BRIGHT_PROMPT, DARK_PROMPT, check_quality
from devices.config import CameraConfig

CONFIG = CameraConfig(driver="opencv", preview_fps=50.0, preview_width=320)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "frames"
    folder.mkdir()
    rng = np.random.default_rng(1)
    for index in range(3):
        image = rng.integers(40, 200, (600, 800, 3), dtype=np.uint8)  # sharp texture
        cv2.imwrite(str(folder / f"{index:02d}.png"), image)
    return folder


def test_sample_photos_are_small_and_all_but_the_blurry_one_pass():
    photos = sorted(SAMPLE_PHOTOS.glob("*.jpg"))
    assert 6 <= len(photos) <= 10
    for path in photos:
        assert path.stat().st_size < 150_000
        report = check_quality(path.read_bytes())
        assert report.ok == (not path.name.startswith("blurry")), (path.name, report)


def test_folder_camera_delivers_decimated_preview_and_full_resolution_stills(tmp_path):
    camera = OpenCVCamera(CONFIG, source=str(_folder(tmp_path)))
    frames = []
    arrived = threading.Event()

    def on_frame(frame):
        frames.append(frame)
        if len(frames) >= 3:
            arrived.set()

    camera.add_preview_listener(on_frame)
    camera.start()
    try:
        assert arrived.wait(5)
        still = camera.grab()
    finally:
        camera.stop()
    assert {(f.width, f.height) for f in frames} == {(320, 240)}
    assert frames[0].rgb.shape == (240, 320, 3)
    assert (still.width, still.height, still.content_type) == (800, 600, "image/jpeg")
    decoded = cv2.imdecode(np.frombuffer(still.data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None and decoded.shape == (600, 800, 3)


def test_grab_without_start_reads_the_folder_in_order_and_png_is_lossless(tmp_path):
    folder = _folder(tmp_path)
    camera = OpenCVCamera(CONFIG, source=str(folder), still_format="png")
    first, second = camera.grab(), camera.grab()
    assert first.content_type == "image/png" and first.data != second.data
    original = cv2.imread(str(folder / "00.png"))
    decoded = cv2.imdecode(np.frombuffer(first.data, np.uint8), 1)
    assert original is not None and decoded is not None
    assert np.array_equal(decoded, original)


def test_blurry_still_is_rejected_with_the_prompt():
    camera = SimulatedCamera(include_blurry=True, hold_s=0)
    reports = [camera.check_quality(camera.grab().data) for _ in range(7)]
    rejected = [r for r in reports if not r.ok]
    assert len(rejected) == 1
    assert rejected[0].problems == [BLURRY_PROMPT]
    assert rejected[0].blur_variance < CameraConfig().blur_threshold


def test_dark_and_bright_frames_are_detected():
    rng = np.random.default_rng(2)
    texture = rng.integers(0, 30, (480, 640, 3), dtype=np.uint8)
    dark = check_quality(texture)
    bright = check_quality((255 - texture).astype(np.uint8))
    assert not dark.ok and DARK_PROMPT in dark.problems and dark.brightness < 40
    assert not bright.ok and BRIGHT_PROMPT in bright.problems and bright.brightness > 215
    strict = CameraConfig(dark_threshold=5.0, bright_threshold=250.0, blur_threshold=1.0)
    assert check_quality(texture, strict).ok


@pytest.mark.parametrize("source", ["/nonexistent/camera.mp4", "rtsp://"])
def test_a_source_that_cannot_be_opened_is_a_camera_error_naming_it(source, tmp_path):
    camera = OpenCVCamera(CONFIG, source=source)
    with pytest.raises(CameraError, match="camera source"):
        camera.start()
    with pytest.raises(CameraError, match="camera source"):
        OpenCVCamera(CONFIG, source=str(tmp_path)).grab()  # a folder without images


def test_a_dropped_stream_is_reopened():
    opens = []

    class Flaky:
        def __init__(self):
            self.reads = 0

        def read(self):
            self.reads += 1
            if self.reads > 3:
                return False, None
            return True, np.full((60, 80, 3), 120, np.uint8)

        def release(self):
            pass

    def opener():
        opens.append(1)
        return Flaky()

    camera = OpenCVCamera(CONFIG, source="rtsp://cam.local/stream", opener=opener, reconnect_s=0.01)
    statuses = []
    camera.set_status_callback(lambda **kw: statuses.append(kw["connected"]))
    camera.start()
    deadline = time.monotonic() + 5
    while camera.reconnects < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    camera.stop()
    assert camera.reconnects >= 2 and len(opens) >= 3
    assert False in statuses and True in statuses


def test_simulator_plays_the_sample_photos_and_every_still_is_unique():
    camera = SimulatedCamera()
    first, second = camera.grab(), camera.grab()
    assert first.content_type == "image/jpeg" and first.width >= 640
    assert first.data != second.data  # sensor noise: each photo has its own SHA-256
    assert camera.check_quality(first.data).ok
    assert SimulatedCamera(seed=1).grab().content_type == "image/png"  # the old gradient mode
