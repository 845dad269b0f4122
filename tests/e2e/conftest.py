"""End-to-end fixtures: the real window, its own Xvfb, keys through the X server.

Each test gets a virtual X server (``Xvfb -displayfd``: it picks a free display, so xdist
workers never share one), a copy of a seeded data dir, and ``station gui --simulate`` running
on that display with the xcb platform, whatever ``QT_QPA_PLATFORM`` the test run itself uses.
The data dir is seeded once per worker (``station db upgrade``, ``station demo seed --rmas 20
--history-days 0``, ``station rma import`` of tests/e2e/returns.py's CSV) and copied per
test. Sounds are off (settings.toml); the sync relay stays on, as at a real bench: the demo
has no webhook endpoint, so it reaches nothing.

Every test keeps its screenshots, the probe's log and the station's output in its tmp dir;
a failure names them.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tests.e2e import returns
from tests.e2e.station import Station, prepare_data_dir, run_cli
from tests.e2e.xdriver import XDriver, start_xvfb

BASE_SETTINGS = "sounds = false\n"


@dataclass(frozen=True)
class Template:
    path: Path
    pins: dict[str, str]


@pytest.fixture(scope="session")
def station_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """Seeded once per worker: the demo's sellers, SKUs and users, and our returns."""
    path = tmp_path_factory.mktemp("e2e-template")
    run_cli("db", "upgrade", data_dir=path)
    seeded = json.loads(run_cli("demo", "seed", "--rmas", "20", "--history-days", "0", "--json",
                                data_dir=path))  # fmt: skip
    csv = returns.write_csv(path.parent / f"{path.name}-returns.csv", date.today())
    report = json.loads(run_cli("rma", "import", str(csv), "--json", data_dir=path))
    assert not report["errors"], f"the tests' own returns did not import: {report}"
    return Template(path, dict(seeded["user_pins"]))


StartStation = Callable[..., Station]


@pytest.fixture
def start_station(
    station_template: Template, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[StartStation]:
    """``start_station(settings_toml="")``: the bench window up, the sign-in dialog shown."""
    started: list[Station] = []

    def start(settings_toml: str = "") -> Station:
        artefacts = tmp_path / f"station{len(started)}"
        artefacts.mkdir()
        data_dir = prepare_data_dir(station_template.path, artefacts / "data",
                                    BASE_SETTINGS + settings_toml)  # fmt: skip
        xvfb = start_xvfb(artefacts / "xvfb.log")
        try:
            x = XDriver(xvfb.display, random.Random(request.node.name))
        except Exception:
            xvfb.stop()
            raise
        station = Station(data_dir, artefacts, xvfb, x, station_template.pins)
        started.append(station)
        request.node.stash[STATIONS] = started
        station.start()
        return station

    yield start
    for station in started:
        with contextlib.suppress(Exception):  # the X server may be what failed
            station.screenshot("last")  # one picture of how each test ended
        station.stop()
        station.x.close()
        station.xvfb.stop()


@pytest.fixture
def station(start_station: StartStation) -> Station:
    return start_station()


STATIONS = pytest.StashKey[list[Station]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed test's report ends with where its pictures and the station's output are."""
    report = yield
    if report.when == "call" and report.failed:
        for station in item.stash.get(STATIONS, []):
            shots = ", ".join(str(p) for p in station.screenshots) or "(none yet)"
            report.sections.append((
                "station",
                f"screenshots: {shots}\nprobe: {station.probe_path}\n"
                f"station output: {station.stderr_path}",
            ))  # fmt: skip
    return report
