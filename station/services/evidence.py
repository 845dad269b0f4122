"""Everything a supervisor weighs before ruling on a dispute, in one read.

The evidence view shows what the seller report shows (photos, measurements against the spec,
weight against the expected weight, every verdict revision with the standard's rule trace),
so it reuses the report's data instead of a second query that could disagree with what the
seller was sent; plus the unit's disputes and the trace of the verdict in force.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from inspection_rules import Disposition, StandardRegistry
from station.db import Database
from station.models import Dispute
from station.photos import PhotoStore
from station.services.disputes import DisputeView, verdict_in_force
from station.services.second_opinion import SecondOpinion, second_opinion_of

if TYPE_CHECKING:
    from labels.report_data import InspectionReportData


@dataclass(frozen=True)
class EvidencePhoto:
    role: str
    label: str
    path: Path
    sha256: str
    present: bool  # the file is still on disk: a missing photo is itself a finding


@dataclass(frozen=True)
class Evidence:
    inspection_id: uuid.UUID
    report: InspectionReportData
    photos: tuple[EvidencePhoto, ...]
    trace: tuple[dict[str, Any], ...]  # the rule trace of the verdict in force
    disputes: tuple[DisputeView, ...]  # newest first
    grades: tuple[str, ...]  # what a revision may choose, from the inspection's standard
    dispositions: tuple[str, ...]
    second_opinion: SecondOpinion | None = None  # of the newest dispute, when asked for


def gather_evidence(
    db: Database, standards: StandardRegistry, photos: PhotoStore, inspection_id: uuid.UUID
) -> Evidence:
    # ReportLab comes with the report module: loaded here (on a worker), not by a start.
    from station.services.reports import inspection_report_data

    report = inspection_report_data(db, standards, inspection_id)
    with db.read() as session:
        verdict = verdict_in_force(session, inspection_id)
        disputes = session.scalars(
            select(Dispute)
            .where(Dispute.inspection_id == inspection_id)
            .order_by(Dispute.opened_at.desc())
        ).all()
        views = tuple(DisputeView.of(d) for d in disputes)
        second = second_opinion_of(session, disputes[0]) if disputes else None
        trace = tuple(verdict.trace or []) if verdict is not None else ()
    language = report.header.seller_language
    items = []
    for photo in report.photos:
        path = photos.path_of(photo.file_path)
        label = photo.role_label.get(language) or photo.role_label.get("en") or photo.role
        items.append(EvidencePhoto(photo.role, str(label), path, photo.sha256, path.is_file()))
    standard = standards.by_hash(report.standard.content_hash)
    grades = tuple(standard.grades) if standard is not None else ()
    return Evidence(inspection_id, report, tuple(items), trace, views, grades,
                    tuple(d.value for d in Disposition), second)  # fmt: skip
