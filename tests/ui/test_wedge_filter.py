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


def _send(target: QWidget, kind: QEvent.Type, key: Qt.Key, modifiers, text: str = "") -> None:
    event = QKeyEvent(kind, key, modifiers, text)
    QApplication.sendEvent(target.window().windowHandle(), event)


def _type_as_a_keyboard(qtbot, clock, target, text: str, gap_ms: float, caps_lock=False):
    """What X delivers for a USB keyboard-wedge scanner: Shift pressed and released around
    each capital letter (or Caps Lock toggled), each a key event of its own without text."""
    shift = Qt.KeyboardModifier.ShiftModifier
    none = Qt.KeyboardModifier.NoModifier
    press, release = QEvent.Type.KeyPress, QEvent.Type.KeyRelease
    for char in text:
        key = Qt.Key(ord(char.upper())) if char.isalnum() else Qt.Key.Key_Minus
        if char.isupper() and caps_lock:
            _send(target, press, Qt.Key.Key_CapsLock, none)
            _send(target, release, Qt.Key.Key_CapsLock, none)
            _send(target, press, key, none, char)
            _send(target, release, key, none, char)
            _send(target, press, Qt.Key.Key_CapsLock, none)
            _send(target, release, Qt.Key.Key_CapsLock, none)
        elif char.isupper():
            _send(target, press, Qt.Key.Key_Shift, none)
            _send(target, press, key, shift, char)
            _send(target, release, key, shift, char)
            _send(target, release, Qt.Key.Key_Shift, shift)
        else:
            _send(target, press, key, none, char)
            _send(target, release, key, none, char)
        clock.now += gap_ms
        if gap_ms > 50:
            qtbot.wait(60)


def test_a_scan_with_shift_around_each_capital_is_one_scan_and_leaves_nothing(qtbot):
    # Found at a bench: "RMA-N" was left in the field and "K-104669" looked up.
    for caps_lock in (False, True):
        field, _other, wedge, clock = _setup(qtbot)
        with qtbot.waitSignal(wedge.scanned) as signal:
            _type_as_a_keyboard(qtbot, clock, field, "RMA-NK-104669", 4, caps_lock)
            _press(field, "Enter")
        assert signal.args == ["RMA-NK-104669"]
        qtbot.wait(80)  # past the filter's timer: nothing held comes back late
        assert field.text() == ""


def test_capitals_typed_by_a_person_still_reach_the_field(qtbot):
    field, _other, wedge, clock = _setup(qtbot)
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    _type_as_a_keyboard(qtbot, clock, field, "Pilling", 120)
    qtbot.waitUntil(lambda: field.text() == "Pilling")
    assert scans == []


def test_the_group_separator_as_ctrl_bracket_or_an_alt_code_with_num_lock_off(qtbot):
    field, _other, wedge, clock = _setup(qtbot)
    none, ctrl = Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ControlModifier
    alt_keypad = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.KeypadModifier
    press = QEvent.Type.KeyPress

    def chars(text: str) -> None:
        for char in text:
            _send(field, press, Qt.Key(ord(char)), none, char)
            clock.now += 4

    with qtbot.waitSignal(wedge.scanned) as signal:
        chars("10ABC")
        _send(field, press, Qt.Key.Key_BracketRight, ctrl, "\x1d")  # Ctrl+]
        chars("21XY")
        _press(field, "Enter")
    assert signal.args == ["10ABC\x1d21XY"]
    with qtbot.waitSignal(wedge.scanned) as signal:
        chars("10ABC")
        _send(field, press, Qt.Key.Key_Alt, none)
        # Alt + keypad 0, 0, 2, 9 with Num Lock off: Insert, Insert, Down, PageUp.
        for key in (Qt.Key.Key_Insert, Qt.Key.Key_Insert, Qt.Key.Key_Down, Qt.Key.Key_PageUp):
            _send(field, press, key, alt_keypad)
            clock.now += 4
        chars("21XY")
        _press(field, "Enter")
    assert signal.args == ["10ABC\x1d21XY"] and field.text() == ""


class _SteppedClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_late_timer_waits_one_more_turn_for_the_rest_of_the_burst(qtbot):
    """A busy main thread fires the filter's timer late, with the burst's next keys still
    queued behind it: their window-system timestamps say they are one scan."""
    field, _other, wedge, clock = _setup(qtbot)
    monotonic = _SteppedClock()
    wedge._monotonic = monotonic
    _press(field, "R")
    monotonic.now += 0.3  # the main thread was busy for 300 ms
    wedge._timed_out()  # the late timer: the R is not given to the field yet
    assert field.text() == "" and wedge.parser.holding
    with qtbot.waitSignal(wedge.scanned) as signal:
        clock.now += 4  # the next keys were pressed 4 ms after the R
        for char in "MA-NK-104669":
            _press(field, char)
            clock.now += 4
        _press(field, "Enter")
    assert signal.args == ["RMA-NK-104669"] and field.text() == ""
    _press(field, "x")
    monotonic.now += 0.06  # on time: typing is given back at once
    wedge._timed_out()
    assert field.text() == "x"
