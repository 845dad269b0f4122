"""A throw-away PostgreSQL cluster for the test session, and a fresh database per test.

The cluster is started with pytest-postgresql's executor (initdb + pg_ctl, the server's own tools)
in a temporary directory and stopped when the session ends. Each xdist worker starts its own.
The station's schema is migrated once into a template database; every test gets a copy made by
``CREATE DATABASE … TEMPLATE`` (tens of milliseconds) and dropped after, so tests never see each
other's rows and nothing is shared with a developer's own PostgreSQL.

Why a wrapper for pg_ctl: PostgreSQL refuses to run as root, and CI runs the suite as root; there
the wrapper runs pg_ctl as the ``postgres`` user that Debian's package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WRAPPER = Path(__file__).with_name("pg_ctl_as_postgres")
TEMPLATE_DB = "station_template"


def find_pg_ctl() -> str | None:
    """The newest installed pg_ctl: Debian keeps it under /usr/lib/postgresql/N/bin, off PATH."""
    chosen = os.environ.get("STATION_TEST_PG_CTL")
    if chosen:
        return chosen
    found = glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")
    if found:
        return max(found, key=lambda path: int(Path(path).parts[-3]))
    return shutil.which("pg_ctl")


def missing_reason() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when they can."""
    if find_pg_ctl() is None:
        return "no PostgreSQL server binaries (pg_ctl) here: apt-get install postgresql"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run the server as"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed: pip install -e '.[dev]'"
    return None


@dataclass
class Cluster:
    host: str
    port: int
    user: str = "postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Runs one statement outside a transaction (CREATE/DROP DATABASE need that)."""
        import psycopg

        with psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(sql)  # type: ignore[arg-type]

    def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')
        return name

    def drop_database(self, name: str) -> None:
        # FORCE: a test may leave a pooled connection open (a relay thread's engine, say).
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_until_accepting(cluster: Cluster, attempts: int = 600) -> None:
    """The executor returns once the port is open; the server may still answer "the database
    system is starting up" for a while after that. Wait for a real login (up to a minute)."""
    import psycopg

    for _attempt in range(attempts):
        try:
            cluster.admin("SELECT 1")
            return
        except psycopg.OperationalError:
            time.sleep(0.1)
    cluster.admin("SELECT 1")  # the last try raises with the server's own words


def _start_server(workdir: Path, attempts: int = 3) -> tuple[Any, int]:
    """Starts the server on a free port outside the ephemeral range (port-for). Another
    program may still take that port before the server binds it (other test sessions on the
    machine choose ports too): then the start fails and another port is tried."""
    import port_for
    from pytest_postgresql.executors.proc import PostgreSQLExecutor

    tried: list[int] = []
    for attempt in range(attempts):
        port = port_for.select_random(exclude_ports=tried)
        tried.append(port)
        executor = PostgreSQLExecutor(
            executable=str(WRAPPER),
            host="127.0.0.1",
            port=port,
            datadir=str(workdir / "data"),
            unixsocketdir=str(workdir),
            logfile=str(workdir / "server.log"),
            startparams="-w",
            dbname=TEMPLATE_DB,
            timeout=120,
            # Tests want speed, not durability: no fsync, and enough connections for the
            # relay's threads and several benches per test.
            postgres_options="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c max_connections=200",
        )
        try:
            executor.start()
        except Exception:
            with contextlib.suppress(Exception):  # half-started: stop what did start
                executor.stop()
            if attempt + 1 == attempts:
                raise
            continue
        return executor, port
    raise AssertionError("unreachable")


@contextmanager
def running_cluster() -> Iterator[Cluster]:
    """Starts a cluster, migrates the template database, yields; stops and deletes it after."""
    from station.db import upgrade_database

    pg_ctl = find_pg_ctl()
    assert pg_ctl is not None
    os.environ["STATION_TEST_PG_CTL"] = pg_ctl
    workdir = Path(tempfile.mkdtemp(prefix="station-pg-"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(workdir, entry.pw_uid, entry.pw_gid)
    executor, port = _start_server(workdir)
    try:
        cluster = Cluster(host="127.0.0.1", port=port)
        _wait_until_accepting(cluster)
        cluster.admin(f'CREATE DATABASE "{TEMPLATE_DB}"')
        upgrade_database(cluster.url(TEMPLATE_DB))
        yield cluster
    finally:
        executor.stop()
        shutil.rmtree(workdir, ignore_errors=True)
