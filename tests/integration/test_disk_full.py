"""A full disk, for real: the data folder on a small tmpfs, the station CLI in subprocesses.

Found by an outside attack (issue 14): with the data folder on a 3 MB or 8 MB tmpfs,
``rma import``, ``user add`` and ``sync endpoint add`` ended in an sqlite3 OperationalError
traceback, and on a disk already full opening the database did. Now every command says
``disk full: <where> — free space and try again`` on one line and exits 1; and finalizing until
the disk fills keeps every acknowledged verdict in a database that passes ``PRAGMA
integrity_check`` and ``station audit verify``.

Mounting needs root (CI runs as root). Otherwise the tests run again inside ``unshare --user
--map-root-user --mount``; where neither works they skip saying why.
"""

from __future__ import annotations

import csv
import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from station.db import Database, sqlite_url, upgrade_database
from station.disk_errors import DiskFull
from station.models import Lpn, RmaLine, Verdict
from station.services import inspections as svc
from station.services.common import Actor
from station.services.receiving import open_inspection, receive_parcel
from station.standards import load_registry
from tests.factories import make_catalog, make_rma

REPO = Path(__file__).resolve().parents[2]
CLI = "import sys; from main import cli; sys.exit(cli(sys.argv[1:]))"
ADMIN_PIN = "4711"
GOOD_ANSWERS = {"item_matches": True, "packaging": "opened", "condition": "like_new",
                "complete": True}  # fmt: skip
UNSHARE = ["unshare", "--user", "--map-root-user", "--mount"]

SmallDisk = Callable[[str], Path]


def _run(
    args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, cwd=cwd, env=env,
                          timeout=1200)  # fmt: skip


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    """``small_disk("3m")``: a fresh tmpfs of that size, unmounted after the test."""
    if os.geteuid() != 0:
        pytest.skip(
            "mounting a tmpfs needs root; as another user these tests run inside "
            f"`{' '.join(UNSHARE)}` (test_disk_full_tests_in_a_private_mount_namespace)"
        )
    if shutil.which("mount") is None:
        pytest.skip("no `mount` command on this machine")
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        target = tmp_path / f"disk{len(mounted)}"
        target.mkdir()
        done = _run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(target)])
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here even as root: {done.stderr.strip()}")
        mounted.append(target)
        return target

    yield mount
    for target in reversed(mounted):
        if _run(["umount", str(target)]).returncode != 0:
            _run(["umount", "--lazy", str(target)])


def _fill(disk: Path, leave: int = 0) -> Path:
    """Take every free byte of ``disk`` but ``leave`` with one file (tmpfs frees on truncate)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (1 << 16, 1 << 12, 1):
            block = b"\0" * size
            try:
                while True:
                    os.write(fd, block)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
        if leave:
            os.ftruncate(fd, os.fstat(fd).st_size - leave)
    finally:
        os.close(fd)
    return filler


def station(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATION_")}
    env.update(STATION_PIN=ADMIN_PIN, STATION_NEW_PIN=ADMIN_PIN)
    return _run([sys.executable, "-c", CLI, *args, "--data-dir", str(data)], cwd=REPO, env=env)


def full_line(data: Path) -> str:
    return f"disk full: {data / 'station.sqlite3'} — free space and try again"


def assert_disk_full(done: subprocess.CompletedProcess[str], data: Path) -> None:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == f"station: error: {full_line(data)}"


def integrity(data: Path) -> str:
    with sqlite3.connect(data / "station.sqlite3") as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def assert_audit_intact(data: Path) -> None:
    done = station(data, "audit", "verify")
    assert done.returncode == 0 and "audit trail intact" in done.stdout, done.stderr


def set_up_station(data: Path) -> None:
    """A migrated database with its first admin (PIN ``ADMIN_PIN``), as a new station starts."""
    done = station(data, "user", "add", "admin", "--name", "Admin", "--role", "admin")
    assert done.returncode == 0, done.stderr


# -- a disk full before the station starts ---------------------------------------------------


@pytest.mark.parametrize("existing", [False, True], ids=["new-station", "existing-database"])
def test_every_command_on_a_disk_already_full_says_so_in_one_line(
    small_disk: SmallDisk, existing: bool
) -> None:
    disk = small_disk("3m")
    data = disk / "data"
    if existing:
        set_up_station(data)
    filler = _fill(disk)
    for command in (["db", "upgrade"], ["scan", "RMA-1"], ["audit", "verify"]):
        assert_disk_full(station(data, *command), data)
    as_json = station(data, "--json", "user", "list")
    assert as_json.returncode == 1 and as_json.stdout.strip() == (
        '{"error": "' + full_line(data) + '"}'
    )
    filler.unlink()  # space again: the station starts as if nothing had happened
    assert station(data, "db", "upgrade").returncode == 0
    assert integrity(data) == "ok"
    if existing:
        assert_audit_intact(data)


# -- the disk fills while the station writes -------------------------------------------------


def _big_rma_file(path: Path, rows: int = 3_000) -> Path:
    """More RMAs than 3 MB hold: one line each, for the test catalogue's seller."""
    header = ["rma_number", "seller", "channel", "order_id", "reason_code", "reason_text",
              "line_no", "sku", "qty", "unit_price", "currency"]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for n in range(rows):
            writer.writerow([f"RMA-FULL-{n:06d}", "NORDKNIT", "shopify", f"#{n}", "size",
                             "Too tight across the chest " * 3, 1, "SW-MERINO-M", 1, "89.90",
                             "EUR"])  # fmt: skip
    return path


def _add_catalog(data: Path) -> None:
    db = Database.open(sqlite_url(data / "station.sqlite3"))
    try:
        make_catalog(db)
    finally:
        db.dispose()


def test_rma_import_that_fills_the_disk_says_so_and_keeps_the_database_sound(
    small_disk: SmallDisk, tmp_path: Path
) -> None:
    disk = small_disk("3m")
    data = disk / "data"
    set_up_station(data)
    _add_catalog(data)
    rmas = _big_rma_file(tmp_path / "rmas.csv")

    assert_disk_full(station(data, "rma", "import", str(rmas)), data)
    assert integrity(data) == "ok"

    assert _run(["mount", "-o", "remount,size=64m", str(disk)]).returncode == 0  # space again
    again = station(data, "rma", "import", str(rmas))
    assert again.returncode == 0, again.stderr
    assert integrity(data) == "ok"
    assert_audit_intact(data)


WRITES = {
    "user add": ["user", "add", "bob{n}", "--name", "Bob", "--role", "grader", "--as", "admin"],
    "sync endpoint add": ["sync", "endpoint", "add", "https://returns.example/hook/{n}",
                          "--as", "admin"],
}  # fmt: skip


@pytest.mark.parametrize("command", sorted(WRITES))
def test_a_write_on_a_full_disk_says_so_and_the_next_one_works(
    small_disk: SmallDisk, command: str
) -> None:
    """With no room at all, and with a little room: the command either works or says the disk
    is full; a traceback, a half-written row or a broken audit trail is never the answer."""
    disk = small_disk("3m")
    data = disk / "data"
    set_up_station(data)
    outcomes = []
    for n, room in enumerate((0, 64 * 1024)):
        filler = _fill(disk, leave=room)
        args = [part.format(n=n) for part in WRITES[command]]
        done = station(data, *args)
        if done.returncode == 0:
            outcomes.append("written")
        else:
            assert_disk_full(done, data)
            outcomes.append("disk full")
        filler.unlink()
        assert integrity(data) == "ok"
    assert outcomes[0] == "disk full"
    done = station(data, *[part.format(n=9) for part in WRITES[command]])
    assert done.returncode == 0, done.stderr
    assert_audit_intact(data)


# -- finalizing until the disk is full ------------------------------------------------------


def _finalize_one(db: Database, actor: Actor, standards, parcel_id, line_id) -> tuple:
    inspection = open_inspection(db, actor, standards, parcel_id, line_id)
    for code, value in GOOD_ANSWERS.items():
        svc.record_answer(db, actor, standards, inspection.id, code, value)
    svc.record_weight(db, actor, inspection.id, 421.0, stable=True, device="sim",
                      raw_frame="S S 421.00 g")  # fmt: skip
    verdict = svc.finalize_inspection(db, actor, standards, inspection.id)
    return inspection.id, verdict.lpn


@pytest.mark.parametrize("room_kb", [1500, 5000], ids=["wal-fills", "database-fills"])
def test_finalizing_until_the_disk_is_full_keeps_every_acknowledged_verdict(
    small_disk: SmallDisk, general_registry, room_kb: int
) -> None:
    """An 8 MB disk with ``room_kb`` free once the station is set up: the log fills first with
    a little room, the database file itself (at a checkpoint) with more."""
    disk = small_disk("8m")
    data = disk / "data"
    data.mkdir(mode=0o700)
    url = sqlite_url(data / "station.sqlite3")
    upgrade_database(url)
    db = Database.open(url)
    actor = Actor(station_id="BENCH-T1", site_id="WH-TEST")
    load_registry(db, station_id=actor.station_id)  # as the station does when it starts
    make_catalog(db)
    make_rma(db, "RMA-FULL-1", skus=(("SW-MERINO-M", 100_000),))
    parcel = receive_parcel(db, actor, "RMA-FULL-1", "RMA-FULL-1")
    with db.read() as session:
        line_id = session.scalar(select(RmaLine.id))
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    filler = _fill(disk, leave=room_kb * 1024)

    acknowledged: dict[uuid.UUID, str] = {}
    failures: list[DiskFull] = []
    while len(failures) < 3 and len(acknowledged) < 5_000:
        try:
            inspection_id, lpn = _finalize_one(db, actor, general_registry, parcel.id, line_id)
        except DiskFull as full:  # the window shows str(full): the same one line
            failures.append(full)
            continue
        acknowledged[inspection_id] = lpn
    assert len(failures) == 3, f"the disk never filled ({len(acknowledged)} verdicts)"
    assert {str(full) for full in failures} == {full_line(data)}
    assert acknowledged

    def stored() -> dict[uuid.UUID, str]:
        with db.read() as session:
            rows = session.execute(
                select(Verdict.inspection_id, Lpn.code).outerjoin(
                    Lpn, Lpn.inspection_id == Verdict.inspection_id
                )
            ).all()
            assert session.scalar(select(RmaLine.qty_received)) == len(rows)
        return dict(rows)

    db.dispose()
    filler.unlink()
    assert integrity(data) == "ok"
    assert stored() == acknowledged  # every acknowledged verdict, and no half-made one
    assert_audit_intact(data)
    inspection_id, lpn = _finalize_one(db, actor, general_registry, parcel.id, line_id)
    assert stored() == {**acknowledged, inspection_id: lpn}
    db.dispose()
    assert integrity(data) == "ok"
    assert_audit_intact(data)


# -- without root ---------------------------------------------------------------------------


def test_disk_full_tests_in_a_private_mount_namespace(tmp_path: Path) -> None:
    """Not root: the tests above run again as root of a user namespace of their own, where
    mounting a tmpfs is allowed and nobody else sees it."""
    if os.geteuid() == 0:
        pytest.skip("running as root: the tests above mount their tmpfs directly")
    if shutil.which("unshare") is None:
        pytest.skip("not root, and no `unshare` command to get a private mount namespace")
    probe = _run([*UNSHARE, "true"])
    if probe.returncode != 0:
        pytest.skip(f"not root, and `{' '.join(UNSHARE)}` is refused: {probe.stderr.strip()}")
    inner = _run(
        [*UNSHARE, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--basetemp", str(tmp_path / "inner"), str(Path(__file__)),
         "-k", "not private_mount_namespace"],
        cwd=REPO,
    )  # fmt: skip
    assert inner.returncode == 0, inner.stdout[-4000:]
    assert "skipped" not in inner.stdout.splitlines()[-1], inner.stdout[-2000:]
