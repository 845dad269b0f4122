"""Only the station's own user can read its secrets, whatever the umask it was started with.

The database holds the webhook secrets and PIN hashes; settings, database copies and audit
exports carry the same. Each test runs real ``station`` commands in a child process whose
umask is set first (0o000 lets everyone read what is not explicitly private; 0o022 is the
usual one), then reads the mode bits of what they left behind.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from main import cli

ROOT = Path(__file__).resolve().parents[2]
UMASKS = [0o000, 0o022]

# Run in the child: set the umask, then the given Python (``cli`` is the ``station`` command).
PRELUDE = """
import json, os, sys
from pathlib import Path
os.umask(int(sys.argv[1], 8))
from main import cli
D = Path(sys.argv[2])
def station(*args, **env):
    os.environ.update(env)
    code = cli([*args, "--data-dir", str(D)])
    assert code == 0, (args, code)
"""

NEW_STATION = """
station("user", "add", "root", "--name", "Root", "--role", "admin", STATION_NEW_PIN="2580")
station("sync", "endpoint", "add", "https://wms.example/hooks", "--as", "root", STATION_PIN="2580")
for fmt in ("json", "csv"):
    station("audit", "export", "--format", fmt, "--output", str(D.parent / f"audit.{fmt}"))

from dataclasses import replace
from sqlalchemy import text
from station.db import Database
from station.settings import load_settings, save_settings
save_settings(replace(load_settings(D), station_name="Bench 3"))
# While the station has its database open, SQLite keeps the -wal and -shm files beside it.
db = Database.open(load_settings(D).effective_database_url)
with db.write() as session:
    session.execute(text("UPDATE users SET display_name = 'Root Admin'"))
modes = {str(p.relative_to(D.parent)): os.stat(p).st_mode & 0o777 for p in D.parent.rglob("*")}
db.dispose()
print(json.dumps(modes))
"""

OLD_DATABASE = """
from alembic import command
from station.db import alembic_config
D.mkdir()
command.upgrade(alembic_config(f"sqlite:///{D / 'station.sqlite3'}"), "0008")  # an old install
station("db", "upgrade")
modes = {str(p.relative_to(D)): os.stat(p).st_mode & 0o777 for p in D.rglob("*")}
print(json.dumps(modes))
"""


def run_with_umask(umask: int, data_dir: Path, body: str) -> dict[str, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATION_")}
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + body, oct(umask), str(data_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    modes: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return modes


def readable_by_others(modes: dict[str, int]) -> dict[str, str]:
    return {name: oct(mode) for name, mode in modes.items() if mode & 0o077}


@pytest.mark.parametrize("umask", UMASKS, ids=oct)
def test_a_new_station_keeps_its_secrets_to_itself(tmp_path: Path, umask: int) -> None:
    modes = run_with_umask(umask, tmp_path / "data", NEW_STATION)

    assert modes["data"] == 0o700
    for name in ("data/station.sqlite3", "data/station.sqlite3-wal", "data/station.sqlite3-shm",
                 "data/settings.toml", "audit.json", "audit.csv"):  # fmt: skip
        assert modes.get(name) == 0o600, (name, modes)
    assert readable_by_others(modes) == {}


@pytest.mark.parametrize("umask", UMASKS, ids=oct)
def test_the_copy_kept_before_a_migration_is_private(tmp_path: Path, umask: int) -> None:
    modes = run_with_umask(umask, tmp_path / "data", OLD_DATABASE)

    [copy] = [name for name in modes if name.startswith("backups/")]
    assert copy.endswith("-rev0008.sqlite3")
    assert modes["backups"] == 0o700 and modes[copy] == 0o600
    assert modes["station.sqlite3"] == 0o600  # the old install's file, tightened
    assert readable_by_others(modes) == {}


def test_an_existing_install_is_tightened_when_opened(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert cli(["db", "upgrade", "--data-dir", str(data)]) == 0
    (data / "settings.toml").write_text('station_name = "Bench 3"\n', encoding="utf-8")
    (data / "backups").mkdir()
    (data / "backups" / "station-old.sqlite3").write_bytes(b"")
    loose = {data: 0o755, data / "station.sqlite3": 0o644, data / "settings.toml": 0o664,
             data / "backups": 0o755, data / "backups" / "station-old.sqlite3": 0o644}  # fmt: skip
    for path, mode in loose.items():
        path.chmod(mode)

    with caplog.at_level(logging.WARNING, logger="station.file_modes"):
        assert cli(["user", "list", "--data-dir", str(data)]) == 0
    capsys.readouterr()

    after = {path: stat.S_IMODE(path.stat().st_mode) for path in loose}
    assert after == {path: 0o700 if path.is_dir() else 0o600 for path in loose}
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert f"{data / 'station.sqlite3'} was readable by other users" in logged
    assert "from 644 to 600" in logged
