"""The camera's vocabulary: the protocol, stills, preview frames and errors (no I/O here).

Kept apart from the drivers so the simulator (``devices.camera``) and the OpenCV driver
(``devices.camera_opencv``) can share it without importing each other in a circle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


class CameraError(IOError):
    pass


@dataclass(frozen=True)
class Frame:
    """A full-resolution still, encoded (JPEG or PNG), as it is stored as evidence."""

    data: bytes
    content_type: str
    width: int
    height: int
    device: str


@dataclass(frozen=True)
class PreviewFrame:
    """A decimated live frame for the screen: ``rgb`` is a contiguous H×W×3 uint8 array."""

    rgb: Any  # numpy.ndarray; typed loosely so this module needs no numpy
    width: int
    height: int
    timestamp: float


PreviewCallback = Callable[[PreviewFrame], None]


class Camera(Protocol):
    name: str

    def grab(self) -> Frame: ...


@runtime_checkable
class LiveCamera(Protocol):
    """A camera that also streams preview frames from its own capture thread."""

    name: str

    def grab(self) -> Frame: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def add_preview_listener(self, callback: PreviewCallback) -> Callable[[], None]: ...
