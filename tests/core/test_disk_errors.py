"""Which errors mean "the disk is full", however they are wrapped (station.disk_errors).

The real full disk is in tests/integration/test_disk_full.py; this covers the disguises that
test cannot make on its machine (PostgreSQL's SQLSTATE, a quota) and the ones that must NOT
be taken for a full disk.
"""

from __future__ import annotations

import errno
import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from station.disk_errors import DiskFull, disk_full_as, is_disk_full, where_full


def _sqlite_error(message: str, code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error


class _PgDiskFull(Exception):
    sqlstate = "53100"  # what psycopg.errors.DiskFull carries


def _wrapped(orig: BaseException) -> OperationalError:
    """As SQLAlchemy raises a driver error: its own exception with the driver's as ``orig``."""
    return OperationalError("INSERT ...", {}, orig)


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(_sqlite_error("database or disk is full", 13)),
        _wrapped(_sqlite_error("disk I/O error", 4874)),  # SQLITE_IOERR_SHMSIZE
        OSError(errno.ENOSPC, "No space left on device", "/data/photos/a.png"),
        OSError(errno.EDQUOT, "Disk quota exceeded"),
        _wrapped(_PgDiskFull("could not extend file: No space left on device")),
        DiskFull("/data/station.sqlite3"),
    ],
    ids=["sqlite-full", "sqlite-shm", "enospc", "quota", "postgresql", "diskfull"],
)
def test_a_full_disk_is_recognised_in_every_disguise(error: BaseException) -> None:
    assert is_disk_full(error)


def test_a_full_disk_raised_while_handling_another_error_is_recognised() -> None:
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as first:
            raise RuntimeError("cleanup failed") from first
    except RuntimeError as second:
        assert is_disk_full(second)


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(_sqlite_error("database is locked", 5)),
        _wrapped(_sqlite_error("disk I/O error", 266)),  # SQLITE_IOERR_READ: a bad disk
        OSError(errno.EACCES, "Permission denied"),
        ValueError("no space in this text either"),
    ],
    ids=["locked", "ioerr-read", "eacces", "value"],
)
def test_other_errors_are_not_a_full_disk(error: BaseException) -> None:
    assert not is_disk_full(error)


def test_diskfull_is_one_line_naming_the_place_and_is_an_oserror() -> None:
    full = DiskFull("/data/station.sqlite3")
    assert str(full) == "disk full: /data/station.sqlite3 — free space and try again"
    assert isinstance(full, OSError) and full.errno == errno.ENOSPC  # the window shows str()


def test_disk_full_as_renames_only_a_full_disk() -> None:
    with pytest.raises(DiskFull, match="disk full: /db — free space"), disk_full_as("/db"):
        raise _wrapped(_sqlite_error("database or disk is full", 13))
    with pytest.raises(OperationalError, match="locked"), disk_full_as("/db"):
        raise _wrapped(_sqlite_error("database is locked", 5))


def test_where_names_the_file_that_could_not_be_written() -> None:
    error = OSError(errno.ENOSPC, "No space left on device", "/data/spool/label.zpl")
    assert where_full(error, "/data") == "/data/spool/label.zpl"
    assert where_full(_wrapped(_sqlite_error("database or disk is full", 13)), "/data") == "/data"
