"""Content-addressed photo store: files named by their SHA-256, so evidence can be verified.

A photo is checked before it is stored (a truncated or non-image file is refused with a clear
error), written to a temporary file, fsynced and renamed into place, and its folder fsynced
(``devices.durable``), so a crash or a full disk never leaves a half-written file under a real
hash, and a power cut never takes away a photo that a committed verdict points at.

Each photo also gets a thumbnail (``thumbs/<aa>/<bb>/<sha256>.jpg``, ``THUMB_WIDTH`` px wide)
for lists and reports, so screens never decode a 12-megapixel original to show a 100-pixel
tile. The original's bytes, and so its SHA-256, are never touched; a thumbnail that cannot be
made (an image OpenCV cannot decode) is logged and skipped, never a reason to lose evidence.
"""

from __future__ import annotations

import hashlib
import logging
import struct
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from devices.durable import make_dirs, write_file

log = logging.getLogger(__name__)

THUMB_WIDTH = 320
THUMB_QUALITY = 80
PRIVATE_DIR = 0o700  # evidence folders: only the station's own user reads them


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
    thumbnail_path: str | None = None  # relative to the store's root, like relative_path


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
            self._write_atomically(target, data)
        thumbnail = self._thumbnail(data, digest)
        return StoredPhoto(digest, relative, len(data), content_type, width, height, thumbnail)

    def thumbnail_of(self, sha256: str) -> str:
        """Where the thumbnail of the photo with this hash lives (relative to the root)."""
        return f"thumbs/{sha256[:2]}/{sha256[2:4]}/{sha256}.jpg"

    def _thumbnail(self, data: bytes, digest: str) -> str | None:
        relative = self.thumbnail_of(digest)
        target = self.root / relative
        if target.exists():
            return relative
        try:
            image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
            if image is None:
                raise PhotoError("cannot decode the image for a thumbnail")
            height, width = image.shape[:2]
            if width > THUMB_WIDTH:
                size = (THUMB_WIDTH, max(1, round(height * THUMB_WIDTH / width)))
                image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, THUMB_QUALITY])
            if not ok:
                raise PhotoError("cannot encode the thumbnail")
            self._write_atomically(target, encoded.tobytes())
        except (PhotoError, cv2.error) as exc:
            log.warning("no thumbnail for photo %s: %s", digest, exc)
            return None
        return relative

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
        try:
            make_dirs(target.parent, PRIVATE_DIR)
            write_file(target, data)
        except OSError as exc:
            raise PhotoError(f"{target}: cannot store photo: {exc.strerror or exc}") from exc
