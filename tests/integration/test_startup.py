"""What a station's start loads, in a fresh interpreter (what other tests imported does not
count): slow modules needed only later stay out of the start and are preloaded after it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
import main  # what `station gui` loads before the window
from ui.app import build_bench, preload_in_background  # and the window's modules
from station.db import upgrade_database
at_start = sorted(m for m in ("biip", "alembic", "reportlab") if m in sys.modules)
preload_in_background().join()
from devices.gs1_strings import interpret_gs1
data, problem = interpret_gs1("]C1" + "0104006381333931" + "10ABC123")
print(json.dumps({"at_start": at_start,
                  "preloaded": all(m in sys.modules for m in ("biip.gs1_messages", "reportlab")),
                  "gtin": data.gtin if data else None, "problem": problem}))
"""


def test_the_start_leaves_slow_later_modules_to_a_background_preload() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # biip (GS1 tables, ~0.14 s), Alembic (~0.15 s; an up-to-date database needs no
    # migration) and ReportLab (~0.1 s; reports only) are not loaded by the start ...
    assert result["at_start"] == []
    # ... biip and ReportLab are loaded by the preload, and GS1 scans still parse.
    assert result["preloaded"] is True
    assert result["gtin"] == "04006381333931" and result["problem"] is None
