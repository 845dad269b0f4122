"""Notice when the Qt main thread stalls, and say where it was stuck.

A grader feels any stall: a key that does nothing for a quarter of a second gets pressed again.
Two halves work together:

* a heartbeat ``QTimer`` on the main thread (``PreciseTimer``, every ``interval_ms``). Each tick
  measures how late it is (gap since the previous tick minus the interval): that lateness is
  the tick's stall, 0 when the loop kept up. Every tick's lateness is kept for ``stats()``
  (benchmarks), and a tick later than the threshold is a stall: logged once, when it ends.
* a daemon watchdog thread that looks at the heartbeat while the main thread cannot: while the
  heartbeat is overdue it samples the main thread's Python stack (``sys._current_frames()``)
  and the log line gives the stack seen most often, so it says *where* the time went, not
  only that it went. The main thread cannot do that itself: when it could look, the stall is
  over. A stack whose innermost frame is the event loop itself (``exec``) means the time went
  to Qt's own C++ work (layout, style sheets, painting) or to waiting for the GIL.

A heartbeat samples the loop once per interval, so a blocking call of D ms shows up as
between D - interval and D ms late (plus whatever else the loop had to do first). The tick
makes no Qt call, so the monitor costs the loop next to nothing.
"""

from __future__ import annotations

import logging
import math
import sys
import threading
import time
import traceback
from array import array
from collections import Counter
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer

log = logging.getLogger(__name__)

INTERVAL_MS = 10
# Enough ticks for an hour at 10 ms (8 bytes each); older ticks leave p99 but not max/count.
MAX_SAMPLES = 360_000
STACK_FRAMES = 20  # innermost frames kept in a log line: where it was stuck, not how it got there
MAX_STACK_SAMPLES = 200  # per stall (5 s of samples at the slowest polling)


@dataclass(frozen=True)
class StallStats:
    """Lateness of the heartbeat over every tick since start (or reset), in ms."""

    max_ms: float
    p99_ms: float
    count: int  # ticks later than the threshold, i.e. stalls
    ticks: int


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values (0.0 for none)."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Where:
    """Where a stall spent its time: the stack the watchdog saw most often while it lasted."""

    stack: tuple[str, ...]
    hits: int  # samples showing this stack
    samples: int  # samples taken during the stall


class _Heartbeat:
    """What the main thread and the watchdog share; plain Python, so the watchdog never
    touches the QObject (which may be deleted under it) and can be told to stop from
    ``destroyed``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.beat_at = time.perf_counter()
        self.seq = 0  # which beat the watchdog's samples belong to
        self.sampled_seq = -1
        self.samples: list[tuple[str, ...]] = []

    def beat(self, now: float) -> tuple[float, Where | None]:
        """Record a beat; returns the previous beat's time and, if the watchdog sampled the
        stack while waiting for this beat, where it was stuck most of the time."""
        with self.lock:
            previous, samples = self.beat_at, self.samples if self.sampled_seq == self.seq else []
            self.seq += 1
            self.beat_at = now
            self.samples = []
        if not samples:
            return previous, None
        stack, hits = Counter(samples).most_common(1)[0]
        return previous, Where(stack, hits, len(samples))

    def restart(self) -> None:
        """A new baseline: the time before it (stopped, or reset) is no stall."""
        with self.lock:
            self.seq += 1
            self.beat_at = time.perf_counter()
            self.samples = []


def _watch(state: _Heartbeat, target: int, overdue_s: float, poll_s: float) -> None:
    """The watchdog's loop: while the heartbeat is overdue, sample the target thread's stack
    (a sampling profile of the stall: its most frequent stack is where the time went)."""
    while not state.stop.wait(poll_s):
        with state.lock:
            seq, since = state.seq, time.perf_counter() - state.beat_at
        if since < overdue_s:
            continue
        frame = sys._current_frames().get(target)
        if frame is None:
            continue
        stack = tuple(traceback.format_stack(frame)[-STACK_FRAMES:])
        del frame
        with state.lock:
            if state.seq != seq:
                continue  # that stall ended meanwhile: the stack belongs to what came after
            if state.sampled_seq != seq:
                state.sampled_seq, state.samples = seq, []
            if len(state.samples) < MAX_STACK_SAMPLES:
                state.samples.append(stack)


class StallMonitor(QObject):
    """Heartbeat plus watchdog for the thread this object lives in (the GUI thread)."""

    def __init__(
        self,
        threshold_ms: float,
        parent: QObject | None = None,
        *,
        interval_ms: int = INTERVAL_MS,
        max_samples: int = MAX_SAMPLES,
    ) -> None:
        super().__init__(parent)
        if threshold_ms <= 0 or interval_ms <= 0:
            raise ValueError("threshold_ms and interval_ms must be positive")
        self.threshold_ms = float(threshold_ms)
        self.interval_ms = interval_ms
        self.stalls: list[float] = []
        self._max_samples = max_samples
        self._samples = array("d")
        self._max_ms = 0.0
        self._ticks = 0
        self._cpu_at = time.thread_time()  # the main thread's CPU time at the last tick
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._state = _Heartbeat()
        self._thread: threading.Thread | None = None
        # Deleted with its parent without stop(): the watchdog still ends.
        self.destroyed.connect(self._state.stop.set)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        if self._thread is not None:
            return
        if QThread.currentThread() is not self.thread():
            raise RuntimeError("start the stall monitor on the thread it watches")
        state = self._state
        state.stop.clear()
        state.restart()
        self._cpu_at = time.thread_time()
        # Looking more often than the threshold, so a stall just over it still gets a stack.
        poll_s = max(0.002, min(self.threshold_ms / 4, 25.0) / 1000)
        overdue_s = (self.interval_ms + self.threshold_ms / 2) / 1000
        self._thread = threading.Thread(
            target=_watch,
            args=(state, threading.get_ident(), overdue_s, poll_s),
            name="stall-watchdog",
            daemon=True,
        )
        self._thread.start()
        self._timer.start()

    def stop(self) -> None:
        """Stop the heartbeat and join the watchdog; safe to call twice."""
        self._timer.stop()
        thread, self._thread = self._thread, None
        if thread is not None:
            self._state.stop.set()
            thread.join()

    def reset(self) -> None:
        """Forget every tick and stall so far (a benchmark's warm-up, say)."""
        self.stalls = []
        self._samples = array("d")
        self._max_ms = 0.0
        self._ticks = 0
        self._state.restart()
        self._cpu_at = time.thread_time()

    def stats(self) -> StallStats:
        return StallStats(
            max_ms=self._max_ms,
            p99_ms=percentile(sorted(self._samples), 99),
            count=len(self.stalls),
            ticks=self._ticks,
        )

    def record_gap(
        self, gap_ms: float, where: Where | None = None, cpu_ms: float | None = None
    ) -> float:
        """Account for one heartbeat that came ``gap_ms`` after the previous one, during which
        the main thread used ``cpu_ms`` of CPU; returns its lateness. The timer calls this;
        tests feed it gaps directly."""
        late = max(0.0, gap_ms - self.interval_ms)
        self._ticks += 1
        self._samples.append(late)
        if len(self._samples) > self._max_samples:
            del self._samples[: len(self._samples) - self._max_samples // 2]
        self._max_ms = max(self._max_ms, late)
        if late > self.threshold_ms:
            self.stalls.append(late)
            if where is None:
                at = "(stack not captured: it ended too soon)"
            else:
                at = f"({where.hits} of {where.samples} samples)\n" + "".join(where.stack)
            # Busy (CPU close to the gap) or held up: the GIL, a lock, I/O, or a starved CPU.
            cpu = "" if cpu_ms is None else f", on the CPU for {cpu_ms:.0f} ms of it"
            log.warning(
                "main thread stalled for %.0f ms (threshold %.0f ms%s); it was at %s",
                late,
                self.threshold_ms,
                cpu,
                at.rstrip("\n"),
            )
        return late

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        previous, where = self._state.beat(now)
        cpu_ms, self._cpu_at = (cpu - self._cpu_at) * 1000, cpu
        self.record_gap((now - previous) * 1000, where, cpu_ms)


def install_stall_monitor(app_or_parent: QObject, threshold_ms: int) -> StallMonitor | None:
    """Start a monitor owned by ``app_or_parent`` (the settings' ``stall_log_ms``); None when
    the threshold is 0 (off). On an application it stops itself when the application quits."""
    if threshold_ms <= 0:
        return None
    monitor = StallMonitor(threshold_ms, app_or_parent)
    if isinstance(app_or_parent, QCoreApplication):
        app_or_parent.aboutToQuit.connect(monitor.stop)
    monitor.start()
    log.info("logging main-thread stalls longer than %d ms", threshold_ms)
    return monitor
