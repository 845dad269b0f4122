"""pytest plugin for the mutation run (``make mutation``; loaded with ``-p`` from [tool.mutmut]).

Why it exists: mutmut 3 runs pytest many times in one process (the coverage pass, the clean
pass) and then forks one child per mutant from it. ``tests/conftest.py`` caches its migrated
template database under the first session's temporary directory, and pytest deletes old
session directories after three newer sessions, so from the fourth mutant on the cached path
is gone. This plugin gives that cache one template of its own for the whole run, made once
in the parent, read (copied) by every child.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

_TEMPLATE: Path | None = None
_OWNER = os.getpid()


def _stable_template() -> Path:
    """The run's migrated template database, created on first use and removed at exit."""
    global _TEMPLATE
    if _TEMPLATE is None or not _TEMPLATE.exists():
        from station.db import upgrade_database

        directory = Path(tempfile.mkdtemp(prefix="mutation-template-"))
        path = directory / "station.sqlite3"
        upgrade_database(f"sqlite:///{path}")
        _TEMPLATE = path
        atexit.register(_remove, directory)
    return _TEMPLATE


def _remove(directory: Path) -> None:
    if os.getpid() == _OWNER:  # forked mutant children must not delete the parent's copy
        shutil.rmtree(directory, ignore_errors=True)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    conftest = sys.modules.get("tests.conftest")
    cache = getattr(conftest, "_TEMPLATE", None)
    if isinstance(cache, dict):
        cache["db"] = _stable_template()
