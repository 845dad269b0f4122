"""Time from an item placed on a simulated 10 Hz scale to the driver reporting it stable.

Per protocol, ~20 trials over a pseudo-terminal: the simulator starts its settling curve
(overshoot, decay, ±0.2 g noise) at ``place()``; the clock stops when the driver's
``on_stable`` callback reports a weight within 1 g of the item. Target: ≤ 1.5 s. The three
protocols run side by side (one simulator and one driver each) to keep the run short.

Each protocol's stable weight is the scale's own flag (a frame flagged in motion is never
stable); the fourth row, a continuous indicator read with a pattern that has no status group,
is judged by the consecutive rule alone (5 readings within ± 2 g), for comparison.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time

from devices.config import ScaleConfig
from devices.scale import Weight
from devices.scale_protocols import PROTOCOLS
from devices.scale_simulator import ScaleSimulator
from devices.serial_scale import SerialScale

TRIALS = 20
TARGET_S = 1.5
ITEMS_G = [137.0, 480.0, 925.0, 1650.0, 2300.0]
NO_FLAG = "continuous, no flag"  # a pattern without a status group
NO_STATUS_PATTERN = r"(?P<sign>[+-])(?P<value>\d+\.\d+)\s*(?P<unit>g)"
ROWS = (*PROTOCOLS, NO_FLAG)


def run_protocol(row: str, results: dict[str, list[float]]) -> None:
    protocol = "continuous" if row == NO_FLAG else row
    pattern = NO_STATUS_PATTERN if row == NO_FLAG else None
    cond = threading.Condition()
    stables: list[tuple[float, Weight]] = []

    def on_stable(weight: Weight) -> None:
        with cond:
            stables.append((time.perf_counter(), weight))
            cond.notify_all()

    def wait_stable_at(grams: float, since: int) -> float:
        with cond:
            ok = cond.wait_for(
                lambda: any(abs(w.grams - grams) <= 1.0 for _, w in stables[since:]), 15.0
            )
            if not ok:
                raise RuntimeError(f"{protocol}: no stable reading at {grams} g")
            return next(t for t, w in stables[since:] if abs(w.grams - grams) <= 1.0)

    with ScaleSimulator(protocol, grams=0.0, rate_hz=10.0, seed=3) as sim:
        config = ScaleConfig(
            driver="serial", port=sim.url, protocol=protocol, poll_hz=10.0,
            continuous_pattern=pattern,
        )  # fmt: skip
        scale = SerialScale(config, unit=sim.unit, on_stable=on_stable)
        scale.start(require_port=True)
        try:
            scale.read_stable(15.0)
            times: list[float] = []
            for trial in range(TRIALS):
                grams = ITEMS_G[trial % len(ITEMS_G)]
                with cond:
                    mark = len(stables)
                started = time.perf_counter()
                sim.place(grams)
                times.append(wait_stable_at(grams, mark) - started)
                with cond:
                    mark = len(stables)
                sim.place(0.0)  # take it off again and wait for the empty pan
                wait_stable_at(0.0, mark)
            results[row] = times
        finally:
            scale.stop()


def main() -> int:
    results: dict[str, list[float]] = {}
    threads = [threading.Thread(target=run_protocol, args=(row, results)) for row in ROWS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ok = True
    print(
        f"scale: place -> stable, {TRIALS} trials per protocol, simulated 10 Hz, target ≤ {TARGET_S} s"
    )
    for protocol in ROWS:
        times = sorted(results.get(protocol, []))
        if not times:
            print(f"  {protocol:20s} FAILED")
            ok = False
            continue
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        verdict = "ok" if p95 <= TARGET_S else "SLOW"
        ok = ok and p95 <= TARGET_S
        print(
            f"  {protocol:20s} median {statistics.median(times):.3f} s  p95 {p95:.3f} s  "
            f"min {times[0]:.3f} s  max {times[-1]:.3f} s  [{verdict}]"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
