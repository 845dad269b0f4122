"""Integration tests drive whole windows: the same no-timers-left check as the widget tests,
and the bench window with a scripted grader for the flow tests (each module brings its own
``context``: simulated devices, or drivers on simulated hardware)."""

from collections.abc import Iterator

import pytest

from tests.integration.grader import Grader
from tests.ui.conftest import _no_dangling_timers
from ui.app import build_bench
from ui.viewmodels.bench import BenchViewModel
from ui.widgets.bench_window import BenchWindow

__all__ = ["_no_dangling_timers"]


@pytest.fixture
def bench(qtbot, context) -> Iterator[tuple[BenchWindow, BenchViewModel, Grader]]:
    window, vm, runner = build_bench(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.scan_bar.field.hasFocus())
    yield window, vm, Grader(qtbot, window, vm)
    runner.wait_idle()
