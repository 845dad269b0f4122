"""Shared fixtures: every test gets its own real database: a SQLite file in a temporary data
dir, and, for the database-touching layers, again a fresh database on a throw-away PostgreSQL
cluster the session starts (tests/postgres/cluster.py). Test ids say which: ``[sqlite]``,
``[postgresql]``.

Where PostgreSQL is not installed, the ``[postgresql]`` copies skip and say so. Set
``STATION_TEST_DATABASE_URL`` (postgresql+psycopg://...) to use an existing server instead of a
cluster of our own; each test then starts from an emptied schema of that database.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never read the developer's own data dir or settings.
os.environ.pop("STATION_DATA_DIR", None)
os.environ.pop("STATION_DATABASE_URL", None)

from station.db import Database, upgrade_database
from station.i18n import set_language
from station.settings import Settings
from tests.postgres import cluster as pg_cluster

_TEMPLATE: dict[str, Path] = {}


def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once per session, copy the file per test: real migrations, fast tests."""
    if "db" not in _TEMPLATE:
        path = tmp_path_factory.mktemp("template") / "station.sqlite3"
        upgrade_database(f"sqlite:///{path}")
        _TEMPLATE["db"] = path
    return _TEMPLATE["db"]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    return directory


#: Layers whose tests run once per engine. The window (ui, e2e) reaches the database only
#: through the same services, so it is tested on the bench's own engine, SQLite.
_BOTH_ENGINE_LAYERS = ("core", "integration", "labels", "rules", "devices")
ENGINES = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): the test is about SQLite itself (its file, WAL, pragmas) and "
        "does not run on PostgreSQL",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that touches the database runs on both engines (the `engine` fixture)."""
    if "engine" not in metafunc.fixturenames:
        return
    layer = Path(str(metafunc.definition.path)).parent.name
    both = layer in _BOTH_ENGINE_LAYERS and not metafunc.definition.get_closest_marker(
        "sqlite_only"
    )
    metafunc.parametrize("engine", ENGINES if both else ENGINES[:1], indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[pg_cluster.Cluster]:
    """One throw-away PostgreSQL cluster per test process, started on first use."""
    reason = pg_cluster.missing_reason()
    if reason:
        pytest.skip(f"PostgreSQL: {reason}")
    with pg_cluster.running_cluster() as cluster:
        yield cluster


@pytest.fixture
def database_url(
    engine: str, data_dir: Path, tmp_path_factory: pytest.TempPathFactory, request
) -> Iterator[str]:
    external = os.environ.get("STATION_TEST_DATABASE_URL")
    if external:
        _reset_external_database(external)
        upgrade_database(external)
        yield external
        return
    if engine == "postgresql":
        cluster: pg_cluster.Cluster = request.getfixturevalue("postgres_cluster")
        name = cluster.new_database()
        yield cluster.url(name)
        cluster.drop_database(name)
        return
    target = data_dir / "station.sqlite3"
    shutil.copyfile(_migrated_template(tmp_path_factory), target)
    yield f"sqlite:///{target}"


def _reset_external_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def settings(data_dir: Path, database_url: str) -> Settings:
    return Settings(data_dir=data_dir, database_url=database_url, station_id="BENCH-T1")


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.open(database_url)
    yield database
    database.dispose()


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A local port that refuses connections for the whole test: bound (never listening) and
    kept, so no other process can take it meanwhile. A port closed after reading its number
    is free: anything may bind it, or a retrying client may connect to itself."""
    from devices.tcp_ports import reserve_port

    with reserve_port() as reservation:
        yield int(reservation.getsockname()[1])


@pytest.fixture(scope="session")
def shipped_standards():
    """The shipped standards, loaded and validated once per test session."""
    from inspection_rules.loader import load_standards

    result = load_standards()
    assert result.ok, result.problems
    return result.standards


@pytest.fixture
def general_registry(shipped_standards):
    """Only the general-merchandise standard: tests that pin its checklist codes use this."""
    from inspection_rules import StandardRegistry

    return StandardRegistry([shipped_standards["general-merchandise"]])


@pytest.fixture(autouse=True)
def _english_after_each_test() -> Iterator[None]:
    """The catalogue language is process-wide (gettext's model): a test that builds a context
    in Chinese must not leave the next test speaking Chinese."""
    yield
    set_language("en")


def _threads_started_by(before: set[threading.Thread]) -> list[threading.Thread]:
    # Dummy threads are Python's view of threads it did not start (Qt's pool): their end is
    # never seen, so they are judged by the runner's own wait_idle instead.
    return [
        t
        for t in threading.enumerate()
        if t not in before and t.is_alive() and not isinstance(t, threading._DummyThread)
    ]


@pytest.fixture(autouse=True)
def _no_dangling_threads() -> Iterator[None]:
    """Whatever a test starts (drivers, relays, simulators, watchdogs), it stops."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5.0
    while (left := _threads_started_by(before)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not left, f"threads still running after the test: {[t.name for t in left]}"
