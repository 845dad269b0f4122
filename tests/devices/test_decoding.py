"""Barcode decoding on images rendered by zxing-cpp's writer and distorted with OpenCV.

The real-photo corpus is for the benchmark only (DESIGN.md §5); these images are made here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp

from devices import decoding
from devices.camera_decoding import FrameDecoder, PresentationTracker
from devices.decoding import (
    DecodedBarcode,
    DecodeError,
    DecodeOptions,
    decode_file,
    decode_image,
    is_plausible,
)

F = zxingcpp.BarcodeFormat
GS1_TEXT = "010950110153000310AB12\x1d21XY"

# (case id, zxing format, content, writer options, expected format, expected text)
CASES = [
    ("code128", F.Code128, "RMA-2024-000123", {}, "code128", "RMA-2024-000123"),
    ("gs1-128", F.Code128, "(01)09501101530003(10)AB12(21)XY", {"gs1": True}, "code128", GS1_TEXT),
    ("ean13", F.EAN13, "4006381333931", {}, "ean13", "4006381333931"),
    ("upca", F.UPCA, "036000291452", {}, "upca", "036000291452"),
    ("qrcode", F.QRCode, "https://returns.example/rma/RMA-123", {}, "qrcode", None),
    ("datamatrix", F.DataMatrix, "RB123456785GB", {}, "datamatrix", None),
    ("pdf417", F.PDF417, "FEDEX 794612345678 RETURN 2024", {}, "pdf417", None),
]


def render(fmt: zxingcpp.BarcodeFormat, content: str, options: dict[str, bool]) -> np.ndarray:
    """A gray label: the symbol at a scale a bench camera sees, on a white margin."""
    symbol = zxingcpp.create_barcode(content, fmt, **options)
    scale = 3 if fmt in (F.Code128, F.EAN13, F.UPCA, F.PDF417) else 6
    img = np.asarray(symbol.to_image(scale=scale))
    return cv2.copyMakeBorder(img, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)


def rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(img, m, (nw, nh), borderValue=255)


def perspective(img: np.ndarray) -> np.ndarray:
    h, w = img.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[w * 0.06, h * 0.04], [w * 0.97, 0], [w, h], [0, h * 0.93]])
    return cv2.warpPerspective(img, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=255)


def noise(img: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(3)
    noisy = img.astype(np.int16) + rng.normal(0, 25, img.shape).astype(np.int16)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def low_contrast(img: np.ndarray) -> np.ndarray:
    return (110 + img.astype(np.float32) * (40 / 255)).astype(np.uint8)


DISTORTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "plain": lambda img: img,
    "rot7": lambda img: rotate(img, 7),
    "rot90": lambda img: np.ascontiguousarray(np.rot90(img)),
    "perspective": perspective,
    "blur": lambda img: cv2.GaussianBlur(img, (5, 5), 1.2),
    "noise": noise,
    "lowcontrast": low_contrast,
    "bgr": lambda img: cv2.cvtColor(img, cv2.COLOR_GRAY2BGR),
}


@pytest.mark.parametrize("distortion", list(DISTORTIONS))
@pytest.mark.parametrize(("case", "fmt", "content", "opts", "want_fmt", "want_text"), CASES)
def test_decodes_rendered_and_distorted(
    case: str,
    fmt: zxingcpp.BarcodeFormat,
    content: str,
    opts: dict[str, bool],
    want_fmt: str,
    want_text: str | None,
    distortion: str,
) -> None:
    img = DISTORTIONS[distortion](render(fmt, content, opts))
    found = decode_image(img)
    assert [(b.format, b.text) for b in found] == [(want_fmt, want_text or content)]
    code = found[0]
    assert code.gs1 is (case == "gs1-128")
    if code.engine == "zxing":
        assert code.symbology_id is not None and code.symbology_id.startswith("]")
    h, w = img.shape[:2]
    assert all(-5 <= x <= w + 5 and -5 <= y <= h + 5 for x, y in code.position)


def test_gs1_128_keeps_symbology_identifier_and_raw_bytes() -> None:
    (code,) = decode_image(render(F.Code128, "(01)09501101530003(10)AB12(21)XY", {"gs1": True}))
    assert code.symbology_id == "]C1"
    assert code.raw == GS1_TEXT.encode()
    assert code.engine == "zxing"


def test_upca_and_ean13_with_leading_zero_are_one_number() -> None:
    label = render(F.UPCA, "036000291452", {})
    twice = np.hstack([label, label])  # the same number twice on one image
    found = decode_image(twice)
    assert [(b.format, b.text) for b in found] == [("upca", "036000291452")]
    ean = DecodedBarcode("ean13", "0036000291452", b"", False, "]E0", ((0, 0),) * 4, "zbar")
    assert ean.key == found[0].key


def test_blank_and_noise_images_yield_nothing() -> None:
    rng = np.random.default_rng(11)
    assert decode_image(np.full((480, 640), 255, np.uint8)) == []
    assert decode_image(rng.integers(0, 256, (480, 640), dtype=np.uint8)) == []
    assert decode_image(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)) == []


def test_corrupt_and_missing_files_raise_decode_error_naming_the_file(tmp_path: Path) -> None:
    good = tmp_path / "label.png"
    cv2.imwrite(str(good), render(F.Code128, "ABC-123", {}))
    bad = tmp_path / "broken.png"
    bad.write_bytes(good.read_bytes()[:60])  # a PNG header and nothing usable
    assert [b.text for b in decode_file(good)] == ["ABC-123"]
    with pytest.raises(DecodeError, match=r"broken\.png"):
        decode_file(bad)
    with pytest.raises(DecodeError, match=r"missing\.png"):
        decode_file(tmp_path / "missing.png")


def test_single_engine_options() -> None:
    img = render(F.DataMatrix, "RB123456785GB", {})
    assert [b.engine for b in decode_image(img, DecodeOptions(engines=("zxing",)))] == ["zxing"]
    with pytest.raises(ValueError, match="unknown"):
        decode_image(img, DecodeOptions(engines=("opencv",)))  # type: ignore[arg-type]


@pytest.mark.skipif(not decoding.zbar_available(), reason="system libzbar not installed")
def test_zbar_alone_reads_1d_and_validates() -> None:
    img = render(F.EAN13, "4006381333931", {})
    found = decode_image(img, DecodeOptions(engines=("zbar",)))
    assert [(b.format, b.text, b.engine) for b in found] == [("ean13", "4006381333931", "zbar")]
    assert found[0].symbology_id == "]E0"


@pytest.fixture
def fresh_zbar():
    decoding.reset_zbar()
    yield
    decoding.reset_zbar()


def test_missing_libzbar_warns_once_and_decoding_still_works(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fresh_zbar: None
) -> None:
    def missing() -> decoding.ZbarDecode:
        raise ImportError("Unable to find zbar shared library")

    monkeypatch.setattr(decoding, "_import_pyzbar", missing)
    caplog.set_level(logging.WARNING, logger="devices.decoding")
    img = render(F.Code128, "ABC-123", {})
    assert [b.text for b in decode_image(img)] == ["ABC-123"]
    assert decode_image(np.full((100, 100), 255, np.uint8)) == []
    assert decode_image(np.full((100, 100), 255, np.uint8), DecodeOptions(engines=("zbar",))) == []
    warnings = [r for r in caplog.records if "ZBar unavailable" in r.getMessage()]
    assert len(warnings) == 1
    assert not decoding.zbar_available()


def test_pyzbar_value_error_is_swallowed(monkeypatch: pytest.MonkeyPatch, fresh_zbar: None) -> None:
    def raising(_img: np.ndarray) -> list[object]:
        raise ValueError("'UNKNOWN' is not a valid ZBarOrientation")

    monkeypatch.setattr(decoding, "_import_pyzbar", lambda: raising)
    assert decode_image(np.full((80, 80), 255, np.uint8)) == []
    img = render(F.QRCode, "still fine", {})
    assert [b.text for b in decode_image(img)] == ["still fine"]


@pytest.mark.parametrize(
    ("fmt", "text", "ok"),
    [
        ("ean13", "4006381333931", True),
        ("ean13", "4006381333932", False),
        ("upca", "036000291452", True),
        ("ean8", "96385074", True),
        ("upce", "04252614", True),
        ("upce", "04252615", False),
        ("itf", "12345", False),
        ("itf", "00012345678905", True),
        ("itf", "00012345678906", False),
        ("code39", "A", False),
        ("code39", "RMA-123", True),
        ("code128", "", False),
        ("qrcode", "x", True),
    ],
)
def test_format_sanity(fmt: str, text: str, ok: bool) -> None:
    assert is_plausible(fmt, text) is ok


# -- camera presentation helper --------------------------------------------------------------


def camera_frame(code: str | None) -> np.ndarray:
    frame = np.full((720, 1280, 3), 200, np.uint8)
    if code is not None:
        label = cv2.cvtColor(render(F.Code128, code, {}), cv2.COLOR_GRAY2BGR)
        h, w = label.shape[:2]
        frame[200 : 200 + h, 300 : 300 + w] = label
    return frame


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_camera_reports_a_code_once_per_presentation() -> None:
    clock = FakeClock()
    helper = FrameDecoder(
        tracker=PresentationTracker(absent_frames=3, absent_seconds=60), clock=clock
    )
    shown, empty = camera_frame("1Z999AA10123456784"), camera_frame(None)
    reported = []
    for _ in range(5):
        reported += helper.feed(shown)
    assert [b.text for b in reported] == ["1Z999AA10123456784"]
    helper.feed(empty)
    helper.feed(empty)
    assert helper.feed(shown) == []  # absent for 2 frames only: same presentation
    for _ in range(3):
        helper.feed(empty)
    assert [b.text for b in helper.feed(shown)] == ["1Z999AA10123456784"]
    # Positions come back in full-frame coordinates even though a 960 px copy was decoded.
    (code,) = decode_image(shown)
    assert code.position[0][0] > 300


def test_presentation_rearms_after_absent_seconds() -> None:
    tracker = PresentationTracker(absent_frames=100, absent_seconds=1.0)
    code = DecodedBarcode("qrcode", "X", b"X", False, "]Q1", ((0, 0),) * 4, "zxing")
    assert tracker.update([code], now=0.0) == [code]
    assert tracker.update([code], now=0.5) == []
    assert tracker.update([], now=0.9) == []
    assert tracker.update([code], now=1.4) == []  # last seen at 0.5: back within 1 s
    assert tracker.update([code], now=2.5) == [code]  # absent 1.1 s: a new presentation


def test_camera_skips_frames_after_overrunning_its_budget() -> None:
    clock = FakeClock()

    def slow_decoder(_img: np.ndarray) -> list[DecodedBarcode]:
        clock.now += 0.100  # 100 ms for a 30 ms budget: 70 ms of frames are skipped
        return []

    helper = FrameDecoder(decoder=slow_decoder, budget_ms=30, clock=clock)
    frame = np.zeros((10, 10), np.uint8)
    helper.feed(frame)
    clock.now += 0.033
    helper.feed(frame)  # 33 ms later: still paying back the overrun
    clock.now += 0.040
    helper.feed(frame)
    assert (helper.decoded_frames, helper.skipped_frames) == (2, 1)


# -- station decode ----------------------------------------------------------------------------


def test_station_decode_json_reports_each_file(tmp_path: Path, capsys) -> None:
    from main import cli

    qr, gs1, bad = tmp_path / "qr.png", tmp_path / "gs1.png", tmp_path / "bad.png"
    cv2.imwrite(str(qr), render(F.QRCode, "RMA-778899", {}))
    cv2.imwrite(str(gs1), render(F.Code128, "(01)09501101530003(10)AB12(21)XY", {"gs1": True}))
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    argv = ["decode", "--json", "--data-dir", str(tmp_path / "data"), str(qr), str(bad), str(gs1)]
    code = cli(argv)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code != 0
    assert [line["file"] for line in lines] == [str(qr), str(bad), str(gs1)]
    assert lines[0]["barcodes"][0] | {"position": None} == {
        "format": "qrcode",
        "text": "RMA-778899",
        "gs1": False,
        "symbology_id": "]Q1",
        "engine": "zxing",
        "position": None,
    }
    assert "bad.png" in lines[1]["error"] and "barcodes" not in lines[1]
    assert lines[2]["barcodes"][0]["text"] == GS1_TEXT
    assert lines[2]["barcodes"][0]["gs1"] is True
    assert isinstance(lines[2]["ms"], float)


def test_station_decode_text_output(tmp_path: Path, capsys) -> None:
    from main import cli

    image = tmp_path / "label.png"
    cv2.imwrite(str(image), render(F.Code128, "(01)09501101530003(10)AB12(21)XY", {"gs1": True}))
    assert cli(["decode", "--data-dir", str(tmp_path / "data"), str(image)]) == 0
    out = capsys.readouterr().out
    assert "code128 GS1 010950110153000310AB12\\x1d21XY" in out


@pytest.mark.skipif(not decoding.zbar_available(), reason="system libzbar not installed")
def test_zbar_second_opinion_is_merged_with_zxing() -> None:
    img = render(F.UPCA, "036000291452", {})
    found = decode_image(img, DecodeOptions(zbar_always=True))
    assert [(b.format, b.text, b.engine) for b in found] == [("upca", "036000291452", "zxing")]


def test_variant_results_are_mapped_back_and_sanity_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    img = render(F.Code128, "RMA-2024-000123", {})
    (plain,) = decode_image(img)
    real_pass = decoding._zxing_pass
    calls: list[tuple[int, ...]] = []

    def plain_pass_blind(gray: np.ndarray, quick: bool = False) -> list[DecodedBarcode]:
        calls.append(gray.shape)
        return [] if len(calls) == 1 else real_pass(gray, quick)  # the plain pass "misses"

    monkeypatch.setattr(decoding, "_zxing_pass", plain_pass_blind)
    (found,) = decode_image(img, DecodeOptions(engines=("zxing",)))
    assert len(calls) == 2  # plain pass, then the first variant (CLAHE) reads it
    assert found.text == plain.text
    for (x1, y1), (x2, y2) in zip(found.position, plain.position, strict=True):
        assert abs(x1 - x2) <= 3 and abs(y1 - y2) <= 3

    noise_result = DecodedBarcode(
        "ean13", "1234567890123", b"", False, None, plain.position, "zxing"
    )
    monkeypatch.setattr(
        decoding, "_zxing_pass", lambda gray, quick=False: [] if gray is img else [noise_result]
    )
    assert decode_image(img, DecodeOptions(engines=("zxing",))) == []  # bad check digit
