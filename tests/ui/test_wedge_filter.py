"""The wedge filter on the application's windows, with key events carrying controlled
timestamps. Keys are sent to the window, as the window system delivers them; the window hands
them to its focused widget."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from devices.config import ScannerConfig
from ui.wedge_filter import WedgeFilter

KEYS = {"Enter": Qt.Key.Key_Return, "Tab": Qt.Key.Key_Tab}


class FakeClock:
    """The filter's clock: the test says when each key was pressed."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self, _event: QKeyEvent) -> float:
        return self.now


def _press(target: QWidget, key: str) -> None:
    if key in KEYS:
        event = QKeyEvent(QEvent.Type.KeyPress, KEYS[key], Qt.KeyboardModifier.NoModifier, "")
    else:
        code = Qt.Key(ord(key.upper())) if key.isalnum() else Qt.Key.Key_unknown
        event = QKeyEvent(QEvent.Type.KeyPress, code, Qt.KeyboardModifier.NoModifier, key)
    QApplication.sendEvent(target.window().windowHandle(), event)


def _type(qtbot, clock, target, keys, gap_ms):
    for key in keys:
        _press(target, key)
        clock.now += gap_ms
        if gap_ms > 50:
            qtbot.wait(60)  # let the filter's timer hand held keys back


def _setup(qtbot):
    window = QWidget()
    layout = QVBoxLayout(window)
    field, other = QLineEdit(window), QLineEdit(window)
    layout.addWidget(field)
    layout.addWidget(other)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    clock = FakeClock()
    wedge = WedgeFilter(ScannerConfig(), window, clock=clock)
    wedge.install()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    field.window_ref = window  # type: ignore[attr-defined]  # keep the window alive
    return field, other, wedge, clock


def test_a_burst_is_swallowed_from_the_focused_field_and_emitted(qtbot):
    field, _other, wedge, clock = _setup(qtbot)
    field.setText("52.")
    field.setCursorPosition(3)
    with qtbot.waitSignal(wedge.scanned) as signal:
        _type(qtbot, clock, field, [*"4006381333931", "Enter"], gap_ms=5)
    assert signal.args == ["4006381333931"]
    assert field.text() == "52."  # the code did not land in the measurement field


def test_a_tab_terminated_burst_is_a_scan_too(qtbot):
    field, _other, wedge, clock = _setup(qtbot)
    with qtbot.waitSignal(wedge.scanned) as signal:
        _type(qtbot, clock, field, [*"RMA-NK-000123", "Tab"], gap_ms=5)
    assert signal.args == ["RMA-NK-000123"] and field.hasFocus()  # the Tab was swallowed too


def test_slow_typing_passes_through_untouched(qtbot):
    field, _other, wedge, clock = _setup(qtbot)
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    _type(qtbot, clock, field, list("53,5"), gap_ms=150)
    qtbot.waitUntil(lambda: field.text() == "53,5")
    submitted: list[str] = []
    field.returnPressed.connect(lambda: submitted.append(field.text()))
    _press(field, "Enter")
    assert submitted == ["53,5"] and scans == []


def test_a_short_fast_pair_is_given_back_in_order(qtbot):
    field, _other, _wedge, clock = _setup(qtbot)
    _type(qtbot, clock, field, list("ok"), gap_ms=5)
    qtbot.waitUntil(lambda: field.text() == "ok")


def test_every_key_or_mouse_press_anywhere_counts_as_someone_at_the_bench(qtbot):
    """The idle sign-out clock hears about presses through this filter, including the keys of
    a scan it swallows; other events do not count."""
    field, other, wedge, clock = _setup(qtbot)
    presses: list[int] = []
    wedge.on_user_input = lambda: presses.append(1)
    QApplication.sendEvent(field, QEvent(QEvent.Type.UpdateRequest))
    field.update()
    qtbot.wait(20)  # paints, timers and layouts pass the filter too
    assert presses == []
    # Through the window, as the window system delivers it; the click moves the focus there.
    QTest.mouseClick(
        other.window().windowHandle(),
        Qt.MouseButton.LeftButton,
        pos=other.mapTo(other.window(), other.rect().center()),
    )
    qtbot.waitUntil(other.hasFocus)
    assert presses
    count = len(presses)
    with qtbot.waitSignal(wedge.scanned):
        _type(qtbot, clock, other, [*"RMA-1", "Enter"], gap_ms=5)
    assert len(presses) - count >= 6  # five characters and Enter, each at least once


def test_a_window_shown_after_install_is_watched_once_it_has_the_focus(qtbot):
    """A dialog opened later (sign-in, settings): a scan there is a scan too."""
    _field, _other, wedge, clock = _setup(qtbot)
    dialog = QWidget()
    qtbot.addWidget(dialog)
    dialog_field = QLineEdit(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog_field.setFocus()
    qtbot.waitUntil(dialog_field.hasFocus)
    with qtbot.waitSignal(wedge.scanned) as signal:
        _type(qtbot, clock, dialog_field, [*"RMA-NK-000123", "Enter"], gap_ms=5)
    assert signal.args == ["RMA-NK-000123"] and dialog_field.text() == ""
