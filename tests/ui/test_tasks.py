"""The task runner (results and errors come back on the main thread, and a finished task
leaves nothing of itself behind: a bench runs ~40 tasks per inspection, all shift long), and
the background preload at start, which settles the heap on the main thread once done."""

from __future__ import annotations

import gc
import threading
import weakref

from ui.tasks import TaskRunner


class Payload:
    """What a task's closure holds (an inspection view, say): must not outlive the task."""


def test_results_and_errors_arrive_on_the_main_thread(qtbot, runner: TaskRunner) -> None:
    main = threading.get_ident()
    seen: list[tuple[str, object, bool]] = []

    def fail() -> None:
        raise ValueError("scale unplugged")

    runner.submit(lambda: 42, lambda v: seen.append(("done", v, threading.get_ident() == main)))
    runner.submit(
        fail, None, lambda e: seen.append(("error", str(e), threading.get_ident() == main))
    )
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert sorted(seen) == [("done", 42, True), ("error", "scale unplugged", True)]
    assert not runner.busy


def test_a_finished_task_keeps_nothing_it_held_alive(qtbot, runner: TaskRunner) -> None:
    held: list[weakref.ref[Payload]] = []
    delivered: list[int] = []
    for number in range(50):
        payload = Payload()
        held.append(weakref.ref(payload))
        runner.submit(lambda p=payload, n=number: (p, n)[1], delivered.append)
        del payload
    qtbot.waitUntil(lambda: len(delivered) == 50)
    runner.wait_idle()
    gc.collect()
    assert [ref() for ref in held] == [None] * 50


def test_the_heap_settles_on_the_main_thread_once_the_preload_is_done(qtbot, monkeypatch) -> None:
    """``run_bench`` preloads modules needed later beside the event loop, then freezes the heap
    with them in it: the collection runs on the main thread, after the last import."""
    import sys

    from PySide6.QtWidgets import QWidget

    import ui.app

    settled: list[tuple[bool, bool]] = []
    monkeypatch.setattr(
        ui.app,
        "settle_heap",
        lambda: settled.append(
            (threading.get_ident() == main, all(m in sys.modules for m in ui.app.PRELOAD))
        ),
    )
    main = threading.get_ident()
    parent = QWidget()
    qtbot.addWidget(parent)
    thread = ui.app.preload_then_settle(parent)
    qtbot.waitUntil(lambda: bool(settled), timeout=20_000)
    assert settled == [(True, True)] and not thread.is_alive()
