"""The UI benchmark's set-up: seeding the demo station, the cold start measured in a process of
its own, and a guard against a PySide6 defect that would end a long run early.

``bench/bench_ui.py`` drives the window; this module holds what happens before and beside it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from station.context import AppContext
from station.db import Database, upgrade_database
from station.models import Rma, RmaLine, RmaStatus, RmaTracking, Role, User
from station.settings import Settings, load_settings
from station.sync.relay import Relay
from station.timeutil import today_utc
from ui.app import build_bench

STATION_ID = "BENCH-UI"
BENCH_UI = Path(__file__).with_name("bench_ui.py")  # started again with --cold-start


# --- a PySide6 defect that would end the run early ---------------------------------------------

_BALLAST: list[list[Any]] = []


def singleton_leak() -> tuple[float, float]:
    """References to None lost per void Qt call and to True per signal emit; (0, 0) when the
    binding is sound. PySide6 6.12.0's abi3 wheel on CPython 3.11 (where None and the bools
    are not immortal yet) drops one each time: a window that runs long enough aborts with
    "none_dealloc" or "bool_dealloc"."""

    class Probe(QObject):
        ping = Signal(int)

    probe, calls = Probe(), 200
    before = sys.getrefcount(None)
    for _ in range(calls):
        probe.setObjectName("probe")
    none_lost = (before - sys.getrefcount(None)) / calls
    before = sys.getrefcount(True)
    for _ in range(calls):
        probe.ping.emit(1)
    return none_lost, (before - sys.getrefcount(True)) / calls


def hold_singletons(count: int) -> None:
    """Lend None, True and False enough references for the run to finish despite the leak
    (the timing figures stand; the leak is reported on lines of its own)."""
    _BALLAST.extend([[None] * count, [True] * count, [False] * count])


def exit_now(code: int) -> None:
    """With references lent, the interpreter's own clean-up would hand them back and take the
    leaked counts through zero: leave without it (ours is all stopped and removed by then)."""
    if not _BALLAST:
        raise SystemExit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


# --- cold start (a process of its own) --------------------------------------------------------


def cold_start(data_dir: Path, since: float) -> int:
    """Start the bench as ``station gui --simulate`` does; print the seconds since ``since``
    (the parent's ``time.monotonic()`` just before it started this process) once the scan field
    has focus and the event loop has been through what was queued (a zero timer's timeout)."""
    import main  # noqa: F401  (what `station gui` loads before the window)

    if any(singleton_leak()):
        hold_singletons(200_000)
    app = QApplication(sys.argv[:1])
    settings = load_settings(data_dir, simulate=True, station_id=STATION_ID)
    context = AppContext.build(settings)
    relay = Relay(context.db, settings.sync, station_id=settings.station_id)
    window, _vm, runner = build_bench(context, relay)
    context.devices.start()
    relay.start()
    window.show()
    ready: list[float] = []

    def check() -> None:
        if window.scan_bar.field.hasFocus():
            ready.append(time.monotonic() - since)
            app.quit()

    idle = QTimer()
    idle.timeout.connect(check)
    idle.start(0)
    QTimer.singleShot(30_000, app.quit)
    app.exec()
    idle.stop()
    window.close()
    runner.wait_idle()
    relay.stop()
    relay.close()
    context.close()
    print(f"COLD_START {ready[0]:.4f}" if ready else "COLD_START never scan-ready", flush=True)
    return 0 if ready else 1


def measure_cold_starts(data_dir: Path, runs: int) -> list[float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATION_")}
    times = []
    for _ in range(runs):
        since = time.monotonic()
        argv = [
            sys.executable,
            str(BENCH_UI),
            "--cold-start",
            str(data_dir),
            "--since",
            repr(since),
        ]
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        lines = [ln for ln in done.stdout.splitlines() if ln.startswith("COLD_START ")]
        if done.returncode != 0 or not lines:
            raise RuntimeError(
                f"cold start failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            )
        times.append(float(lines[-1].split()[1]))
    return times


# --- data ---------------------------------------------------------------------------------------


def seed(data_dir: Path, rmas: int, hook: str, count: int) -> tuple[list[str], str, str]:
    """Seed the demo and point a webhook endpoint at the receiver; returns the tracking
    numbers to scan and a grader's user name and PIN (the seed shows PINs this once)."""
    from bench_sync import demo_admin

    from station.services.demo import seed_demo
    from station.sync.endpoints import add_endpoint

    url = Settings(data_dir=data_dir).effective_database_url
    data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_database(url)
    db = Database.open(url)
    try:
        summary = seed_demo(db, rma_count=rmas)
        add_endpoint(db, demo_admin(db, STATION_ID), hook)
        with db.read() as session:
            grader = session.scalar(select(User.username).where(User.role == Role.GRADER.value))
        assert grader is not None, "the demo seed made no grader"
        return pick_trackings(db, count), grader, summary.user_pins[grader]
    finally:
        db.dispose()


def pick_trackings(db: Database, count: int) -> list[str]:
    """Tracking numbers (what is printed on the parcel) of open knitwear RMAs expecting exactly
    one unit, inside their return window and not about size: the plain grade-A flow."""
    today = today_utc()
    with db.read() as session:
        shared = set(
            session.scalars(
                select(RmaTracking.tracking_number)
                .group_by(RmaTracking.tracking_number)
                .having(func.count() > 1)
            )
        )
        rmas = session.scalars(
            select(Rma)
            .where(Rma.status == RmaStatus.EXPECTED.value)
            .options(selectinload(Rma.lines).selectinload(RmaLine.sku))
            .options(selectinload(Rma.tracking_numbers))
            .order_by(Rma.number)
        ).all()
        picked = [
            rma.tracking_numbers[0].tracking_number
            for rma in rmas
            if len(rma.lines) == 1
            and rma.lines[0].qty_expected == 1
            and rma.lines[0].sku is not None
            and rma.lines[0].sku.category == "knitwear"
            and len(rma.tracking_numbers) == 1
            and rma.tracking_numbers[0].tracking_number not in shared
            # The knitwear standards' windows are never shorter than the RMA's own.
            and (deadline := rma.return_deadline()) is not None
            and deadline >= today
        ]
    if len(picked) < count:
        raise SystemExit(f"only {len(picked)} suitable RMAs were seeded: raise --rmas")
    return picked[:count]
