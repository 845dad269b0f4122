"""Coloured text reads on both themes: WCAG AA, a contrast ratio of at least 4.5:1.

The colours are the ones the widgets actually paint with, read back from the built widgets:
the palette a widget ends up with once the application stylesheet and its own are applied
(state properties, inline styles), every ``color:`` written into rich text, and the brushes
of table and list items. The background is the one the widget paints itself (its own or an
ancestor's stylesheet background, a button's face), else each surface the theme defines
(``ui.theme``: window, base, button): a text must read on any of them. The ratio is WCAG 2.x
relative luminance, written out here independently of ``ui.theme``.

The real window is toured in each theme (tests/ui/bench_tour.py: sign-in and a refused PIN, a
late knitwear return with a defect of each severity, its verdict, every dialog), and a few
states the tour cannot reach are built directly: overdue disputes, failed print jobs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from tests.ui import test_retranslation_panels as panels
from tests.ui.bench_tour import run_tour
from ui.device_bridge import DeviceBridge
from ui.theme import THEMES, apply_theme, colours, set_style_property
from ui.viewmodels.supervisor import SupervisorViewModel
from ui.widgets.device_strip import DeviceStrip
from ui.widgets.supervisor_dialog import SupervisorDialog

AA = 4.5
SURFACES = ("window", "base", "button")
MESSAGE_LEVELS = ("error", "warning", "success", "info")
_COLOUR = re.compile(r"(?<![\w-])color\s*:\s*(#[0-9a-fA-F]{3,8}\b|[a-zA-Z]+)")
_BACKGROUND = re.compile(r"background(?:-color)?\s*:\s*(#[0-9a-fA-F]{3,8}\b|[a-zA-Z]+)")
_TAGS = re.compile(r"<[^>]+>")

# Fixtures shared with the retranslation tests: disputes (one overdue), a printer gone.
disputed = panels.disputed
failing_printer = panels.failing_printer


def luminance(colour: QColor) -> float:
    """WCAG 2.x relative luminance."""

    def linear(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(colour.red())
        + 0.7152 * linear(colour.green())
        + 0.0722 * linear(colour.blue())
    )


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@dataclass(frozen=True)
class Faint:
    owner: str  # the module of the nearest widget class of ours around the text
    where: str
    text: str
    colour: str
    background: str
    ratio: float

    def __str__(self) -> str:
        return (f"{self.owner}: {self.where} {self.text[:50]!r}: {self.colour} on {self.background} "
                f"= {self.ratio:.2f}:1")  # fmt: skip


# --- reading the colours back -------------------------------------------------------------


def _owner(widget: QWidget) -> str:
    node: QWidget | None = widget
    while node is not None and not type(node).__module__.startswith("ui."):
        node = node.parentWidget()
    return type(node).__module__ if node is not None else "?"


def _where(widget: QWidget) -> str:
    return f"{type(widget).__name__}#{widget.objectName() or '?'}"


def _over(colour: QColor, under: QColor) -> QColor:
    """``colour`` as seen painted over ``under`` (a translucent tint blends with it)."""
    alpha = colour.alphaF()
    return QColor.fromRgbF(*(alpha * top + (1 - alpha) * bottom for top, bottom in (
        (colour.redF(), under.redF()), (colour.greenF(), under.greenF()),
        (colour.blueF(), under.blueF()))))  # fmt: skip


def _backgrounds(widget: QWidget, theme: str) -> list[QColor]:
    """What the text is painted on: a button's face, a background some stylesheet on the way
    up gives, else any of the theme's surfaces."""
    if isinstance(widget, QAbstractButton):
        return [widget.palette().color(widget.backgroundRole())]
    node: QWidget | None = widget
    while node is not None:
        if _BACKGROUND.search(node.styleSheet()):
            return [node.palette().color(node.backgroundRole())]
        node = node.parentWidget()
    table = colours(theme)
    return [QColor(table[surface]) for surface in SURFACES]


def _text(widget: QWidget) -> str:
    return widget.text() if isinstance(widget, QLabel | QAbstractButton) else ""


def _item_colours(widget: QWidget) -> list[tuple[str, QColor, QColor]]:
    """(text, colour, background) of every table or list item that brings its own brush."""
    found: list[tuple[str, QColor, QColor]] = []
    items: list[QTableWidgetItem | QListWidgetItem | None]
    if isinstance(widget, QTableWidget):
        items = [widget.item(r, c) for r in range(widget.rowCount())
                 for c in range(widget.columnCount())]  # fmt: skip
    elif isinstance(widget, QListWidget):
        items = [widget.item(r) for r in range(widget.count())]
    else:
        return found
    palette = widget.palette()
    for item in items:
        if item is None:
            continue
        fore, back = item.foreground(), item.background()
        if fore.style() == QBrush().style() and back.style() == QBrush().style():
            continue  # the view's own palette colours: the theme test covers those
        colour = (
            fore.color()
            if fore.style() != QBrush().style()
            else palette.color(widget.foregroundRole())
        )
        base = palette.base().color()
        background = _over(back.color(), base) if back.style() != QBrush().style() else base
        found.append((item.text(), _over(colour, background), background))
    return found


def _faint(
    widget: QWidget, where: str, text: str, colour: QColor, backgrounds: list[QColor]
) -> list[Faint]:
    return [Faint(_owner(widget), where, text, colour.name(), background.name(), ratio)
            for background in backgrounds
            if (ratio := contrast(colour, background)) < AA]  # fmt: skip


def faint_texts(root: QWidget, theme: str) -> list[Faint]:
    """Every visible text under ``root`` whose colour does not reach AA on its background."""
    found: list[Faint] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        text, where = _text(widget), _where(widget)
        if text:
            backgrounds = _backgrounds(widget, theme)
            if widget.isEnabled():  # WCAG asks nothing of a control that cannot be used
                colour = widget.palette().color(widget.foregroundRole())
                found += _faint(widget, where, text, colour, backgrounds)
            plain = _TAGS.sub(" ", text)
            for colour_name in _COLOUR.findall(text):
                found += _faint(widget, f"{where} (rich text)", plain, QColor(colour_name),
                                backgrounds)  # fmt: skip
        for item_text, colour, background in _item_colours(widget):
            found += _faint(widget, f"{where} (item)", item_text, colour, [background])
    return found


def _message_levels(window: QWidget, theme: str) -> list[Faint]:
    """The bench's message line, at each level it can speak at."""
    label = window.findChild(QLabel, "messageLabel")
    assert label is not None
    before = label.property("level")
    found = []
    for level in MESSAGE_LEVELS:
        set_style_property(label, "level", level)
        colour = label.palette().color(label.foregroundRole())
        found += _faint(label, f"message line, {level}", label.text() or level, colour,
                        _backgrounds(label, theme))  # fmt: skip
    set_style_property(label, "level", before)
    return found


# --- the tests ------------------------------------------------------------------------------


def test_the_independent_ratio_agrees_with_the_wcag_examples() -> None:
    """WCAG's own anchors: black on white is 21:1, and #767676 on white just passes AA."""
    assert contrast(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast(QColor("#767676"), QColor("#ffffff")) == pytest.approx(4.54, abs=0.01)
    assert contrast(QColor("#777777"), QColor("#ffffff")) < AA


@pytest.mark.parametrize("theme", THEMES)
def test_every_coloured_text_of_the_bench_reads_on_its_background(qapp, theme: str) -> None:
    """Including the message line at each of its levels. What is found in widgets being
    changed elsewhere is reported to their owners and expected to fail until fixed."""
    faint: list[tuple[str, Faint]] = []
    screens: list[str] = []

    def look(name: str, widget: QWidget) -> None:
        screens.append(name)
        found = faint_texts(widget, theme)
        if name == "idle":
            found += _message_levels(widget, theme)
        faint.extend((name, f) for f in found)

    run_tour(qapp, "es", theme, look)
    assert {"inspecting, defects recorded", "verdict", "history"} <= set(screens), screens
    found = [f"{screen}: {f}" for screen, f in faint]
    assert found == [], "\n".join(found)


@pytest.fixture
def themed(qapp):
    """The application's look, put back afterwards."""
    sheet, palette = qapp.styleSheet(), qapp.palette()
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)


@pytest.mark.parametrize("theme", THEMES)
def test_overdue_disputes_read_in_both_themes(qtbot, themed, disputed, runner, theme) -> None:
    """An overdue row is tinted: its text must still read on the tint, in either theme, and
    the tint follows a theme switch with the queue open."""
    apply_theme(themed, "light" if theme == "dark" else "dark")
    context, people, _disputes = disputed
    dialog = SupervisorDialog(SupervisorViewModel(context, runner, lambda: people["supervisor"]))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=10_000)
    apply_theme(themed, theme)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    overdue = [text for text, _c, _b in _item_colours(dialog.table)]
    assert overdue, "no overdue row was tinted: the check would prove nothing"
    assert [str(f) for f in faint_texts(dialog, theme)] == []


@pytest.mark.parametrize("theme", THEMES)
def test_failed_print_jobs_and_device_dots_read_in_both_themes(
    qtbot, themed, failing_printer, theme
) -> None:
    apply_theme(themed, theme)
    bridge = DeviceBridge(failing_printer)
    strip = DeviceStrip(bridge)
    qtbot.addWidget(strip)
    strip.show()
    qtbot.waitExposed(strip)
    qtbot.waitUntil(lambda: strip.failed_button.isVisible(), timeout=10_000)
    assert strip.states["printer"] == "down"
    assert [str(f) for f in faint_texts(strip, theme)] == []
