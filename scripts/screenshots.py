"""Render the bench window's main states to PNG files (offscreen), for docs and review.

Usage: python scripts/screenshots.py OUT_DIR
Seeds a throw-away demo database, scans a demo tracking number, answers the checklist and
finalizes, saving the window at each step.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication

from station.context import AppContext
from station.services.demo import seed_demo
from station.settings import Settings
from ui.app import build_bench
from ui.viewmodels.bench import BenchState


def wait_for(app: QApplication, condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("window did not reach the expected state")
        app.processEvents()
        time.sleep(0.01)


def main(out_dir: Path) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        context = AppContext.build(
            Settings(data_dir=Path(tmp), station_id="BENCH-07", simulate=True)
        )
        summary = seed_demo(context.db, rma_count=200)
        window, vm, runner = build_bench(context)
        window.resize(1366, 860)
        window.show()
        wait_for(app, lambda: True)
        window.grab().save(str(out_dir / "01-ready.png"))

        vm.submit_scan(summary.sample_codes["tracking_ups"])
        wait_for(app, lambda: vm.state in (BenchState.INSPECTING, BenchState.CHOOSE_LINE))
        if vm.state is BenchState.CHOOSE_LINE:
            vm.choose_line(vm.remaining_lines()[0].id)
            wait_for(app, lambda: vm.state is BenchState.INSPECTING)
        wait_for(app, lambda: vm.evaluation is not None)
        window.grab().save(str(out_dir / "02-inspecting.png"))

        for code, value in {
            "item_matches": True,
            "packaging": "opened",
            "condition": "used",
            "complete": True,
        }.items():
            vm.set_answer(code, value)
        vm.weigh()
        wait_for(
            app,
            lambda: (
                vm.inspection is not None
                and vm.inspection.weight_g is not None
                and len(vm.inspection.answers) == 4
            ),
        )
        wait_for(app, lambda: vm.evaluation is not None and vm.evaluation.complete)
        window.grab().save(str(out_dir / "03-ready-to-finalize.png"))
        vm.finalize()
        wait_for(app, lambda: vm.state is BenchState.FINALIZED)
        wait_for(app, lambda: not runner.busy)
        window.grab().save(str(out_dir / "04-verdict.png"))

        vm.submit_scan("CP000000000XX")
        wait_for(app, lambda: vm.state is BenchState.BLIND_PROMPT)
        window.grab().save(str(out_dir / "05-blind-return.png"))
        runner.wait_idle()
        context.close()
    print(f"screenshots written to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
