"""A full disk, recognised wherever it shows up and said in one line: which disk, what to do.

Why: a full disk reaches the station in several disguises. SQLite says ``database or disk is
full`` (``SQLITE_FULL``) on a write or a commit, and ``disk I/O error``
(``SQLITE_IOERR_SHMSIZE``) already when a connection opens a WAL database and cannot grow its
``-shm`` file; Python's own file writes (photos, labels, settings, audit exports) raise
``OSError(ENOSPC)``; PostgreSQL answers SQLSTATE 53100; and SQLAlchemy wraps the
driver's error in its own. None of that tells a grader or an administrator what to do, so the
database layer (``station.db``) turns each into ``DiskFull`` naming the database, the CLI's
central handler (``station.cli``) catches whatever is left, and the window shows the same text.

Nothing is lost by it: SQLite rolls the failed transaction back and keeps every committed one,
so a verdict acknowledged before the disk filled is still there afterwards.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from station.i18n import _

SQLITE_FULL = 13
# Growing the ``-shm`` file failed: what opening a WAL database on a full disk reports ("disk
# I/O error"; SQLite keeps the ENOSPC behind it to itself).
SQLITE_IOERR_SHMSIZE = 4874
POSTGRES_DISK_FULL = "53100"  # SQLSTATE disk_full
_FULL_ERRNOS = frozenset(code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None)) if code)


def disk_full_message(where: str | Path) -> str:
    return _("disk full: {path} — free space and try again").format(path=where)


class DiskFull(OSError):
    """The disk holding ``where`` (a file, a folder, or a database server) has no space left.

    An OSError with ``errno.ENOSPC``, so code that already handles a failed write handles this
    one too; its text is the one line a person reads.
    """

    def __init__(self, where: str | Path) -> None:
        super().__init__(errno.ENOSPC, disk_full_message(where), str(where))
        self.where = str(where)

    def __str__(self) -> str:
        return str(self.strerror)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, the driver error SQLAlchemy wraps (``.orig``), and their causes and contexts."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        pending += [orig if isinstance(orig, BaseException) else None]
        pending += [current.__cause__, current.__context__]


def _says_full(error: BaseException) -> bool:
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None and (code & 0xFF == SQLITE_FULL or code == SQLITE_IOERR_SHMSIZE):
            return True
        return "disk is full" in str(error)
    if isinstance(error, OSError):  # DiskFull included
        return error.errno in _FULL_ERRNOS
    return getattr(error, "sqlstate", None) == POSTGRES_DISK_FULL


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc`` (or what it wraps or was raised from) says the disk is full."""
    return any(_says_full(error) for error in _chain(exc))


def where_full(exc: BaseException, default: str | Path) -> str:
    """The place to name for a full disk: the one ``DiskFull`` or the failed write names, else
    ``default`` (the data folder)."""
    for error in _chain(exc):
        if isinstance(error, DiskFull):
            return error.where
        if isinstance(error, OSError) and error.errno in _FULL_ERRNOS and error.filename:
            return str(error.filename)
    return str(default)


@contextmanager
def disk_full_as(where: str | Path) -> Iterator[None]:
    """Re-raise any disk-full error inside the block as ``DiskFull(where)``; others untouched."""
    try:
        yield
    except DiskFull:
        raise
    except Exception as exc:
        if is_disk_full(exc):
            raise DiskFull(where) from exc
        raise
