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

from inspection_rules.model import ItemType
from station.context import AppContext
from station.services.demo import seed_demo
from station.settings import Settings
from ui.app import build_bench
from ui.viewmodels.bench import BenchState, BenchViewModel


def wait_for(app: QApplication, condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("window did not reach the expected state")
        app.processEvents()
        time.sleep(0.01)


def answer_everything(app: QApplication, vm: BenchViewModel) -> None:
    """Answer whatever the item's standard asks, as a careful grader with a clean unit would."""
    for _round in range(6):  # answers can reveal conditional items; go round until complete
        for item in vm.items:
            if item.code not in vm.visible_items:
                continue
            if item.type is ItemType.PHOTO and item.photo_role:
                vm.take_photo(item.photo_role)
            elif vm.answer(item.code) is not None or vm.measurement(item.code) is not None:
                continue
            elif item.type is ItemType.YES_NO:
                vm.set_answer(item.code, not item.code.startswith(("odour", "worn", "stain")))
            elif item.type is ItemType.SINGLE_CHOICE:
                vm.set_answer(item.code, item.choices[0][0])
            elif item.type is ItemType.MULTI_CHOICE:
                vm.set_answer(item.code, [])
            elif item.type is ItemType.MEASUREMENT:
                check = vm.check_measurement(item.code, None)
                expected = check.expected if check and check.expected else 50.0
                vm.record_measurement(item.code, expected)
            elif item.type is ItemType.TEXT and item.required:
                vm.set_answer(item.code, "as listed")
        for requirement in vm.photo_requirements():
            if not requirement.taken:
                vm.take_photo(requirement.role)
        if vm.inspection is not None and vm.inspection.weight_g is None:
            vm.weigh()
        wait_for(app, lambda: not vm.facts_pending and vm.evaluation_confirmed)
        if vm.can_finalize:
            return
    raise TimeoutError("could not complete the checklist: " + "; ".join(vm.missing_labels()))


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

        answer_everything(app, vm)
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
