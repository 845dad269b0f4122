"""Re-explain a past inspection with the exact standard version it was judged by."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from inspection_rules import Evaluation, Facts, StandardRegistry
from station.db import Database
from station.i18n import _
from station.models import Inspection, Verdict
from station.services.facts import facts_for, get_row, standard_of


@dataclass(frozen=True)
class Explanation:
    inspection_id: uuid.UUID
    standard_id: str
    standard_version: str
    standard_hash: str
    facts: Facts
    evaluation: Evaluation
    recorded_grade: str | None
    recorded_disposition: str | None

    @property
    def agrees_with_record(self) -> bool | None:
        """Whether re-evaluation reproduces the verdict on record (None: no verdict yet)."""
        if self.recorded_grade is None:
            return None
        disposition = self.evaluation.disposition.value if self.evaluation.disposition else None
        return (self.evaluation.grade, disposition) == (
            self.recorded_grade,
            self.recorded_disposition,
        )


def explain_inspection(
    db: Database, standards: StandardRegistry, inspection_id: uuid.UUID
) -> Explanation:
    with db.read() as session:
        inspection = get_row(session, Inspection, inspection_id, _("inspection"))
        standard = standard_of(standards, inspection)
        facts = facts_for(session, inspection)
        verdict = session.scalar(
            select(Verdict)
            .where(Verdict.inspection_id == inspection.id)
            .order_by(Verdict.revision.desc())
            .limit(1)
        )
        return Explanation(
            inspection_id=inspection.id,
            standard_id=inspection.standard_id,
            standard_version=inspection.standard_version,
            standard_hash=inspection.standard_hash,
            facts=facts,
            evaluation=standard.evaluate(facts),
            recorded_grade=verdict.grade if verdict else None,
            recorded_disposition=verdict.disposition if verdict else None,
        )
