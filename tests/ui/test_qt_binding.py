"""The Qt binding itself must not corrupt Python's reference counts.

PySide6 6.12.0 on Python 3.11 loses a reference to ``None`` on every void Qt call and to
``True`` on every signal emit; a bench makes ~20,000 of those per inspection and aborted with
"bool_dealloc" after a few parcels. This fails on such a binding long before that happens.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

CALLS = 20_000


class _Emitter(QObject):
    fired = Signal(str)


def test_void_calls_and_signal_emits_keep_reference_counts(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    emitter = _Emitter()
    received: list[str] = []
    emitter.fired.connect(received.append)
    before_none, before_true = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(CALLS):
        label.setText("x")
        emitter.fired.emit("a")
    lost_none = before_none - sys.getrefcount(None)
    lost_true = before_true - sys.getrefcount(True)
    assert len(received) == CALLS
    # A few references may come and go with the interpreter's own work; a leak loses ~CALLS.
    assert abs(lost_none) < 100 and abs(lost_true) < 100, (lost_none, lost_true)
