"""Getting the text out of an RMA file without hanging, crashing or reading without end.

An import file comes from outside (a seller's export, a clerk's download folder), so before any
parsing it is checked for what a parser cannot survive: a path that is not a regular file (a
FIFO blocks ``open()`` until a writer appears, ``/dev/zero`` never ends), a file larger than any
honest export, and cells larger than any honest value. The limits are documented in
docs/rma-import.md:

- ``MAX_FILE_BYTES`` (50 MB): about five times the largest seller export seen (50,000 rows);
- ``MAX_FIELD_CHARS`` (64 KiB): a cell longer than that is a broken quote, not data;
- ``MAX_JSON_DEPTH`` (64): an RMA object is 3 levels deep; deeper nesting is refused before
  the JSON decoder recurses into it.
"""

from __future__ import annotations

import codecs
import csv
import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from station.i18n import _
from station.services.rma_values import one_line

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_FIELD_CHARS = 64 * 1024
MAX_JSON_DEPTH = 64
_MB = 1024 * 1024


class RmaImportFailed(Exception):
    """The file as a whole cannot be imported (missing, empty, unreadable, wrong columns)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        message = one_line(message)
        super().__init__(message)
        self.message = message
        self.line = line


def read_rma_bytes(path: Path, max_bytes: int | None = None) -> bytes:
    """The file's bytes, or ``RmaImportFailed`` saying in one line why it cannot be imported.

    Opened with ``O_NONBLOCK`` and checked with ``fstat`` on the open descriptor (not a
    ``stat`` before ``open``), so a FIFO neither blocks nor can be swapped in between; at most
    ``max_bytes + 1`` bytes are ever read, so a file growing while it is read is still bounded.
    """
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise RmaImportFailed(f"{path}: " + _("file not found")) from None
    except IsADirectoryError:  # pragma: no cover - Windows; POSIX opens folders read-only
        raise RmaImportFailed(f"{path}: " + _("is a folder, not a file")) from None
    except OSError as exc:
        raise RmaImportFailed(_unreadable(path, exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise RmaImportFailed(f"{path}: " + _("is a folder, not a file"))
        if not stat.S_ISREG(mode):
            message = _(
                "is a device or a pipe, not a file; give the path of a saved CSV or JSON file"
            )
            raise RmaImportFailed(f"{path}: {message}")
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read(max_bytes + 1)
    except OSError as exc:
        raise RmaImportFailed(_unreadable(path, exc)) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        message = _(
            "is larger than {limit} MB, the most one import reads; split it into smaller files"
        ).format(limit=max_bytes // _MB)
        raise RmaImportFailed(f"{path}: {message}")
    return data


def _unreadable(path: Path, exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return f"{path}: " + _("cannot be read ({reason})").format(reason=reason)


@contextmanager
def csv_cells_up_to_file_size() -> Iterator[None]:
    """Let the csv module read any cell a file within ``MAX_FILE_BYTES`` can hold.

    Its default limit (128 KiB) stops in the middle of an over-long quoted cell and resumes
    inside it, so every line of the cell becomes a bogus row (a 10 MB cell: millions of them).
    Read whole, the cell is one row that is reported once as too long (``MAX_FIELD_CHARS``).
    The limit is process-wide, so the previous value is restored.
    """
    previous = csv.field_size_limit(MAX_FILE_BYTES + 1)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def decode_bytes(data: bytes, encoding: str | None, path: Path) -> tuple[str, str, str | None]:
    """Text, the encoding used, and a warning if bytes had to be replaced.

    Order matters: a BOM is certain; strict UTF-8 almost never matches other encodings by
    accident; GB18030 comes before cp1252 because Chinese sellers' files are far more common
    here than Western text that happens to decode as GB18030.
    """
    if encoding:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise RmaImportFailed(
                f"{path}: " + _('unknown encoding "{encoding}"').format(encoding=encoding)
            ) from None
        try:
            return data.decode(name).removeprefix("\ufeff"), name, None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            message = _(
                "the file is not valid {encoding} (byte {byte}); "
                "leave the encoding out to detect it"
            ).format(encoding=name, byte=f"0x{data[exc.start]:02x}")
            raise RmaImportFailed(f"{path}:{line}: {message}", line=line) from None
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", path, "utf-8-sig"), "utf-8-sig", None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", path).removeprefix("\ufeff"), "utf-16", None
    sample = data[:4096]
    if sample.count(0) * 4 > len(sample):
        # UTF-16 without a BOM: ASCII characters leave every other byte zero (a stray NUL in
        # a UTF-8 file does not make it UTF-16; the row with it is refused instead).
        name = "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
        return _strict(data, name, path), name, None
    for name in ("utf-8", "gb18030", "cp1252"):
        try:
            return data.decode(name), name, None
        except UnicodeDecodeError:
            continue
    warning = _(
        "some bytes are not valid in any expected encoding and were replaced with {replacement}; "
        "check the text, or give the encoding explicitly"
    ).format(replacement="\ufffd")
    return data.decode("cp1252", errors="replace"), "cp1252", warning


def _strict(data: bytes, name: str, path: Path, label: str | None = None) -> str:
    try:
        return data.decode(name)
    except UnicodeDecodeError as exc:
        message = _(
            "the file says it is {encoding} but contains invalid bytes "
            "(byte offset {offset}); save it again as CSV UTF-8"
        ).format(encoding=label or name, offset=exc.start)
        raise RmaImportFailed(f"{path}: {message}") from None
