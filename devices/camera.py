"""Cameras: the protocol, the simulator, and the factory that picks a driver from settings.

The simulator plays ``resources/sample_photos/`` (rendered stills of returned items on a bench
mat) through the same capture thread as the OpenCV driver, so ``--simulate`` shows a live
preview and realistic stills. Its older "gradient" mode writes a genuine PNG with the standard
library only; the core tests use it (``SimulatedCamera(seed=...)``) for small, reproducible
evidence files.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from devices.camera_quality import QualityReport, check_quality
from devices.camera_types import (
    Camera,
    CameraError,
    Frame,
    LiveCamera,
    PreviewCallback,
    PreviewFrame,
)
from devices.config import CameraConfig

if TYPE_CHECKING:
    from devices.camera_opencv import OpenCVCamera

__all__ = [
    "SAMPLE_PHOTOS",
    "Camera",
    "CameraError",
    "Frame",
    "LiveCamera",
    "PreviewCallback",
    "PreviewFrame",
    "QualityReport",
    "SimulatedCamera",
    "build_camera",
    "check_quality",
    "encode_png_rgb",
]

SAMPLE_PHOTOS = Path(__file__).resolve().parent.parent / "resources" / "sample_photos"


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def encode_png_rgb(width: int, height: int, rows: list[bytes]) -> bytes:
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 6))
        + _png_chunk(b"IEND", b"")
    )


class SimulatedCamera:
    """A camera with no hardware.

    ``mode="folder"`` (the default without a seed) plays an image folder, each still shown for
    ``hold_s`` seconds in the live preview; a still gets a little sensor noise so every photo
    has its own SHA-256, as with a real camera. Files named ``blurry*`` are skipped unless
    ``include_blurry``: the demo and the tests need stills that pass the quality gate, and the
    blurry sample exists to show (and test) the rejection. ``mode="gradient"`` (the default
    with a ``seed``) makes a distinct gradient PNG per grab with the standard library alone.
    """

    def __init__(
        self,
        name: str = "simulated-camera",
        width: int = 320,
        height: int = 240,
        seed: int | None = None,
        *,
        mode: str | None = None,
        folder: Path | None = None,
        config: CameraConfig | None = None,
        hold_s: float = 3.0,
        include_blurry: bool = False,
    ) -> None:
        self.name = name
        self.width = width
        self.height = height
        self.mode = mode or ("gradient" if seed is not None else "folder")
        self.config = config or CameraConfig()
        self._rng = random.Random(seed)
        self._player: OpenCVCamera | None = None
        if self.mode == "folder":
            from devices.camera_opencv import ImageFolderSource, OpenCVCamera

            folder = folder or SAMPLE_PHOTOS
            if not folder.is_dir():
                raise CameraError(f"camera source {str(folder)!r}: no such folder")
            paths = [
                p
                for p in ImageFolderSource.from_folder(folder).paths
                if include_blurry or not p.name.lower().startswith("blurry")
            ]
            if not paths:
                raise CameraError(f"camera source {str(folder)!r}: the folder has no images")
            source = ImageFolderSource(paths, hold_s)  # one source: the play position is kept
            self._player = OpenCVCamera(
                self.config, source=str(folder), name=name, reconnect_s=0.5, opener=lambda: source
            )

    @property
    def running(self) -> bool:
        return self._player is not None and self._player.running

    def start(self) -> None:
        if self._player is not None:
            self._player.start()

    def stop(self) -> None:
        if self._player is not None:
            self._player.stop()

    close = stop

    def add_preview_listener(self, callback: PreviewCallback) -> Callable[[], None]:
        if self._player is None:
            return lambda: None
        return self._player.add_preview_listener(callback)

    def check_quality(self, image: bytes) -> QualityReport:
        return check_quality(image, self.config)

    def grab(self) -> Frame:
        if self._player is not None:
            import numpy as np

            image = self._player.grab_image()
            noise = np.random.default_rng(self._rng.getrandbits(32)).integers(
                -2, 3, image.shape, dtype=np.int16
            )
            image = np.clip(image.astype(np.int16) + noise, 0, 255).astype(np.uint8)
            return self._player.encode(image)
        r0, g0, b0 = (self._rng.randrange(256) for _ in range(3))
        rows = [
            bytes(
                channel
                for x in range(self.width)
                for channel in ((r0 + x) % 256, (g0 + y) % 256, (b0 + x + y) % 256)
            )
            for y in range(self.height)
        ]
        data = encode_png_rgb(self.width, self.height, rows)
        return Frame(data, "image/png", self.width, self.height, self.name)


def build_camera(config: CameraConfig, *, simulate: bool = False) -> Camera | None:
    """The camera ``config`` asks for (the hook for ``devices.registry``); None for "none".

    The OpenCV camera is opened here, so a wrong source fails at start-up with a CameraError
    naming it rather than at the first photo.
    """
    driver = "simulated" if simulate and config.driver == "none" else config.driver
    if driver == "none":
        return None
    if driver == "simulated":
        folder = Path(config.source) if config.source else None
        return SimulatedCamera(config=config, folder=folder)
    if driver == "opencv":
        from devices.camera_opencv import OpenCVCamera

        camera = OpenCVCamera(config)
        camera.start()
        return camera
    raise CameraError(f"unknown camera driver {driver!r}")
