"""Scales: the small protocol every driver implements, and the simulator beside it.

Real serial drivers (MT-SICS, Toledo 8217, continuous output) live in ``devices.serial_scale``
with their codecs in ``devices.scale_protocols`` and a wire-level simulator in
``devices.scale_simulator``; the bench and the tests talk to this protocol either way.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Protocol


class ScaleError(IOError):
    """The scale cannot give a weight: port missing, no answer, or a timeout."""


@dataclass(frozen=True)
class Weight:
    """A weight as the station uses it. ``stable`` means "record this": it cannot hold with a
    status other than ``ok`` (a moving load, an overload, a value outside the scale's range),
    even if built so, because a consumer that checks ``stable`` alone must still be safe."""

    grams: float
    stable: bool
    device: str
    raw_frame: str | None = None
    # "ok", "unstable", "overload", "underload" or "error" (see devices.scale_protocols).
    status: str = "ok"

    def __post_init__(self) -> None:
        if self.stable and self.status != "ok":
            object.__setattr__(self, "stable", False)  # frozen: the one place it is set


class Scale(Protocol):
    name: str

    def read(self) -> Weight: ...


class SimulatedScale:
    """A bench scale with something on it: settles on a target weight with a little noise."""

    def __init__(self, name: str = "simulated-scale", seed: int | None = None) -> None:
        self.name = name
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._target_g = 0.0

    def place(self, grams: float) -> None:
        with self._lock:
            self._target_g = max(0.0, grams)

    def read(self) -> Weight:
        with self._lock:
            grams = (
                round(self._target_g + self._rng.uniform(-0.4, 0.4), 1) if self._target_g else 0.0
            )
        grams = max(0.0, grams)
        return Weight(grams, True, self.name, f"S S {grams:10.2f} g")
