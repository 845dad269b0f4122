"""The audit-trail section of the seller inspection report: a compact table of the unit's events.

Plain data in, flowables out, like the rest of ``labels``: the station selects the slice of its
hash-chained audit trail that concerns the unit and passes rows of this dataclass. Each row
prints the start of its chain hash, so a seller holding the report can match it against a full
export (``station audit export --inspection ID``) and check the rows there.

The slice is rendered beside the report data, not inside it: the trail keeps growing (a label
reprinted next week is a new event), and the report's verification hash must stay the same as
long as the recorded inspection data does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reportlab.platypus import Flowable, Paragraph

from labels.report_common import Styles, Translator, grid_table

SHORT_HASH = 16  # hex characters shown: enough to find the row in an export, fits the column


@dataclass(frozen=True)
class ReportAuditEvent:
    """One event of the unit's audit slice, as the report prints it."""

    seq: int
    at: datetime  # UTC
    action: str  # the event code (``verdict.recorded``): codes stay untranslated, like SKUs
    actor: str | None  # who acted (display name), or the station when nobody was signed in
    hash: str


def audit_section(
    tr: Translator, styles: Styles, width: float, events: Sequence[ReportAuditEvent]
) -> list[Flowable]:
    """An explanatory line and the table (#, time UTC, action, actor, short hash)."""
    if not events:
        return [styles.p(tr("text.no_audit"))]
    rows = [
        [
            f"#{event.seq}",
            event.at.strftime("%Y-%m-%d %H:%M:%S"),
            event.action,
            event.actor or "—",
            Paragraph(event.hash[:SHORT_HASH], styles.mono),
        ]
        for event in events
    ]
    header = [
        tr("col.event"),
        tr("col.time_utc"),
        tr("col.action"),
        tr("col.by"),
        tr("col.hash", count=SHORT_HASH),
    ]
    widths = [width * 0.09, width * 0.21, width * 0.27, width * 0.21, width * 0.22]
    return [styles.p(tr("text.audit"), styles.label), grid_table(styles, header, rows, widths)]
