"""Catch keyboard-wedge scans anywhere in the application, not only in the scan field.

The filter watches the application's windows: a key press reaches the window that has the
keyboard focus before Qt hands it to the focused widget, so the filter sees every key typed
anywhere and feeds it to the Qt-free ``devices.wedge.WedgeParser``. Keys that might start a
scan are held back; if they turn out to be typing (the next key is slow, or a timer runs out)
they are re-sent to the window, which hands them to the widget with the focus, at most
``wedge_max_interkey_ms`` late, which a person does not notice. A completed burst is
swallowed, so a scan into a focused measurement field leaves no code there, and ``scanned``
is emitted instead. Shortcuts and keys with Ctrl/Alt/Meta pass at once.

It also tells ``on_user_input`` about every key or mouse press (the signed-in session's idle
clock). Why windows and not the ``QApplication``: every event of the application (each
widget's paints, layouts, moves, timers) passes an application-wide filter, and a Python
filter costs a call into Python, and the GIL, per event. In ``bench/bench_ui.py`` such filters
took a quarter of the main thread's CPU, and waiting for the GIL between those calls was most
of the longest stalls. A window sees its input and little else.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QMouseEvent, QWindow
from PySide6.QtWidgets import QApplication, QWidget

from devices.config import ScannerConfig
from devices.wedge import GS, KeyFate, ScanEvent, WedgeParser

Clock = Callable[[QKeyEvent], float]
# A window with this property set takes its keys as typing, never as scans (the sign-in
# dialog: a PIN typed fast is a PIN).
OWN_KEYS_PROPERTY = "keysAreTyping"
# After a late timer, how long the queue gets to deliver the rest of a burst.
CATCH_UP_MS = 10

_NAMED_KEYS = {
    Qt.Key.Key_Return: "Enter",
    Qt.Key.Key_Enter: "Enter",
    Qt.Key.Key_Tab: "Tab",
}
# Modifier keys: a scanner presses Shift around each capital letter, may toggle Caps Lock, and
# holds Alt through an Alt-numpad code. The parser keeps them inside a burst.
_MODIFIER_KEYS = {
    Qt.Key.Key_Shift: "Shift",
    Qt.Key.Key_CapsLock: "CapsLock",
    Qt.Key.Key_Control: "Control",
    Qt.Key.Key_Alt: "Alt",
    Qt.Key.Key_AltGr: "AltGr",
    Qt.Key.Key_Meta: "Meta",
    Qt.Key.Key_NumLock: "NumLock",
    Qt.Key.Key_ScrollLock: "ScrollLock",
}
# An Alt code typed on the keypad with Num Lock off arrives as the keypad's other meaning.
_KEYPAD_DIGITS = {
    Qt.Key.Key_Insert: 0,
    Qt.Key.Key_End: 1,
    Qt.Key.Key_Down: 2,
    Qt.Key.Key_PageDown: 3,
    Qt.Key.Key_Left: 4,
    Qt.Key.Key_Clear: 5,
    Qt.Key.Key_Right: 6,
    Qt.Key.Key_Home: 7,
    Qt.Key.Key_Up: 8,
    Qt.Key.Key_PageUp: 9,
}
_BLOCKING_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def event_time_ms(event: QKeyEvent) -> float:
    """The window system's timestamp (when the key was pressed, even if the UI was busy);
    synthetic events have none, so they fall back to the monotonic clock."""
    return float(event.timestamp()) or time.monotonic() * 1000.0


def key_name(event: QKeyEvent) -> str | None:
    """The parser's name for a key press, or None for keys a scanner never sends."""
    modifiers = event.modifiers()
    key = event.key()
    text = event.text()
    if key in _MODIFIER_KEYS:
        return _MODIFIER_KEYS[Qt.Key(key)]
    if text == GS:
        return GS  # Ctrl+] on some scanners
    alt_keypad = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.KeypadModifier
    if (modifiers & alt_keypad) == alt_keypad:  # Alt + numpad digit: part of an Alt code
        if Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
            return f"Alt+{key - Qt.Key.Key_0}"
        if key in _KEYPAD_DIGITS:
            return f"Alt+{_KEYPAD_DIGITS[Qt.Key(key)]}"
    if modifiers & _BLOCKING_MODIFIERS:
        return None
    if key in _NAMED_KEYS:
        return _NAMED_KEYS[Qt.Key(key)]
    if len(text) == 1 and text.isprintable():
        return text
    return None


class WedgeFilter(QObject):
    scanned = Signal(str)
    scanEvent = Signal(object)  # the full ScanEvent (symbology identifier included)

    def __init__(
        self,
        config: ScannerConfig | None = None,
        parent: QObject | None = None,
        *,
        clock: Clock = event_time_ms,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.parser = WedgeParser(config)
        self._clock = clock
        self._monotonic = monotonic
        self._armed_at_ms = 0.0
        self._caught_up = False
        self._held: list[tuple[QObject, QKeyEvent]] = []
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timed_out)
        self._last_ms = 0.0
        # Widgets whose own input a scanner may type into (e.g. a serial-number field while
        # inspecting): scans there are left alone instead of being taken as a parcel scan.
        self.passthrough: Callable[[QWidget | None], bool] | None = None  # the focused widget
        # Called on every key or mouse press anywhere (a person is at the bench).
        self.on_user_input: Callable[[], None] | None = None

    def install(self) -> None:
        """Watch every window there is, and each window as it gets the keyboard focus (one
        shown later: a dialog, or the bench window itself when built before it is shown)."""
        app = QGuiApplication.instance()
        if not isinstance(app, QGuiApplication):
            return
        for window in app.topLevelWindows():
            self.watch(window)
        app.focusWindowChanged.connect(self.watch)

    def watch(self, window: QWindow | None) -> None:
        if window is not None:
            window.installEventFilter(self)  # installing it twice keeps one

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A window's events pass here: the isinstance test is cheap, while event.type()
        # builds a Python enum each time.
        if self._replaying:
            return False
        if not isinstance(event, QKeyEvent):
            if (
                self.on_user_input is not None
                and isinstance(event, QMouseEvent)
                and event.type() == QEvent.Type.MouseButtonPress
            ):
                self.on_user_input()
            return False
        if event.type() != QEvent.Type.KeyPress:
            return False
        if self.on_user_input is not None:
            self.on_user_input()
        if not isinstance(watched, QWindow):
            return False  # installed on something else by hand: only windows see every key
        if self.passthrough is not None and self.passthrough(QApplication.focusWidget()):
            return False
        assert isinstance(event, QKeyEvent)
        name = key_name(event)
        now = self._clock(event)
        if name is None:
            self._deliver(self.parser.flush(now + 10**9))  # keep the order: held keys first
            return False
        step = self.parser.feed(now, name)
        self._deliver(step.released)
        self._last_ms = now
        if step.fate is KeyFate.HELD:
            self._held.append((watched, self._copy(event)))
            self._timer.start(self.parser.config.wedge_max_interkey_ms + 5)
            self._armed_at_ms, self._caught_up = self._monotonic() * 1000.0, False
            return True
        if step.fate is KeyFate.CONSUMED:
            self._held.clear()
            self._timer.stop()
            if step.scan is not None:
                self._emit(step.scan)
            return True
        return False

    def _timed_out(self) -> None:
        """No key came within the inter-key gap: what is held was typing, unless the timer
        itself is late. A late timer means the main thread was busy, and the rest of a burst
        may be waiting in the queue behind it (their timestamps are the window system's, so
        they still read as a burst): give the queue one more turn before deciding."""
        overdue = self._monotonic() * 1000.0 - self._armed_at_ms
        if not self._caught_up and overdue > 2 * self._timer.interval():
            self._caught_up = True
            self._timer.start(CATCH_UP_MS)
            return
        self._deliver(self.parser.flush(self._last_ms + self.parser.config.wedge_max_interkey_ms))

    def _deliver(self, released: tuple[str, ...]) -> None:
        """Re-send held keys that proved to be typing to their window, which gives them to
        its focused widget."""
        if not released:
            return
        held, self._held = self._held[: len(released)], self._held[len(released) :]
        self._replaying = True
        try:
            for receiver, event in held:
                target = receiver if _alive(receiver) else QGuiApplication.focusWindow()
                if target is not None:
                    QApplication.sendEvent(target, event)
                    release = QKeyEvent(
                        QEvent.Type.KeyRelease, event.key(), event.modifiers(), event.text()
                    )
                    QApplication.sendEvent(target, release)
        finally:
            self._replaying = False

    def _emit(self, scan: ScanEvent) -> None:
        self.scanEvent.emit(scan)
        self.scanned.emit(scan.text)

    @staticmethod
    def _copy(event: QKeyEvent) -> QKeyEvent:
        return QKeyEvent(QEvent.Type.KeyPress, event.key(), event.modifiers(), event.text())


def _alive(obj: QObject) -> bool:
    try:
        obj.objectName()
    except RuntimeError:  # the C++ object is gone
        return False
    return True
