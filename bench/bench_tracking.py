"""Benchmark: ``identify_tracking`` per call, and the first call (which loads the data set).

Every ``station scan`` and every scan at the bench goes through ``identify_tracking``. Inputs:
every valid and invalid test number of the shipped tracking_number_data files (spaces removed,
as ``station.codes.normalize_code`` leaves them) plus as many GTINs (EAN-13, UPC-A, GTIN-14,
EAN-8, valid check digits), which is what a grader scans most. Reported: µs per call, the best
of several rounds; and, in a fresh interpreter each time, the import and the first call (the
first call reads the JSON and compiles the patterns). Nothing here asserts a time; it reports.

    .venv/bin/python bench/bench_tracking.py [--rounds 7] [--fresh 5]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devices.gs1 import gs1_check_digit  # noqa: E402
from devices.tracking import identify_tracking  # noqa: E402

COURIERS = ROOT / "devices" / "data" / "tracking_number_data" / "couriers"

_FIRST_CALL = """
import time
t0 = time.perf_counter()
from devices.tracking import identify_tracking
t1 = time.perf_counter()
identify_tracking("1Z5R89390357567127")
t2 = time.perf_counter()
print((t1 - t0) * 1e3, (t2 - t1) * 1e3)
"""


def published_numbers() -> list[str]:
    numbers = []
    for path in sorted(COURIERS.glob("*.json")):
        for fmt in json.loads(path.read_text(encoding="utf-8"))["tracking_numbers"]:
            for kind in ("valid", "invalid"):
                numbers += ["".join(n.split()).upper() for n in fmt["test_numbers"][kind]]
    return numbers


def gtins(count: int, rng: random.Random) -> list[str]:
    out = []
    for i in range(count):
        body = "".join(rng.choice("0123456789") for _ in range((12, 11, 13, 7)[i % 4]))
        out.append(body + gs1_check_digit(body))
    return out


def per_call_us(codes: list[str], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for code in codes:
            identify_tracking(code)
        best = min(best, time.perf_counter() - start)
    return best / len(codes) * 1e6


def first_call(fresh: int) -> tuple[float, float]:
    imports, calls = [], []
    for _ in range(fresh):
        out = subprocess.run(
            [sys.executable, "-c", _FIRST_CALL],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        imports.append(float(out[0]))
        calls.append(float(out[1]))
    return statistics.median(imports), statistics.median(calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--fresh", type=int, default=5, help="fresh interpreters for first call")
    args = parser.parse_args()
    published = published_numbers()
    mixed = gtins(len(published), random.Random(13))
    identify_tracking(published[0])  # load once before timing calls
    print(
        f"published test numbers ({len(published)}): {per_call_us(published, args.rounds):.2f} µs/call"
    )
    print(f"GTINs ({len(mixed)}): {per_call_us(mixed, args.rounds):.2f} µs/call")
    print(f"both: {per_call_us(published + mixed, args.rounds):.2f} µs/call")
    imported, called = first_call(args.fresh)
    print(
        f"fresh interpreter, median of {args.fresh}: import {imported:.1f} ms, first call {called:.2f} ms"
    )


if __name__ == "__main__":
    main()
