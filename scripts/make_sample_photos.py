"""Render the simulator camera's sample stills (resources/sample_photos/) with OpenCV and numpy.

Usage: python scripts/make_sample_photos.py [OUT_DIR]

The simulated camera plays these files so the bench shows something that looks like a returned
item on a bench mat instead of a gradient: a folded knit sweater, a pair of trainers, an earbuds
case with an EAN-13 label, a parcel with a shipping label, two close-ups, and one deliberately
blurry frame that the quality check must reject. Deterministic (fixed seed), so re-running it
gives the same pictures; each file stays well under 150 KB.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

W, H = 1024, 768
RNG = np.random.default_rng(20240611)
Image = np.ndarray


def bench_mat() -> Image:
    """Grey-green cutting mat with a grid, lit from the top left (as under a bench lamp)."""
    image = np.full((H, W, 3), (92, 104, 88), np.uint8)
    for x in range(0, W, 64):
        cv2.line(image, (x, 0), (x, H), (110, 124, 106), 1, cv2.LINE_AA)
    for y in range(0, H, 64):
        cv2.line(image, (0, y), (W, y), (110, 124, 106), 1, cv2.LINE_AA)
    yy, xx = np.mgrid[0:H, 0:W]
    light = 1.15 - 0.35 * ((xx / W) * 0.6 + (yy / H) * 0.4)
    return np.clip(image * light[..., None], 0, 255).astype(np.uint8)


def finish(image: Image) -> Image:
    """Sensor noise and a touch of lens softness, so the stills look photographed."""
    noisy = image.astype(np.int16) + RNG.normal(0, 3, image.shape).astype(np.int16)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def shadow(image: Image, mask: Image, offset: tuple[int, int] = (14, 18)) -> None:
    shifted = np.roll(np.roll(mask, offset[1], axis=0), offset[0], axis=1)
    soft = cv2.GaussianBlur(shifted.astype(np.float32), (41, 41), 15) / 255.0
    image[:] = (image * (1 - 0.45 * soft[..., None])).astype(np.uint8)


def knit_texture(h: int, w: int, colour: tuple[int, int, int], scale: float = 1.0) -> Image:
    """Rows of V-shaped stitches: the look of stockinette knit."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    stitch = np.abs(((xx / (9 * scale)) % 2) - 1)
    rows = np.sin((yy / (7 * scale) + stitch * 1.3) * np.pi) * 0.5 + 0.5
    gaps = (np.abs(((xx / (9 * scale)) % 2) - 1) < 0.12).astype(np.float32)
    fibres = RNG.normal(0, 0.07, (h, w)).astype(np.float32)
    shade = 0.55 + 0.45 * rows**0.6 - 0.25 * gaps + fibres
    tex = np.empty((h, w, 3), np.float32)
    for c in range(3):
        tex[..., c] = colour[c] * shade
    return np.clip(tex, 0, 255).astype(np.uint8)


def paste(image: Image, patch: Image, mask: Image, x: int, y: int) -> None:
    h, w = mask.shape
    region = image[y : y + h, x : x + w]
    m = (mask > 0)[..., None]
    region[:] = np.where(m, patch, region)


def sweater(closeup: bool = False) -> Image:
    image = bench_mat()
    if closeup:
        tex = knit_texture(H, W, (60, 40, 150), scale=2.0)  # burgundy, seen close
        yy, xx = np.mgrid[0:H, 0:W]
        hole = ((xx - 560) ** 2 / 60**2 + (yy - 380) ** 2 / 38**2) < 1
        tex[hole] = (25, 20, 45)
        for _ in range(40):  # pilling around the hole
            cx, cy = int(RNG.normal(560, 120)), int(RNG.normal(380, 90))
            cv2.circle(tex, (cx, cy), int(RNG.integers(3, 7)), (95, 80, 170), -1, cv2.LINE_AA)
        return finish(tex)
    box = np.zeros((H, W), np.uint8)
    cv2.rectangle(box, (250, 180), (780, 600), 255, -1)
    mask: Image = (cv2.GaussianBlur(box, (31, 31), 0) > 128).astype(np.uint8) * 255
    shadow(image, mask)
    tex = knit_texture(H, W, (60, 40, 150))
    paste(image, tex, mask, 0, 0)
    # Folded sleeves and the collar: darker fold lines, ribbing at the hem.
    cv2.line(image, (330, 190), (330, 590), (40, 25, 100), 5, cv2.LINE_AA)
    cv2.line(image, (700, 190), (700, 590), (40, 25, 100), 5, cv2.LINE_AA)
    cv2.ellipse(image, (515, 200), (110, 45), 0, 0, 180, (45, 30, 115), 14, cv2.LINE_AA)
    for x in range(256, 776, 8):
        cv2.line(image, (x, 560), (x, 598), (48, 32, 122), 3, cv2.LINE_AA)
    # A care label peeking out.
    cv2.rectangle(image, (500, 205), (540, 240), (235, 235, 230), -1)
    cv2.putText(image, "M", (510, 232), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (40, 40, 40), 2)
    return finish(image)


def shoe(image: Image, x: int, y: int, flip: bool) -> None:
    mask = np.zeros((H, W), np.uint8)
    pts = np.array(
        [[0, 150], [20, 60], [120, 40], [170, 0], [260, 10], [300, 90], [330, 150]], np.int32
    )
    if flip:
        pts[:, 0] = 330 - pts[:, 0]
    pts += (x, y)
    cv2.fillPoly(mask, [pts], 255)
    cv2.ellipse(mask, (x + 165, y + 150), (170, 22), 0, 0, 360, 255, -1)
    shadow(image, mask)
    upper = np.zeros_like(image)
    upper[:] = (235, 235, 238)
    paste(image, upper, mask, 0, 0)
    cv2.ellipse(image, (x + 165, y + 158), (172, 16), 0, 0, 180, (40, 40, 45), -1, cv2.LINE_AA)
    cv2.polylines(image, [pts], False, (150, 150, 160), 2, cv2.LINE_AA)
    lace_x = x + (190 if not flip else 140)
    for i in range(5):
        cv2.line(
            image,
            (lace_x - 25, y + 30 + i * 14),
            (lace_x + 25, y + 38 + i * 14),
            (30, 30, 200),
            3,
            cv2.LINE_AA,
        )
    swoosh_x = x + (90 if not flip else 240)
    cv2.ellipse(image, (swoosh_x, y + 105), (55, 14), -12, 0, 180, (200, 110, 20), 5)


def shoes() -> Image:
    image = bench_mat()
    shoe(image, 150, 230, flip=False)
    shoe(image, 540, 330, flip=True)
    return finish(image)


def label(text_lines: list[str], code: str, fmt: Any, size: tuple[int, int]) -> Image:
    import zxingcpp

    w, h = size
    card = np.full((h, w, 3), 248, np.uint8)
    y = 34
    for line in text_lines:
        cv2.putText(card, line, (16, y), cv2.FONT_HERSHEY_SIMPLEX, 0.62, (20, 20, 20), 2)
        y += 30
    barcode = zxingcpp.create_barcode(code, fmt)
    bars = np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=2, add_hrt=True))
    scale = min((w - 32) / bars.shape[1], (h - y - 10) / bars.shape[0], 1.0)
    bars = cv2.resize(bars, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    bh, bw = bars.shape
    card[y : y + bh, 16 : 16 + bw] = bars[..., None]
    return card


def earbuds() -> Image:
    import zxingcpp

    image = bench_mat()
    mask = np.zeros((H, W), np.uint8)
    cv2.ellipse(mask, (430, 380), (170, 120), 0, 0, 360, 255, -1)
    shadow(image, mask)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    gloss = 235 - 40 * np.hypot(xx - 380, yy - 330) / 200
    case = np.clip(np.dstack([gloss, gloss, gloss + 3]), 0, 255).astype(np.uint8)
    paste(image, case, mask, 0, 0)
    cv2.line(image, (262, 350), (598, 350), (150, 150, 155), 2, cv2.LINE_AA)
    cv2.circle(image, (430, 420), 5, (60, 200, 60), -1, cv2.LINE_AA)
    card = label(
        ["EB-PRO-2  earbuds", "SN 4CE0460D0G"],
        "4006381333931",
        zxingcpp.BarcodeFormat.EAN13,
        (300, 220),
    )
    image[300:520, 660:960] = card
    return finish(image)


def parcel(blur: bool = False) -> Image:
    import zxingcpp

    image = bench_mat()
    mask = np.zeros((H, W), np.uint8)
    box = np.array([[140, 120], [880, 150], [860, 660], [120, 630]], np.int32)
    cv2.fillPoly(mask, [box], 255)
    shadow(image, mask)
    cardboard = np.zeros_like(image)
    cardboard[:] = (95, 150, 190)
    fibres: Image = cv2.GaussianBlur(RNG.normal(0, 7, (H, W)).astype(np.float32), (1, 15), 0)
    cardboard = np.clip(cardboard + fibres[..., None], 0, 255).astype(np.uint8)
    paste(image, cardboard, mask, 0, 0)
    cv2.line(image, (130, 375), (870, 400), (160, 190, 205), 46, cv2.LINE_AA)  # tape
    card = label(
        ["UPS GROUND   RETURN", "RMA-NK-000123", "SHIP TO: RETURNS BENCH 3"],
        "1Z999AA10123456784",
        zxingcpp.BarcodeFormat.Code128,
        (420, 250),
    )
    image[190:440, 420:840] = card
    if blur:
        return cv2.GaussianBlur(finish(image), (0, 0), 9)
    return finish(image)


def sole_closeup() -> Image:
    image = np.full((H, W, 3), (45, 45, 50), np.uint8)
    image[::3] = (52, 52, 58)  # moulded grain
    for y in range(40, H, 46):
        for x in range(30 + (y // 46 % 2) * 30, W, 60):
            cv2.rectangle(image, (x, y), (x + 36, y + 22), (70, 70, 78), -1, cv2.LINE_AA)
    cv2.line(image, (300, 200), (620, 560), (110, 110, 120), 3, cv2.LINE_AA)  # a scuff
    cv2.putText(image, "EU 42", (700, 700), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (90, 90, 100), 3)
    return finish(image)


SAMPLES = {
    "01-sweater-folded.jpg": lambda: sweater(),
    "02-sweater-closeup-hole.jpg": lambda: sweater(closeup=True),
    "03-trainers-pair.jpg": shoes,
    "04-trainers-sole.jpg": sole_closeup,
    "05-earbuds-case-label.jpg": earbuds,
    "06-parcel-shipping-label.jpg": lambda: parcel(),
    "blurry-07-parcel-shaken.jpg": lambda: parcel(blur=True),
}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, render in SAMPLES.items():
        image = render()
        quality = 85
        while True:
            ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
            if ok and (len(data) < 140_000 or quality <= 50):
                break
            quality -= 5
        (out / name).write_bytes(data.tobytes())
        print(f"{name}: {len(data) // 1024} KB (q{quality})")


if __name__ == "__main__":
    default = Path(__file__).resolve().parent.parent / "resources" / "sample_photos"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
