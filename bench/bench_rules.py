"""Benchmark: evaluating one item, and loading + validating every shipped standard.

Targets from the issue: ≤ 1 ms per evaluation, ≤ 200 ms to load and validate all standards.
Baselines measured in the same run: for loading, a bare ``yaml.safe_load`` of the same files
with libyaml where installed (parsing alone: no positions, merging or validation); for evaluation, the hand-written Python
general-merchandise standard the data-driven one replaced, on the same facts.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from inspection_rules import DefectFact, Facts  # noqa: E402
from inspection_rules.loader import SHIPPED_DIR, load_standards, standard_files  # noqa: E402
from inspection_rules.model import ItemType  # noqa: E402
from inspection_rules.standard import CompiledStandard  # noqa: E402

TODAY = date(2026, 11, 22)
FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the fairest bare parse: libyaml if present


def random_facts(standard: CompiledStandard, rng: random.Random) -> Facts:
    answers: dict[str, object] = {}
    measurements: dict[str, tuple[float, str]] = {}
    photos: set[str] = set()
    for item in standard.spec.checklist:
        if item.type is ItemType.YES_NO:
            answers[item.code] = rng.random() < 0.7
        elif item.type is ItemType.SINGLE_CHOICE:
            answers[item.code] = rng.choice(item.choices).code
        elif item.type is ItemType.MULTI_CHOICE:
            answers[item.code] = [c.code for c in item.choices if rng.random() < 0.2]
        elif item.type is ItemType.MEASUREMENT:
            measurements[item.code] = (rng.uniform(20, 80), item.unit or "")
        elif item.type is ItemType.PHOTO and item.role:
            photos.add(item.role)
        elif item.type is ItemType.TEXT:
            answers[item.code] = "SN" + str(rng.randint(1000, 9999))
    defects = tuple(
        DefectFact(d.code, rng.choice(d.zones) if d.zones else None, d.severity)
        for d in rng.sample(
            list(standard.spec.defects), k=min(len(standard.spec.defects), rng.randint(0, 3))
        )
    )
    return Facts(
        answers=answers, measurements=measurements, defects=defects,
        photo_roles=frozenset(photos | {"defect_closeup", "front", "serial_plate"}),
        weight_g=rng.uniform(100, 900), weight_stable=True, expected_weight_g=500,
        stated_reason=rng.choice(["size", "defect", "changed_mind", "damaged_in_transit"]),
        delivered_on=TODAY - timedelta(days=rng.randint(1, 40)), inspected_on=TODAY,
        customer_country=rng.choice(["US", "GB", "DE", "JP"]),
        sku_spec={"measurements": {"chest_width_cm": 52, "body_length_cm": 68}},
    )  # fmt: skip


def time_us(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e6)
    return samples


def per_call_us(standard: CompiledStandard, cases: list[Facts]) -> list[float]:
    samples = []
    for facts in cases:
        start = time.perf_counter()
        standard.evaluate(facts)
        samples.append((time.perf_counter() - start) * 1e6)
    return samples


def main() -> int:
    files = standard_files([SHIPPED_DIR])
    load_ms = [us / 1000 for us in time_us(lambda: load_standards([SHIPPED_DIR]), 15)]
    parse_ms = [
        us / 1000
        for us in time_us(lambda: [yaml.load(f.read_text("utf-8"), Loader=FAST) for f in files], 15)
    ]
    result = load_standards([SHIPPED_DIR])
    if result.problems:
        print("shipped standards have problems:", *result.problems, sep="\n  ")
        return 1
    load = statistics.median(load_ms)
    print(f"load + validate {len(result.standards)} standards ({len(files)} files): "
          f"median {load:.1f} ms (target ≤ 200 ms: {'meets' if load <= 200 else 'MISSES'}); "
          f"bare YAML parse ({FAST.__name__}) {statistics.median(parse_ms):.1f} ms, "
          f"ratio {load / statistics.median(parse_ms):.1f}×")  # fmt: skip

    rng = random.Random(3)
    worst = 0.0
    for standard in result.standards.values():
        cases = [random_facts(standard, rng) for _ in range(2000)]
        samples = per_call_us(standard, cases)
        p50, p99 = statistics.median(samples), sorted(samples)[int(len(samples) * 0.99)]
        worst = max(worst, p99)
        print(f"evaluate {standard.id:<22} n={len(cases)}  p50 {p50:6.1f} µs  p99 {p99:7.1f} µs")
    print(f"worst p99 {worst / 1000:.3f} ms per evaluation "
          f"(target ≤ 1 ms: {'meets' if worst <= 1000 else 'MISSES'})")  # fmt: skip

    from handwritten_general import GeneralMerchandiseStandard

    data_general = result.standards.get("general-merchandise")
    if data_general is not None:
        python_general = GeneralMerchandiseStandard()
        cases = [random_facts(data_general, rng) for _ in range(2000)]
        ours = statistics.median(time_us(lambda: [data_general.evaluate(f) for f in cases], 5))
        base = statistics.median(time_us(lambda: [python_general.evaluate(f) for f in cases], 5))
        print(f"general merchandise as data vs hand-written Python: {ours / len(cases):.1f} µs "
              f"vs {base / len(cases):.1f} µs per evaluation, ratio {ours / base:.1f}×")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
