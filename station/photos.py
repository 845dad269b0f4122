"""Content-addressed photo store: files named by their SHA-256, so evidence can be verified.

A photo is checked before it is stored (a truncated or non-image file is refused with a clear
error), written to a temporary file, fsynced and renamed into place, so a crash or a full disk
never leaves a half-written file under a real hash.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PhotoError(ValueError):
    pass


@dataclass(frozen=True)
class StoredPhoto:
    sha256: str
    relative_path: str
    byte_size: int
    content_type: str
    width: int
    height: int


def image_info(data: bytes) -> tuple[str, int, int]:
    """(content type, width, height) read from the header; raises PhotoError if not an image."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        if (
            len(data) < 33
            or data[12:16] != b"IHDR"
            or not data.rstrip().endswith(b"IEND\xaeB`\x82")
        ):
            raise PhotoError("PNG file is truncated or corrupt")
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data.startswith(b"\xff\xd8"):
        return ("image/jpeg", *_jpeg_size(data))
    raise PhotoError("not a PNG or JPEG image")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise PhotoError("JPEG file is truncated (no end-of-image marker)")
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            raise PhotoError(f"JPEG file is corrupt at byte {index}")
        marker = data[index + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            index += 2
            continue
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    raise PhotoError("JPEG file has no frame header")


class PhotoStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, relative_path: str) -> Path:
        return self.root / relative_path

    def store(self, data: bytes) -> StoredPhoto:
        content_type, width, height = image_info(data)
        digest = hashlib.sha256(data).hexdigest()
        suffix = ".png" if content_type == "image/png" else ".jpg"
        relative = f"{digest[:2]}/{digest[2:4]}/{digest}{suffix}"
        target = self.root / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            self._write_atomically(target, data)
        return StoredPhoto(digest, relative, len(data), content_type, width, height)

    def store_file(self, path: Path) -> StoredPhoto:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PhotoError(f"{path}: cannot read photo: {exc.strerror or exc}") from exc
        try:
            return self.store(data)
        except PhotoError as exc:
            raise PhotoError(f"{path}: {exc}") from exc

    def verify(self, relative_path: str, sha256: str) -> bool:
        path = self.root / relative_path
        return path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256

    @staticmethod
    def _write_atomically(target: Path, data: bytes) -> None:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, target)
        except OSError as exc:
            Path(tmp_name).unlink(missing_ok=True)
            raise PhotoError(f"{target}: cannot store photo: {exc.strerror or exc}") from exc
