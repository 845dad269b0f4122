"""Live scale readout on the inspection screen: what is on the pan now, stable or not.

The scale driver runs on its own thread (or is a simulator); this widget asks it for the latest
reading a few times a second on the general worker pool, so the main thread never waits on the
serial port, and shows it large with its state colour. "Weigh" records a reading; this only
shows one, so a grader can see the scale settle before pressing F6.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget
from shiboken6 import isValid

from devices.scale import Weight
from ui.i18n import Retranslatable
from ui.theme import TOUCH_TARGET_PX, set_style_property
from ui.viewmodels.bench import BenchViewModel

# The theme's state (ui/theme.py) each scale status is shown in.
STATE_LEVELS = {
    "ok": "success",
    "unstable": "warning",
    "overload": "error",
    "underload": "error",
    "error": "error",
}


class ScaleReadout(Retranslatable, QLabel):
    def __init__(
        self, vm: BenchViewModel, parent: QWidget | None = None, *, interval_ms: int = 200
    ) -> None:
        super().__init__(parent)
        self.setObjectName("scaleReadout")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setMinimumHeight(TOUCH_TARGET_PX)
        self._vm = vm
        self._has_scale = vm.has_scale
        self._in_flight = False
        # The last thing shown (a reading or the scale's error), said again on a switch.
        self._weight: Weight | None = None
        self._error: str | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._poll)
        if not self._has_scale:
            set_style_property(self, "state", None)
        self.retranslate()

    def retranslate(self) -> None:
        if not self._has_scale:
            self.setText(self.tr("No scale connected: type the weight"))
        elif self._error is not None:
            self.setText(self.tr("Scale: {error}").format(error=self._error))
        elif self._weight is not None:
            self._show_weight_text(self._weight)
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

    @staticmethod
    def _status(weight: Weight) -> str:
        status = weight.status if weight.status in STATE_LEVELS else "ok"
        return "unstable" if status == "ok" and not weight.stable else status

    def show_weight(self, weight: Weight) -> None:
        self._weight, self._error = weight, None
        self._show_weight_text(weight)
        set_style_property(self, "state", STATE_LEVELS[self._status(weight)])

    def _show_weight_text(self, weight: Weight) -> None:
        words = {
            "ok": self.tr("stable"),
            "unstable": self.tr("settling…"),
            "overload": self.tr("OVERLOAD: take the item off"),
            "underload": self.tr("UNDER ZERO: zero the scale"),
            "error": self.tr("scale error"),
        }
        status = self._status(weight)
        if status in ("overload", "underload", "error"):
            # A fault carries no weight: no "0.0 g" that reads like one.
            self.setText(f"<b>{html.escape(words[status])}</b>")
            return
        grams = self.tr("{grams} g").format(grams=f"{weight.grams:.1f}")
        # TRANSLATORS: the scale readout: a weight ("512.0 g") and the scale's state.
        text = self.tr("{weight} {state}").format(
            weight=f"<span style='font-size:18pt'><b>{html.escape(grams)}</b></span>",
            state=html.escape(words[self._status(weight)]),
        )
        self.setText(text)

    def _show(self, weight: Weight) -> None:
        self._in_flight = False
        if isValid(self):  # a reading can come back after the readout is gone
            self.show_weight(weight)

    def _failed(self, error: BaseException) -> None:
        self._in_flight = False
        if not isValid(self):
            return
        self._weight, self._error = None, str(error)
        self.setText(self.tr("Scale: {error}").format(error=self._error))
        set_style_property(self, "state", "error")
