"""What a busy grader notices without looking: a sound per bench event, and a short flash.

The bench view-model emits ``feedback`` with a :class:`~ui.viewmodels.bench.Feedback` value;
:class:`SoundFeedback` plays that event's sound (``resources/sounds``, made by
``scripts/make_sounds.py``) and :class:`FlashFeedback` tints a widget for a moment.

Sound is a nicety, never a reason to fail: Qt Multimedia is imported lazily and needs the
system's PulseAudio client library on Linux; without it, without an audio output device, or
when an effect cannot load its file, the bench is simply silent (said once in the log at INFO).
Effects are created once and reused; :class:`QSoundEffect` decodes its file asynchronously and
plays on Qt's audio thread, so :meth:`SoundFeedback.play` never blocks the UI thread.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, QUrl
from PySide6.QtWidgets import QWidget

from ui.theme import set_style_property
from ui.viewmodels.bench import BenchViewModel, Feedback

log = logging.getLogger(__name__)

SOUND_DIR = Path(__file__).resolve().parents[1] / "resources" / "sounds"

#: The sound of each bench event (files in SOUND_DIR).
SOUND_FILES: Mapping[Feedback, str] = {
    Feedback.SCAN_ACCEPTED: "scan_accepted.wav",
    Feedback.SCAN_REJECTED: "scan_rejected.wav",
    Feedback.VERDICT_RECORDED: "verdict_recorded.wav",
}

#: The ``flash`` level (a stylesheet rule in ui.theme) of each bench event.
FLASH_LEVELS: Mapping[Feedback, str] = {
    Feedback.SCAN_ACCEPTED: "success",
    Feedback.SCAN_REJECTED: "error",
    Feedback.VERDICT_RECORDED: "success",
}

DEFAULT_VOLUME = 0.8


class SoundEffect(Protocol):
    """The part of QSoundEffect the bench uses (tests inject their own)."""

    def play(self) -> None: ...


#: Makes the effect for one file; calls ``on_error`` should it later fail to load.
EffectFactory = Callable[[Path, Callable[[], None]], SoundEffect]


def qt_effect_factory(owner: QObject, volume: float = DEFAULT_VOLUME) -> EffectFactory | None:
    """QSoundEffect-backed effects, or None (logged at INFO) when the machine cannot play."""
    try:
        multimedia: Any = importlib.import_module("PySide6.QtMultimedia")
    except Exception as exc:  # ImportError (libpulse.so.0 missing) or a broken plugin
        log.info("bench sounds off: Qt Multimedia unavailable (%s)", exc)
        return None
    try:
        outputs = multimedia.QMediaDevices.audioOutputs()
    except Exception as exc:
        log.info("bench sounds off: cannot list audio outputs (%s)", exc)
        return None
    if not outputs:
        log.info("bench sounds off: no audio output device")
        return None

    def make(path: Path, on_error: Callable[[], None]) -> SoundEffect:
        effect = multimedia.QSoundEffect(owner)
        error = multimedia.QSoundEffect.Status.Error

        def status_changed() -> None:
            if effect.status() == error:
                on_error()

        effect.statusChanged.connect(status_changed)
        effect.setVolume(volume)
        effect.setSource(QUrl.fromLocalFile(str(path)))  # loads asynchronously
        return effect

    return make


class SoundFeedback(QObject):
    """One sound per :class:`Feedback` value; silent (``available`` False) where sound can't be.

    ``effect_factory`` is the seam for tests: by default the effects are Qt's.
    """

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        enabled: bool = True,
        sound_dir: Path = SOUND_DIR,
        effect_factory: EffectFactory | None = None,
        volume: float = DEFAULT_VOLUME,
    ) -> None:
        super().__init__(parent)
        self._enabled = enabled
        self._effects: dict[str, SoundEffect] = {}
        self._reported = False
        factory = effect_factory or qt_effect_factory(self, volume)
        if factory is None:
            return
        for kind, filename in SOUND_FILES.items():
            path = sound_dir / filename
            if not path.is_file():
                self._off(f"{path} is missing")
                continue
            try:
                self._effects[kind] = factory(path, partial(self._failed, kind))
            except Exception as exc:
                self._off(f"cannot create the {kind} sound ({exc})")

    @property
    def available(self) -> bool:
        """Whether any sound can be played at all (enabled or not)."""
        return bool(self._effects)

    @property
    def enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        self._enabled = enabled

    def play(self, kind: str) -> None:
        """Play the sound of ``kind`` (a Feedback value); does nothing when off or unknown."""
        if not self._enabled:
            return
        effect = self._effects.get(kind)
        if effect is None:
            return
        try:
            effect.play()
        except Exception as exc:  # a sound must never take the bench down
            self._effects.pop(kind, None)
            self._off(f"the {kind} sound failed ({exc})")

    def connect_to(self, vm: BenchViewModel) -> None:
        vm.feedback.connect(self.play)

    def _failed(self, kind: str) -> None:
        if self._effects.pop(kind, None) is not None:
            self._off(f"the {kind} sound could not be loaded")

    def _off(self, reason: str) -> None:
        if not self._reported:
            self._reported = True
            log.info("bench sounds off: %s", reason)


class FlashFeedback(QObject):
    """Tints ``widget`` for a moment: sets its ``flash`` property (coloured by the theme's
    stylesheet) and clears it from a single-shot timer owned by the widget, so a widget that
    is closed takes its pending timer with it. A new flash restarts the timer."""

    def __init__(self, widget: QWidget, duration_ms: int = 400) -> None:
        super().__init__(widget)
        self._widget = widget
        self._timer = QTimer(widget)
        self._timer.setSingleShot(True)
        self._timer.setInterval(duration_ms)
        self._timer.timeout.connect(self.clear)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def flash(self, kind: str) -> None:
        """Flash for a Feedback value, or directly for a level ("success", "error")."""
        level = FLASH_LEVELS.get(kind, kind)  # type: ignore[call-overload]
        set_style_property(self._widget, "flash", level)
        self._timer.start()

    def clear(self) -> None:
        self._timer.stop()
        set_style_property(self._widget, "flash", None)

    def connect_to(self, vm: BenchViewModel) -> None:
        vm.feedback.connect(self.flash)
