"""Light and dark themes: readable state colours, touch-size targets, visible focus."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import Retranslatable
from ui.theme import (
    BADGE_TEXT,
    GRADE_BADGES,
    PROVISIONAL_BADGE,
    STATE_COLOURS,
    STATE_LEVELS,
    SURFACE_COLOURS,
    THEMES,
    apply_theme,
    colours,
    contrast_ratio,
    current_theme,
    grade_badge,
    message_colour,
    set_style_property,
    text_colour,
)


def _luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance, written out here independently of ui.theme."""
    value = hex_colour.lstrip("#")
    linear = []
    for i in (0, 2, 4):
        c = int(value[i : i + 2], 16) / 255
        linear.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The application, its look restored afterwards so other tests see what they expect."""
    style, palette, sheet = qapp.style().name(), QPalette(qapp.palette()), qapp.styleSheet()
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    if style:  # empty while a stylesheet wraps the style
        qapp.setStyle(style)


def _pixels(widget: QWidget) -> np.ndarray:
    """The widget as drawn, an (h, w, 4) RGBA array."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    return rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4).copy()


def _near(pixels: np.ndarray, colour: str, tolerance: int = 6) -> np.ndarray:
    q = QColor(colour)
    target = np.array([q.red(), q.green(), q.blue()], dtype=int)
    return np.all(np.abs(pixels[..., :3].astype(int) - target) <= tolerance, axis=-1)


def test_the_independent_luminance_agrees_with_the_theme_module() -> None:
    assert _contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#b00020", "#f3f4f6") == pytest.approx(_contrast("#b00020", "#f3f4f6"))


@pytest.mark.parametrize("theme", THEMES)
def test_state_colours_reach_wcag_aa_on_every_surface(theme: str) -> None:
    states, surfaces = STATE_COLOURS[theme], SURFACE_COLOURS[theme]
    assert set(STATE_LEVELS) == {"error", "warning", "success", "info", "missing"}
    for level in STATE_LEVELS:
        for surface in ("window", "base", "button"):
            ratio = _contrast(states[level], surfaces[surface])
            assert ratio >= 4.5, f"{theme} {level} on {surface}: {ratio:.2f}"
    # A checked answer: its text reads, and it stands out from an unchecked button.
    assert _contrast(states["checked_text"], states["checked"]) >= 4.5
    assert _contrast(states["checked"], surfaces["button"]) >= 3.0
    # The focus ring is a non-text indicator: 3:1 against what it surrounds.
    assert _contrast(surfaces["focus"], surfaces["button"]) >= 3.0
    assert _contrast(surfaces["focus_on_checked"], states["checked"]) >= 3.0
    # Ordinary text, and text on the flash tints.
    for surface in ("window", "base", "button", "flash_success", "flash_error"):
        assert _contrast(surfaces["text"], surfaces[surface]) >= 4.5, surface


def test_the_two_themes_differ_in_every_state_colour() -> None:
    light, dark = STATE_COLOURS["light"], STATE_COLOURS["dark"]
    assert set(light) == set(dark)
    assert all(light[key] != dark[key] for key in light)


def test_message_colour_by_theme_and_level(caplog) -> None:
    assert message_colour("dark", "error") == STATE_COLOURS["dark"]["error"]
    assert message_colour("light", "success") == STATE_COLOURS["light"]["success"]
    # Unknown level: ordinary text; unknown theme: light.
    assert message_colour("dark", "shouting") == SURFACE_COLOURS["dark"]["text"]
    assert message_colour("sepia", "error") == STATE_COLOURS["light"]["error"]
    assert colours("dark")["window"] == SURFACE_COLOURS["dark"]["window"]


@pytest.mark.parametrize("theme", THEMES)
def test_buttons_and_inputs_are_touch_size(qtbot, app, theme: str) -> None:
    assert apply_theme(app, theme) == theme
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    tool = QToolButton()
    tool.setText("Tool")
    combo = QComboBox()
    combo.addItems(["Scratched", "Dented"])
    targets = [QPushButton("Finalize"), QLineEdit(), combo, QSpinBox(), tool]
    for widget in targets:
        layout.addWidget(widget)
    host.show()
    qtbot.waitExposed(host)
    for widget in targets:
        name = type(widget).__name__
        assert widget.sizeHint().height() >= 44, name
        assert widget.minimumSizeHint().height() >= 44, name
        assert widget.height() >= 44, name


def test_switching_light_to_dark_changes_the_palette(qtbot, app) -> None:
    apply_theme(app, "light")
    light = app.palette().color(QPalette.ColorRole.Window)
    assert light == QColor(SURFACE_COLOURS["light"]["window"])
    widget = QLabel("bench")
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    apply_theme(app, "dark")
    dark = app.palette().color(QPalette.ColorRole.Window)
    assert dark == QColor(SURFACE_COLOURS["dark"]["window"])
    assert dark != light
    # A window already open follows the switch.
    assert widget.palette().color(QPalette.ColorRole.Window) == dark
    assert widget.palette().color(QPalette.ColorRole.WindowText) == QColor(
        SURFACE_COLOURS["dark"]["text"]
    )


def test_an_unknown_theme_is_light_and_logged(app, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="ui.theme"):
        assert apply_theme(app, "solarized") == "light"
    assert "solarized" in caplog.text
    assert app.palette().color(QPalette.ColorRole.Window) == QColor(
        SURFACE_COLOURS["light"]["window"]
    )


@pytest.mark.parametrize("theme", THEMES)
def test_the_message_label_takes_its_levels_colour(qtbot, app, theme: str) -> None:
    apply_theme(app, theme)
    label = QLabel("MESSAGE")
    label.setObjectName("messageLabel")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    # Large and bold, whatever the level.
    assert label.font().bold()
    assert label.font().pointSizeF() >= 14
    for level in ("error", "warning", "success", "info"):
        set_style_property(label, "level", level)
        pixels = _pixels(label)
        colour = STATE_COLOURS[theme][level]
        assert _near(pixels, colour).sum() > 30, f"{theme} {level}: no text in {colour}"
        others = [STATE_COLOURS[theme][o] for o in ("error", "success") if o != level]
        assert all(_near(pixels, other).sum() == 0 for other in others)


@pytest.mark.parametrize("theme", THEMES)
def test_state_property_and_flash_colour_any_widget(qtbot, app, theme: str) -> None:
    apply_theme(app, theme)
    label = QLabel("MISSING")
    field = QLineEdit()
    qtbot.addWidget(label)
    qtbot.addWidget(field)
    for widget in (label, field):
        widget.show()
        qtbot.waitExposed(widget)
    missing = STATE_COLOURS[theme]["missing"]
    assert _near(_pixels(label), missing).sum() == 0
    set_style_property(label, "state", "missing")
    assert _near(_pixels(label), missing).sum() > 20
    flash = SURFACE_COLOURS[theme]["flash_error"]
    centre = (field.height() // 2, field.width() // 2)
    assert not _near(_pixels(field), flash)[centre]
    set_style_property(field, "flash", "error")
    assert _near(_pixels(field), flash)[centre]
    set_style_property(field, "flash", None)
    assert not _near(_pixels(field), flash)[centre]


@pytest.mark.parametrize("theme", THEMES)
def test_the_focused_answer_button_has_a_thick_ring(qtbot, app, theme: str) -> None:
    apply_theme(app, theme)
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    plain, answer = QPushButton("No"), QPushButton("Yes")
    answer.setCheckable(True)
    answer.setChecked(True)
    layout.addWidget(plain)
    layout.addWidget(answer)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    surfaces = SURFACE_COLOURS[theme]

    def ring(button: QPushButton, colour: str) -> bool:
        """3 px into the top edge, mid-width: inside a 4 px ring, outside a 2 px border."""
        return bool(_near(_pixels(button), colour)[3, button.width() // 2])

    plain.setFocus()
    qtbot.waitUntil(plain.hasFocus)
    assert ring(plain, surfaces["focus"])
    assert not ring(answer, surfaces["focus_on_checked"])
    answer.setFocus()
    qtbot.waitUntil(answer.hasFocus)
    assert ring(answer, surfaces["focus_on_checked"])
    assert not ring(plain, surfaces["focus"])


def test_grade_badges_read_under_their_white_text() -> None:
    """The grade is white on a coloured badge, in both themes: each badge, the provisional
    grey and a grade no table knows must reach AA under it."""
    assert _luminance(BADGE_TEXT) == pytest.approx(1.0)  # white
    badges = {**GRADE_BADGES, "provisional": PROVISIONAL_BADGE, "other": grade_badge("Z")}
    for name, colour in badges.items():
        assert _contrast(BADGE_TEXT, colour) >= 4.5, f"{name} {colour}"
    assert grade_badge("C") == GRADE_BADGES["C"] and grade_badge(None) == grade_badge("?")


@pytest.mark.parametrize("theme", THEMES)
def test_muted_text_reads_and_is_what_the_muted_state_paints(qtbot, app, theme: str) -> None:
    surfaces = SURFACE_COLOURS[theme]
    for surface in ("window", "base", "button"):
        assert _contrast(surfaces["muted_text"], surfaces[surface]) >= 4.5, surface
    apply_theme(app, theme)
    label = QLabel("SECONDARY")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    set_style_property(label, "state", "muted")
    assert _near(_pixels(label), surfaces["muted_text"]).sum() > 20
    assert text_colour("muted_text") == surfaces["muted_text"]
    assert text_colour("error") == STATE_COLOURS[theme]["error"]
    assert text_colour("no such role") == surfaces["text"]


class _RichText(Retranslatable, QLabel):
    """Colours its rich text by hand, as the verdict preview and the photo summary do."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []
        self.restyle()

    def restyle(self) -> None:
        self.seen.append(current_theme())
        self.setText(f"<b style='color:{text_colour('error')}'>warning</b>")


def test_rich_text_coloured_by_hand_follows_a_theme_switch(qtbot, app) -> None:
    """A widget that writes colours into its markup is told of the switch (a palette
    change) when the new theme is already in force, so it picks the new theme's colours."""
    apply_theme(app, "light")
    widget = _RichText()
    qtbot.addWidget(widget)
    widget.show()
    apply_theme(app, "dark")
    QApplication.processEvents()
    assert widget.seen[-1] == "dark"
    assert STATE_COLOURS["dark"]["error"] in widget.text()
    apply_theme(app, "light")
    QApplication.processEvents()
    assert STATE_COLOURS["light"]["error"] in widget.text()
