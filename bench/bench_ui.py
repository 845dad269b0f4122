"""Benchmark: the real bench window, driven through 50 knitwear inspections by keys and scans.

What a grader feels, measured on the window the station ships (``ui.app.build_bench``) with the
simulated scale streaming at 10 Hz, the simulated camera streaming preview frames, the print
spooler, and the sync relay delivering to a loopback receiver in its own process:

* main-thread stalls over the whole run (``ui.stall_monitor``): target max <= 50 ms;
* software time per inspection: scan to "ready for the next scan" less the scripted human
  pauses (a look at the opened parcel, a moment before each key): target <= 2 s;
* keystrokes + scans per inspection, by how many measurements the standard asked for: a
  knitwear unit with none (one scan, eight answers, F7, F12): target <= 12; each measurement
  the standard asks for (a size return: the value typed as a grader types it, digits then
  Enter) adds 3: two measurements, target <= 18. The demo's
  knitwear returns are taken as they come, size returns included (an earlier version left
  them out, and so reported 11 where a size return costs 18);
* cold start to a scan-ready window, in a fresh process: target <= 2 s (3 runs).

The script only scans (``window.wedge.scanned``: the serial scanner's path) and sends keys to
whatever has focus, following the bench's keyboard contract: focus on the first checklist item
when an inspection opens; the digit an option shows picks it (the Nth option, or on a numeric
scale such as the pilling grade the option's own number) and focus moves on; F7
takes the next required photo; a measurement is typed as the SKU's spec value and Enter; the streaming scale records the weight by itself; F12 finalizes;
then the labels print and the scan field has focus. Before each key it looks at which item has
focus and takes the digit from that item's buttons, so it follows the window, not a script; a
step that does not do what the contract says stops the run, saying what happened.

Figures are printed, not asserted: exit code 1 when a target is missed, 2 when the keyboard
contract breaks.

Usage: python bench/bench_ui.py [--inspections 50] [--rmas 1000] [--progress]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_ui_setup import (  # noqa: E402  (bench/ is on the path)
    _BALLAST,
    STATION_ID,
    cold_start,
    exit_now,
    hold_singletons,
    measure_cold_starts,
    seed,
    singleton_leak,
)
from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from station.context import AppContext  # noqa: E402
from station.settings import load_settings  # noqa: E402
from station.sync.relay import Relay  # noqa: E402
from ui.app import build_bench, preload_in_background, settle_heap  # noqa: E402
from ui.stall_monitor import StallMonitor, percentile  # noqa: E402
from ui.widgets.sign_in import SignInDialog  # noqa: E402

# A standard grade-A knitwear unit, answered item by item.
GRADE_A: dict[str, Any] = {
    "item_matches": True, "parcel_condition": "intact", "packaging": "original",
    "tags_attached": True, "wear": "unworn", "pilling_grade": "5",
    "colour_vs_listing": "matches", "odour": False,
}  # fmt: skip
TARGET_STALL_MS, TARGET_SOFTWARE_S, TARGET_INPUTS, TARGET_COLD_S = 50.0, 2.0, 12, 2.0
# A measurement is typed: two digits and Enter (a value such as 52 cm; 52.5 costs two more).
MEASUREMENT_INPUTS = 3
POLL_MS = 2  # how often a wait looks at the window (from a timer: the event loop runs meanwhile)


class ContractError(RuntimeError):
    """A key or scan did not do what the bench's keyboard contract says."""


# --- driving the window -------------------------------------------------------------------------


@dataclass
class Inspection:
    wall_s: float
    paused_s: float
    keys: int
    scans: int
    steps: dict[str, float]  # software time by step: from the last pause to the step's result
    measurements: int = 0  # measurements the standard asked for (a size return, say)

    @property
    def software_s(self) -> float:
        return self.wall_s - self.paused_s


@dataclass
class Driver:
    """Scans and presses keys like a grader, and waits for the window like one."""

    window: Any
    vm: Any
    key_pause_ms: int
    look_ms: int
    keys: int = 0
    measured: int = 0
    scans: int = 0
    paused_s: float = 0.0
    notes: list[str] = field(default_factory=list)
    steps: dict[str, float] = field(default_factory=dict)
    since: float = 0.0  # end of the last scripted pause (or the scan): where a step starts

    def spin(self, until: Callable[[], bool], timeout_s: float) -> bool:
        """Run the event loop (as ``app.exec`` would) until ``until()`` or the timeout."""
        if until():
            return True
        deadline, failed = time.perf_counter() + timeout_s, []
        loop, poll = QEventLoop(), QTimer()
        poll.setTimerType(Qt.TimerType.PreciseTimer)

        def check() -> None:
            try:
                done = until()
            except Exception as exc:  # a bug in the condition: stop waiting, raise it below
                failed.append(exc)
                done = True
            if done or time.perf_counter() >= deadline:
                loop.quit()

        poll.timeout.connect(check)
        poll.start(POLL_MS)
        loop.exec()
        poll.stop()
        if failed:
            raise failed[0]
        return until()

    def pause(self, ms: int) -> None:
        """A scripted human pause: the app runs meanwhile, and it is not software time (the
        nominal length is subtracted, so a stall that overruns a pause is the app's)."""
        self.spin(lambda: False, ms / 1000)
        self.paused_s += ms / 1000
        self.since = time.perf_counter()

    def wait(
        self, step: str, until: Callable[[], bool], what: str, timeout_s: float = 10.0
    ) -> None:
        if not self.spin(until, timeout_s):
            raise ContractError(f"{what} (waited {timeout_s:.0f} s); {self.describe()}")
        self.steps[step] = self.steps.get(step, 0.0) + time.perf_counter() - self.since
        self.since = time.perf_counter()

    def focused_item(self) -> Any:
        """The checklist item (``item_<code>`` group box) holding the focus, or None.

        Asked of the items rather than by walking up from ``QApplication.focusWidget()``: under
        the PySide6 defect above every Qt call that returns None (no focus, no parent) loses a
        reference to None, and waits poll this hundreds of times a second."""
        for item in self.window.form.checklist.items.values():
            if item.isVisible() and (
                item.hasFocus() or any(w.hasFocus() for w in item.findChildren(QWidget))
            ):
                return item
        return None

    def describe(self) -> str:
        widget, item = QApplication.focusWidget(), self.focused_item()
        where = "nothing" if widget is None else type(widget).__name__
        if widget is not None:
            where += "".join(f" {v!r}" for v in (widget.objectName(), _text(widget)) if v)
        where += f" in {item.objectName()}" if item is not None else ""
        message = self.window.message.text()
        return f"state {self.vm.state.value}, focus on {where}, message {message!r}"

    def key(self, key: Qt.Key) -> None:
        from PySide6.QtTest import QTest

        self.pause(self.key_pause_ms)
        self.keys += 1
        # Through the window, as the window system delivers a key: shortcuts, the wedge
        # filter, then the focused widget.
        focused = QApplication.focusWidget()
        QTest.keyClick((focused.window() if focused else self.window).windowHandle(), key)

    def inspect(self, tracking: str) -> Inspection:
        vm, window = self.vm, self.window
        self.keys, self.scans, self.paused_s, self.steps = 0, 1, 0.0, {}
        self.measured = 0
        started = self.since = time.perf_counter()
        window.wedge.scanned.emit(tracking)
        self.wait(
            "open",
            lambda: vm.inspecting and self.focused_item() is not None,
            f"scanned {tracking}: expected the inspection open, focus on its first item",
        )
        self.pause(self.look_ms)
        self.answer_checklist()
        for requirement in vm.photo_requirements():
            if requirement.required and not requirement.taken:
                self.key(Qt.Key.Key_F7)
                self.wait(
                    "photo",
                    _photo_recorded(vm, requirement.role),
                    f"pressed F7: expected the {requirement.role!r} photo to be recorded",
                )
        self.wait(
            "weight",
            lambda: vm.inspection is not None and vm.inspection.weight_g is not None,
            "expected the streaming scale's stable weight to be recorded by itself "
            f"(the scale shows {window.form.scale_readout.text()!r})",
            timeout_s=5.0,
        )
        self.key(Qt.Key.Key_F12)
        self.wait(
            "finalize",
            lambda: vm.state.value == "finalized"
            and bool(vm.printed_labels)
            and window.scan_bar.field.hasFocus(),
            "pressed F12: expected the verdict, its labels printed and the scan field focused"
            + (f"; still missing: {'; '.join(vm.missing_labels())}" if vm.inspecting else ""),
        )  # fmt: skip
        wall = time.perf_counter() - started
        return Inspection(wall, self.paused_s, self.keys, self.scans, self.steps, self.measured)

    def measurement_spec(self, code: str) -> float | None:
        """The SKU's spec value for a measurement item: what a grade-A unit measures."""
        standard, view = self.vm.standard, self.vm.inspection
        item = (
            next((i for i in standard.spec.checklist if i.code == code), None) if standard else None
        )
        if item is None or view is None or not getattr(item, "spec_key", None):
            return None
        value = (view.sku_spec.get("measurements") or {}).get(item.spec_key)
        return float(value) if value is not None else None

    def type_measurement(self, code: str, value: float) -> None:
        """Typed as a grader types it: the digits of the value, then Enter."""
        for char in f"{value:g}":
            self.key(char)  # type: ignore[arg-type]  # QTest takes a character too
        self.key(Qt.Key.Key_Return)
        self.wait(
            "answers",
            lambda: self.vm.measurement(code) is not None,
            f"typed {value:g} and Enter on item_{code}: expected the measurement recorded",
            timeout_s=3.0,
        )

    def answer_checklist(self) -> None:
        vm = self.vm
        wanted = {code: answer for code, answer in GRADE_A.items() if code in vm.visible_items}
        unknown = sorted(
            item.code for item in vm.items
            if item.required and item.code in vm.visible_items and item.code not in GRADE_A
            and item.photo_role is None and self.measurement_spec(item.code) is None
        )  # fmt: skip
        if unknown:
            raise ContractError(f"required items a grade-A unit does not answer: {unknown}")

        def unmeasured() -> list[str]:
            return [code for code in vm.visible_items
                    if self.measurement_spec(code) is not None and vm.measurement(code) is None]  # fmt: skip

        def unanswered() -> list[str]:
            return [
                code for code, answer in wanted.items() if not _same(vm.answer(code), answer)
            ] + unmeasured()

        while unanswered():
            item = self.focused_item()
            code = item.objectName().removeprefix("item_") if item is not None else ""
            if code in unmeasured():
                value = self.measurement_spec(code)
                assert value is not None
                self.type_measurement(code, value)
                self.measured += 1
                continue
            if code not in unanswered():
                raise ContractError(
                    f"expected focus on the next unanswered item ({', '.join(unanswered())}); "
                    + self.describe()
                )
            buttons = self.window.form.answer_widgets(code)
            answers = [b.property("answer") for b in buttons]
            button = next((b for b in buttons if _same(b.property("answer"), wanted[code])), None)
            digit = button.property("key") if button is not None else None
            if digit is None:
                raise ContractError(f"item_{code} offers {answers}, not {wanted[code]!r} by key")
            self.key(Qt.Key(Qt.Key.Key_0.value + int(digit)))
            more = len(unanswered()) > 1

            def moved_on(code: str = code, was: Any = item, more: bool = more) -> bool:
                # Focus moves on to the next unanswered item (after the last it may stay).
                answered = _same(vm.answer(code), wanted[code])
                return answered and (not more or self.focused_item() is not was)

            self.wait(
                "answers",
                moved_on,
                f"pressed {digit} on item_{code}: expected the answer {wanted[code]!r} "
                "and focus on the next unanswered item",
                timeout_s=3.0,
            )


def _photo_recorded(vm: Any, role: str) -> Callable[[], bool]:
    return lambda: vm.inspection is not None and role in vm.inspection.photo_roles


def _same(value: Any, answer: Any) -> bool:
    return value is not None and type(value) is type(answer) and value == answer


def _text(widget: Any) -> str:
    text = getattr(widget, "text", None)
    return str(text()) if callable(text) else ""


# --- the run ------------------------------------------------------------------------------------


@dataclass
class RunResult:
    inspections: list[Inspection] = field(default_factory=list)
    stall_max_ms: float = 0.0
    stall_p99_ms: float = 0.0
    stalls: int = 0
    ticks: int = 0
    delivered: int = 0
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    none_lost: int = 0  # references to None lost from first scan to last verdict
    true_lost: int = 0
    none_owned: int = 0  # references to None at the first scan, less the ones lent


def drive(data_dir: Path, trackings: list[str], grader: tuple[str, str], args: Any) -> RunResult:
    """Start the bench as ``ui.app.run_bench`` does, sign in, and inspect every parcel."""
    from bench_sync import delivered_count

    from station.sync.status import sync_status

    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = load_settings(data_dir, simulate=True, station_id=STATION_ID)
    context = AppContext.build(settings)
    relay = Relay(context.db, settings.sync, station_id=settings.station_id)
    window, vm, runner = build_bench(context, relay)
    session = window.session
    assert session is not None  # build_bench always gives the window a session
    monitor = StallMonitor(args.stall_log_ms, app)
    driver = Driver(window, vm, args.key_pause_ms, args.look_ms)
    result = RunResult(notes=driver.notes)
    delivered_before = delivered_count(context.db)
    none_at, true_at = sys.getrefcount(None), sys.getrefcount(True)
    step = "setting up"
    try:
        try:
            context.devices.start()
            relay.start()
            window.resize(1366, 860)
            window.show()
            assert window.wedge is not None  # build_bench always connects the scanners
            window.wedge.on_user_input = session.touch  # as run_bench: any key keeps it signed in
            session.ask_if_needed()
            session.sign_in(*grader)  # once a shift: part of no inspection
            driver.wait(
                "setup",
                lambda: session.user is not None
                and not any(isinstance(w, SignInDialog) and w.isVisible()
                            for w in QApplication.topLevelWidgets()),
                f"signing in as {grader[0]}",
            )  # fmt: skip
            # Offscreen there is no window manager to activate the window again once the
            # sign-in dialog has closed: do what one would.
            window.activateWindow()
            driver.wait("setup", window.isActiveWindow, "activating the bench window")
            if not driver.spin(window.scan_bar.field.hasFocus, 2.0):
                driver.notes.append(f"after sign-in the scan field has no focus: "
                                    f"{driver.describe()}")  # fmt: skip
            none_at, true_at = sys.getrefcount(None), sys.getrefcount(True)
            result.none_owned = none_at - (len(_BALLAST[0]) if _BALLAST else 0)
            # As ui.app.run_bench does once the window is up (sign-in takes longer than this).
            preload_in_background().join()
            settle_heap()
            monitor.start()
            for number, tracking in enumerate(trackings, 1):
                step = f"inspection {number} ({tracking})"
                done = driver.inspect(tracking)
                result.inspections.append(done)
                if args.progress:
                    print(f"  {tracking}: {done.keys} keys, {done.scans} scan, "
                          f"{done.measurements} measurements", file=sys.stderr)  # fmt: skip
                if args.progress and number % 10 == 0:
                    print(f"  {number} inspections done", file=sys.stderr, flush=True)
        except ContractError as exc:
            result.error = f"{step}: {exc}"
        finally:
            monitor.stop()
        result.none_lost = none_at - sys.getrefcount(None)
        result.true_lost = true_at - sys.getrefcount(True)
        # Let the relay catch up with the last verdicts (it runs on its own thread).
        driver.spin(lambda: sync_status(context.db).pending == 0, 15.0)
        result.delivered = delivered_count(context.db) - delivered_before
    finally:
        window.close()
        runner.wait_idle()
        relay.stop()
        relay.close()
        context.close()
    stats = monitor.stats()
    result.stall_max_ms, result.stall_p99_ms = stats.max_ms, stats.p99_ms
    result.stalls, result.ticks = stats.count, stats.ticks
    return result


# --- report -------------------------------------------------------------------------------------


def report(result: RunResult, cold: list[float], leak: tuple[float, float]) -> bool:
    rows: list[tuple[str, str, str, bool | None]] = []
    runs = result.inspections

    def row(name: str, value: str, target: str = "", ok: bool | None = None) -> None:
        rows.append((name, value, target, ok))

    def timing(name: str, seconds: list[float], target: float, stats: tuple[str, ...]) -> None:
        figures: dict[str, Callable[[list[float]], float]] = {
            "median": statistics.median, "max": max, "p95": lambda v: percentile(sorted(v), 95),
        }  # fmt: skip
        for stat in stats:
            value = figures[stat](seconds)
            row(f"{name}, {stat}", f"{value:.2f} s", f"<= {target:g} s", value <= target)

    row("inspections completed", f"{len(runs)}")
    row("main-thread stall, max", f"{result.stall_max_ms:.1f} ms",
        f"<= {TARGET_STALL_MS:g} ms", result.stall_max_ms <= TARGET_STALL_MS)  # fmt: skip
    row("main-thread stall, p99", f"{result.stall_p99_ms:.1f} ms", "(all ticks)")
    row(f"stalls logged (of {result.ticks} ticks)", f"{result.stalls}")
    if runs:
        timing("software time per inspection", [r.software_s for r in runs],
               TARGET_SOFTWARE_S, ("median", "p95", "max"))  # fmt: skip
        for kind in sorted({r.measurements for r in runs}):
            label = f"{kind} measurement{'s' if kind != 1 else ''}"
            same = [r for r in runs if r.measurements == kind]
            worst = max(same, key=lambda r: r.keys + r.scans)
            target = TARGET_INPUTS + kind * MEASUREMENT_INPUTS
            row(f"keystrokes + scans, knitwear, {label}, max ({len(same)} runs)",
                f"{worst.keys + worst.scans} ({worst.keys} keys, {worst.scans} scan)",
                f"<= {target}", worst.keys + worst.scans <= target)  # fmt: skip
        row("wall time per inspection, median",
            f"{statistics.median(r.wall_s for r in runs):.2f} s", "(with pauses)")  # fmt: skip
    if cold:
        timing("cold start to scan-ready window", cold, TARGET_COLD_S, ("median", "max"))
    row("relay deliveries during the run", f"{result.delivered} events")
    row("PySide6 refs lost per void call / emit", f"{leak[0]:g} None / {leak[1]:g} True",
        "0", not any(leak))  # fmt: skip
    if runs and any(leak):
        per = result.none_lost / len(runs)
        row("  None / True refs lost per inspection",
            f"{per:.0f} / {result.true_lost / len(runs):.0f}", "(whole app)")  # fmt: skip
        if per > 0:
            row("  inspections before the window aborts",
                f"~{result.none_owned / per:.0f}", "(refs not lent)")  # fmt: skip

    width, wide = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
    print(f"\n{'figure':<{width}}  {'measured':>{wide}}  {'target':<15}  result")
    for name, shown, target, ok in rows:
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        print(f"{name:<{width}}  {shown:>{wide}}  {target:<15}  {verdict}")
    if runs:
        steps = {name: statistics.median(r.steps.get(name, 0.0) for r in runs)
                 for name in ("open", "answers", "photo", "weight", "finalize")}  # fmt: skip
        print("software time by step, median: "
              + ", ".join(f"{name} {value:.2f} s" for name, value in steps.items()))  # fmt: skip
    for note in result.notes:
        print(f"note: {note}")
    return all(ok is not False for *_rest, ok in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inspections", type=int, default=50)
    parser.add_argument("--rmas", type=int, default=1000, help="demo RMAs to seed")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--key-pause-ms", type=int, default=120, help="human pause before a key")
    parser.add_argument("--look-ms", type=int, default=400, help="look at the opened parcel")
    parser.add_argument("--stall-log-ms", type=int, default=50, help="log stalls longer than")
    parser.add_argument("--progress", action="store_true")
    parser.add_argument("--no-ballast", action="store_true",
                        help="let the PySide6 reference leak take its course")  # fmt: skip
    parser.add_argument("--cold-start", help=argparse.SUPPRESS)
    parser.add_argument("--since", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_start:
        return cold_start(Path(args.cold_start), args.since or time.monotonic())

    # A stall is logged with the main thread's stack: where the time went.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from bench_sync import start_receiver

    leak = singleton_leak()
    if any(leak):
        import PySide6

        print(f"WARNING: PySide6 {PySide6.__version__} on Python {sys.version.split()[0]} loses "
              f"{leak[0]:g} reference to None per void Qt call and {leak[1]:g} to True per "
              "signal emit; the window aborts ('none_dealloc') when they run out. "
              + ("" if args.no_ballast else "Lending extra references so the run can finish."),
              flush=True)  # fmt: skip
        if not args.no_ballast:
            hold_singletons(2_000_000)
    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        receiver, hook = start_receiver(Path(tmp))
        try:
            data_dir = Path(tmp) / "data"
            trackings, username, pin = seed(data_dir, args.rmas, hook, args.inspections)
            print(f"seeded {args.rmas} demo RMAs; {len(trackings)} knitwear inspections, "
                  f"pauses {args.look_ms} ms to look, {args.key_pause_ms} ms per key",
                  flush=True)  # fmt: skip
            cold = measure_cold_starts(data_dir, args.cold_runs)
            result = drive(data_dir, trackings, (username, pin), args)
        finally:
            receiver.terminate()
            receiver.wait(10)
    ok = report(result, cold, leak)
    if result.error:
        print(f"\nKEYBOARD CONTRACT BROKEN at {result.error}")
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        status = main()
    except Exception:
        traceback.print_exc()
        status = 3
    exit_now(status)
