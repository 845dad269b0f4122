"""`station decode` and the decoder on hostile input: bombs, odd shapes, FIFOs, garbage headers.

Each case was found by an outside attack (issue 14): a PNG header claiming 65535×65535 pixels,
a 1×20000 strip and a FIFO in place of a file crashed or hung the command. Every expected size
here is the one the test wrote into the header, never one read back by the code under test.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices import decoding
from devices.camera_decoding import FrameDecoder
from devices.decoding import DecodeError, decode_image, read_image_file
from devices.image_files import (
    MAX_FILE_BYTES,
    MAX_IMAGE_PIXELS,
    ImageHeaderError,
    read_image_header,
)

REPO = Path(__file__).resolve().parents[2]
CLI = "import sys; from main import cli; sys.exit(cli(sys.argv[1:]))"


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def png_claiming(width: int, height: int, rows: int = 64) -> bytes:
    """A valid gray PNG of width×height whose data (all zero) compresses to almost nothing."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    data = b"".join(compressor.compress(row) for _ in range(rows)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")
    )


def _jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0\x00\x0b\x08" + struct.pack(">HH", height, width) + b"\x01\x01\x11\x00"
    return b"\xff\xd8" + app0 + b"\xff\xfe\x00\x05abc" + sof0 + b"\xff\xda\x00\x08"


def _bmp(width: int, height: int) -> bytes:
    dib = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 0, 0, 0, 0, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(dib), 0, 0, 54) + dib


def _webp_lossy(width: int, height: int) -> bytes:
    body = b"\x00\x00\x00\x9d\x01\x2a" + struct.pack("<HH", width, height)
    return b"RIFF\x00\x00\x00\x00WEBPVP8 " + struct.pack("<I", len(body)) + body


def _webp_lossless(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    return b"RIFF\x00\x00\x00\x00WEBPVP8L\x05\x00\x00\x00\x2f" + struct.pack("<I", bits)


def _webp_extended(width: int, height: int) -> bytes:
    size = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00" + size


def _tiff(width: int, height: int) -> bytes:
    entries = struct.pack(">HHII", 256, 4, 1, width) + struct.pack(">HHIHH", 257, 3, 1, height, 0)
    return b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", 2) + entries + b"\x00" * 4


# (format, header bytes claiming width × height)
CRAFTED = {
    "PNG": png_claiming,
    "JPEG": _jpeg,
    "BMP": _bmp,
    "GIF": lambda w, h: b"GIF89a" + struct.pack("<HH", w, h) + b"\x00\x00\x00;",
    "WebP-lossy": _webp_lossy,
    "WebP-lossless": _webp_lossless,
    "WebP-extended": _webp_extended,
    "TIFF": _tiff,
    "PNM": lambda w, h: f"P5\n# made by a test\n{w} {h}\n255\n".encode(),
}
# Largest each header can say (WebP VP8/VP8L store 14 bits; PNM and the rest go further).
BOMB_SIZE = {"WebP-lossy": (16383, 16383), "WebP-lossless": (16384, 16384)}


@pytest.mark.parametrize("kind", sorted(CRAFTED))
def test_header_sizes_are_read_from_every_format(kind: str) -> None:
    header = read_image_header(CRAFTED[kind](321, 123))
    assert (header.width, header.height) == (321, 123)


@pytest.mark.parametrize("ext", [".png", ".jpg", ".bmp", ".gif", ".webp", ".tiff", ".pgm"])
def test_header_sizes_of_images_opencv_wrote(ext: str) -> None:
    image = np.zeros((37, 53, 3), np.uint8)
    ok, encoded = cv2.imencode(ext, image if ext != ".pgm" else image[:, :, 0])
    assert ok
    header = read_image_header(encoded.tobytes())
    assert (header.width, header.height) == (53, 37)


@pytest.mark.parametrize("kind", sorted(CRAFTED))
def test_a_decompression_bomb_is_refused_before_decoding(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    width, height = BOMB_SIZE.get(kind, (65535, 65535))
    bomb = tmp_path / f"bomb-{kind}.img"
    bomb.write_bytes(CRAFTED[kind](width, height))

    def never(*_args: object) -> None:
        raise AssertionError("the decoder was handed a bomb")

    monkeypatch.setattr(decoding.cv2, "imdecode", never)
    with pytest.raises(DecodeError, match=rf"bomb-{kind}\.img: .*{width}×{height} pixels is too"):
        read_image_file(bomb)


def test_just_over_the_pixel_limit_is_refused_and_just_under_is_decoded(tmp_path: Path) -> None:
    width = 10_000
    under, over = tmp_path / "under.png", tmp_path / "over.png"
    under.write_bytes(png_claiming(width, MAX_IMAGE_PIXELS // width, rows=1))
    over.write_bytes(png_claiming(width, MAX_IMAGE_PIXELS // width + 1, rows=1))
    with pytest.raises(DecodeError, match="too large"):
        read_image_file(over)
    with pytest.raises(DecodeError, match="not a readable image"):  # truncated data, decoded
        read_image_file(under)


def test_opencv_itself_refuses_images_over_the_limit_in_a_fresh_process(tmp_path: Path) -> None:
    """OPENCV_IO_MAX_IMAGE_PIXELS only works if set before cv2 loads; importing the decoder
    must do that, so every other imdecode in the process is bounded too."""
    width, height = 8000, 7000  # 56 MP: over the station's limit, under OpenCV's default 1 GP
    image = tmp_path / "big.png"
    image.write_bytes(png_claiming(width, height, rows=height))
    script = (
        "import sys, numpy as np, devices.decoding, cv2\n"
        "data = np.fromfile(sys.argv[1], np.uint8)\n"
        "try:\n    out = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)\n"
        "except cv2.error:\n    out = None\n"
        "print('refused' if out is None else f'decoded {out.shape}')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENCV_IO_MAX_IMAGE_PIXELS"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(image)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.stdout.strip() == "refused", done.stderr


SHAPES = [(1, 20000), (20000, 1), (2, 30000), (30000, 2), (1, 1), (1, 2), (2, 1), (3, 3),
          (1, 499), (1, 1601), (1, 65535), (65535, 1)]  # fmt: skip


@pytest.mark.parametrize(("height", "width"), SHAPES)
def test_odd_shapes_decode_to_nothing_without_crashing(height: int, width: int) -> None:
    image = np.random.default_rng(height * 7 + width).integers(0, 256, (height, width), np.uint8)
    assert decode_image(image) == []


@pytest.mark.parametrize("shape", [(1, 65536), (65536, 1)])
def test_an_array_wider_than_the_decoder_allows_is_a_decode_error(shape: tuple[int, int]) -> None:
    with pytest.raises(DecodeError, match="too large"):
        decode_image(np.zeros(shape, np.uint8))


def test_a_barcode_in_a_long_strip_is_still_found() -> None:
    symbol = np.asarray(zxingcpp.create_barcode("RMA-778899", zxingcpp.BarcodeFormat.Code128)
                        .to_image(scale=2))  # fmt: skip
    strip = np.full((symbol.shape[0] + 20, 3000), 255, np.uint8)
    strip[10 : 10 + symbol.shape[0], 1200 : 1200 + symbol.shape[1]] = symbol
    assert [code.text for code in decode_image(strip)] == ["RMA-778899"]


def test_the_frame_decoder_downscales_a_wide_strip_without_crashing() -> None:
    decoder = FrameDecoder(downscale_width=960)
    assert decoder.feed(np.full((1, 20000, 3), 255, np.uint8)) == []


def _station(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess: a FIFO that blocked would hit the timeout, not hang the suite."""
    return subprocess.run(
        [sys.executable, "-c", CLI, *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_station_decode_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo, folder, label = tmp_path / "label.png", tmp_path / "folder.png", tmp_path / "good.png"
    os.mkfifo(fifo)
    folder.mkdir()
    symbol = zxingcpp.create_barcode("RMA-778899", zxingcpp.BarcodeFormat.QRCode).to_image(scale=6)
    cv2.imwrite(str(label), cv2.copyMakeBorder(np.asarray(symbol), 30, 30, 30, 30,
                                               cv2.BORDER_CONSTANT, value=255))  # fmt: skip
    done = _station("decode", "--data-dir", str(tmp_path / "data"),
                    str(fifo), str(folder), "/dev/null", str(label))  # fmt: skip
    assert done.returncode == 1
    errors = done.stderr.splitlines()
    assert errors == [
        f"station: error: {fifo}: not a regular file",
        f"station: error: {folder}: not a regular file",
        "station: error: /dev/null: not a regular file",
    ]
    assert "RMA-778899" in done.stdout  # the good file after the bad ones is still decoded


def test_station_decode_reports_a_bomb_and_a_strip_in_one_line_each(tmp_path: Path) -> None:
    bomb, strip = tmp_path / "bomb.png", tmp_path / "strip.png"
    bomb.write_bytes(png_claiming(65535, 65535))
    cv2.imwrite(str(strip), np.full((1, 20000), 255, np.uint8))
    done = _station("decode", "--json", "--data-dir", str(tmp_path / "data"), str(bomb), str(strip))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    first, second = done.stdout.splitlines()
    assert '"error": ' in first and "65535×65535 pixels is too large" in first
    assert '"barcodes": []' in second


def test_a_file_larger_than_any_label_photo_is_not_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.png"
    with huge.open("wb") as file:  # sparse: costs no disk
        file.write(png_claiming(10, 10))
        file.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(DecodeError, match="file too large"):
        read_image_file(huge)


def test_an_unknown_format_is_refused_by_name(tmp_path: Path) -> None:
    odd = tmp_path / "label.jp2"
    odd.write_bytes(b"\x00\x00\x00\x0cjP  \r\n\x87\n" + b"\x00" * 64)
    with pytest.raises(DecodeError, match=r"label\.jp2: not a supported image format"):
        read_image_file(odd)


MAGICS = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8", b"BM", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBPVP8 ",
          b"RIFF\x00\x00\x00\x00WEBPVP8L", b"RIFF\x00\x00\x00\x00WEBPVP8X", b"II*\x00",
          b"MM\x00*", b"P5", b"P1"]  # fmt: skip


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(magic=st.sampled_from(MAGICS), tail=st.binary(max_size=80))
def test_garbage_after_a_known_magic_is_an_error_or_a_sane_size(magic: bytes, tail: bytes) -> None:
    try:
        header = read_image_header(magic + tail)
    except ImageHeaderError:
        return
    assert header.width > 0 and header.height > 0


@settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(magic=st.sampled_from(MAGICS), tail=st.binary(max_size=200))
def test_garbage_files_are_a_decode_error_or_an_image(
    magic: bytes, tail: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("garbage") / "label.img"
    path.write_bytes(magic + tail)
    try:
        image = read_image_file(path)
    except DecodeError:
        return
    assert image.size > 0
