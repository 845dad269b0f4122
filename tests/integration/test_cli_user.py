"""``station user ...`` in-process: bootstrap, listing, acting as a signed-in user."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from station.cli import main
from station.db import Database
from station.models import AuditEvent
from station.settings import load_settings


@pytest.fixture
def data(data_dir: Path, database_url: str) -> str:
    """The test's data dir, with the migrated database the fixture copied into it."""
    return str(data_dir)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code, out, _err = run(capsys, *args, "--json")
    return code, json.loads(out)


@pytest.fixture(autouse=True)
def _no_pin_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STATION_PIN", raising=False)
    monkeypatch.delenv("STATION_NEW_PIN", raising=False)


def test_bootstrap_add_list_set_role_and_refusals(
    data: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nobody signed in: the first admin may be created, and its PIN is printed once.
    code, out, err = run(capsys, "user", "add", "Anna", "--name", "Anna Berg", "--role", "admin",
                         "--data-dir", data)  # fmt: skip
    assert code == 0, err
    assert "user anna (Anna Berg) added as admin" in out
    pin_line = next(line for line in out.splitlines() if line.startswith("PIN for anna: "))
    assert pin_line.endswith("— shown once")
    anna_pin = pin_line.removeprefix("PIN for anna: ").split()[0]
    assert len(anna_pin) == 6 and anna_pin.isdigit()

    # Now that an admin exists, adding without --as is refused with PermissionDenied's message.
    code, result = run_json(capsys, "user", "add", "bob", "--name", "Bob", "--role", "grader",
                            "--data-dir", data)  # fmt: skip
    assert code == 1 and "sign in first" in result["error"]

    # As anna (PIN from the environment): add a grader with a chosen PIN (not echoed).
    monkeypatch.setenv("STATION_PIN", anna_pin)
    monkeypatch.setenv("STATION_NEW_PIN", "4321")
    code, result = run_json(capsys, "user", "add", "bob", "--name", "Bob Stone", "--role", "grader",
                            "--as", "anna", "--data-dir", data)  # fmt: skip
    monkeypatch.delenv("STATION_NEW_PIN")
    assert code == 0 and result["username"] == "bob" and result["role"] == "grader"
    assert result["pin"] is None and "pin_hash" not in result

    code, result = run_json(capsys, "user", "list", "--data-dir", data)
    assert code == 0
    users = {u["username"]: u for u in result["users"]}
    assert set(users) == {"anna", "bob"}
    assert users["bob"]["role"] == "grader" and users["bob"]["active"] is True
    assert users["anna"]["last_sign_in_at"] is not None and users["bob"]["last_sign_in_at"] is None
    assert all("pin_hash" not in u and "pin" not in u for u in users.values())

    code, out, err = run(capsys, "user", "set-role", "bob", "supervisor", "--as", "anna",
                         "--data-dir", data)  # fmt: skip
    assert code == 0, err
    assert "bob is now supervisor" in out
    code, out, err = run(capsys, "user", "set-role", "bob", "grader", "--as", "anna",
                         "--data-dir", data)  # fmt: skip
    assert code == 0, err

    # bob, a grader, may not manage users.
    monkeypatch.setenv("STATION_PIN", "4321")
    code, result = run_json(capsys, "user", "set-role", "bob", "admin", "--as", "bob",
                            "--data-dir", data)  # fmt: skip
    assert code == 1 and "may not manage users" in result["error"]
    code, result = run_json(capsys, "user", "reset-pin", "anna", "--as", "bob", "--data-dir", data)
    assert code == 1 and "may not manage users" in result["error"]
    code, result = run_json(capsys, "user", "list", "--data-dir", data)
    assert {u["username"]: u["role"] for u in result["users"]}["bob"] == "grader"

    # A wrong PIN with --as is refused like at the bench.
    monkeypatch.setenv("STATION_PIN", "0000")
    code, out, err = run(capsys, "user", "reset-pin", "bob", "--as", "anna", "--data-dir", data)
    assert code == 1 and "wrong user name or PIN" in err and not out

    # anna resets bob's PIN: a new one is generated and shown once; the old one stops working.
    monkeypatch.setenv("STATION_PIN", anna_pin)
    code, result = run_json(capsys, "user", "reset-pin", "bob", "--as", "anna", "--data-dir", data)
    assert code == 0 and result["username"] == "bob" and len(result["pin"]) == 6
    monkeypatch.setenv("STATION_PIN", "4321")
    code, result = run_json(capsys, "user", "list", "--as", "bob", "--data-dir", data)
    assert code == 0  # list needs no sign-in; --as is ignored for it

    database = Database.open(load_settings(data).effective_database_url)
    try:
        with database.read() as session:
            actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    finally:
        database.dispose()
    assert actions.count("user.created") == 2
    assert actions.count("user.role_changed") == 2
    assert actions.count("user.pin_reset") == 1
    assert "user.sign_in_failed" in actions and "user.signed_in" in actions


def _add_root(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, data: str
) -> None:
    """The first admin, root, with PIN 1234 (from the environment, never from argv)."""
    with monkeypatch.context() as env:
        env.setenv("STATION_NEW_PIN", "1234")
        code, _out, err = run(capsys, "user", "add", "root", "--name", "Root", "--role", "admin",
                              "--data-dir", data)  # fmt: skip
    assert code == 0, err


def test_as_without_a_pin_and_no_terminal_is_refused(
    data: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_root(capsys, monkeypatch, data)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, result = run_json(capsys, "user", "set-role", "root", "admin", "--as", "root",
                            "--data-dir", data)  # fmt: skip
    assert code == 1 and "STATION_PIN" in result["error"]


def test_pin_is_asked_for_in_a_terminal(
    data: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_root(capsys, monkeypatch, data)
    asked: list[str] = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "1234")
    code, out, err = run(capsys, "user", "add", "gus", "--name", "Gus", "--role", "grader",
                         "--as", "root", "--data-dir", data)  # fmt: skip
    assert code == 0, err
    assert asked == ["PIN for root: "]
    assert "PIN for gus: " in out and "shown once" in out


def test_demo_users_get_pins_that_sign_in(
    data: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, seeded = run_json(capsys, "demo", "seed", "--rmas", "3", "--history-days", "0",
                            "--data-dir", data)  # fmt: skip
    assert code == 0 and set(seeded["user_pins"]) == {"grader1", "supervisor1", "admin1"}
    monkeypatch.setenv("STATION_PIN", seeded["user_pins"]["admin1"])
    monkeypatch.setenv("STATION_NEW_PIN", "86420")
    code, result = run_json(capsys, "user", "reset-pin", "grader1", "--as", "admin1",
                            "--data-dir", data)  # fmt: skip
    monkeypatch.delenv("STATION_NEW_PIN")
    assert code == 0 and result == {"username": "grader1", "pin": None}
    monkeypatch.setenv("STATION_PIN", seeded["user_pins"]["supervisor1"])
    code, result = run_json(capsys, "user", "set-role", "grader1", "admin", "--as",
                            "supervisor1", "--data-dir", data)  # fmt: skip
    assert code == 1 and "may not manage users" in result["error"]


def test_demo_seed_prints_the_pins_once(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "demo", "seed", "--rmas", "3", "--history-days", "0",
                         "--data-dir", data)  # fmt: skip
    assert code == 0, err
    [line] = [line for line in out.splitlines() if line.startswith("Demo users — ")]
    for username in ("grader1", "supervisor1", "admin1"):
        assert f"{username}: PIN " in line
    code, out, _err = run(capsys, "demo", "seed", "--if-empty", "--data-dir", data)
    assert code == 0 and "PIN" not in out
