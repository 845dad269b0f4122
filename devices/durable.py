"""Durable file writes: a file that a committed record points at must survive a power cut.

Writing a temporary file, fsyncing it and renaming it into place makes the file's *content*
all-or-nothing, but the rename is a change to the directory, and the directory is a file of
its own: until it is fsynced too, a power cut can undo the rename (or the creation of a new
folder), and a verdict committed to the database a moment later would point at a photo that is
gone. So every such write here is: temporary file -> fsync the file -> rename -> fsync the
directory; and a folder created on the way is fsynced into its parent.

It lives in ``devices`` because the print spooler (``devices``) needs it as much as the photo
store and the settings (``station``), and ``devices`` may not import ``station``.

New files are private to the user running the station (mode 0600, from ``mkstemp``); a caller
that needs other readers passes ``mode``.
"""

from __future__ import annotations

import errno
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_FILE = 0o600


def fsync_directory(directory: Path | str) -> None:
    """Flush ``directory``'s entries (renames, new files, new sub-folders) to the disk.

    A file system that cannot fsync a directory (EINVAL: some network and FUSE file systems)
    is logged and tolerated: there is nothing more the station can do there, and refusing the
    write would lose the evidence it is trying to keep.
    """
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
        log.debug("%s: this file system cannot fsync a directory: %s", directory, exc)
    finally:
        os.close(fd)


def make_dirs(directory: Path | str, mode: int = 0o777) -> Path:
    """Create ``directory`` and any missing parents, each fsynced into its parent.

    As ``mkdir -p -m``: ``mode`` (minus the umask, as ``os.mkdir`` does) is for ``directory``
    itself; missing parents get the usual 0777 minus the umask. Existing folders are left as
    they are.
    """
    path = Path(directory)
    missing: list[Path] = []
    current = path
    while not current.is_dir():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, mode if folder == path else 0o777)
        except FileExistsError:
            if not folder.is_dir():
                raise
        # Also when another thread made it: its entry must be on disk before we use it.
        fsync_directory(folder.parent)
    return path


def write_file(path: Path | str, data: bytes, *, mode: int = PRIVATE_FILE) -> None:
    """Replace ``path`` with ``data``: whole or not at all, and still there after a power cut.

    Raises OSError (the temporary file removed) when the folder is missing, full or read-only.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if mode != PRIVATE_FILE:
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_directory(target.parent)
