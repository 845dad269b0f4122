"""The demo seed writes only into a brand-new database, or into one it seeded itself.

``make run`` runs ``station demo seed --if-empty`` on every start. A real station whose admin
or webhook endpoints were set up before its first seller must not be given demo RMAs, demo
outbox events and a demo admin.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from main import cli
from station.db import Database
from station.models import DemoCredential, OutboxEvent, Rma, Seller, User
from station.services.common import Actor
from station.services.demo import is_seeded, seed_demo
from station.services.demo_guard import DemoSeedRefused
from station.services.users import add_user
from station.settings import load_settings
from station.sync.endpoints import add_endpoint
from tests.factories import make_catalog, make_user, sync_manager

TODAY = date(2026, 11, 22)
STATION = Actor("B1", "WH1")


def _counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (User, Seller, Rma, DemoCredential, OutboxEvent)
        }


def _a_user(db: Database) -> None:
    add_user(db, STATION, "priya", "Priya Raman", "admin", pin="24681357")


def _an_endpoint(db: Database) -> None:
    add_endpoint(db, sync_manager(db), "https://wms.example/hooks")


def _a_seller(db: Database) -> None:
    make_catalog(db)


@pytest.mark.parametrize("first", [_a_user, _an_endpoint, _a_seller], ids=lambda f: f.__name__)
def test_a_database_with_data_of_its_own_gets_no_demo_data(
    db: Database, first: Callable[[Database], None]
) -> None:
    first(db)
    before = _counts(db)

    with pytest.raises(DemoSeedRefused, match="already has data of its own"):
        seed_demo(db, rma_count=5, today=TODAY)

    assert _counts(db) == before
    assert not is_seeded(db)


def test_a_demo_database_stays_one_after_real_changes(db: Database) -> None:
    """The seed's own mark (its demo sign-ins), not "no users", says a database is a demo: an
    admin adding a user to a demo station does not turn the next seed into a refusal."""
    seeded = seed_demo(db, rma_count=5, today=TODAY)
    make_user(db, "grader", "anna")
    before = _counts(db)

    again = seed_demo(db, rma_count=5, today=TODAY)

    assert again.already_seeded and not again.user_pins
    assert _counts(db) == before and before["rmas"] == seeded.rmas == 5


Station = Callable[..., tuple[int, str, str]]


@pytest.fixture
def station(capsys: pytest.CaptureFixture[str], data_dir: Path) -> Station:
    """Runs ``station ARGS --data-dir <the test's empty data dir>``: (code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = cli([*args, "--data-dir", str(data_dir)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_seed_if_empty_on_a_station_with_only_a_user(
    station: Station, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATION_NEW_PIN", "24681357")
    assert station("user", "add", "priya", "--name", "Priya", "--role", "admin")[0] == 0

    code, out, err = station("demo", "seed", "--if-empty", "--rmas", "5")
    assert code == 0 and not err
    [line] = out.splitlines()
    assert line.startswith("demo data not seeded: this database already has data of its own")
    assert "users" in line

    code, out, err = station("demo", "seed", "--rmas", "5", "--json")
    assert code == 1 and "already has data of its own" in json.loads(out)["error"]

    db = Database.open(load_settings(data_dir).effective_database_url)
    try:
        assert _counts(db) == {"users": 1, "sellers": 0, "rmas": 0, "demo_credentials": 0,
                               "outbox_events": 0}  # fmt: skip
    finally:
        db.dispose()


def test_seed_if_empty_seeds_a_new_station_once(station: Station) -> None:
    code, out, _err = station("demo", "seed", "--if-empty", "--rmas", "5", "--history-days", "0",
                              "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["rmas"] == 5

    code, out, _err = station("demo", "seed", "--if-empty", "--json")
    assert code == 0 and json.loads(out) == {"seeded": False, "reason": "already seeded"}
