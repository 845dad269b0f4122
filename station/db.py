"""Engine, sessions and migrations.

SQLite is the bench's offline store, so it is tuned for safety over speed: WAL so readers never
block the writer, ``synchronous=FULL`` so a recorded verdict survives a power cut, foreign keys
on, and every write transaction taken with ``BEGIN IMMEDIATE`` so two writers queue on
``busy_timeout`` instead of failing half-way with "database is locked". The same code runs on
PostgreSQL, where those SQLite details are skipped.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from station.disk_errors import disk_full_as
from station.file_modes import private_backup_dir, private_database_file
from station.timeutil import utcnow

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15_000
_WRITE_OPTION = "station_write"
FOREGROUND_QUIET_S = 0.005  # background writers wait this long after a foreground write
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def create_station_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the station's connection settings applied on every new connection."""
    is_sqlite = make_url(url).get_backend_name() == "sqlite"
    if is_sqlite:
        _private_sqlite_file(url)
        kwargs.setdefault("connect_args", {}).setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
    engine = create_engine(url, **kwargs)
    if is_sqlite:
        _install_sqlite_behaviour(engine)
    return engine


def _private_sqlite_file(url: str) -> None:
    """The database file is 0600 before SQLite touches it: it holds secrets (station.file_modes)."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        private_database_file(Path(database))


def _install_sqlite_behaviour(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class WriteGate:
    """Queues this process's SQLite writers on a lock, foreground work first.

    SQLite has one writer at a time. Without this, a second writer in the process learns that
    only from the busy handler, which sleeps 1, 2, 5, 10… ms between tries: a grader's finalize
    that collides with the sync relay's bookkeeping waits several sleeps longer than the
    relay's transaction took. Here it is woken the moment the lock is free, and background
    writers (``background=True``: the relay) do not start while a foreground writer waits, so
    a finalize waits for at most one short background transaction. Other processes (``station
    sync run`` beside the window) still meet the busy handler; that is only slower, not wrong.
    """

    def __init__(self, timeout_s: float) -> None:
        self._timeout_s = timeout_s
        self._condition = threading.Condition()
        self._owner: int | None = None
        self._owner_is_background = False
        self._foreground_released_at = -FOREGROUND_QUIET_S
        self._foreground_waiting = 0
        self._background_waiting = 0

    @contextmanager
    def hold(self, *, background: bool = False) -> Iterator[None]:
        me = threading.get_ident()
        with self._condition:
            if self._owner == me:
                raise RuntimeError("a write transaction was opened inside another one")
            if background:
                self._background_waiting += 1
                try:
                    free = self._condition.wait_for(
                        lambda: self._owner is None and not self._foreground_waiting,
                        self._timeout_s,
                    )
                finally:
                    self._background_waiting -= 1
            else:
                self._foreground_waiting += 1
                try:
                    free = self._condition.wait_for(lambda: self._owner is None, self._timeout_s)
                finally:
                    self._foreground_waiting -= 1
            if not free:
                raise TimeoutError(
                    f"no write access to the database after {self._timeout_s:.0f}s: "
                    "another write in this station has not finished"
                )
            self._owner, self._owner_is_background = me, background
        try:
            yield
        finally:
            with self._condition:
                if not self._owner_is_background:
                    self._foreground_released_at = time.monotonic()
                self._owner = None
                self._condition.notify_all()

    def _foreground_busy(self) -> bool:
        return bool(self._foreground_waiting) or (
            self._owner is not None and not self._owner_is_background
        )

    def yield_to_foreground(self, timeout_s: float = 1.0) -> None:
        """Background loops call this between steps: it returns once no foreground write has
        run or queued for ``FOREGROUND_QUIET_S`` (or after ``timeout_s``, so background work
        is slowed, never stopped).

        Why: the relay's sender threads compete with a grader's finalize for the interpreter
        lock and for the CPU, not only for the database; stepping aside while a foreground
        write is in progress keeps the bench as fast with the relay draining as without. The
        quiet period keeps a burst of foreground writes (a finalize, then its labels) together.
        """
        deadline = time.monotonic() + timeout_s
        with self._condition:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    return
                if self._foreground_busy():
                    self._condition.wait(deadline - now)
                    continue
                quiet_left = self._foreground_released_at + FOREGROUND_QUIET_S - now
                if quiet_left <= 0:
                    return
                self._condition.wait(min(quiet_left, deadline - now))


@dataclass(frozen=True)
class Database:
    """The two session factories every service uses: one for reads, one for writes."""

    engine: Engine
    _read: sessionmaker[Session]
    _write: sessionmaker[Session]
    gate: WriteGate | None = field(default=None)  # SQLite only: PostgreSQL has row locks

    @classmethod
    def open(cls, url: str, **engine_kwargs: Any) -> Database:
        engine = create_station_engine(url, **engine_kwargs)
        write_engine = engine.execution_options(**{_WRITE_OPTION: True})
        return cls(
            engine=engine,
            _read=sessionmaker(engine, expire_on_commit=False),
            _write=sessionmaker(write_engine, expire_on_commit=False),
            gate=WriteGate(BUSY_TIMEOUT_MS / 1000) if engine.dialect.name == "sqlite" else None,
        )

    @property
    def location(self) -> str:
        """Where the data lives, for messages: the SQLite file, or the server's URL."""
        return database_location(self.engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with disk_full_as(self.location), self._read() as session, session.begin():
            yield session

    @contextmanager
    def write(self, *, background: bool = False) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back entirely on any exception.

        ``background=True`` is for work nobody is waiting on (sync bookkeeping): it lets any
        waiting foreground write (a grader's action) go first. A full disk is ``DiskFull``
        (station.disk_errors), after the rollback: nothing committed before is touched.
        """
        with disk_full_as(self.location):
            if self.gate is None:
                with self._write() as session, session.begin():
                    yield session
                return
            gate = self.gate.hold(background=background)
            with gate, self._write() as session, session.begin():
                yield session

    def checkpoint(self) -> None:
        """Copies the SQLite write-ahead log into the database file now (PASSIVE: it waits for
        nobody). Background writers call it after their commits: otherwise the commit that
        pushes the log past 1,000 pages runs that copy, and it may be a grader's finalize."""
        if self.gate is None:
            return
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


# --- migrations ---------------------------------------------------------------------------


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


#: The newest migration in ``migrations/versions``. Written here so that starting against an
#: up-to-date database reads one row instead of loading Alembic and every migration script
#: (about a tenth of the bench's cold start); ``tests/core/test_migrations.py`` fails when a
#: migration is added without moving this on.
HEAD_REVISION = "0009"


def head_revision() -> str:
    return HEAD_REVISION


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: a new, empty database), read as Alembic
    stores it: the one row of ``alembic_version``."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    if len(rows) > 1:
        revisions = ", ".join(str(row[0]) for row in rows)
        raise RuntimeError(f"{engine.url}: the database is at several revisions ({revisions})")
    return str(rows[0][0]) if rows else None


@dataclass(frozen=True)
class UpgradeResult:
    from_revision: str | None
    to_revision: str
    backup: Path | None


def database_location(engine: Engine) -> str:
    """The SQLite file's path, or the server's URL without its password."""
    if engine.dialect.name == "sqlite" and engine.url.database:
        return engine.url.database
    return engine.url.render_as_string(hide_password=True)


def upgrade_database(url: str, backup_dir: Path | None = None) -> UpgradeResult:
    """Create or migrate the schema to head, copying an existing SQLite file first.

    The first connection is made here (WAL needs room for its files): a full disk is
    ``DiskFull`` naming the database, not a driver traceback.
    """
    engine = create_station_engine(url)
    try:
        with disk_full_as(database_location(engine)):
            return _upgrade(engine, url, backup_dir)
    finally:
        engine.dispose()


def _upgrade(engine: Engine, url: str, backup_dir: Path | None) -> UpgradeResult:
    before = current_revision(engine)
    head = head_revision()
    backup = None
    if before != head:
        from alembic import command

        backup = _backup_sqlite(engine, before, backup_dir)
        config = alembic_config(url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        log.info("database migrated from %s to %s", before or "empty", head)
    return UpgradeResult(from_revision=before, to_revision=head, backup=backup)


def _backup_sqlite(engine: Engine, revision: str | None, backup_dir: Path | None) -> Path | None:
    """Consistent copy via SQLite's online backup API (a plain file copy can miss the WAL)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    source = Path(database)
    if not source.exists() or source.stat().st_size == 0 or revision is None:
        return None
    target_dir = private_backup_dir(backup_dir or source.parent / "backups")
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    target = target_dir / f"{source.stem}-{stamp}-rev{revision}{source.suffix}"
    private_database_file(target)  # a copy of the secrets: as private as the database
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    except (OSError, sqlite3.Error):
        target.unlink(missing_ok=True)  # half a copy (a full disk) would only hold the space
        raise
    log.info("database copied to %s before migration", target)
    return target
