"""Is this machine ready to be a bench? One list of findings, each with what to do about it.

Used at start (the first-run dialog), by ``station doctor`` and by support over the phone: the
data folder, the database, the standards, each configured device, and the system libraries the
window leans on (ZBar, a CJK font, PulseAudio). Every check runs in its own daemon thread with
a deadline, so a printer that swallows SYN packets or a wedged serial port turns into a finding
("did not answer within 10 s") instead of a station that never starts.

A *blocker* means the bench cannot record inspections (no writable data folder, no database, no
standards); everything else is a warning: the grader can type a weight, add photo files, and
labels wait in the spool.
"""

from __future__ import annotations

import importlib
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from ctypes.util import find_library
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from devices.printing import ZplTcpPrinter
from devices.registry import DeviceSet, build_devices
from inspection_rules.loader import SHIPPED_DIR, load_standards
from station.db import Database, create_station_engine, current_revision, head_revision
from station.file_modes import secure_data_dir
from station.i18n import N_, _
from station.settings import Settings
from station.standards import StandardsLoad

if TYPE_CHECKING:
    from station.context import AppContext

log = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 10.0  # per check; they run side by side, so the whole list takes about this
PRINTER_CONNECT_TIMEOUT_S = 3.0
MIN_FREE_MB = 500  # photos are ~1-3 MB each: below this a busy day can fill the disk


@dataclass(frozen=True)
class Finding:
    """One check's outcome: ``what`` was found (translated), ``remedy`` says what to do."""

    key: str
    ok: bool
    what: str
    remedy: str = ""
    blocker: bool = False  # the bench cannot work until this is fixed (only when not ok)


Check = Callable[[], Finding]


def check_station(
    settings: Settings,
    devices: DeviceSet | None = None,
    *,
    db: Database | None = None,
    standards_load: StandardsLoad | None = None,
    min_free_mb: int = MIN_FREE_MB,
    timeout_s: float = CHECK_TIMEOUT_S,
) -> list[Finding]:
    """Every check, in a fixed order. Blocks for up to ``timeout_s``: never on the UI thread.

    Without ``devices`` the devices are built from the settings (no spooler) and closed after;
    with the running set (the window's), the devices in use are checked as they are.
    """
    own = devices is None
    device_set = devices if devices is not None else build_devices(
        simulate=settings.simulate, scanner=settings.scanner, scale=settings.scale,
        camera=settings.camera, printer=settings.printer, use_spooler=False,
    )  # fmt: skip
    checks: list[tuple[str, Check]] = [
        ("data_dir", lambda: check_data_dir(settings.data_dir)),
        ("disk_space", lambda: check_disk_space(settings.data_dir, min_free_mb)),
        ("database", lambda: check_database(settings, db)),
        ("standards", lambda: check_standards(settings, standards_load)),
        ("camera", lambda: check_camera(device_set)),
        ("scale", lambda: check_scale(device_set)),
        ("printer", lambda: check_printer(device_set)),
        ("zbar", check_zbar),
        ("cjk_font", check_cjk_font),
        ("sound", lambda: check_sound(settings.sounds)),
    ]
    try:
        return run_checks(checks, timeout_s)
    finally:
        if own:
            device_set.close()


def first_run_findings(context: AppContext) -> list[Finding]:
    """The checks for the window at start (call on a worker): the running devices, database
    and standards of ``context``, so nothing is opened twice."""
    return check_station(
        context.settings, context.devices, db=context.db, standards_load=context.standards_load
    )


def blockers(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if not finding.ok and finding.blocker]


def run_checks(checks: list[tuple[str, Check]], timeout_s: float) -> list[Finding]:
    """Run the checks side by side; one that overruns ``timeout_s`` becomes a finding."""
    results: dict[str, Finding] = {}
    threads: list[tuple[str, threading.Thread]] = []
    for key, check in checks:

        def run(key: str = key, check: Check = check) -> None:
            try:
                results[key] = check()
            except Exception as exc:  # a check must report, never crash the list
                log.exception("station check %s failed", key)
                results[key] = Finding(key, False, _("{key}: the check failed: {error}").format(
                    key=key, error=exc), _("Report this to support"))  # fmt: skip

        thread = threading.Thread(target=run, name=f"check-{key}", daemon=True)
        thread.start()
        threads.append((key, thread))
    deadline = time.monotonic() + timeout_s  # the checks run together: one deadline for all
    for key, thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive() and key not in results:
            results[key] = Finding(
                key, False, _("{key}: no answer within {seconds:g} s").format(key=key, seconds=timeout_s),
                _("Check the device or service and its cable or network"),
            )  # fmt: skip
    return [results[key] for key, _check in checks]


# --- the station itself ----------------------------------------------------------------------


def check_data_dir(data_dir: Path) -> Finding:
    try:
        secure_data_dir(data_dir)
        with tempfile.TemporaryFile(dir=data_dir) as probe:
            probe.write(b"ok")
    except OSError as exc:
        return Finding(
            "data_dir", False,
            _("Data folder {path} is not writable: {error}").format(path=data_dir, error=exc.strerror or exc),
            _("Give this user write access to it, or start with --data-dir / STATION_DATA_DIR pointing elsewhere"),
            blocker=True,
        )  # fmt: skip
    return Finding("data_dir", True, _("Data folder {path} is writable").format(path=data_dir))


def check_disk_space(data_dir: Path, min_free_mb: int = MIN_FREE_MB) -> Finding:
    existing = next((p for p in (data_dir, *data_dir.parents) if p.exists()), data_dir)
    try:
        free_mb = shutil.disk_usage(existing).free // (1024 * 1024)
    except OSError as exc:
        return Finding("disk_space", False, _("Cannot tell the free disk space: {error}").format(
            error=exc.strerror or exc), blocker=True)  # fmt: skip
    if free_mb < min_free_mb:
        return Finding(
            "disk_space", False,
            _("Only {free} MB free on the disk of {path} (at least {floor} MB needed)").format(
                free=free_mb, path=data_dir, floor=min_free_mb),
            _("Free some disk space (old reports and backups in the data folder can go)"),
            blocker=True,
        )  # fmt: skip
    return Finding("disk_space", True, _("{free} MB free on the disk").format(free=free_mb))


def check_database(settings: Settings, db: Database | None = None) -> Finding:
    """Reachable and at the newest migration; a missing SQLite file is reported, not created."""
    url = settings.effective_database_url
    upgrade = _("Run `station db upgrade` (the window also does this at start)")
    if db is None and url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return Finding("database", False, _("No database yet at {path}").format(path=path),
                           upgrade, blocker=True)  # fmt: skip
    engine = db.engine if db is not None else create_station_engine(url)
    try:
        revision, head = current_revision(engine), head_revision()
    except Exception as exc:  # any driver error: unreachable, locked, not a database
        return Finding("database", False, _("The database cannot be opened: {error}").format(
            error=exc), _("Check the database URL and that the server is running"), blocker=True)  # fmt: skip
    finally:
        if db is None:
            engine.dispose()
    if revision != head:
        return Finding("database", False, _("The database is at revision {current}, this station needs {head}").format(
            current=revision or _("none"), head=head), upgrade, blocker=True)  # fmt: skip
    return Finding("database", True, _("Database ready ({dialect})").format(dialect=engine.dialect.name))  # fmt: skip


def check_standards(settings: Settings, load: StandardsLoad | None = None) -> Finding:
    fix = _("Run `station rules check` and fix the files it names")
    if load is not None:  # the window's: includes stored fallbacks for refused files
        count, problems = len(load.registry.standards), load.problems
    else:
        result = load_standards([SHIPPED_DIR, *settings.standards_dirs])
        count, problems = len(result.standards), result.problems
    if count == 0:
        return Finding("standards", False, _("No inspection standard could be loaded"), fix, blocker=True)  # fmt: skip
    if problems:
        return Finding("standards", False, _("{count} standard(s) loaded, {problems} problem(s); first: {first}").format(
            count=count, problems=len(problems), first=problems[0]), fix)  # fmt: skip
    return Finding("standards", True, _("{count} inspection standard(s) loaded").format(count=count))  # fmt: skip


# --- devices ---------------------------------------------------------------------------------

SETUP_HINT = N_("Set it up in Settings (Ctrl+,) or in settings.toml")


def _device_state(devices: DeviceSet, kind: str, label: str) -> Finding | None:
    """The finding when there is nothing to probe (not configured, simulated, no driver)."""
    status = devices.status(kind)
    if status.driver == "none":
        return Finding(
            kind, True, _("{device}: not configured").format(device=label), _(SETUP_HINT)
        )
    if status.driver == "simulated":
        return Finding(kind, True, _("{device}: simulated").format(device=label))
    if status.error and status.error.startswith("driver unavailable"):
        return Finding(kind, False, f"{label}: {status.error}", _(SETUP_HINT))
    return None


def check_camera(devices: DeviceSet) -> Finding:
    label = _("Camera")
    early = _device_state(devices, "camera", label)
    if early is not None:
        return early
    where = devices.status("camera").address or "?"
    if devices.camera is None:
        return Finding("camera", False, _("Camera {source}: {error}").format(
            source=where, error=devices.status("camera").error), _(SETUP_HINT))  # fmt: skip
    try:
        frame = devices.camera.grab()
    except Exception as exc:
        return Finding("camera", False, _("Camera {source} gives no picture: {error}").format(
            source=where, error=exc), _("Check the cable and the [camera] source"))  # fmt: skip
    return Finding("camera", True, _("Camera {source}: {width}x{height}").format(
        source=where, width=frame.width, height=frame.height))  # fmt: skip


def check_scale(devices: DeviceSet) -> Finding:
    label = _("Scale")
    early = _device_state(devices, "scale", label)
    if early is not None:
        return early
    where = devices.status("scale").address or "?"
    if devices.scale is None:
        return Finding("scale", False, _("Scale on {port}: {error}").format(
            port=where, error=devices.status("scale").error), _(SETUP_HINT))  # fmt: skip
    try:
        weight = devices.scale.read()
    except Exception as exc:
        return Finding("scale", False, _("Scale on {port} does not answer: {error}").format(
            port=where, error=exc), _("Check the cable, the port and the [scale] protocol and baud rate"))  # fmt: skip
    return Finding("scale", True, _("Scale on {port}: {grams:.1f} g").format(port=where, grams=weight.grams))  # fmt: skip


def check_printer(devices: DeviceSet) -> Finding:
    label = _("Printer")
    early = _device_state(devices, "printer", label)
    if early is not None:
        return early
    printer = devices.printer
    if printer is None:
        return Finding("printer", False, f"{label}: {devices.status('printer').error}", _(SETUP_HINT))  # fmt: skip
    if isinstance(printer, ZplTcpPrinter):  # a fresh client: a short connect timeout, no job
        printer = ZplTcpPrinter(printer.name, printer.host, printer.port,
                                timeout_s=min(printer.connect_timeout_s, PRINTER_CONNECT_TIMEOUT_S))  # fmt: skip
    try:
        printer.probe()
    except Exception as exc:
        return Finding("printer", False, _("Printer {name} at {address}: {error}").format(
            name=printer.name, address=printer.address, error=exc),
            _("Check that the printer is on, on the network, and that the address is right"))  # fmt: skip
    return Finding("printer", True, _("Printer {name} at {address} answers").format(
        name=printer.name, address=printer.address))  # fmt: skip


# --- the system ------------------------------------------------------------------------------


def _is_linux() -> bool:
    return sys.platform.startswith("linux")


def check_zbar() -> Finding:
    """ZBar is the decoder's second opinion; zxing-cpp alone still decodes, so a warning.

    Remedies that are commands stay untranslated: they are typed as they are.
    """
    try:
        importlib.import_module("pyzbar.pyzbar")
    except (ImportError, OSError) as exc:
        log.info("pyzbar unavailable: %s", exc)
        remedy = "sudo apt-get install libzbar0" if _is_linux() else _("Install the ZBar library")  # fmt: skip
        return Finding("zbar", False, _("ZBar is missing: barcodes are read by zxing-cpp alone"), remedy)  # fmt: skip
    return Finding("zbar", True, _("ZBar barcode library present"))


def check_cjk_font() -> Finding:
    """Chinese text (the zh-CN window, Chinese product titles) needs a CJK font on Linux."""
    install = "sudo apt-get install fonts-noto-cjk"
    if not _is_linux():
        return Finding("cjk_font", True, _("Chinese font: provided by the system"))
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return Finding("cjk_font", False, _("Cannot look for a Chinese font (fontconfig is missing)"),
                       "sudo apt-get install fontconfig fonts-noto-cjk")  # fmt: skip
    try:
        done = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True,
                              timeout=5, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Finding("cjk_font", False, _("Cannot look for a Chinese font: {error}").format(error=exc), install)  # fmt: skip
    families = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    if not families:
        return Finding("cjk_font", False, _("No Chinese font: Chinese text shows as boxes"), install)  # fmt: skip
    return Finding("cjk_font", True, _("Chinese font: {family}").format(family=families[0].split(",")[0]))  # fmt: skip


def check_sound(enabled: bool = True) -> Finding:
    """Qt's audio output on Linux goes through PulseAudio (or PipeWire's pulse layer)."""
    if not enabled:
        return Finding("sound", True, _("Sounds are turned off"))
    if _is_linux() and find_library("pulse") is None:
        return Finding("sound", False, _("No sound: the PulseAudio client library is missing"),
                       "sudo apt-get install libpulse0")  # fmt: skip
    return Finding("sound", True, _("Sound output available"))
