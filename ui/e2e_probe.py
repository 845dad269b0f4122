"""What the end-to-end tests need to know that the screen cannot tell them reliably.

The tests in ``tests/e2e`` drive the real window under Xvfb through the X server, and read the
outcome from the database and from screenshots. A few things are neither in the database nor
safely readable from pixels: the text left in the scan field, the message line, which widget
(and which checklist item) has the keyboard focus, which dialogs are open, who is signed in.
This probe writes them as one JSON object per line to the file named by ``STATION_E2E_PROBE``,
each time they change; a test reads the last line for "now" and all lines for "never".

Opt-in and cheap: nothing is built unless the variable is set. Then a 100 ms timer and the
view-model's state and message signals take a snapshot (a dozen Qt getters), and a line is
appended only when it differs from the last one. The signals catch states that last less
than a timer tick (a "no RMA found" prompt that the next scan replaces at once). A failure
here is logged and never reaches the bench.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from ui.viewmodels.bench import BenchViewModel
from ui.widgets.bench_window import BenchWindow

log = logging.getLogger(__name__)

ENV = "STATION_E2E_PROBE"
POLL_MS = 100


def install_if_asked(window: BenchWindow, vm: BenchViewModel) -> E2EProbe | None:
    """The probe, when ``STATION_E2E_PROBE`` names a file; None otherwise (the usual case)."""
    path = os.environ.get(ENV)
    if not path:
        return None
    log.warning("end-to-end probe on: writing the bench's state to %s", path)
    return E2EProbe(window, vm, Path(path))


class E2EProbe(QObject):
    def __init__(self, window: BenchWindow, vm: BenchViewModel, path: Path) -> None:
        super().__init__(window)
        self._window = window
        self._vm = vm
        self._path = path
        self._last = ""
        self._seq = 0
        vm.stateChanged.connect(self.poll)
        vm.messageChanged.connect(self.poll)
        window.scan_bar.field.textChanged.connect(self.poll)
        if window.session is not None:
            window.session.userChanged.connect(self.poll)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self._timer.start()

    def poll(self, *_changed: object) -> None:
        try:
            snapshot = self.snapshot()
            line = json.dumps(snapshot, sort_keys=True, default=str)
            if line == self._last:
                return
            self._last = line
            self._seq += 1
            stamped = {"seq": self._seq, "t_ms": round(time.monotonic() * 1000), **snapshot}
            with self._path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(stamped, sort_keys=True, default=str) + "\n")
        except Exception:  # a probe must never take the bench down
            log.exception("end-to-end probe failed")

    def snapshot(self) -> dict[str, Any]:
        window, vm = self._window, self._vm
        session = window.session
        user = session.user if session is not None else None
        inspection = vm.inspection
        named = _named(window)
        return {
            "state": vm.state.value,
            "message": {"level": window.message.property("level"), "text": window.message.text()},
            "scan_field": window.scan_bar.field.text(),
            "focus": _focus(named),
            "dialogs": _dialogs(window),
            "user": user.username if user is not None else None,
            "rma": vm.rma.number if vm.rma is not None else None,
            "inspection": str(inspection.id) if inspection is not None else None,
            "can_finalize": vm.can_finalize,
            "missing": vm.missing_labels() if inspection is not None else [],
            "photos": list(inspection.photo_roles) if inspection is not None else [],
            "weight_g": inspection.weight_g if inspection is not None else None,
            "typed_weight": _text(named["weight_input"]),
            "problems": _problems(window),
            "widgets": _geometry(named),
        }


def _focus(named: dict[str, QWidget | None]) -> dict[str, Any] | None:
    widget = QApplication.focusWidget()
    if widget is None:
        return None
    item: QWidget | None = widget
    while item is not None and not item.objectName().startswith("item_"):
        item = item.parentWidget()
    on = next((name for name, named_widget in named.items() if named_widget is not None
               and (named_widget is widget or named_widget.isAncestorOf(widget))), None)  # fmt: skip
    return {
        "class": type(widget).__name__,
        "name": widget.objectName(),
        "on": on,  # which of the named widgets (weight_input, ...) has it, if one does
        "item": item.objectName().removeprefix("item_") if item is not None else None,
        "item_class": type(item).__name__ if item is not None else None,
        "window": widget.window().windowTitle(),
        "password": isinstance(widget, QLineEdit)
        and widget.echoMode() is QLineEdit.EchoMode.Password,
    }


def _dialogs(window: QWidget) -> list[dict[str, str]]:
    return [
        {"class": type(widget).__name__, "title": widget.windowTitle()}
        for widget in QApplication.topLevelWidgets()
        if widget is not window and widget.isVisible() and widget.isWindow()
        and type(widget).__name__ not in ("QMenu", "QToolTip", "QTipLabel")
    ]  # fmt: skip


def _named(window: BenchWindow) -> dict[str, QWidget | None]:
    """The widgets a test may need to find on the screen or ask about, by attribute (they
    have no mouse-free way in yet, or no object name on every version of the bench)."""
    form = window.form
    return {
        name: widget if isinstance(widget, QWidget) else None
        for name, widget in (
            ("scan_field", window.scan_bar.field),
            ("weight_input", getattr(form, "weight_input", None)),
            ("use_weight", getattr(form, "use_weight_button", None)),
            ("weigh", getattr(form, "weigh_button", None)),
            ("finalize", getattr(form, "finalize_button", None)),
        )
    }


def _geometry(named: dict[str, QWidget | None]) -> dict[str, list[int]]:
    """Screen rectangles of the named widgets that are shown (to click them)."""
    shown: dict[str, list[int]] = {}
    for name, widget in named.items():
        if widget is not None and widget.isVisible():
            top_left = widget.mapToGlobal(widget.rect().topLeft())
            shown[name] = [top_left.x(), top_left.y(), widget.width(), widget.height()]
    return shown


def _text(widget: QWidget | None) -> str | None:
    text = getattr(widget, "text", None)
    return str(text()) if callable(text) else None


def _problems(window: QWidget) -> dict[str, str]:
    """What the lines under typed fields say (``...Problem`` labels shown: a refusal, a
    question about a value)."""
    return {
        label.objectName(): label.text()
        for label in window.findChildren(QLabel)
        if label.objectName().endswith("Problem") and label.isVisible() and label.text()
    }
