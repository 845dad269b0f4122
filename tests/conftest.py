"""Shared fixtures: every test gets its own real SQLite file in a temporary data dir.

Set ``STATION_TEST_DATABASE_URL`` (e.g. postgresql+psycopg://...) to run the database tests
against PostgreSQL instead; each test then starts from an emptied schema.
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


@pytest.fixture
def database_url(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    external = os.environ.get("STATION_TEST_DATABASE_URL")
    if external:
        _reset_external_database(external)
        upgrade_database(external)
        yield external
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
