"""Cameras: the protocol and a simulator that produces real (small) PNG stills.

The simulator writes a genuine PNG with the standard library so the whole photo path (hashing,
content-addressed storage, reports) runs for real without a camera or an imaging library.
"""

from __future__ import annotations

import random
import struct
import zlib
from dataclasses import dataclass
from typing import Protocol


class CameraError(IOError):
    pass


@dataclass(frozen=True)
class Frame:
    data: bytes
    content_type: str
    width: int
    height: int
    device: str


class Camera(Protocol):
    name: str

    def grab(self) -> Frame: ...


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
    """Each grab is a distinct gradient image, so each photo has its own SHA-256."""

    def __init__(
        self,
        name: str = "simulated-camera",
        width: int = 320,
        height: int = 240,
        seed: int | None = None,
    ) -> None:
        self.name = name
        self.width = width
        self.height = height
        self._rng = random.Random(seed)

    def grab(self) -> Frame:
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
