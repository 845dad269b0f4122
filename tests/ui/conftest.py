from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication

from station.context import AppContext
from station.i18n import PSEUDO_LANGUAGE
from station.settings import Settings
from tests.factories import UPS, make_catalog, make_rma
from tests.ui.gadget_standard import gadget_context
from ui.i18n import LanguageSwitcher
from ui.tasks import TaskRunner
from ui.viewmodels.bench import BenchViewModel


@pytest.fixture
def context(settings: Settings, general_registry) -> Iterator[AppContext]:
    ctx = AppContext.build(replace(settings, simulate=True))
    # The built-in general-merchandise standard, whatever standard files ship meanwhile.
    ctx.standards = general_registry
    ctx.gtins = make_catalog(ctx.db)  # type: ignore[attr-defined]
    make_rma(ctx.db, "RMA-NK-000123", tracking=UPS, price="59.00")
    make_rma(ctx.db, "RMA-NK-000200", skus=(("SW-MERINO-M", 1), ("EB-PRO-2", 1)))
    yield ctx
    ctx.close()


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    task_runner.wait_idle()


@pytest.fixture
def vm(context: AppContext, runner: TaskRunner) -> BenchViewModel:
    return BenchViewModel(context, runner)


@pytest.fixture
def gadget_ctx(settings: Settings, tmp_path: Path) -> Iterator[AppContext]:
    """A bench judged by the small YAML gadget standard (tests/ui/gadget_standard.py)."""
    ctx = gadget_context(settings, tmp_path / "standards")
    yield ctx
    ctx.close()


@pytest.fixture
def gadget_vm(gadget_ctx: AppContext, runner: TaskRunner) -> BenchViewModel:
    return BenchViewModel(gadget_ctx, runner)


@pytest.fixture
def switcher(qapp) -> Iterator[LanguageSwitcher]:
    """The window's language switch, put back to English after the test."""
    language_switcher = LanguageSwitcher()
    language_switcher.install("en")
    yield language_switcher
    language_switcher.switch("en")
    qapp.removeTranslator(language_switcher._catalogue)


@pytest.fixture
def pseudo(switcher: LanguageSwitcher) -> LanguageSwitcher:
    """Switched to the pseudo-language (tests/ui/pseudo.py) before the test builds widgets."""
    switcher.switch(PSEUDO_LANGUAGE)
    return switcher


def active_timers() -> list[QTimer]:
    """Qt timers still running (their widgets closed and deleted, they should be gone)."""
    found = []
    for obj in gc.get_objects():
        if isinstance(obj, QTimer):
            try:
                if obj.isActive():
                    found.append(obj)
            except RuntimeError:  # the C++ timer is already deleted: fine
                continue
    return found


@pytest.fixture(autouse=True)
def _no_dangling_timers(request, qapp) -> Iterator[None]:
    yield
    if "qtbot" not in request.fixturenames:
        return  # no widgets, no event loop: nothing to leave running (and the heap walk costs)
    # Widgets closed by qtbot are deleted on the next event pass (deleteLater).
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
    left = active_timers()
    assert not left, f"timers still running after the test: {[t.parent() for t in left]}"
