"""Bench sounds and flashes: distinct sounds per event, silently off where sound can't be."""

from __future__ import annotations

import importlib.util
import logging
import sys
import types
import wave
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLineEdit

from tests.factories import UPS
from ui.feedback import (
    FLASH_LEVELS,
    SOUND_DIR,
    SOUND_FILES,
    FlashFeedback,
    SoundFeedback,
)
from ui.viewmodels.bench import Feedback

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_sounds.py"


def _read(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getcomptype()) == (1, 2, "NONE")
        rate = wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    return np.frombuffer(frames, "<i2").astype(float) / 32768, rate


def _dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


class FakeEffect:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.plays = 0

    def play(self) -> None:
        self.plays += 1


def _fake_sounds(**kwargs) -> tuple[SoundFeedback, dict[str, FakeEffect]]:
    made: dict[str, FakeEffect] = {}

    def factory(path: Path, on_error) -> FakeEffect:
        made[path.stem] = FakeEffect(path)
        return made[path.stem]

    return SoundFeedback(effect_factory=factory, **kwargs), made


def test_every_feedback_has_its_own_short_valid_sound() -> None:
    assert set(SOUND_FILES) == set(Feedback)
    assert len(set(SOUND_FILES.values())) == len(Feedback)
    decoded = {kind: _read(SOUND_DIR / name) for kind, name in SOUND_FILES.items()}
    for kind, (samples, rate) in decoded.items():
        seconds = len(samples) / rate
        assert 0.05 <= seconds <= 0.4, f"{kind}: {seconds:.3f} s"
        assert 0.3 < np.abs(samples).max() < 1.0, kind  # audible, not clipped
        # Soft attack and release: starts and ends at silence, no click.
        assert abs(samples[0]) < 0.01 and abs(samples[-1]) < 0.01, kind
        head = np.abs(samples[: rate // 1000]).max()  # the first millisecond
        assert head < 0.25 * np.abs(samples).max(), kind
        assert (SOUND_DIR / SOUND_FILES[kind]).stat().st_size < 40_000
    accepted, _ = decoded[Feedback.SCAN_ACCEPTED]
    rejected, _ = decoded[Feedback.SCAN_REJECTED]
    chime, rate = decoded[Feedback.VERDICT_RECORDED]
    # A high blip, a low buzz, and a chime that rises.
    assert _dominant_hz(accepted, rate) > 1000
    assert _dominant_hz(rejected, rate) < 400
    first, second = chime[: len(chime) // 3], chime[-len(chime) // 3 :]
    assert _dominant_hz(second, rate) > 1.3 * _dominant_hz(first, rate)
    # The rejection buzzes twice: a silent gap between two bursts.
    window = rate // 100  # 10 ms, almost two periods of the buzz
    envelope = np.abs(rejected[: len(rejected) // window * window]).reshape(-1, window).max(axis=1)
    loud = envelope > 0.2 * envelope.max()
    assert np.count_nonzero(np.diff(loud.astype(int)) == 1) + int(loud[0]) == 2
    lengths = {len(samples) for samples, _ in decoded.values()}
    assert len(lengths) == 3


def test_the_script_regenerates_the_shipped_files(tmp_path: Path, capsys) -> None:
    spec = importlib.util.spec_from_file_location("make_sounds", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.main(tmp_path)
    assert sorted(path.name for path in written) == sorted(SOUND_FILES.values())
    for path in written:
        assert path.read_bytes() == (SOUND_DIR / path.name).read_bytes(), path.name


def test_without_qt_multimedia_sound_is_silently_off(qtbot, monkeypatch, caplog) -> None:
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", None)  # import raises
    with caplog.at_level(logging.INFO, logger="ui.feedback"):
        sounds = SoundFeedback()
        for kind in Feedback:
            sounds.play(kind)
        sounds.play("no such sound")
    assert not sounds.available
    assert sounds.enabled  # still "on" as far as the settings go; there is just no sound
    assert caplog.text.count("sounds off") == 1
    assert all(record.levelno == logging.INFO for record in caplog.records)


def test_on_this_machine_play_never_raises(qtbot) -> None:
    parent = QObject()
    sounds = SoundFeedback(parent)
    for kind in Feedback:
        sounds.play(kind)
    try:
        importlib.import_module("PySide6.QtMultimedia")
    except ImportError:
        assert not sounds.available  # e.g. libpulse.so.0 missing
    parent.deleteLater()


def _fake_multimedia(outputs: list[object]) -> types.ModuleType:
    """A stand-in for PySide6.QtMultimedia: its QSoundEffect records what it was asked."""
    module = types.ModuleType("PySide6.QtMultimedia")
    instances: list[QObject] = []

    class QMediaDevices:
        @staticmethod
        def audioOutputs() -> list[object]:
            return outputs

    class QSoundEffect(QObject):
        statusChanged = Signal()

        class Status:
            Ready = 2
            Error = 3

        def __init__(self, parent: QObject | None = None) -> None:
            super().__init__(parent)
            self.source = ""
            self.volume = 1.0
            self.plays = 0
            self._status = 0
            instances.append(self)

        def setSource(self, url) -> None:
            self.source = url.toLocalFile()

        def setVolume(self, volume: float) -> None:
            self.volume = volume

        def status(self) -> int:
            return self._status

        def play(self) -> None:
            self.plays += 1

        def fail(self) -> None:
            self._status = QSoundEffect.Status.Error
            self.statusChanged.emit()

    module.QMediaDevices = QMediaDevices  # type: ignore[attr-defined]
    module.QSoundEffect = QSoundEffect  # type: ignore[attr-defined]
    module.instances = instances  # type: ignore[attr-defined]
    return module


def test_no_audio_output_device_means_no_effects(qtbot, monkeypatch, caplog) -> None:
    fake = _fake_multimedia(outputs=[])
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", fake)
    with caplog.at_level(logging.INFO, logger="ui.feedback"):
        sounds = SoundFeedback()
        sounds.play(Feedback.SCAN_ACCEPTED)
    assert not sounds.available
    assert fake.instances == []
    assert "no audio output" in caplog.text


def test_qt_effects_are_made_once_and_an_effect_that_fails_to_load_goes_quiet(
    qtbot, monkeypatch, caplog
) -> None:
    fake = _fake_multimedia(outputs=[object()])
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", fake)
    sounds = SoundFeedback(volume=0.5)
    effects = {Path(e.source).name: e for e in fake.instances}
    assert set(effects) == set(SOUND_FILES.values())
    assert all(Path(e.source).parent == SOUND_DIR for e in effects.values())
    assert all(e.volume == 0.5 and e.parent() is sounds for e in effects.values())
    assert sounds.available
    sounds.play(Feedback.SCAN_REJECTED)
    sounds.play(Feedback.SCAN_REJECTED)
    assert effects["scan_rejected.wav"].plays == 2
    assert len(fake.instances) == 3  # reused, not made per play
    with caplog.at_level(logging.INFO, logger="ui.feedback"):
        effects["scan_rejected.wav"].fail()
        effects["verdict_recorded.wav"].fail()
    sounds.play(Feedback.SCAN_REJECTED)
    sounds.play(Feedback.VERDICT_RECORDED)
    sounds.play(Feedback.SCAN_ACCEPTED)
    assert effects["scan_rejected.wav"].plays == 2
    assert effects["verdict_recorded.wav"].plays == 0
    assert effects["scan_accepted.wav"].plays == 1
    assert sounds.available
    assert len(caplog.records) == 1 and caplog.records[0].levelno == logging.INFO


def test_play_uses_the_effect_of_each_kind_and_respects_enabled(qtbot) -> None:
    sounds, made = _fake_sounds()
    assert sounds.available
    assert {effect.path.name for effect in made.values()} == set(SOUND_FILES.values())
    sounds.play(Feedback.SCAN_ACCEPTED)
    sounds.play(Feedback.VERDICT_RECORDED)
    sounds.play(Feedback.VERDICT_RECORDED)
    assert {stem: effect.plays for stem, effect in made.items()} == {
        "scan_accepted": 1,
        "scan_rejected": 0,
        "verdict_recorded": 2,
    }
    sounds.set_enabled(False)
    assert not sounds.enabled
    sounds.play(Feedback.SCAN_REJECTED)
    assert made["scan_rejected"].plays == 0
    sounds.set_enabled(True)
    sounds.play(Feedback.SCAN_REJECTED)
    assert made["scan_rejected"].plays == 1
    sounds.play("something else")  # not a sound: ignored


def test_disabled_from_the_start(qtbot) -> None:
    sounds, made = _fake_sounds(enabled=False)
    sounds.play(Feedback.SCAN_ACCEPTED)
    assert made["scan_accepted"].plays == 0 and sounds.available


def test_a_missing_sound_file_is_not_an_error(qtbot, tmp_path: Path) -> None:
    sounds, made = _fake_sounds(sound_dir=tmp_path)
    assert made == {} and not sounds.available
    sounds.play(Feedback.SCAN_ACCEPTED)


def test_an_effect_that_raises_is_dropped(qtbot, caplog) -> None:
    class Broken(FakeEffect):
        def play(self) -> None:
            raise RuntimeError("device gone")

    sounds = SoundFeedback(effect_factory=lambda path, on_error: Broken(path))
    with caplog.at_level(logging.INFO, logger="ui.feedback"):
        sounds.play(Feedback.SCAN_ACCEPTED)
        sounds.play(Feedback.SCAN_ACCEPTED)
    assert "device gone" in caplog.text and len(caplog.records) == 1


def test_connect_to_plays_what_the_bench_view_model_emits(qtbot, vm) -> None:
    sounds, made = _fake_sounds()
    sounds.connect_to(vm)
    vm.submit_scan(UPS)  # a real scan of a known return label
    qtbot.waitUntil(lambda: made["scan_accepted"].plays == 1)
    vm.reset()
    vm.submit_scan("LD123456789XX")  # matches nothing
    qtbot.waitUntil(lambda: made["scan_rejected"].plays == 1)
    assert made["scan_accepted"].plays == 1 and made["verdict_recorded"].plays == 0


def test_flash_sets_the_property_and_a_widget_owned_timer_clears_it(qtbot, vm) -> None:
    field = QLineEdit()
    qtbot.addWidget(field)
    flash = FlashFeedback(field, duration_ms=60)
    assert set(FLASH_LEVELS) == set(Feedback)
    flash.connect_to(vm)
    vm.feedback.emit(Feedback.SCAN_REJECTED.value)
    assert field.property("flash") == "error"
    assert flash.active
    timers = [t for t in field.findChildren(QTimer) if t.isActive()]
    assert len(timers) == 1 and timers[0].isSingleShot() and timers[0].parent() is field
    qtbot.waitUntil(lambda: field.property("flash") is None, timeout=10_000)
    assert not flash.active
    flash.flash(Feedback.VERDICT_RECORDED)
    assert field.property("flash") == "success"
    flash.clear()
    assert field.property("flash") is None and not flash.active
