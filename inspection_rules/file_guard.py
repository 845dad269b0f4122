"""Reading standard files from folders nobody vetted, without hanging or crashing.

``station rules check`` and the station read every ``*.yaml`` under the configured folders. A
FIFO there would block ``open()`` until a writer appears, ``/dev/zero`` never ends, a symlink
loop makes path resolution fail, and ``[[[[…`` 100,000 levels deep makes YAML's composer
recurse past Python's limit. Each is reported as a problem of that file instead:

- only regular files are read, at most ``MAX_STANDARD_BYTES`` (1 MB; a shipped standard is
  about 10 KB), opened without blocking and checked on the open descriptor;
- nesting deeper than ``MAX_DEPTH`` (64; a standard nests about 6 levels) is found by walking
  the parser's events, which needs no recursion, before any node tree is composed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml

MAX_STANDARD_BYTES = 1024 * 1024
MAX_DEPTH = 64
SUFFIXES = (".yaml", ".yml")

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnreadableStandard(Exception):
    """The file cannot be read as a standard; the message says why, in one line."""


def read_standard_bytes(path: Path, max_bytes: int = MAX_STANDARD_BYTES) -> bytes:
    """The file's bytes if it is a regular file of at most ``max_bytes``.

    Raises ``UnreadableStandard``; never blocks on a FIFO and never reads more than
    ``max_bytes + 1`` bytes.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UnreadableStandard(f"cannot read the file: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a file")
            raise UnreadableStandard(f"not a regular file ({kind}); a standard is a .yaml file")
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableStandard(f"cannot read the file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise UnreadableStandard(
            f"the file is larger than {max_bytes // 1024} KB; a standard is never that large"
        )
    return data


def too_deep_at(loader: yaml.SafeLoader, limit: int = MAX_DEPTH) -> yaml.Mark | None:
    """Where the document first nests deeper than ``limit`` (``None`` if it never does).

    Consumes and disposes ``loader``: use a fresh one for the real parse. Syntax errors
    propagate; the real parse reports them with its own positions.
    """
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
                if depth > limit:
                    mark: yaml.Mark | None = event.start_mark
                    return mark
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    return None


def yaml_files_under(folder: Path) -> list[Path]:
    """The ``.yaml``/``.yml`` files under ``folder``, sorted.

    Symlinked folders are followed, but a folder already visited (by any path: a link back
    to a parent makes a loop) is not entered again. Broken or looping links to files are
    listed, so reading them reports the problem instead of the file silently vanishing.
    """
    found: list[Path] = []
    visited: set[str] = set()
    for root, folders, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in visited:
            folders[:] = []
            continue
        visited.add(real)
        found += [Path(root, name) for name in names if Path(name).suffix in SUFFIXES]
    return sorted(found)
