"""One relay per database at a time: a lease row, renewed while the relay works.

Why: the window runs a relay thread and a supervisor may also start ``station sync run``; two
relays would each pick "the oldest pending event of a unit" and could send a unit's second
event while the first is still in flight at the other, breaking per-unit order (receivers
dedupe, but they cannot reorder). The lease is a row in ``sync_cursors`` holding who owns it
and until when. A relay that finds a live lease held by another stands by and tries again
next pass. A lease whose holder was killed frees itself when it expires, or at once when the
holder was a process on this machine that no longer exists.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from station.db import Database
from station.models.sync import SyncCursor
from station.timeutil import utcnow

log = logging.getLogger(__name__)

LEASE_NAME = "relay.lease"
LEASE_S = 30.0


@dataclass(frozen=True)
class LeaseHolder:
    owner: str  # unique per relay object
    host: str
    pid: int
    expires_at: datetime

    def describe(self) -> str:
        return f"process {self.pid} on {self.host} (until {self.expires_at:%H:%M:%S} UTC)"


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it exists, run by someone else
    return False


class RelayLease:
    def __init__(self, db: Database, lease_s: float = LEASE_S) -> None:
        self.db = db
        self.lease_s = lease_s
        self.owner = uuid.uuid4().hex
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self._held_until: datetime | None = None

    def acquire(self) -> LeaseHolder | None:
        """Takes or renews the lease. Returns None when held, else who holds it instead.

        Renewal writes only when a third of the lease has passed, so a busy relay does not add
        a commit to every batch.
        """
        now = utcnow()
        if self._held_until is not None and self._held_until - now > timedelta(
            seconds=self.lease_s * 2 / 3
        ):
            return None
        with self.db.write(background=True) as session:
            row = session.get(SyncCursor, LEASE_NAME)
            other = _holder(row.cursor if row else None)
            if (
                other is not None
                and other.owner != self.owner
                and other.expires_at > now
                and not (other.host == self.host and _process_gone(other.pid))
            ):
                self._held_until = None
                return other
            until = now + timedelta(seconds=self.lease_s)
            value = json.dumps({"owner": self.owner, "host": self.host, "pid": self.pid,
                                "expires_at": until.isoformat()})  # fmt: skip
            if row is None:
                session.add(SyncCursor(name=LEASE_NAME, cursor=value, updated_at=now))
            else:
                row.cursor, row.updated_at = value, now
        if self._held_until is None:
            log.info("relay lease taken by process %d on %s", self.pid, self.host)
        self._held_until = until
        return None

    def release(self) -> None:
        """Hands the lease back at once (a clean stop), so another relay need not wait."""
        if self._held_until is None:
            return
        self._held_until = None
        with self.db.write(background=True) as session:
            row = session.get(SyncCursor, LEASE_NAME)
            holder = _holder(row.cursor if row else None)
            if row is not None and holder is not None and holder.owner == self.owner:
                session.delete(row)


def _holder(value: str | None) -> LeaseHolder | None:
    if not value:
        return None
    try:
        data = json.loads(value)
        return LeaseHolder(
            owner=str(data["owner"]),
            host=str(data["host"]),
            pid=int(data["pid"]),
            expires_at=datetime.fromisoformat(data["expires_at"]),
        )
    except (ValueError, KeyError, TypeError):
        log.warning("unreadable relay lease %r: taking it over", value[:200])
        return None
