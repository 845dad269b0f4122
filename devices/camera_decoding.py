"""Decoding a live camera stream: each code reported once per presentation, within a time budget.

A camera sees the same label in dozens of consecutive frames; the bench must react once, when
the grader holds the label up, and again only after the label was taken away and shown again.
``PresentationTracker`` implements that rule (a code re-arms once it has been absent for
``absent_frames`` decoded frames *or* ``absent_seconds``). ``FrameDecoder`` is what a grab thread
calls with every frame: it decodes a downscaled copy first (1080p frames are mostly background,
and labels held up to a bench camera are large), falls back to full resolution now and then, and
skips frames while a decode is running or after a decode overran its budget, so a slow frame never
backs up the preview. Qt-free: the UI wraps it in its own worker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import cv2
import numpy as np

from devices.decoding import DecodedBarcode, DecodeOptions, decode_image

Decoder = Callable[[np.ndarray], list[DecodedBarcode]]
Clock = Callable[[], float]


@dataclass
class _Seen:
    last_frame: int
    last_time: float


@dataclass
class PresentationTracker:
    """Turns per-frame detections into "new code presented" events."""

    absent_frames: int = 8
    absent_seconds: float = 1.0
    _present: dict[tuple[str, str], _Seen] = field(default_factory=dict)
    _frame: int = 0

    def update(self, codes: Iterable[DecodedBarcode], now: float) -> list[DecodedBarcode]:
        """Record one decoded frame; return the codes that start a new presentation."""
        self._frame += 1
        self._expire(now)
        new: list[DecodedBarcode] = []
        for code in codes:
            if code.key not in self._present:
                new.append(code)
            self._present[code.key] = _Seen(self._frame, now)
        return new

    def _expire(self, now: float) -> None:
        # Compare with the previous frame: a code seen in frame k is absent from k+1 onwards.
        for key, seen in list(self._present.items()):
            missed = self._frame - seen.last_frame - 1
            if missed >= self.absent_frames or now - seen.last_time >= self.absent_seconds:
                del self._present[key]

    def reset(self) -> None:
        self._present.clear()


class FrameDecoder:
    """Feed frames from any thread; get each distinct code once per presentation.

    ``budget_ms``: after a decode that took longer than this, frames are skipped for the
    overrun, so decoding never takes more than about half of a grab thread's time.
    ``downscale_width``: frames wider than this are decoded at this width first; every
    ``full_every``-th decoded frame that finds nothing is retried at full resolution (small
    codes far from the lens).
    ``clock``: the monotonic clock that times decodes (the budget) and presentations. Whoever
    builds the decoder passes it; tests pass one they control, so whether a frame is skipped
    depends on the clock they script, not on how fast the machine running them is.
    """

    def __init__(
        self,
        *,
        decoder: Decoder | None = None,
        tracker: PresentationTracker | None = None,
        budget_ms: float = 30.0,
        downscale_width: int = 960,
        full_every: int = 4,
        clock: Clock = time.monotonic,
    ) -> None:
        options = DecodeOptions(engines=("zxing",), variants=False)
        self._decode: Decoder = decoder or (lambda img: decode_image(img, options))
        self.tracker = tracker or PresentationTracker()
        self.budget_ms = budget_ms
        self.downscale_width = downscale_width
        self.full_every = max(1, full_every)
        self._clock = clock
        self._lock = threading.Lock()
        self._resume_at = float("-inf")
        self._empty_streak = 0
        self.decoded_frames = 0
        self.skipped_frames = 0

    def feed(self, frame: np.ndarray) -> list[DecodedBarcode]:
        """Decode ``frame`` unless busy; return codes newly presented (usually empty)."""
        if self._clock() < self._resume_at or not self._lock.acquire(blocking=False):
            self.skipped_frames += 1
            return []
        try:
            start = self._clock()
            found = self._decode_frame(frame)
            end = self._clock()
            overrun = (end - start) - self.budget_ms / 1000.0
            self._resume_at = end + overrun if overrun > 0 else float("-inf")
            self.decoded_frames += 1
            return self.tracker.update(found, end)
        finally:
            self._lock.release()

    def _decode_frame(self, frame: np.ndarray) -> list[DecodedBarcode]:
        width = frame.shape[1]
        if width <= self.downscale_width:
            return self._decode(frame)
        factor = self.downscale_width / width
        height = max(1, round(frame.shape[0] * factor))  # a very wide strip keeps one row
        small = cv2.resize(frame, (self.downscale_width, height), interpolation=cv2.INTER_AREA)
        found = self._decode(small)
        if found:
            self._empty_streak = 0
            return [_scale_position(code, 1 / factor) for code in found]
        self._empty_streak += 1
        if self._empty_streak % self.full_every == 0:
            return self._decode(frame)
        return []


def _scale_position(code: DecodedBarcode, factor: float) -> DecodedBarcode:
    p = [(round(x * factor), round(y * factor)) for x, y in code.position]
    return DecodedBarcode(
        code.format,
        code.text,
        code.raw,
        code.gs1,
        code.symbology_id,
        (p[0], p[1], p[2], p[3]),
        code.engine,
        code.orientation,
    )
