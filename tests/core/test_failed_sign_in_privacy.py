"""A PIN typed into the user-name field is not kept anywhere.

A failed sign-in whose name matches no user is audited without that name: the audit trail is
exported to sellers and auditors, and the name is very often the PIN typed one field too
early. A failed sign-in for a real user still names that user.

The stray "name" is eight digits, not four: the check reads whole rows and whole files, where
hashes, UUIDs and timestamps are full of digits, and a four-digit string would turn up in them
by chance in a few runs out of a hundred.
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import text

from main import cli
from station.db import Database
from station.services.common import Actor
from station.services.users import SignInRefused, add_user, sign_in
from station.settings import load_settings

TYPED_PIN = "90417263"


@pytest.fixture
def station(tmp_path: Path) -> tuple[Path, Database]:
    data = tmp_path / "data"
    assert cli(["db", "upgrade", "--data-dir", str(data)]) == 0
    db = Database.open(load_settings(data).effective_database_url)
    add_user(db, Actor("B1", "WH1"), "anna", "Anna Berg", "admin", pin="13572468")
    yield data, db
    db.dispose()


def _audit_rows(db: Database) -> list[dict[str, object]]:
    with db.read() as session:
        return [dict(row._mapping) for row in session.execute(text("SELECT * FROM audit_events"))]


def _export(data: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    output = data.parent / f"audit.{fmt}"
    cli(["audit", "export", "--format", fmt, "--output", str(output), "--data-dir", str(data)])
    capsys.readouterr()
    return output.read_text(encoding="utf-8")


def test_a_pin_typed_as_the_user_name_is_kept_nowhere(
    station: tuple[Path, Database],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    data, db = station
    with caplog.at_level(logging.DEBUG), pytest.raises(SignInRefused):
        sign_in(db, Actor("B1", "WH1"), TYPED_PIN, "")

    failed = [row for row in _audit_rows(db) if row["action"] == "user.sign_in_failed"]
    assert len(failed) == 1  # the attempt is still counted
    assert json.loads(str(failed[0]["after"])) == {"reason": "unknown_user"}
    assert all(TYPED_PIN not in repr(row) for row in _audit_rows(db))
    db.dispose()  # everything in the database file itself, not in the write-ahead log
    files = [data / "station.sqlite3", data / "station.sqlite3-wal"]
    assert all(TYPED_PIN.encode() not in p.read_bytes() for p in files if p.exists())
    for fmt in ("json", "csv"):
        exported = _export(data, fmt, capsys)
        assert "user.sign_in_failed" in exported and TYPED_PIN not in exported, fmt
    assert TYPED_PIN not in caplog.text


def test_a_failed_sign_in_of_a_real_user_names_that_user(
    station: tuple[Path, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    data, db = station
    with pytest.raises(SignInRefused):
        sign_in(db, Actor("B1", "WH1"), "Anna", "00000000")

    [failed] = [row for row in _audit_rows(db) if row["action"] == "user.sign_in_failed"]
    after = json.loads(str(failed["after"]))
    assert after["username"] == "anna" and after["reason"] == "wrong_pin"
    [exported] = [
        row
        for row in csv.DictReader(_export(data, "csv", capsys).splitlines())
        if row["action"] == "user.sign_in_failed"
    ]
    assert json.loads(exported["after"])["username"] == "anna"
    events = json.loads(_export(data, "json", capsys))["events"]
    [event] = [event for event in events if event["action"] == "user.sign_in_failed"]
    assert event["after"]["username"] == "anna"
