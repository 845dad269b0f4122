"""``station doctor [--simulate] [--json]``: is this machine ready to be a bench?

The same checks as the window's first-run dialog (``station.services.station_check``), for an
installer at a terminal or support reading a pasted JSON. Exit status 0 when nothing blocks
the bench (warnings allowed), 1 otherwise. Needs no migrated database: reporting a missing one
is part of the job.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import Any

from station.i18n import _
from station.services.station_check import blockers, check_station
from station.settings import Settings


def add_doctor_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    doctor = commands.add_parser(
        "doctor", parents=[common], help="check this machine: data folder, database, devices, libraries"
    )  # fmt: skip
    doctor.add_argument(
        "--simulate", action="store_true", help="check with simulated devices (as `gui --simulate`)"
    )


def run_doctor(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    findings = check_station(settings)
    blocking = blockers(findings)
    if as_json:
        print(json.dumps({"ok": not blocking, "findings": [dataclasses.asdict(f) for f in findings]},
                         ensure_ascii=False))  # fmt: skip
    else:
        for finding in findings:
            mark = "ok  " if finding.ok else ("FAIL" if finding.blocker else "warn")
            print(f"{mark} {finding.what}")
            if not finding.ok and finding.remedy:
                print(f"     -> {finding.remedy}")
        print(_("{count} problem(s) block this bench").format(count=len(blocking)) if blocking
              else _("Nothing blocks this bench"))  # fmt: skip
    return 1 if blocking else 0
