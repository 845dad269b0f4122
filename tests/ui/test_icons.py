"""The bench's SVG icons: well-formed, one stroke style, and drawn crisp at any size."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from ui.icons import ICON_DIR, ICON_NAMES, STROKE, icon, icon_path

SVG = "{http://www.w3.org/2000/svg}"
REQUIRED = {
    "scan", "weigh", "camera", "finalize", "next-unit", "reprint", "blind-return", "cancel",
    "history", "supervisor", "settings", "language", "ok", "warning", "error", "sync",
}  # fmt: skip


def _alpha(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    return rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4)[..., 3].copy()


def _render(name: str, size: int) -> QImage:
    renderer = QSvgRenderer(str(icon_path(name)))
    assert renderer.isValid(), name
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def _assert_crisp(alpha: np.ndarray, name: str) -> None:
    """Vector-drawn strokes are mostly solid; a small bitmap blown up is mostly soft edge."""
    drawn = int((alpha > 0).sum())
    solid = int((alpha == 255).sum())
    assert solid >= 0.6 * drawn, f"{name}: {solid} solid of {drawn} drawn pixels"


def test_the_required_icons_and_only_they_are_shipped() -> None:
    assert set(ICON_NAMES) == REQUIRED
    assert {path.stem for path in ICON_DIR.glob("*.svg")} == REQUIRED


@pytest.mark.parametrize("name", ICON_NAMES)
def test_each_svg_is_a_single_colour_24px_stroke_icon(name: str) -> None:
    root = ET.parse(icon_path(name)).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 24 24"
    assert root.get("stroke-width") == "2"
    assert root.get("fill") == "none"
    strokes = {el.get("stroke") for el in root.iter() if el.get("stroke") is not None}
    assert strokes == {STROKE}
    assert "currentColor" not in icon_path(name).read_text()
    assert all(el.get("fill") in (None, "none") for el in root.iter())
    assert len(list(root)) >= 1


@pytest.mark.parametrize("name", ICON_NAMES)
def test_each_svg_renders_and_scales_as_a_vector(qapp, name: str) -> None:
    small, large = _alpha(_render(name, 24)), _alpha(_render(name, 96))
    assert (small > 0).sum() > 50, f"{name} draws almost nothing at 24 px"
    # 4× the side: the strokes are 4× longer and 4× thicker, about 16× the pixels.
    assert (large > 0).sum() > 8 * (small > 0).sum()
    _assert_crisp(large, name)


def test_a_bitmap_scaled_up_would_fail_the_crispness_check(qapp) -> None:
    blurry = _render("ok", 24).scaled(
        96, 96, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    with pytest.raises(AssertionError):
        _assert_crisp(_alpha(blurry), "ok")


@pytest.mark.parametrize("name", ICON_NAMES)
def test_icon_is_drawn_at_the_size_asked_for(qapp, name: str) -> None:
    result = icon(name)
    assert not result.isNull()
    pixmap = result.pixmap(QSize(96, 96))
    assert (pixmap.width(), pixmap.height()) == (96, 96)
    alpha = _alpha(pixmap.toImage())
    direct = _alpha(_render(name, 96))
    assert abs(int((alpha > 0).sum()) - int((direct > 0).sum())) <= 0.05 * (direct > 0).sum()
    _assert_crisp(alpha, name)


def test_icons_are_sharp_on_a_high_dpi_screen(qapp) -> None:
    pixmap = icon("scan").pixmap(QSize(24, 24), 2.0)
    assert (pixmap.width(), pixmap.height()) == (48, 48)
    assert pixmap.devicePixelRatio() == 2.0
    _assert_crisp(_alpha(pixmap.toImage()), "scan")


def test_icons_are_cached_and_can_be_recoloured(qapp) -> None:
    assert icon("scan") is icon("scan")
    red = icon("error", "#b00020").pixmap(QSize(48, 48)).toImage()
    colours = {
        red.pixelColor(x, y).name()
        for y in range(red.height())
        for x in range(red.width())
        if red.pixelColor(x, y).alpha() == 255
    }
    assert colours == {"#b00020"}
    plain = icon("error").pixmap(QSize(48, 48)).toImage()
    solid = [
        plain.pixelColor(x, y)
        for y in range(plain.height())
        for x in range(plain.width())
        if plain.pixelColor(x, y).alpha() == 255
    ]
    assert solid and all(colour == QColor(STROKE) for colour in solid)


def test_disabled_icons_are_faded_as_a_whole(qapp) -> None:
    # The globe's meridian and equator cross: fading stroke by stroke would be darker there.
    normal = _alpha(icon("language").pixmap(QSize(48, 48)).toImage())
    disabled = _alpha(icon("language").pixmap(QSize(48, 48), QIcon.Mode.Disabled).toImage())
    assert normal.max() == 255
    assert 90 <= disabled.max() <= 110  # 40 % of opaque, nowhere more
    assert ((disabled > 0) == (normal > 0)).mean() > 0.98  # the same shape


def test_an_unknown_icon_names_the_known_ones() -> None:
    with pytest.raises(KeyError) as raised:
        icon("rocket")
    assert "rocket" in str(raised.value)
    assert "scan" in str(raised.value) and "blind-return" in str(raised.value)
