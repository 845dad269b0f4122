"""Reading an image file safely: a regular file, of sane size, whose header asks for a sane image.

Why the header is read first: a decoder allocates the whole pixel buffer a header asks for. A
13 KB PNG claiming 65535×65535 pixels makes OpenCV reserve gigabytes (or fail an internal
assertion) before a single row is read — a decompression bomb. Reading width and height from
the header first lets the caller refuse such a file with a clear message and never hand it to
the decoder.

Only the formats a bench label photo comes in are recognised (PNG, JPEG, BMP, GIF, WebP, TIFF
and the netpbm PNM family); anything else is refused rather than passed on to one of OpenCV's
more exotic decoders, whose headers are not checked here. Pure Python, no Pillow: a few
``struct`` reads per format.

Why the file is checked before it is opened for good: a FIFO (or a terminal, or a device) in
place of a file blocks ``open()`` or ``read()`` forever. The file is opened non-blocking and
refused unless ``fstat`` says it is a regular file.
"""

from __future__ import annotations

import os
import stat
import struct
from collections.abc import Callable
from dataclasses import dataclass

SUPPORTED_FORMATS = "PNG, JPEG, BMP, GIF, WebP, TIFF, PNM"
# 50 megapixels: an 8000×6000 (48 MP) phone photo fits; decoding one takes seconds, not minutes.
MAX_IMAGE_PIXELS = 50_000_000
MAX_IMAGE_SIDE = 65_535  # zxing-cpp refuses anything wider or taller
MAX_FILE_BYTES = 256 * 1024 * 1024


class ImageHeaderError(ValueError):
    """The bytes are not a recognised image, or its header is truncated or inconsistent."""


@dataclass(frozen=True)
class ImageHeader:
    format: str
    width: int
    height: int


def _u16be(data: bytes, at: int) -> int:
    value: int = struct.unpack_from(">H", data, at)[0]
    return value


def _png(data: bytes) -> ImageHeader:
    if data[12:16] != b"IHDR":
        raise ImageHeaderError("PNG without an IHDR chunk first")
    width, height = struct.unpack_from(">II", data, 16)
    return ImageHeader("PNG", width, height)


# Start-of-frame markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_NO_LENGTH = frozenset([0x01, *range(0xD0, 0xD9)])  # TEM, RSTn, SOI, EOI


def _jpeg(data: bytes) -> ImageHeader:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise ImageHeaderError(f"JPEG marker expected at byte {at}")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker in _JPEG_NO_LENGTH:
            at += 2
            continue
        if marker == 0xDA:  # start of scan before any frame header
            break
        if marker in _JPEG_SOF:
            height, width = struct.unpack_from(">HH", data, at + 5)
            return ImageHeader("JPEG", width, height)
        at += 2 + _u16be(data, at + 2)
    raise ImageHeaderError("JPEG without a frame header")


def _bmp(data: bytes) -> ImageHeader:
    (dib_size,) = struct.unpack_from("<I", data, 14)
    if dib_size == 12:  # OS/2 BITMAPCOREHEADER: unsigned 16-bit sizes
        width, height = struct.unpack_from("<HH", data, 18)
    else:
        width, height = struct.unpack_from("<ii", data, 18)
    return ImageHeader("BMP", abs(width), abs(height))  # a negative height means top-down rows


def _gif(data: bytes) -> ImageHeader:
    width, height = struct.unpack_from("<HH", data, 6)
    return ImageHeader("GIF", width, height)


def _webp(data: bytes) -> ImageHeader:
    chunk, body = data[12:16], 20
    if chunk == b"VP8 ":
        if data[body + 3 : body + 6] != b"\x9d\x01\x2a":
            raise ImageHeaderError("WebP (lossy) without its start code")
        width, height = struct.unpack_from("<HH", data, body + 6)
        return ImageHeader("WebP", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":
        if data[body] != 0x2F:
            raise ImageHeaderError("WebP (lossless) without its signature")
        (bits,) = struct.unpack_from("<I", data, body + 1)
        return ImageHeader("WebP", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        size = data[body + 4 : body + 10]
        if len(size) < 6:
            raise ImageHeaderError("WebP (extended) header truncated")
        width = int.from_bytes(size[:3], "little") + 1
        return ImageHeader("WebP", width, int.from_bytes(size[3:], "little") + 1)
    raise ImageHeaderError(f"WebP with an unknown first chunk {chunk!r}")


def _tiff(data: bytes) -> ImageHeader:
    order = "<" if data[:2] == b"II" else ">"
    (ifd,) = struct.unpack_from(order + "I", data, 4)
    (count,) = struct.unpack_from(order + "H", data, ifd)
    found: dict[int, int] = {}
    for index in range(count):
        tag, kind, _n = struct.unpack_from(order + "HHI", data, ifd + 2 + 12 * index)
        if tag in (256, 257):  # ImageWidth, ImageLength: SHORT or LONG
            fmt = order + ("H" if kind == 3 else "I")
            found[tag] = struct.unpack_from(fmt, data, ifd + 10 + 12 * index)[0]
    if 256 not in found or 257 not in found:
        raise ImageHeaderError("TIFF without ImageWidth/ImageLength")
    return ImageHeader("TIFF", found[256], found[257])


def _pnm(data: bytes) -> ImageHeader:
    """Netpbm P1–P6: magic, then width and height as decimal tokens; ``#`` starts a comment."""
    tokens: list[int] = []
    at = 2
    while len(tokens) < 2:
        while at < len(data) and data[at : at + 1].isspace():
            at += 1
        if data[at : at + 1] == b"#":
            at = data.find(b"\n", at)
            if at < 0:
                break
            continue
        start = at
        while at < len(data) and data[at : at + 1].isdigit():
            at += 1
        if at == start or at - start > 9:
            raise ImageHeaderError("PNM header without a width and height")
        tokens.append(int(data[start:at]))
    if len(tokens) < 2:
        raise ImageHeaderError("PNM header truncated")
    return ImageHeader("PNM", tokens[0], tokens[1])


_READERS: list[tuple[Callable[[bytes], bool], Callable[[bytes], ImageHeader]]] = [
    (lambda d: d.startswith(b"\x89PNG\r\n\x1a\n"), _png),
    (lambda d: d.startswith(b"\xff\xd8"), _jpeg),
    (lambda d: d.startswith(b"BM"), _bmp),
    (lambda d: d[:6] in (b"GIF87a", b"GIF89a"), _gif),
    (lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP", _webp),
    (lambda d: d[:4] in (b"II*\x00", b"MM\x00*"), _tiff),
    (lambda d: len(d) > 2 and d[:1] == b"P" and d[1:2] in b"123456", _pnm),
]


def read_image_header(data: bytes) -> ImageHeader:
    """Format and size of an encoded image; ImageHeaderError when it is none we recognise."""
    for matches, reader in _READERS:
        if matches(data):
            try:
                header = reader(data)
            except (struct.error, IndexError) as exc:
                raise ImageHeaderError("image header truncated") from exc
            if header.width <= 0 or header.height <= 0:
                raise ImageHeaderError(f"{header.format} header with an empty image size")
            return header
    raise ImageHeaderError(f"not a supported image format ({SUPPORTED_FORMATS})")


class ImageFileError(ValueError):
    """An image file that must not be decoded: not a regular file, too big, or not an image."""


def read_image_bytes(
    path: str | os.PathLike[str],
    *,
    max_pixels: int = MAX_IMAGE_PIXELS,
    max_bytes: int = MAX_FILE_BYTES,
) -> tuple[bytes, ImageHeader]:
    """The bytes of an image file and its header, once both are known to be safe to decode.

    Raises OSError when the file cannot be opened or read, ImageFileError when it must not be
    decoded; neither blocks on a FIFO or reads more than ``max_bytes``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ImageFileError("not a regular file")
        if info.st_size > max_bytes:
            raise ImageFileError(f"file too large ({info.st_size} bytes; at most {max_bytes})")
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise ImageFileError(f"file too large (more than {max_bytes} bytes)")
    try:
        header = read_image_header(data)
    except ImageHeaderError as exc:
        raise ImageFileError(str(exc)) from exc
    check_image_size(header.width, header.height, max_pixels=max_pixels, what=header.format)
    return data, header


def check_image_size(
    width: int, height: int, *, max_pixels: int = MAX_IMAGE_PIXELS, what: str = "image"
) -> None:
    """ImageFileError when an image is too large to decode (in pixels, or on either side)."""
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > max_pixels:
        raise ImageFileError(
            f"{what} of {width}×{height} pixels is too large to decode "
            f"(at most {max_pixels:,} pixels and {MAX_IMAGE_SIDE} on a side)"
        )
