"""Barcode decoding from images: zxing-cpp first, ZBar as a second opinion, cheap variants last.

Why this shape (see DESIGN.md §5 "Decoding camera frames"):

- zxing-cpp reads every symbology carrier labels use (Code128/GS1-128, EAN/UPC, ITF, Code39, QR,
  DataMatrix, PDF417, Aztec, MaxiCode) and reports the AIM symbology identifier and the GS1 flag
  the rest of the station relies on; it is the main engine and its results are trusted as is.
- ZBar (through pyzbar) misses 2D codes but occasionally reads a damaged 1D code zxing gives up
  on. It is optional: the system ``libzbar`` may be absent, which is logged once and otherwise
  ignored. It only runs when zxing found nothing, so a normal frame costs one zxing pass.
- When the plain image yields nothing, a few cheap variants (rescale, local contrast, threshold,
  small rotation) are tried in order, stopping at the first that reads something.

Everything that did not come from zxing's plain pass (ZBar, or any variant) must pass a format
sanity check (check digits, lengths, alphabets) because thresholding noise and ZBar's weaker 1D
checks are where false positives come from.

Texts are zxing's "plain" text: the GS1 element string with ``\\x1d`` as the FNC1 separator and
no parentheses, i.e. what a keyboard-wedge scanner sends. A UPC-A symbol is reported once, as
``upca`` with its 12 digits, whichever engine read it (both read it as EAN-13 with a leading 0).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from devices.image_files import MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, ImageFileError, read_image_bytes

# OpenCV reads its decoder limit once, when it loads: set before the first ``import cv2`` (this
# module is where the CLI and the window first import it). Headers are checked before decoding
# anyway (read_image_file); this also bounds every other imdecode in the process.
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(MAX_IMAGE_PIXELS))

import cv2
import numpy as np
import zxingcpp

from devices.barcode_names import ZBAR_AIM, ZBAR_NAMES, zxing_format_name
from devices.gs1 import gs1_check_digit, is_valid_gtin

log = logging.getLogger(__name__)

Engine = Literal["zxing", "zbar"]
Point = tuple[int, int]
Quad = tuple[Point, Point, Point, Point]
ENGINES: tuple[Engine, ...] = ("zxing", "zbar")


class DecodeError(Exception):
    """An image could not be read at all (missing, unreadable or corrupt file)."""


@dataclass(frozen=True)
class DecodedBarcode:
    """One barcode found in an image.

    ``position`` is the symbol's four corners (top-left, top-right, bottom-right, bottom-left as
    the engine reports them) in the coordinates of the image that was passed in, even when a
    rescaled or rotated variant found it. ``orientation`` is in degrees (zxing only, else 0).
    """

    format: str
    text: str
    raw: bytes
    gs1: bool
    symbology_id: str | None
    position: Quad
    engine: Engine
    orientation: int = 0

    @property
    def key(self) -> tuple[str, str]:
        """Identity for de-duplication: UPC-A and EAN-13 ``0…`` are the same GTIN."""
        return _dedupe_key(self.format, self.text)


def _normalise_gtin(fmt: str, text: str) -> tuple[str, str]:
    """EAN-13 with a leading 0 *is* a UPC-A symbol (same bars): report it as 12-digit ``upca``."""
    if fmt in ("ean13", "upca") and len(text) == 13 and text.startswith("0") and text.isdigit():
        return "upca", text[1:]
    return fmt, text


def _dedupe_key(fmt: str, text: str) -> tuple[str, str]:
    fmt, text = _normalise_gtin(fmt, text.strip())
    return fmt, text


# -- sanity checks for results that are not zxing's plain pass ------------------------------

_CODE39_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%*")


def _upce_to_upca(code: str) -> str | None:
    """Expand an 8-digit UPC-E to its 12-digit UPC-A (for the check digit)."""
    if len(code) != 8 or not code.isdigit() or code[0] not in "01":
        return None
    ns, d, check = code[0], code[1:7], code[7]
    last = d[5]
    if last in "012":
        body = d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = d[0:3] + "00000" + d[3:5]
    elif last == "4":
        body = d[0:4] + "00000" + d[4]
    else:
        body = d[0:5] + "0000" + last
    return ns + body + check


def is_plausible(fmt: str, text: str) -> bool:
    """Format sanity for results that could be noise: check digits, lengths and alphabets.

    2D symbologies and Code128 carry their own error detection, so only a minimal length is
    required of them; the weakly protected 1D codes (ITF, Code39, Codabar) must look like
    something a label would carry.
    """
    if not text:
        return False
    digits = text.isascii() and text.isdigit()
    if fmt in ("ean13", "upca", "ean8"):
        return digits and len(text) in (8, 12, 13) and is_valid_gtin(text)
    if fmt == "upce":
        expanded = _upce_to_upca(text)
        return expanded is not None and is_valid_gtin(expanded)
    if fmt == "itf":
        if not digits or len(text) % 2 or len(text) < 6:
            return False
        return len(text) != 14 or gs1_check_digit(text[:-1]) == text[-1]
    if fmt == "code39":
        return len(text) >= 3 and all(ch in _CODE39_CHARS for ch in text.upper())
    if fmt in ("codabar", "code93"):
        return len(text) >= 4
    if fmt == "code128":
        return len(text) >= 3
    return True


# -- ZBar loading ---------------------------------------------------------------------------

ZbarDecode = Callable[[np.ndarray], list[Any]]
_zbar_state: dict[str, Any] = {"loaded": False, "decode": None, "warned": False}


def _import_pyzbar() -> ZbarDecode:
    """Import pyzbar; raises ImportError (or OSError) when the system libzbar is missing."""
    from pyzbar import pyzbar  # optional: loaded lazily, libzbar may be missing

    decode: ZbarDecode = pyzbar.decode
    return decode


def load_zbar() -> ZbarDecode | None:
    """ZBar's decode function, or None when libzbar cannot be loaded (logged once, never raised)."""
    if not _zbar_state["loaded"]:
        _zbar_state["loaded"] = True
        try:
            _zbar_state["decode"] = _import_pyzbar()
        except Exception as exc:  # ImportError, OSError from ctypes: any failure means "absent"
            _zbar_state["decode"] = None
            if not _zbar_state["warned"]:
                _zbar_state["warned"] = True
                log.warning("ZBar unavailable (%s); decoding with zxing-cpp only", exc)
    decode: ZbarDecode | None = _zbar_state["decode"]
    return decode


def reset_zbar() -> None:
    """Forget the cached ZBar load (tests, or after installing libzbar at run time)."""
    _zbar_state.update(loaded=False, decode=None, warned=False)


def zbar_available() -> bool:
    return load_zbar() is not None


# -- engines --------------------------------------------------------------------------------


def _to_gray(image: np.ndarray) -> np.ndarray:
    """8-bit single-channel view of a gray, BGR or BGRA array (zxing and ZBar want luminance)."""
    if not isinstance(image, np.ndarray) or image.size == 0:
        raise DecodeError("not an image: expected a non-empty numpy array")
    if image.ndim >= 2 and max(image.shape[:2]) > MAX_IMAGE_SIDE:
        raise DecodeError(f"image of {image.shape[1]}×{image.shape[0]} pixels is too large")
    img = image
    if img.dtype != np.uint8:
        if img.dtype == np.uint16:
            img = (img >> 8).astype(np.uint8)
        else:
            img = _stretch(img.astype(np.float64))
    if img.ndim == 3:
        channels = img.shape[2]
        if channels == 1:
            img = img[:, :, 0]
        elif channels == 3:
            img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        elif channels == 4:
            img = cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY)
        else:
            raise DecodeError(f"unsupported image with {channels} channels")
    elif img.ndim != 2:
        raise DecodeError(f"unsupported image shape {image.shape}")
    return np.ascontiguousarray(img)


def _stretch(img: np.ndarray) -> np.ndarray:
    """Linear contrast stretch to the full 0..255 range (faded thermal prints, dim frames)."""
    lo, hi = float(img.min()), float(img.max())
    if hi <= lo:
        return np.zeros(img.shape, np.uint8)
    return ((img.astype(np.float32) - lo) * (255.0 / (hi - lo))).astype(np.uint8)


def _quad(points: Sequence[tuple[float, float]]) -> Quad:
    p = [(round(x), round(y)) for x, y in points]
    return (p[0], p[1], p[2], p[3])


def _zxing_pass(gray: np.ndarray, quick: bool = False) -> list[DecodedBarcode]:
    """zxing's own search; ``quick`` (variants) skips its internal downscale and inverted scans,
    which the plain pass already did and which make variants of busy images slow."""
    found = zxingcpp.read_barcodes(
        gray, text_mode=zxingcpp.TextMode.Plain, try_downscale=not quick, try_invert=not quick
    )
    out = []
    for r in found:
        if not r.valid:
            continue
        fmt, text = _normalise_gtin(zxing_format_name(r.format), r.text)
        pos = r.position
        corners = [pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left]
        out.append(
            DecodedBarcode(
                format=fmt,
                text=text,
                raw=bytes(r.bytes),
                gs1=r.content_type == zxingcpp.ContentType.GS1,
                symbology_id=r.symbology_identifier or None,
                position=_quad([(c.x, c.y) for c in corners]),
                engine="zxing",
                orientation=int(r.orientation),
            )
        )
    return out


def _zbar_pass(gray: np.ndarray, decode: ZbarDecode) -> list[DecodedBarcode]:
    try:
        found = decode(gray)
    except ValueError:  # pyzbar 0.1.9: unknown orientation on some frames
        return []
    out = []
    for r in found:
        fmt = ZBAR_NAMES.get(str(r.type), str(r.type).lower())
        raw = bytes(r.data)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        fmt, text = _normalise_gtin(fmt, text)
        left, top, width, height = r.rect
        corners = [(left, top), (left + width, top), (left + width, top + height)]
        corners.append((left, top + height))
        out.append(
            DecodedBarcode(
                format=fmt,
                text=text,
                raw=raw,
                gs1=False,
                symbology_id=ZBAR_AIM.get(fmt),
                position=_quad(corners),
                engine="zbar",
            )
        )
    return out


# -- variants -------------------------------------------------------------------------------

# A variant is the image plus the 2x3 affine matrix that maps its pixels back to the original.
Variant = tuple[np.ndarray, np.ndarray]
_IDENTITY = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def _scaled(gray: np.ndarray, factor: float) -> Variant:
    """Resized by ``factor``, never to zero pixels on a side (a 1×20000 strip stays 1 high)."""
    h, w = gray.shape
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    img = cv2.resize(gray, size, interpolation=interp)
    return img, np.array([[w / size[0], 0.0, 0.0], [0.0, h / size[1], 0.0]])


def _rotated(gray: np.ndarray, degrees: float) -> Variant:
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    img = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    return img, cv2.invertAffineTransform(m)


def _variants(gray: np.ndarray) -> Iterable[Variant]:
    """Cheap alternatives, cheapest and most often useful first; generated lazily for early exit."""
    h, w = gray.shape
    base, to_orig = gray, _IDENTITY
    if max(h, w) > 1600:
        base, to_orig = _scaled(gray, 1280 / max(h, w))
        yield base, to_orig
    elif max(h, w) < 500:
        base, to_orig = _scaled(gray, 2.0)
        yield base, to_orig
    clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(base)
    yield clahe, to_orig
    stretched = _stretch(base)
    blurred = cv2.GaussianBlur(stretched, (3, 3), 0)
    _, otsu = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    yield otsu, to_orig
    block = max(15, (min(base.shape) // 16) | 1)
    adaptive = cv2.adaptiveThreshold(
        blurred, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 10
    )
    yield adaptive, to_orig
    for degrees in (12.0, -12.0):
        img, back = _rotated(base, degrees)
        yield img, _compose(to_orig, back)


def _compose(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """outer ∘ inner for 2x3 affine matrices."""
    a = np.vstack([outer, [0, 0, 1]])
    b = np.vstack([inner, [0, 0, 1]])
    return (a @ b)[:2]


def _map_back(found: list[DecodedBarcode], to_orig: np.ndarray) -> list[DecodedBarcode]:
    out = []
    for b in found:
        pts = np.array(b.position, dtype=np.float64)
        mapped = pts @ to_orig[:, :2].T + to_orig[:, 2]
        out.append(_replace_position(b, _quad([(float(x), float(y)) for x, y in mapped])))
    return out


def _replace_position(b: DecodedBarcode, position: Quad) -> DecodedBarcode:
    return DecodedBarcode(
        b.format, b.text, b.raw, b.gs1, b.symbology_id, position, b.engine, b.orientation
    )


def _merge(results: Iterable[DecodedBarcode]) -> list[DecodedBarcode]:
    """Drop repeats of the same code (same normalised text and format), first one wins."""
    seen: set[tuple[str, str]] = set()
    out = []
    for b in results:
        if b.key not in seen:
            seen.add(b.key)
            out.append(b)
    return out


# -- public API -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecodeOptions:
    """Which engines to use and whether to try image variants.

    ``zbar_always`` runs ZBar even when zxing found something (a true second opinion on frames
    with several codes); off by default because it roughly doubles the time per image.
    """

    engines: tuple[Engine, ...] = ENGINES
    variants: bool = True
    zbar_always: bool = False


DEFAULT_OPTIONS = DecodeOptions()


def decode_image(
    image: np.ndarray, options: DecodeOptions = DEFAULT_OPTIONS
) -> list[DecodedBarcode]:
    """Every distinct barcode in a BGR/BGRA/gray image (empty list when there is none)."""
    unknown = set(options.engines) - set(ENGINES)
    if unknown:
        raise ValueError(f"unknown decoding engine(s): {sorted(unknown)}")
    gray = _to_gray(image)
    use_zxing = "zxing" in options.engines
    zbar = load_zbar() if "zbar" in options.engines else None

    found: list[DecodedBarcode] = _zxing_pass(gray) if use_zxing else []
    if zbar is not None and (not found or options.zbar_always):
        found += [b for b in _zbar_pass(gray, zbar) if is_plausible(b.format, b.text)]
    if found or not options.variants:
        return _merge(found)

    for variant, to_orig in _variants(gray):
        candidates = _zxing_pass(variant, quick=True) if use_zxing else []
        if not candidates and zbar is not None:
            candidates = _zbar_pass(variant, zbar)
        plausible = [b for b in candidates if is_plausible(b.format, b.text)]
        if plausible:
            return _merge(_map_back(plausible, to_orig))
    return []


def read_image_file(path: str | os.PathLike[str]) -> np.ndarray:
    """Load an image file as 8-bit gray; a missing, unreadable or corrupt file is a DecodeError.

    Reads the bytes with Python and decodes them in memory so non-ASCII paths work on Windows,
    where ``cv2.imread`` cannot open them. What is not a regular file (a FIFO would block), or
    whose header asks for more pixels than a label photo has (a decompression bomb), is refused
    before anything is decoded.
    """
    p = Path(path)
    try:
        data, _header = read_image_bytes(p)
    except OSError as exc:
        raise DecodeError(f"{p}: cannot read file ({exc.strerror or exc})") from exc
    except ImageFileError as exc:
        raise DecodeError(f"{p}: {exc}") from exc
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    except cv2.error as exc:  # a header OpenCV rejects outright
        log.debug("OpenCV refused %s: %s", p, exc)
        image = None
    if image is None:
        raise DecodeError(f"{p}: not a readable image (corrupt or unsupported format)")
    return image


def decode_file(
    path: str | os.PathLike[str], options: DecodeOptions = DEFAULT_OPTIONS
) -> list[DecodedBarcode]:
    """Decode an image file; raises DecodeError naming the file when it cannot be read."""
    return decode_image(read_image_file(path), options)


def timed_decode_file(
    path: str | os.PathLike[str], options: DecodeOptions = DEFAULT_OPTIONS
) -> tuple[list[DecodedBarcode], float]:
    """decode_file plus the elapsed milliseconds (load included), for the CLI and the bench."""
    start = time.perf_counter()
    found = decode_file(path, options)
    return found, (time.perf_counter() - start) * 1000.0
