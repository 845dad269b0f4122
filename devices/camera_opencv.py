"""OpenCV camera: a capture thread per camera, decimated preview frames, full-resolution stills.

The source is a device index ("0"), a video file, a folder of images (sorted, looped) or an
RTSP/HTTP URL. The capture thread keeps only the latest full frame, so ``grab()`` is instant
and never waits on the device; preview frames are scaled to ``preview_width`` and delivered at
most ``preview_fps`` times a second to plain callbacks (``ui/`` re-emits them as Qt signals).
A source that cannot be opened is a ``CameraError`` naming it; a stream that drops is
reopened every ``reconnect_s`` until it comes back (USB cameras get replugged, RTSP cameras
reboot), and ``status`` says what is happening.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from devices.camera_quality import QualityReport, check_quality, encode_still
from devices.camera_types import CameraError, Frame, PreviewCallback, PreviewFrame
from devices.config import CameraConfig

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
STREAM_PREFIXES = ("rtsp://", "rtsps://", "http://", "https://", "rtmp://", "udp://", "tcp://")


class ImageFolderSource:
    """A folder of stills that behaves like ``cv2.VideoCapture``: ``read()`` gives frames.

    With ``hold_s`` > 0 each image is "in front of the camera" for that long (like an item on
    the bench), otherwise every ``read()`` moves to the next image; both loop forever.
    """

    def __init__(
        self,
        paths: list[Path],
        hold_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.paths = paths
        self.hold_s = hold_s
        self._clock = clock
        self._index = -1
        self._started = clock()
        self._cache: dict[Path, np.ndarray] = {}

    @classmethod
    def from_folder(cls, folder: Path, hold_s: float = 0.0) -> ImageFolderSource:
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        return cls(paths, hold_s)

    def isOpened(self) -> bool:
        return bool(self.paths)

    def read(self) -> tuple[bool, np.ndarray | None]:
        if not self.paths:
            return False, None
        if self.hold_s > 0:
            index = int((self._clock() - self._started) / self.hold_s) % len(self.paths)
        else:
            index = (self._index + 1) % len(self.paths)
        self._index = index
        path = self.paths[index]
        image = self._cache.get(path)
        if image is None:
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None:
                log.warning("cannot read image %s", path)
                return False, None
            self._cache[path] = image
        return True, image.copy()

    def release(self) -> None:
        self._cache.clear()


def open_source(source: str, folder_hold_s: float = 0.0) -> Any:
    """Open a capture for ``source``; CameraError (naming it) if it cannot be opened."""
    path = Path(source)
    capture: Any
    if source.strip().isdigit():
        capture = cv2.VideoCapture(int(source))
    elif path.is_dir():
        capture = ImageFolderSource.from_folder(path, folder_hold_s)
        if not capture.isOpened():
            raise CameraError(f"camera source {source!r}: the folder has no images")
        return capture
    elif source.lower().startswith(STREAM_PREFIXES):
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, 5000, cv2.CAP_PROP_READ_TIMEOUT_MSEC, 5000]
        capture = cv2.VideoCapture(source, cv2.CAP_FFMPEG, params)
    elif path.is_file():
        capture = cv2.VideoCapture(str(path))
    else:
        raise CameraError(f"camera source {source!r}: no such device, file, folder or URL")
    if not capture.isOpened():
        capture.release()
        raise CameraError(f"camera source {source!r} could not be opened")
    return capture


def _is_live(source: str) -> bool:
    return source.strip().isdigit() or source.lower().startswith(STREAM_PREFIXES)


StatusCallback = Callable[..., None]


class OpenCVCamera:
    """``Camera`` + ``LiveCamera`` over OpenCV. ``grab()`` works with or without ``start()``.

    Built as ``OpenCVCamera(config)`` by the device registry (the source is ``config.source``)
    or with an explicit ``source=``. Nothing is opened until ``start()`` or the first grab.
    """

    def __init__(
        self,
        config: CameraConfig | None = None,
        *,
        source: str | None = None,
        name: str | None = None,
        still_format: str = "jpeg",
        jpeg_quality: int = 92,
        reconnect_s: float = 2.0,
        folder_hold_s: float = 0.0,
        first_frame_timeout_s: float = 5.0,
        opener: Callable[[], Any] | None = None,
    ) -> None:
        self.config = config or CameraConfig()
        if source is None:
            source = self.config.source
        if not source:
            raise CameraError("camera driver 'opencv' needs a source: device index, file or URL")
        self.source = source
        self.name = name or f"opencv:{source}"
        self.still_format = still_format
        self.jpeg_quality = jpeg_quality
        self.reconnect_s = reconnect_s
        self.folder_hold_s = folder_hold_s
        self.first_frame_timeout_s = first_frame_timeout_s
        # How to (re)open the source: open_source() unless a caller knows better (the simulator).
        self._open: Callable[[], Any] = opener or (lambda: open_source(source, folder_hold_s))
        self.status = "stopped"
        self.reconnects = 0
        self._live = _is_live(source)
        self._capture: Any = None
        self._lock = threading.Lock()
        self._new_frame = threading.Condition(self._lock)
        self._latest: np.ndarray | None = None
        self._listeners: list[PreviewCallback] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_preview = 0.0
        self._status_callback: StatusCallback | None = None

    def set_status_callback(self, callback: StatusCallback) -> None:
        """The registry's hook: ``callback(connected=, error=, last_reading=)`` on changes."""
        self._status_callback = callback

    def _set_status(self, status: str, error: str | None = None) -> None:
        self.status = status
        if self._status_callback is not None:
            try:
                self._status_callback(connected=status == "streaming", error=error)
            except Exception:
                log.exception("camera status callback failed")

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Open the source (CameraError if it cannot be) and start the capture thread."""
        if self.running:
            return
        with self._lock:
            if self._capture is None:
                self._capture = self._open()
        self._stop.clear()
        self._set_status("streaming")
        self._thread = threading.Thread(target=self._run, name=f"camera {self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)
        with self._lock:
            if self._capture is not None:
                self._capture.release()
                self._capture = None
        self.status = "stopped"

    close = stop

    def probe(self) -> None:
        """Raise CameraError unless a frame can be had (the registry's "check" button)."""
        self.grab_image()

    def add_preview_listener(self, callback: PreviewCallback) -> Callable[[], None]:
        """Call ``callback`` (on the capture thread) with each preview frame; returns a remover."""
        with self._lock:
            self._listeners.append(callback)

        def remove() -> None:
            with self._lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return remove

    # --- stills ----------------------------------------------------------------------------

    def grab_image(self) -> np.ndarray:
        """The latest full-resolution BGR frame (read one now when not streaming)."""
        if self.running:
            deadline = time.monotonic() + self.first_frame_timeout_s
            with self._new_frame:
                while self._latest is None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise CameraError(f"camera {self.name}: no frame yet ({self.status})")
                    self._new_frame.wait(remaining)
                return self._latest.copy()
        with self._lock:
            if self._capture is None:
                self._capture = self._open()
            ok, image = self._capture.read()
            if not ok or image is None:
                self._capture.release()
                self._capture = None
                raise CameraError(
                    f"camera {self.name}: could not read a frame from {self.source!r}"
                )
            return np.asarray(image)

    def grab(self) -> Frame:
        image = self.grab_image()
        return self.encode(image)

    def encode(self, image: np.ndarray) -> Frame:
        data = encode_still(image, self.still_format, self.jpeg_quality)
        content_type = "image/png" if self.still_format == "png" else "image/jpeg"
        height, width = image.shape[:2]
        return Frame(data, content_type, width, height, self.name)

    def check_quality(self, image: np.ndarray | bytes) -> QualityReport:
        return check_quality(image, self.config)

    # --- capture thread --------------------------------------------------------------------

    def _pace_s(self, capture: Any) -> float:
        """Live sources block in read(); files and folders are paced like a camera would be."""
        if self._live:
            return 0.0
        fps = 0.0
        if not isinstance(capture, ImageFolderSource):
            fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        return 1.0 / (fps if fps > 0 else max(self.config.preview_fps, 1.0))

    def _run(self) -> None:
        while not self._stop.is_set():
            capture = self._capture
            if capture is None:
                capture = self._reopen()
                if capture is None:
                    continue
            started = time.monotonic()
            ok, image = capture.read()
            if not ok or image is None:
                if not self._live and not isinstance(capture, ImageFolderSource):
                    capture.set(cv2.CAP_PROP_POS_FRAMES, 0)  # a video file loops
                    ok, image = capture.read()
                if not ok or image is None:
                    log.warning("camera %s: stream dropped, reconnecting", self.name)
                    self._drop(capture)
                    continue
            self._deliver(np.asarray(image))
            pause = self._pace_s(capture) - (time.monotonic() - started)
            if pause > 0:
                self._stop.wait(pause)

    def _drop(self, capture: Any) -> None:
        with self._lock:
            capture.release()
            if self._capture is capture:
                self._capture = None
        self._set_status("reconnecting", f"stream from {self.source!r} dropped")

    def _reopen(self) -> Any:
        if self._stop.wait(self.reconnect_s):
            return None
        try:
            capture = self._open()
        except CameraError as exc:
            log.info("%s", exc)
            return None
        with self._lock:
            self._capture = capture
        self.reconnects += 1
        self._set_status("streaming")
        log.info("camera %s: reconnected", self.name)
        return capture

    def _deliver(self, image: np.ndarray) -> None:
        with self._new_frame:
            self._latest = image
            self._new_frame.notify_all()
            listeners = list(self._listeners)
        now = time.monotonic()
        if not listeners or now - self._last_preview < 1.0 / max(self.config.preview_fps, 0.1):
            return
        self._last_preview = now
        preview = self._preview(image, now)
        for callback in listeners:
            try:
                callback(preview)
            except Exception:  # a broken listener must not stop the capture thread
                log.exception("camera preview listener failed")

    def _preview(self, image: np.ndarray, now: float) -> PreviewFrame:
        height, width = image.shape[:2]
        target = min(self.config.preview_width, width)
        if target != width:
            size = (target, max(1, round(height * target / width)))
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        rgb = np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        return PreviewFrame(rgb, rgb.shape[1], rgb.shape[0], now)
