"""The bench's icons: small single-colour SVGs drawn crisp at whatever size a button asks for.

The files (``resources/icons/<name>.svg``: 24×24 view box, 2 px round strokes in
:data:`STROKE`) live in the repository next to the other resources, located relative to this
file like ``resources/schemas`` (the station runs from a checkout; a wheel would need them as
package data). Each :class:`QIcon` is backed by :class:`SvgIconEngine`, which renders the SVG
with QtSvg at the exact device-pixel size requested, so a 96 px toolbar on a 2× screen is as
sharp as a 16 px menu entry, instead of a scaled-up bitmap. A ``colour`` re-strokes an icon
(a dark theme's light icons, a state colour); disabled icons are drawn faded.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

ICON_DIR = Path(__file__).resolve().parents[1] / "resources" / "icons"
#: The one stroke colour the files are drawn in (replaced when an icon asks for another).
STROKE = "#1f2933"

ICON_NAMES = (
    "scan",
    "weigh",
    "camera",
    "finalize",
    "next-unit",
    "reprint",
    "blind-return",
    "cancel",
    "history",
    "supervisor",
    "settings",
    "language",
    "ok",
    "warning",
    "error",
    "sync",
)

_DISABLED_OPACITY = 0.4


def icon_path(name: str) -> Path:
    if name not in ICON_NAMES:
        raise KeyError(f"no icon {name!r}; known icons: {', '.join(ICON_NAMES)}")
    return ICON_DIR / f"{name}.svg"


@cache
def svg_data(name: str, colour: str | None = None) -> bytes:
    """The SVG text of an icon, its strokes in ``colour`` if given (``#rrggbb``)."""
    data = icon_path(name).read_bytes()
    if colour is not None:
        data = data.replace(f'"{STROKE}"'.encode(), f'"{colour}"'.encode())
    return data


class SvgIconEngine(QIconEngine):
    """Draws one SVG at any requested size; keeps the SVG bytes, not pixmaps, so nothing is
    rendered until a widget paints and nothing is blurred by scaling."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = data
        self._renderer = QSvgRenderer(QByteArray(data))

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        # Keep the aspect ratio, centred, however oddly shaped the target rectangle is.
        side = min(rect.width(), rect.height())
        target = QRectF(
            rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2, side, side
        )
        if mode != QIcon.Mode.Disabled:
            self._renderer.render(painter, target)
            return
        # Faded as a whole: fading each stroke would darken where strokes cross.
        scale = painter.device().devicePixelRatioF() if painter.device() else 1.0
        layer = QPixmap(max(1, round(side * scale)), max(1, round(side * scale)))
        layer.fill(Qt.GlobalColor.transparent)
        layer_painter = QPainter(layer)
        layer_painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._renderer.render(layer_painter, QRectF(0, 0, layer.width(), layer.height()))
        layer_painter.end()
        painter.save()
        painter.setOpacity(painter.opacity() * _DISABLED_OPACITY)
        painter.drawPixmap(target, layer, QRectF(layer.rect()))
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        # Render at device pixels (size × scale) so high-DPI screens get a sharp image.
        device = QSize(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)))
        pixmap = QPixmap(device)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter, QRect(QPoint(0, 0), device), mode, state)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        return size

    def clone(self) -> QIconEngine:
        return SvgIconEngine(self._data)

    def key(self) -> str:
        return "station-svg"

    def isNull(self) -> bool:
        return not self._renderer.isValid()


@cache
def icon(name: str, colour: str | None = None) -> QIcon:
    """The icon ``name`` (one of :data:`ICON_NAMES`; anything else is a KeyError naming them),
    optionally stroked in ``colour``; built once per name and colour, then shared."""
    data = svg_data(name, colour)
    engine = SvgIconEngine(data)
    if not engine.isNull():
        return QIcon(engine)
    log.warning("icon %s could not be read from %s", name, icon_path(name))
    return QIcon()


def themed_icon(widget: QWidget, name: str) -> QIcon:
    """``name`` stroked in the widget's current text colour, so icons stay readable in the
    dark theme (widgets set it again on a palette change: see ``ui.i18n.Retranslatable``)."""
    return icon(name, widget.palette().color(QPalette.ColorRole.ButtonText).name())
