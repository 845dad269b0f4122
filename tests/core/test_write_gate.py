"""The in-process write gate: a grader's write goes before the relay's bookkeeping, a
nested write transaction fails loudly instead of deadlocking, and background loops park
while a foreground write runs. Ordering is asserted, never elapsed time."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from station.db import Database, WriteGate


def _started(target, *args) -> threading.Thread:  # type: ignore[no-untyped-def]
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def test_a_waiting_foreground_writer_goes_before_a_waiting_background_writer() -> None:
    gate = WriteGate(timeout_s=30)
    order: list[str] = []
    release = threading.Event()
    holding = threading.Event()

    def holder() -> None:
        with gate.hold(background=True):
            holding.set()
            release.wait(10)

    def writer(name: str, background: bool) -> None:
        with gate.hold(background=background):
            order.append(name)

    first = _started(holder)
    assert holding.wait(10)
    background = _started(writer, "relay", True)
    with gate._condition:  # the background writer queues first...
        assert gate._condition.wait_for(lambda: gate._background_waiting == 1, 10)
    foreground = _started(writer, "grader", False)
    with gate._condition:
        assert gate._condition.wait_for(lambda: gate._foreground_waiting == 1, 10)  # ...then
        # the grader's. Without priority the background writer, first in line, would win.
    release.set()
    for thread in (first, background, foreground):
        thread.join(10)
    assert order == ["grader", "relay"]


@pytest.mark.sqlite_only
def test_a_nested_write_transaction_is_refused(db: Database) -> None:
    with db.write() as session:
        session.execute(text("SELECT 1"))
        with pytest.raises(RuntimeError, match="inside another"), db.write():
            pass


def test_background_loops_park_while_a_foreground_write_runs() -> None:
    gate = WriteGate(timeout_s=30)
    events: list[str] = []
    inside = threading.Event()
    finish = threading.Event()

    def grader() -> None:
        with gate.hold():
            inside.set()
            finish.wait(10)
            events.append("grader done")

    def relay() -> None:
        inside.wait(10)
        gate.yield_to_foreground(timeout_s=30)
        events.append("relay resumed")

    threads = [_started(grader), _started(relay)]
    assert inside.wait(10)
    finish.set()
    for thread in threads:
        thread.join(10)
    assert events == ["grader done", "relay resumed"]


def test_a_background_loop_is_slowed_never_stopped() -> None:
    gate = WriteGate(timeout_s=30)
    with gate.hold():
        gate.yield_to_foreground(timeout_s=0.01)  # returns although the write is still open


def test_the_gate_is_released_when_a_write_fails(db: Database) -> None:
    with pytest.raises(ZeroDivisionError), db.write():
        1 / 0  # noqa: B018
    with db.write() as session:  # would wait for the gate forever if it leaked
        assert session.execute(text("SELECT 1")).scalar() == 1
