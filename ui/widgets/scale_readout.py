"""Live scale readout on the inspection screen: what is on the pan now, stable or not.

The scale driver runs on its own thread (or is a simulator); this widget asks it for the latest
reading a few times a second on the general worker pool, so the main thread never waits on the
serial port, and shows it large with its state colour. "Weigh" records a reading; this only
shows one, so a grader can see the scale settle before pressing F6.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from devices.scale import Weight
from ui.viewmodels.bench import BenchViewModel

STATE_COLOURS = {
    "ok": "#1e7b34",
    "unstable": "#8a5300",
    "overload": "#b00020",
    "underload": "#b00020",
    "error": "#b00020",
}


class ScaleReadout(QLabel):
    def __init__(
        self, vm: BenchViewModel, parent: QWidget | None = None, *, interval_ms: int = 200
    ) -> None:
        super().__init__(parent)
        self.setObjectName("scaleReadout")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(40)
        self._vm = vm
        self._has_scale = vm.has_scale
        self._in_flight = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._poll)
        if not self._has_scale:
            self.setText(self.tr("No scale connected: type the weight"))
            self.setStyleSheet("color:#666666;")
        else:
            self.setText(self.tr("Scale: waiting for a reading…"))

    def showEvent(self, event: object) -> None:
        if self._has_scale:
            self._timer.start()
        super().showEvent(event)  # type: ignore[arg-type]

    def hideEvent(self, event: object) -> None:
        self._timer.stop()
        super().hideEvent(event)  # type: ignore[arg-type]

    def _poll(self) -> None:
        if self._in_flight or not self._has_scale:
            return  # a slow scale never piles up requests
        self._in_flight = True
        self._vm.peek_scale(self._show, self._failed)

    def show_weight(self, weight: Weight) -> None:
        status = weight.status if weight.status in STATE_COLOURS else "ok"
        if status == "ok" and not weight.stable:
            status = "unstable"
        words = {
            "ok": self.tr("stable"),
            "unstable": self.tr("settling…"),
            "overload": self.tr("OVERLOAD: take the item off"),
            "underload": self.tr("UNDER ZERO: zero the scale"),
            "error": self.tr("scale error"),
        }
        self.setText(f"<span style='font-size:18pt'><b>{weight.grams:.1f} g</b></span> "
                     f"{words[status]}")  # fmt: skip
        self.setStyleSheet(f"color:{STATE_COLOURS[status]};")

    def _show(self, weight: Weight) -> None:
        self._in_flight = False
        self.show_weight(weight)

    def _failed(self, error: BaseException) -> None:
        self._in_flight = False
        self.setText(self.tr("Scale: {error}").format(error=error))
        self.setStyleSheet(f"color:{STATE_COLOURS['error']};")
