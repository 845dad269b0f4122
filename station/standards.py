"""Standards at the station: load the files, keep every version by hash, fall back safely.

Loading validates every file. An invalid file is refused with its problems (``file:line:col``),
and if an earlier valid version of that standard is in the database, the station keeps using
it, so a bad edit never stops the benches. Every version ever loaded is stored by content hash,
which is what lets a past verdict be re-explained with the exact rules it was judged by.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from inspection_rules import StandardRegistry
from inspection_rules.loader import SHIPPED_DIR, Problem, compile_content, load_standards
from inspection_rules.standard import CompiledStandard
from station.audit import append_audit
from station.db import Database
from station.i18n import _
from station.models import StandardVersion
from station.services.common import ServiceError

log = logging.getLogger(__name__)


class StandardsUnavailable(ServiceError):
    """Not one standard is valid and none is stored: benches cannot grade anything."""


@dataclass
class StandardsLoad:
    registry: StandardRegistry
    problems: list[Problem] = field(default_factory=list)
    # Standard ids whose file was refused and that run on their last valid stored version.
    fallbacks: dict[str, str] = field(default_factory=dict)
    new_versions: list[str] = field(default_factory=list)


def load_registry(
    db: Database, extra_dirs: Sequence[Path] = (), *, station_id: str = "station"
) -> StandardsLoad:
    result = load_standards([SHIPPED_DIR, *extra_dirs])
    for problem in result.problems:
        log.error("standard refused: %s", problem)
    standards = list(result.standards.values())
    new_versions = store_versions(db, standards, station_id=station_id)
    fallbacks: dict[str, str] = {}
    loaded_ids = {standard.id for standard in standards}
    for standard_id in result.refused_ids - loaded_ids:
        previous = latest_stored(db, standard_id)
        if previous is not None:
            standards.append(previous)
            fallbacks[standard_id] = previous.content_hash
            log.warning("standard %s: using stored version %s", standard_id, previous.version)
    if not standards:
        first = "; ".join(str(problem) for problem in result.problems[:3])
        raise StandardsUnavailable(
            _("No valid inspection standard could be loaded ({problems})").format(problems=first)
        )
    registry = StandardRegistry(standards, archive=lambda h: stored_version(db, h))
    return StandardsLoad(registry, list(result.problems), fallbacks, new_versions)


def store_versions(
    db: Database, standards: Sequence[CompiledStandard], *, station_id: str
) -> list[str]:
    """Insert versions not seen before (one transaction); returns their hashes."""
    hashes = [standard.content_hash for standard in standards]
    with db.read() as session:
        known = set(
            session.scalars(
                select(StandardVersion.content_hash).where(StandardVersion.content_hash.in_(hashes))
            )
        )
    fresh = [standard for standard in standards if standard.content_hash not in known]
    if not fresh:
        return []
    with db.write() as session:
        for standard in fresh:
            if session.get(StandardVersion, standard.content_hash) is not None:
                continue  # another bench stored it meanwhile
            session.add(
                StandardVersion(
                    content_hash=standard.content_hash,
                    standard_id=standard.id,
                    version=standard.version,
                    seller=standard.seller,
                    category=standard.category,
                    content=standard.content,
                )
            )
            append_audit(
                session,
                station_id=station_id,
                action="standard.version_loaded",
                entity_type="standard",
                entity_id=standard.id,
                after={"version": standard.version, "hash": standard.content_hash},
            )
    return [standard.content_hash for standard in fresh]


def stored_version(db: Database, content_hash: str) -> CompiledStandard | None:
    with db.read() as session:
        row = session.get(StandardVersion, content_hash)
        content = dict(row.content) if row else None
    return compile_content(content) if content is not None else None


def latest_stored(db: Database, standard_id: str) -> CompiledStandard | None:
    with db.read() as session:
        row = session.scalar(
            select(StandardVersion)
            .where(StandardVersion.standard_id == standard_id)
            .order_by(StandardVersion.loaded_at.desc())
            .limit(1)
        )
        content = dict(row.content) if row else None
    return compile_content(content) if content is not None else None
