"""The station as a person meets it: ``station gui --simulate`` in its own process on its own
X server, with a throw-away data dir; the tests read its database and its probe, and look at
the screen.

``STATION_E2E_SOURCE=/path/to/another/checkout`` runs the station from that tree instead of
this one (same virtualenv): how a developer checks that a test fails on the code before a fix.
The probe (``ui/e2e_probe.py``) must be in that tree too.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.e2e.xdriver import XDriver, Xvfb, wait_until

TIMEOUT_S = 30.0  # a generous deadline for anything the station does; never a speed target
MAIN_TITLE = "Returns inspection"
SIGN_IN_TITLE = "Sign in"
Snapshot = dict[str, Any]


def station_command() -> list[str]:
    """The console script of this virtualenv (what ``make run`` starts)."""
    script = Path(sys.executable).with_name("station")
    return [str(script)] if script.exists() else [sys.executable, "-c", "import main; main.cli()"]


def run_cli(*args: str, data_dir: Path) -> str:
    """``station ARGS --data-dir DIR``; a failure shows what the command said."""
    command = [*station_command(), *args, "--data-dir", str(data_dir)]
    done = subprocess.run(command, capture_output=True, text=True, env=_env(), check=False)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    return done.stdout


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATION_")}
    source = os.environ.get("STATION_E2E_SOURCE")
    if source:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    return {**env, **extra}


@dataclass
class Station:
    """A running bench window and everything needed to see what it did."""

    data_dir: Path
    artefacts: Path
    xvfb: Xvfb
    x: XDriver
    pins: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    screenshots: list[Path] = field(default_factory=list)

    @property
    def probe_path(self) -> Path:
        return self.artefacts / "probe.jsonl"

    @property
    def stderr_path(self) -> Path:
        return self.artefacts / "station-stderr.log"

    @property
    def database(self) -> Path:
        return self.data_dir / "station.sqlite3"

    # --- the process -------------------------------------------------------------------------

    def start(self) -> None:
        env = _env(DISPLAY=self.xvfb.display, QT_QPA_PLATFORM="xcb",
                   STATION_E2E_PROBE=str(self.probe_path))  # fmt: skip
        env.pop("WAYLAND_DISPLAY", None)
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                [*station_command(), "gui", "--simulate", "--data-dir", str(self.data_dir)],
                env=env, cwd=self.artefacts, stdin=subprocess.DEVNULL, stdout=stderr,
                stderr=subprocess.STDOUT,
            )  # fmt: skip

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    @property
    def pid(self) -> int:
        assert self.process is not None, "the station was not started"
        return self.process.pid

    # --- what happened -----------------------------------------------------------------------

    def history(self) -> list[Snapshot]:
        """Every state the probe wrote, oldest first (a line being written is left out)."""
        try:
            lines = self.probe_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return out

    def now(self) -> Snapshot:
        history = self.history()
        return history[-1] if history else {}

    def since(self, seq: int) -> list[Snapshot]:
        return [snap for snap in self.history() if snap.get("seq", 0) > seq]

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Read the station's database as it is now (read-only: the test never writes)."""
        uri = f"file:{self.database}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=TIMEOUT_S)) as connection:
            return list(connection.execute(sql, tuple(params)))

    def screenshot(self, name: str) -> Path:
        path = self.x.screenshot(self.artefacts / f"{len(self.screenshots):02d}-{name}.png")
        self.screenshots.append(path)
        return path

    def describe(self, name: str = "failure") -> str:
        """What a failure message says: the screen, the probe's last state, the log's end."""
        try:
            shot = str(self.screenshot(name))
        except Exception as exc:  # the X server may be what failed
            shot = f"(no screenshot: {exc})"
        alive = "running" if self.process and self.process.poll() is None else "exited"
        log = _tail(self.stderr_path)
        return (f"\n  screenshot: {shot}\n  station {alive}; probe now: {json.dumps(self.now())}"
                f"\n  station log ({self.stderr_path}):\n{log}")  # fmt: skip

    def expect(self, ok: object, what: str) -> None:
        if not ok:
            raise AssertionError(what + self.describe())

    def wait(self, condition: Callable[[Snapshot], object], what: str) -> Snapshot:
        """Wait (up to TIMEOUT_S) until the probe shows ``condition``; else fail saying
        ``what`` was expected, with a screenshot."""
        found: list[Snapshot] = []

        def check() -> bool:
            if self.process is not None and self.process.poll() is not None:
                return True  # the station died: no point in waiting
            snap = self.now()
            if snap and condition(snap):
                found.append(snap)
                return True
            return False

        wait_until(check, TIMEOUT_S)
        if not found:
            raise AssertionError(f"expected {what} within {TIMEOUT_S:.0f} s" + self.describe())
        return found[0]

    def wait_db(self, sql: str, params: Sequence[Any], what: str) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []

        def check() -> bool:
            rows[:] = self.query(sql, params)
            return bool(rows)

        if not wait_until(check, TIMEOUT_S, interval_s=0.1):
            raise AssertionError(f"expected {what} within {TIMEOUT_S:.0f} s" + self.describe())
        return rows

    # --- windows and focus -------------------------------------------------------------------

    def focus_window(self, title: str) -> None:
        """Give the station's window with this title the keyboard focus (there is no window
        manager to do it) and wait until the station has taken it."""
        window = wait_until(lambda: self.x.find_window(self.pid, title), TIMEOUT_S)
        if window is None:
            titles = [name for _w, name in self.x.windows_of(self.pid)]
            raise AssertionError(f"no window titled {title!r} (there are {titles})"
                                 + self.describe())  # fmt: skip
        self.x.focus(window)
        self.wait(lambda s: title in ((s.get("focus") or {}).get("window") or ""),
                  f"the keyboard focus in the {title!r} window")  # fmt: skip

    def sign_in(self, username: str = "grader1") -> None:
        """A person signs in: user name, Tab, PIN, Enter, at typing speed (Tab, not Enter, so
        tests about something else do not depend on how Enter in the user field behaves)."""
        self.focus_window(SIGN_IN_TITLE)
        self.x.type(username, "Tab")
        self.x.type(self.pins[username], "Enter")
        self.wait(lambda s: s.get("user") == username and not s.get("dialogs"),
                  f"{username} signed in and the sign-in dialog closed")  # fmt: skip
        self.focus_main()

    def focus_main(self) -> None:
        self.focus_window(MAIN_TITLE)
        self.wait(lambda s: (s.get("focus") or {}).get("name") == "scanField" or s.get("inspection"),
                  "the scan field (or the open inspection) to have the focus")  # fmt: skip

    # --- database shortcuts ------------------------------------------------------------------

    def rma_id(self, number: str) -> str:
        rows = self.query("SELECT id FROM rmas WHERE number = ?", (number,))
        self.expect(rows, f"RMA {number} imported")
        return str(rows[0][0])


def prepare_data_dir(template: Path, target: Path, settings_toml: str) -> Path:
    """A copy of the seeded template (the database file only) with this test's settings."""
    target.mkdir(parents=True)
    shutil.copyfile(template / "station.sqlite3", target / "station.sqlite3")
    (target / "settings.toml").write_text(settings_toml, encoding="utf-8")
    return target


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "    (no log)"
    return "\n".join("    " + line for line in text[-lines:])


__all__ = ["MAIN_TITLE", "SIGN_IN_TITLE", "TIMEOUT_S", "Station", "prepare_data_dir", "run_cli"]
