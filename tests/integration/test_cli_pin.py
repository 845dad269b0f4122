"""A new PIN never comes from the command line: ``--pin 1234`` would stay in the shell history
and be shown to every local user in the process list.

It is typed twice at a hidden prompt (``--ask-pin``; checked here in a real pseudo-terminal,
so "hidden" means the terminal really did not echo it), or read from ``$STATION_NEW_PIN`` in
scripts, or generated and printed once.
"""

from __future__ import annotations

import json
import os
import pty
import select
import sys
from pathlib import Path

import pytest

from main import cli
from station.db import Database
from station.services.common import Actor
from station.services.users import list_users, sign_in
from station.settings import load_settings

TYPED = "48213579"
ROOT = Path(__file__).resolve().parents[2]
HANG_GUARD_S = 120  # only so that a prompt that never comes fails the test instead of hanging


@pytest.fixture(autouse=True)
def _no_pins_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STATION_PIN", raising=False)
    monkeypatch.delenv("STATION_NEW_PIN", raising=False)


def _usernames(data: Path) -> set[str]:
    db = Database.open(load_settings(data).effective_database_url)
    try:
        return {view.username for view in list_users(db)}
    finally:
        db.dispose()


def _signs_in(data: Path, username: str, pin: str) -> bool:
    db = Database.open(load_settings(data).effective_database_url)
    try:
        return sign_in(db, Actor("B1", "WH1"), username, pin).username == username
    finally:
        db.dispose()


class Terminal:
    """The ``station`` command (``python -m main``) run in a pseudo-terminal, as a person
    would: the terminal is the command's controlling terminal, where getpass asks."""

    def __init__(self, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("STATION_")}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: becomes the command
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-m", "main", *args], env)
        self.seen = b""

    def expect(self, text: str) -> None:
        while text.encode() not in self.seen:
            chunk = self._read()
            assert chunk, f"the command ended before asking {text!r}: {self.seen!r}"
            self.seen += chunk

    def type(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\n")

    def finish(self) -> int:
        while chunk := self._read():
            self.seen += chunk
        os.close(self.fd)
        _pid, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)

    def _read(self) -> bytes:
        ready, _w, _x = select.select([self.fd], [], [], HANG_GUARD_S)
        assert ready, f"no output for {HANG_GUARD_S}s: {self.seen!r}"
        try:
            return os.read(self.fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            return b""


def test_a_pin_typed_twice_at_a_hidden_prompt(data_dir: Path) -> None:
    terminal = Terminal("user", "add", "root", "--name", "Root", "--role", "admin",
                        "--ask-pin", "--data-dir", str(data_dir))  # fmt: skip
    terminal.expect("New PIN for root: ")
    terminal.type(TYPED)
    terminal.expect("New PIN for root again: ")
    terminal.type(TYPED)
    code = terminal.finish()

    output = terminal.seen.decode()
    assert code == 0, output
    assert "user root (Root) added as admin" in output
    assert TYPED not in output  # not echoed as typed, not printed back
    assert _signs_in(data_dir, "root", TYPED)


def test_two_different_pins_change_nothing(data_dir: Path) -> None:
    terminal = Terminal("user", "add", "root", "--name", "Root", "--role", "admin",
                        "--ask-pin", "--data-dir", str(data_dir))  # fmt: skip
    terminal.expect("New PIN for root: ")
    terminal.type(TYPED)
    terminal.expect("again: ")
    terminal.type("48213570")
    code = terminal.finish()

    assert code == 1
    [error] = [line for line in terminal.seen.decode().splitlines() if "error" in line]
    assert error == "station: error: the two PINs typed differ; nothing was changed"
    assert _usernames(data_dir) == set()


@pytest.mark.parametrize("action", [["add", "gus", "--name", "Gus", "--role", "grader"],
                                    ["reset-pin", "root"]])  # fmt: skip
def test_a_pin_on_the_command_line_is_refused(
    data_dir: Path,
    action: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STATION_NEW_PIN", "13572468")
    assert cli(["user", "add", "root", "--name", "Root", "--role", "admin",
                "--data-dir", str(data_dir)]) == 0  # fmt: skip
    monkeypatch.setenv("STATION_PIN", "13572468")
    capsys.readouterr()

    code = cli(["user", *action, "--pin", TYPED, "--as", "root", "--data-dir", str(data_dir)])

    out, err = capsys.readouterr()
    assert code == 1 and not out
    [line] = err.splitlines()
    assert line.startswith("station: error: --pin is not accepted")
    assert "STATION_NEW_PIN" in line and "--ask-pin" in line
    assert _usernames(data_dir) == {"root"}
    assert _signs_in(data_dir, "root", "13572468")  # root's PIN was not reset


def test_a_script_sets_the_pin_in_the_environment(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATION_NEW_PIN", TYPED)
    code = cli(["user", "add", "root", "--name", "Root", "--role", "admin", "--json",
                "--data-dir", str(data_dir)])  # fmt: skip

    out, _err = capsys.readouterr()
    assert code == 0 and json.loads(out)["pin"] is None and TYPED not in out
    assert _signs_in(data_dir, "root", TYPED)


def test_ask_pin_without_a_terminal_points_at_the_environment(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code = cli(["user", "add", "root", "--name", "Root", "--role", "admin", "--ask-pin",
                "--json", "--data-dir", str(data_dir)])  # fmt: skip

    out, _err = capsys.readouterr()
    assert code == 1 and "STATION_NEW_PIN" in json.loads(out)["error"]
    assert _usernames(data_dir) == set()
