"""Where the demo seed may write: into a brand-new database, or into one it seeded itself.

Why: ``make run`` seeds demo data on every start (``station demo seed --if-empty``). "Empty"
used to mean "no sellers", so a real station whose admin and webhook endpoints were set up
first (sellers arrive later, with the first RMA import) would have been given demo RMAs, demo
outbox events for its real receivers and a demo admin with a known PIN. Now every table
counts: a database is *new* when no table has a row except what the station writes on its own
at start (the shipped standards it registers, and the audit events that record them). A
database is *demo* when it has the demo users' clear PINs (``demo_credentials``), which only the
seed writes, in the same transaction as the rest of the demo data: that row is the seed's mark.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Table, exists, select
from sqlalchemy.orm import Session

from station.i18n import _
from station.models import AuditEvent, Base, DemoCredential, StandardVersion
from station.services.common import ServiceError

log = logging.getLogger(__name__)

#: Audit actions the station records by itself when it opens a database (no person's data).
STATION_ACTIONS = frozenset({"standard.version_loaded"})


class DatabaseKind(StrEnum):
    NEW = "new"
    DEMO = "demo"
    REAL = "real"


class DemoSeedRefused(ServiceError):
    """The database holds data the demo seed did not write: demo data would mix with it."""


@dataclass(frozen=True)
class DatabaseState:
    kind: DatabaseKind
    tables: tuple[str, ...] = ()  # for REAL: the tables that hold data of their own

    def refusal(self) -> DemoSeedRefused:
        return DemoSeedRefused(
            _("demo data not seeded: this database already has data of its own (in {tables}); "
              "the demo seed only writes into a new database").format(tables=", ".join(self.tables))
        )  # fmt: skip


def database_state(session: Session) -> DatabaseState:
    """Whether the database is new, seeded by the demo, or holds real data (and where)."""
    if session.scalar(select(exists().select_from(DemoCredential))):
        return DatabaseState(DatabaseKind.DEMO)
    tables = [table.name for table in Base.metadata.sorted_tables if _has_own_rows(session, table)]
    if tables:
        return DatabaseState(DatabaseKind.REAL, tuple(tables))
    return DatabaseState(DatabaseKind.NEW)


def _has_own_rows(session: Session, table: Table) -> bool:
    """True when ``table`` holds a row that the station did not write on its own at start."""
    if table is StandardVersion.__table__:
        return False
    query = exists().select_from(table)
    if table is AuditEvent.__table__:
        query = query.where(AuditEvent.action.not_in(STATION_ACTIONS))
    return bool(session.scalar(select(query)))
