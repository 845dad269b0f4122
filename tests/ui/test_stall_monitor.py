"""The stall monitor sees a blocked main thread, says where it was, and cleans up after itself.

Real event loop, real threads: a slot that sleeps on the main thread is the stall. Nothing here
asserts how fast anything is, only that the sleep we injected is seen.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QTimer

from ui.stall_monitor import (
    INTERVAL_MS,
    StallMonitor,
    Where,
    install_stall_monitor,
    percentile,
)

SLEEP_MS = 150
LOGGER = "ui.stall_monitor"


def watchdogs() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "stall-watchdog" and t.is_alive()]


@pytest.fixture
def monitor(qtbot) -> Iterator[StallMonitor]:
    stall_monitor = StallMonitor(100)
    yield stall_monitor
    stall_monitor.stop()


def logged(caplog: pytest.LogCaptureFixture, where: str) -> bool:
    return any(where in record.getMessage() for record in caplog.records)


def hold_the_main_thread_for_a_while() -> None:
    time.sleep(SLEEP_MS / 1000)


def test_a_sleeping_slot_is_logged_once_with_where_it_slept(qtbot, monitor, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    monitor.start()
    QTimer.singleShot(30, hold_the_main_thread_for_a_while)
    # Our stall, not the first one: a loaded machine may stall the loop elsewhere first.
    qtbot.waitUntil(lambda: logged(caplog, "hold_the_main_thread_for_a_while"), timeout=10_000)
    qtbot.wait(200)  # the heartbeat goes on: the same stall must not be logged again
    monitor.stop()

    ours = [r for r in caplog.records if "hold_the_main_thread_for_a_while" in r.getMessage()]
    assert len(ours) == 1, [r.getMessage() for r in caplog.records]
    record = ours[0]
    assert record.levelno == logging.WARNING and record.name == LOGGER
    # The heartbeat samples every interval: a D ms block is seen as at least D - interval late.
    # (A loaded machine may stall the loop elsewhere too: only our stall's line is checked.)
    message = record.getMessage()
    ours_late = [s for s in monitor.stalls if f"stalled for {s:.0f} ms" in message]
    assert ours_late and ours_late[0] >= SLEEP_MS - INTERVAL_MS
    # Sleeping is waiting, not working: the thread's CPU time says so.
    cpu = re.search(r"on the CPU for (\d+) ms", message)
    assert cpu is not None and float(cpu.group(1)) < ours_late[0] / 2
    assert "time.sleep" in record.getMessage()  # the stack goes down to the blocking call
    # Every logged stall is one entry in ``stalls`` and vice versa.
    assert len(monitor.stalls) == len(caplog.records)


def test_an_idle_event_loop_logs_nothing(qtbot, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    # A threshold no scheduler delay reaches: on a loaded two-core machine an idle loop's tick
    # can be 100 ms late (a real stall, but not one this test is about).
    monitor = StallMonitor(2000)
    monitor.start()
    qtbot.wait(300)
    monitor.stop()
    assert caplog.records == []
    assert monitor.stalls == []
    stats = monitor.stats()
    assert stats.ticks > 0 and stats.count == 0


def test_stop_leaves_no_thread_or_timer_behind(qtbot, monitor):
    monitor.start()
    monitor.start()  # a second start is no second watchdog
    assert len(watchdogs()) == 1 and monitor.running
    qtbot.wait(30)
    monitor.stop()
    monitor.stop()  # idempotent
    assert watchdogs() == []
    assert not monitor.running
    timers = monitor.findChildren(QTimer)
    assert timers and not any(timer.isActive() for timer in timers)
    ticks = monitor.stats().ticks
    qtbot.wait(50)
    assert monitor.stats().ticks == ticks  # stopped means stopped


def test_deleting_the_parent_ends_the_watchdog(qtbot):
    parent = QObject()
    monitor = install_stall_monitor(parent, 100)
    assert monitor is not None and monitor.running and monitor.parent() is parent
    assert len(watchdogs()) == 1
    parent.deleteLater()
    qtbot.waitUntil(lambda: watchdogs() == [], timeout=5000)


def test_install_with_threshold_zero_is_off(qtbot):
    parent = QObject()
    assert install_stall_monitor(parent, 0) is None
    assert parent.findChildren(StallMonitor) == []
    assert watchdogs() == []


def test_stats_over_injected_gaps(qtbot):
    monitor = StallMonitor(50, interval_ms=10)
    # 200 ticks, lateness 0, 1, ..., 199 ms; one early tick counts as on time, not negative.
    for late in range(200):
        assert monitor.record_gap(10 + late) == late
    assert monitor.record_gap(4) == 0.0
    stats = monitor.stats()
    assert stats.ticks == 201
    assert stats.max_ms == 199
    # Nearest rank: the 199th of 201 sorted values (0, 0, 1, ..., 199) is 197.
    assert stats.p99_ms == 197
    assert stats.count == len(monitor.stalls) == 149  # 51 .. 199 are over the threshold
    assert monitor.stalls[0] == 51 and monitor.stalls[-1] == 199

    monitor.reset()
    assert monitor.stats().ticks == 0 and monitor.stats().max_ms == 0 and monitor.stalls == []
    for gap in [10.0] * 98 + [40.0, 110.0]:
        monitor.record_gap(gap)
    stats = monitor.stats()
    assert (stats.max_ms, stats.p99_ms, stats.count, stats.ticks) == (100.0, 30.0, 1, 100)


def test_an_injected_stall_is_logged_with_where_it_is_given(qtbot, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    monitor = StallMonitor(50, interval_ms=10)
    stack = ('  File "x.py", line 3, in slow_layout\n    relayout()\n',)
    monitor.record_gap(90, Where(stack, hits=3, samples=4), cpu_ms=75)
    monitor.record_gap(70)
    assert [r.getMessage().splitlines()[0] for r in caplog.records] == [
        "main thread stalled for 80 ms (threshold 50 ms, on the CPU for 75 ms of it); it was "
        "at (3 of 4 samples)",
        "main thread stalled for 60 ms (threshold 50 ms); it was at (stack not captured: "
        "it ended too soon)",
    ]
    assert "in slow_layout" in caplog.records[0].getMessage()


def briefly_somewhere() -> None:
    time.sleep(0.1)


def mostly_here() -> None:
    time.sleep(0.4)


def two_part_stall() -> None:
    briefly_somewhere()
    mostly_here()


def test_a_stall_is_put_where_most_of_its_time_went(qtbot, monitor, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    monitor.start()
    QTimer.singleShot(20, two_part_stall)
    qtbot.waitUntil(lambda: logged(caplog, "two_part_stall"), timeout=10_000)
    monitor.stop()
    ours = [r.getMessage() for r in caplog.records if "two_part_stall" in r.getMessage()]
    assert len(ours) == 1
    assert "in mostly_here" in ours[0] and "in briefly_somewhere" not in ours[0]


def test_percentile_nearest_rank():
    assert percentile([], 99) == 0.0
    assert percentile([5.0], 99) == 5.0
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 99) == 99.0
    assert percentile(values, 50) == 50.0
    assert percentile(values, 100) == 100.0
