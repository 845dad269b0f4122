"""Light and dark looks for the bench: one palette, one application stylesheet.

The bench is read from a metre away, under warehouse lights, by someone with a parcel in their
hands and sometimes gloves on. So the states a grader must notice (error, warning, success,
info, a missing answer, a checked answer) are large and bold and at least WCAG AA (4.5:1)
against every surface they can appear on, in both themes; every button and input is a 44 px
touch target; and the keyboard focus is a thick ring that cannot be missed (keyboard-only
graders answer the whole checklist with Tab and Space).

Widgets do not colour themselves with inline stylesheets: they set a dynamic property that the
stylesheet matches (:func:`set_style_property` re-polishes them), so a theme switch recolours
everything at once:

* ``QLabel#messageLabel`` with ``level`` = error/warning/success/info: the bench's message line;
* any widget with ``state`` = error/warning/success/info/missing: text in that state's colour
  (and ``muted``: secondary text, the theme's muted colour);
* any widget with ``flash`` = success/error: a short background flash (``ui.feedback``).

Colours for code that paints by itself (rich text) come from :func:`text_colour` and
:func:`message_colour`; grade badges (white on a colour, the same in both themes) from
:func:`grade_badge`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from string import Template

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

log = logging.getLogger(__name__)

THEMES = ("light", "dark")
DEFAULT_THEME = "light"

#: What a grader must notice, per theme; each colour is text on the theme's surfaces below,
#: except ``checked``: the background of a checked answer button, with ``checked_text`` on it.
STATE_COLOURS: Mapping[str, Mapping[str, str]] = {
    "light": {
        "error": "#b00020",
        "warning": "#8a5300",
        "success": "#176b2c",
        "info": "#1f3a5f",
        "missing": "#9a3412",
        "checked": "#0b5394",
        "checked_text": "#ffffff",
    },
    "dark": {
        "error": "#ff9e96",
        "warning": "#ffc266",
        "success": "#7ee08f",
        "info": "#8ab4f8",
        "missing": "#ffab70",
        "checked": "#a8c7fa",
        "checked_text": "#062e6f",
    },
}

#: The levels of text colour (everything in STATE_COLOURS but the checked-button pair).
STATE_LEVELS = ("error", "warning", "success", "info", "missing")

#: The surfaces (the state colours must read on each of window, base and button) and chrome.
SURFACE_COLOURS: Mapping[str, Mapping[str, str]] = {
    "light": {
        "window": "#f3f4f6",
        "base": "#ffffff",
        "alternate_base": "#eef0f3",
        "button": "#e4e7eb",
        "button_hover": "#d5d9df",
        "button_pressed": "#c4c9d0",
        "text": "#1f2933",
        "muted_text": "#4b5563",
        "disabled_text": "#6b7280",
        "border": "#8a94a3",
        "highlight": "#0b5394",
        "highlighted_text": "#ffffff",
        "link": "#0b5394",
        # The focus ring: on an ordinary button, and on a checked (dark blue) one.
        "focus": "#111111",
        "focus_on_checked": "#ffd54f",
        "flash_success": "#d7f0dc",
        "flash_error": "#fbd5d9",
    },
    "dark": {
        "window": "#1e2126",
        "base": "#15171b",
        "alternate_base": "#23272d",
        "button": "#343a42",
        "button_hover": "#3f4650",
        "button_pressed": "#4a525d",
        "text": "#e8eaed",
        "muted_text": "#b4bac2",
        "disabled_text": "#9aa0a6",
        "border": "#6b7480",
        "highlight": "#a8c7fa",
        "highlighted_text": "#062e6f",
        "link": "#8ab4f8",
        "focus": "#ffd166",
        "focus_on_checked": "#111111",
        "flash_success": "#1d4a27",
        "flash_error": "#5c1f25",
    },
}

#: Badges that carry their own background with white text on it (the grade, big enough to
#: read from the next bench): the same in both themes, each at least 4.5:1 against the text.
BADGE_TEXT = "#ffffff"
GRADE_BADGES: Mapping[str, str] = {
    "A": "#1e7b34",
    "B": "#2e7d32",
    "C": "#8a6100",  # amber, darkened until white on it reads (the old #b58900 gave 3.2:1)
    "D": "#c0392b",
    "X": "#6d0000",
}
OTHER_GRADE_BADGE = "#37474f"  # a grade a newer standard invented
PROVISIONAL_BADGE = "#6b7280"  # grey, yet 4.8:1 under white (the old #9e9e9e gave 2.7:1)

#: A touch target: Apple's and WCAG 2.5.5's 44 px. The stylesheet's box adds up to it.
TOUCH_TARGET_PX = 44

# Content min-height + 2 × padding + 2 × border = 44 px for buttons and inputs alike; the
# focused button swaps 2 px of padding for a 2 px thicker border so focus does not move it.
_STYLESHEET = Template("""
QToolTip { color: $text; background-color: $base; border: 1px solid $border; padding: 4px; }

QPushButton, QToolButton {
    min-height: 32px; padding: 4px 14px; border: 2px solid $border; border-radius: 6px;
    background-color: $button; color: $text;
}
QPushButton:hover, QToolButton:hover { background-color: $button_hover; }
QPushButton:pressed, QToolButton:pressed { background-color: $button_pressed; }
QPushButton:checked, QToolButton:checked {
    background-color: $checked; color: $checked_text; border-color: $checked; font-weight: bold;
}
QPushButton:disabled, QToolButton:disabled {
    color: $disabled_text; background-color: $window; border-color: $button_pressed;
}
QPushButton:default { border-color: $highlight; }
QPushButton:focus, QToolButton:focus { border: 4px solid $focus; padding: 2px 12px; }
QPushButton:checked:focus, QToolButton:checked:focus { border-color: $focus_on_checked; }

QLineEdit {
    min-height: 32px; padding: 4px 8px; border: 2px solid $border; border-radius: 4px;
    background-color: $base; color: $text;
    selection-background-color: $highlight; selection-color: $highlighted_text;
}
QLineEdit:focus { border-color: $highlight; }
QLineEdit:disabled { color: $disabled_text; background-color: $window; }

/* Combo and spin boxes keep Fusion's own drawing (styling their frame would mean styling
   every arrow too), only taller: Fusion adds a 6 px (combo) or 3 px (spin) frame. */
QComboBox { min-height: 38px; }
QSpinBox, QDoubleSpinBox, QDateEdit, QTimeEdit, QDateTimeEdit { min-height: 41px; }
QComboBox QAbstractItemView {
    background-color: $base; color: $text;
    selection-background-color: $highlight; selection-color: $highlighted_text;
}
QComboBox QAbstractItemView::item { min-height: 40px; }

QCheckBox, QRadioButton { min-height: 32px; spacing: 10px; }
QCheckBox::indicator, QRadioButton::indicator { width: 24px; height: 24px; }
QCheckBox:focus, QRadioButton:focus { color: $text; border: 3px solid $focus; padding: 2px; }

QLabel#messageLabel { font-size: 16pt; font-weight: bold; color: $text; }
QLabel#messageLabel[level="error"] { color: $error; }
QLabel#messageLabel[level="warning"] { color: $warning; }
QLabel#messageLabel[level="success"] { color: $success; }
QLabel#messageLabel[level="info"] { color: $info; }

*[state="error"] { color: $error; font-weight: bold; }
*[state="warning"] { color: $warning; font-weight: bold; }
*[state="success"] { color: $success; font-weight: bold; }
*[state="info"] { color: $info; font-weight: bold; }
*[state="missing"] { color: $missing; font-weight: bold; }

*[state="muted"] { color: $muted_text; }

*[flash="success"] { background-color: $flash_success; }
*[flash="error"] { background-color: $flash_error; }
""")


def _resolve(name: str) -> str:
    if name in THEMES:
        return name
    log.warning("unknown theme %r; using %r (known: %s)", name, DEFAULT_THEME, ", ".join(THEMES))
    return DEFAULT_THEME


def colours(name: str) -> dict[str, str]:
    """Every colour of a theme by role (surfaces and states), for code that paints itself."""
    theme = name if name in THEMES else DEFAULT_THEME
    return {**SURFACE_COLOURS[theme], **STATE_COLOURS[theme]}


THEME_PROPERTY = "stationTheme"


def current_theme() -> str:
    """The theme last applied to the running application (light before any)."""
    app = QApplication.instance()
    value = app.property(THEME_PROPERTY) if app is not None else None
    return value if isinstance(value, str) and value in THEMES else THEMES[0]


def message_colour(theme: str, level: str) -> str:
    """The text colour of ``level`` in ``theme``; the ordinary text colour for other levels."""
    table = colours(theme)
    return table[level] if level in STATE_LEVELS else table["text"]


def text_colour(role: str, theme: str | None = None) -> str:
    """A colour for text that paints itself in rich text (``<span style='color:…'>``): a
    state level or a surface text role (``muted_text``), in ``theme`` or the one in force.

    Rich text cannot use the stylesheet's property colours, so a widget that writes colours
    into its markup asks here, and writes its markup again when the theme changes
    (``Retranslatable.restyle``): a colour chosen for white would vanish on the dark theme.
    """
    table = colours(theme or current_theme())
    return table.get(role) or table["text"]


def grade_badge(grade: str | None) -> str:
    """The background of a grade's badge (white text on it)."""
    return GRADE_BADGES.get(grade or "", OTHER_GRADE_BADGE)


def stylesheet(name: str) -> str:
    return _STYLESHEET.substitute(colours(name))


def palette(name: str) -> QPalette:
    """The Fusion palette of a theme: what the stylesheet does not cover (views, menus, text)."""
    c = colours(name)
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: c["window"],
        QPalette.ColorRole.WindowText: c["text"],
        QPalette.ColorRole.Base: c["base"],
        QPalette.ColorRole.AlternateBase: c["alternate_base"],
        QPalette.ColorRole.ToolTipBase: c["base"],
        QPalette.ColorRole.ToolTipText: c["text"],
        QPalette.ColorRole.PlaceholderText: c["muted_text"],
        QPalette.ColorRole.Text: c["text"],
        QPalette.ColorRole.Button: c["button"],
        QPalette.ColorRole.ButtonText: c["text"],
        QPalette.ColorRole.BrightText: c["error"],
        QPalette.ColorRole.Highlight: c["highlight"],
        QPalette.ColorRole.HighlightedText: c["highlighted_text"],
        QPalette.ColorRole.Link: c["link"],
        QPalette.ColorRole.LinkVisited: c["link"],
        QPalette.ColorRole.Light: c["button_hover"],
        QPalette.ColorRole.Midlight: c["button"],
        QPalette.ColorRole.Mid: c["button_pressed"],
        QPalette.ColorRole.Dark: c["border"],
        QPalette.ColorRole.Shadow: c["border"],
    }
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        pal.setColor(disabled, role, QColor(c["disabled_text"]))
    pal.setColor(disabled, QPalette.ColorRole.Base, QColor(c["window"]))
    return pal


def apply_theme(app: QApplication, name: str) -> str:
    """Give the whole application theme ``name`` (unknown names get the light theme, logged);
    returns the name applied. Safe to call again at runtime to switch."""
    theme = _resolve(name)
    # First: widgets that colour rich text by hand ask current_theme() while the palette
    # change below is delivered to them (Retranslatable.restyle).
    app.setProperty(THEME_PROPERTY, theme)
    # Fusion draws the same on every platform and honours the palette (native styles don't).
    app.setStyle("Fusion")
    app.setPalette(palette(theme))
    app.setStyleSheet(stylesheet(theme))
    log.info("theme %s applied", theme)
    return theme


def set_style_sheet(widget: QWidget, sheet: str) -> None:
    """``setStyleSheet`` unless it is already that: each call re-polishes the widget under the
    application stylesheet, which views refreshed on every answer would otherwise pay for."""
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)


def set_style_property(widget: QWidget, name: str, value: object) -> None:
    """Set a dynamic property the stylesheet matches on, and re-polish so it takes effect now
    (Qt evaluates property selectors at polish time only). Unchanged values are left alone:
    a re-polish under the application stylesheet costs about a millisecond per widget, and
    the checklist sets its items' states after every answer."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an ``#rrggbb`` colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    q = QColor(colour)
    return 0.2126 * channel(q.red()) + 0.7152 * channel(q.green()) + 0.0722 * channel(q.blue())


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, 1.0 (none) to 21.0 (black on white)."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
