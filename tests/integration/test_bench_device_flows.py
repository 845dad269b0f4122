"""The bench window with real device drivers on simulated hardware: a serial scale on a
pseudo-terminal that is unplugged mid-inspection, and a ZPL printer on TCP that is down when
the verdict is recorded. The grader's work must survive both."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from devices.config import CameraConfig, PrinterConfig, ScaleConfig
from devices.printer_simulator import PrinterSimulator
from devices.scale_simulator import ScaleSimulator
from station.context import AppContext
from station.models import Verdict
from tests.factories import KNITWEAR_GRADE_A, UPS, make_catalog, make_rma
from ui.viewmodels.bench import BenchState

WAIT_MS = 15_000  # generous: reconnecting backs off; a pass never takes this long


@pytest.fixture
def scale_sim(tmp_path: Path) -> Iterator[ScaleSimulator]:
    # A stable device name that follows the pty, like /dev/serial/by-id/...
    simulator = ScaleSimulator("mt-sics", seed=3, link=tmp_path / "ttyScale")
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def printer() -> Iterator[PrinterSimulator]:
    """A printer that is switched off: its port refuses, and stays its own until it is on."""
    simulator = PrinterSimulator().start()
    simulator.stop()
    yield simulator
    simulator.close()


@pytest.fixture
def context(settings, scale_sim, printer) -> Iterator[AppContext]:
    ctx = AppContext.build(
        replace(
            settings,
            scale=ScaleConfig(driver="serial", port=scale_sim.url, protocol="mt-sics"),
            camera=CameraConfig(driver="simulated"),
            printer=PrinterConfig(
                driver="zpl-tcp", address=printer.address, retry_s=0.2, timeout_s=1
            ),
        )
    )
    make_catalog(ctx.db)
    make_rma(ctx.db, "RMA-NK-000123", tracking=UPS, price="59.00")
    ctx.devices.start()
    yield ctx
    ctx.close()


def test_the_scale_unplugged_mid_inspection_and_back(qtbot, bench, scale_sim):
    window, vm, grader = bench
    grader.scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    scale_sim.vanish()  # before the item goes on the pan
    grader.answer_all(KNITWEAR_GRADE_A)
    grader.key(Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: "front" in vm.inspection.photo_roles, timeout=WAIT_MS)
    messages: list[tuple[str, str]] = []
    vm.messageChanged.connect(lambda level, text: messages.append((level, text)))
    grader.key(Qt.Key.Key_F6)  # weigh: the scale is gone
    qtbot.waitUntil(lambda: any(level == "error" for level, _ in messages), timeout=WAIT_MS)
    assert vm.inspection.weight_g is None
    assert not window.form.finalize_button.isEnabled()
    assert vm.state is BenchState.INSPECTING  # nothing lost: the answers are all still there
    assert all(vm.answer(code) == value for code, value in KNITWEAR_GRADE_A.items())

    scale_sim.place(421.0)
    scale_sim.reappear()
    # Plugged back in: the settled weight is recorded by itself, and Finalize opens.
    qtbot.waitUntil(lambda: vm.inspection.weight_g is not None, timeout=WAIT_MS)
    assert vm.inspection.weight_g == pytest.approx(421.0, abs=1.5)
    qtbot.waitUntil(lambda: window.form.finalize_button.isEnabled(), timeout=WAIT_MS)
    grader.key(Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: vm.state is BenchState.FINALIZED, timeout=WAIT_MS)


def test_the_printer_down_at_finalize_keeps_the_verdict_and_prints_when_back(
    qtbot, context, bench, scale_sim, printer
):
    window, vm, grader = bench
    scale_sim.place(420.0)
    grader.scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    grader.answer_all(KNITWEAR_GRADE_A)
    grader.key(Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: window.form.finalize_button.isEnabled(), timeout=WAIT_MS)
    grader.key(Qt.Key.Key_F12)  # nothing listens on the printer's port
    qtbot.waitUntil(lambda: vm.state is BenchState.FINALIZED, timeout=WAIT_MS)
    lpn = vm.verdict.lpn
    with context.db.read() as session:
        assert session.scalar(select(Verdict.grade)) == "A"
    # The bench is ready for the next parcel even though nothing has printed.
    qtbot.waitUntil(lambda: window.scan_bar.field.hasFocus())
    spooler = context.devices.spooler
    qtbot.waitUntil(lambda: bool(spooler.jobs()), timeout=WAIT_MS)
    strip = window.device_strip
    assert strip is not None
    # The grader sees why: the strip's printer entry names the problem.
    qtbot.waitUntil(lambda: "refused" in strip.labels["printer"].toolTip(), timeout=WAIT_MS)
    assert strip.states["printer"] != "ok"

    printer.start()  # switched on, on the same port
    # The spooler keeps retrying: the labels come out once the printer answers.
    assert printer.wait_for_jobs(1, timeout=WAIT_MS / 1000)
    assert any(lpn.encode() in job for job in printer.jobs)
