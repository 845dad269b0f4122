"""Who may read the station's files: only the user the station runs as.

Why: the database holds the webhook endpoints' signing secrets in plain text and every user's
PIN hash, and ``settings.toml`` and the database copies kept before a migration hold the same.
On a bench PC shared by several accounts, a database created with the usual umask (0644 in a
0755 folder) can be copied by any of them. So the data folder is 0700 and the database (with
its ``-wal``/``-shm`` files), the settings, the backups and the audit exports are 0600, set
explicitly so that the umask of whoever started the station does not matter.

An install made before this rule is tightened when the station opens it, and the change is
logged. A file that cannot be changed (owned by someone else, a read-only disk) is logged and
left as it is: the station still starts.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import TextIO

from devices.durable import make_dirs

log = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
#: Files SQLite keeps beside a database: they hold the same rows as the database itself.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def tighten(path: Path, mode: int) -> bool:
    """Take away group and other access from ``path`` if it has any; True when changed.

    The owner's own bits are kept (``mode`` is what a new file would get); a missing path is
    nothing to do.
    """
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return False
    if not current & _OTHERS:
        return False
    wanted = (current & ~_OTHERS) | (mode & stat.S_IRWXU)
    try:
        os.chmod(path, wanted)
    except OSError as exc:
        log.warning("%s is readable by other users (mode %o) and cannot be changed: %s",
                    path, current, exc.strerror or exc)  # fmt: skip
        return False
    log.warning("%s was readable by other users: mode changed from %o to %o", path, current, wanted)
    return True


def secure_data_dir(data_dir: Path) -> Path:
    """Create the data folder 0700, or tighten an existing one and the secrets it holds."""
    created = not data_dir.exists()
    make_dirs(data_dir, PRIVATE_DIR)
    if created:
        os.chmod(data_dir, PRIVATE_DIR)  # whatever the umask
        return data_dir
    tighten(data_dir, PRIVATE_DIR)
    tighten(data_dir / "settings.toml", PRIVATE_FILE)
    backups = data_dir / "backups"
    if backups.is_dir():
        tighten(backups, PRIVATE_DIR)
        for copy in backups.iterdir():
            if copy.is_file():
                tighten(copy, PRIVATE_FILE)
    return data_dir


def private_database_file(path: Path) -> None:
    """Make sure the SQLite file at ``path`` is 0600 before SQLite opens it.

    A new database is created here, empty (an empty file is a valid empty SQLite database),
    with mode 0600; SQLite then gives its ``-wal`` and ``-shm`` files the database file's
    mode. An existing one is tightened together with those files. Where the folder does not
    exist, or the file cannot be made, nothing is done here: SQLite's own open reports it.
    """
    if not path.parent.is_dir():
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        for candidate in (path, *(Path(f"{path}{side}") for side in SQLITE_SIDE_FILES)):
            tighten(candidate, PRIVATE_FILE)
        return
    except OSError as exc:
        log.debug("%s: not created ahead of SQLite: %s", path, exc)
        return
    try:
        os.fchmod(fd, PRIVATE_FILE)  # whatever the umask
    finally:
        os.close(fd)


def private_backup_dir(backup_dir: Path) -> Path:
    """The folder of database copies, created (or tightened to) 0700."""
    created = not backup_dir.exists()
    make_dirs(backup_dir, PRIVATE_DIR)
    if created:
        os.chmod(backup_dir, PRIVATE_DIR)
    else:
        tighten(backup_dir, PRIVATE_DIR)
    return backup_dir


def open_private_text(path: Path) -> TextIO:
    """``path`` opened for writing text (UTF-8, newlines as written), mode 0600 whatever the
    umask: for exports that carry what the database holds."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    except OSError:
        os.close(fd)
        raise
    return open(fd, "w", encoding="utf-8", newline="")
