"""The audit-trail section of the seller inspection report: the unit's steps, in words.

Plain data in, flowables out, like the rest of ``labels``: the station selects the slice of its
hash-chained audit trail that concerns the unit and passes rows of this dataclass, with the
standard's texts for what each step recorded (the question, the answer, the defect). A seller
reads when, who and what happened ("Verdict recorded: grade B, restock as graded"), never an
event code or JSON. Each row keeps the start of its chain hash, so the rows can be found in a
full export (``station audit export --inspection ID``) and checked there; the station checks
the rows shown against their hashes when it makes the report and says so in one plain line.

The slice is rendered beside the report data, not inside it: the trail keeps growing (a label
reprinted next week is a new event), and the report's verification hash must stay the same as
long as the recorded inspection data does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reportlab.platypus import Flowable, Paragraph

from labels.report_common import Styles, Translator, grid_table, humanise
from labels.report_data import LocalText
from labels.report_words import answer_words, photo_role_words

SHORT_HASH = 16  # hex characters shown: enough to find the row in an export, fits the column


@dataclass(frozen=True)
class ReportAuditEvent:
    """One event of the unit's audit slice, as the report prints it.

    ``texts`` holds the standard's words for what the step recorded (``subject``: a question,
    measurement, defect or photo role; ``value``: the chosen answer; ``zone``), ``values`` the
    plain recorded values (``grade``, ``disposition``, ``grams``, ``rma``, ``text``, ...).
    """

    seq: int
    at: datetime  # UTC
    action: str  # the event code (``verdict.recorded``): chooses the words, never printed
    actor: str | None  # who acted (display name), or the station when nobody was signed in
    hash: str
    texts: Mapping[str, LocalText] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditCheck:
    """The station's check of the rows shown, made when the report was: ``altered`` lists the
    seq of every row whose content no longer matches its hash, or whose link to the row just
    before it (when that row is shown too) is broken."""

    rows: int
    altered: tuple[int, ...] = ()


def _lower_first(text: str) -> str:
    """A catalogue word inside a sentence: "Restock as graded" -> "restock as graded"."""
    return text[:1].lower() + text[1:] if text[:1].isupper() and text[1:2].islower() else text


def describe(tr: Translator, event: ReportAuditEvent) -> str:
    """What happened, in words, in the report's language."""
    v, action = event.values, event.action

    def text(name: str) -> str:
        return tr.local(event.texts.get(name), "")

    subject = text("subject") or humanise(str(v.get("subject_code") or "")) or "—"
    if action == "parcel.received":
        if v.get("blind") or not v.get("rma"):
            return tr("audit.parcel.received_blind")
        return tr("audit.parcel.received", rma=v["rma"])
    if action == "fact.recorded":
        shown = (event.texts["value"],) if event.texts.get("value") else ()
        return tr(
            "audit.fact.recorded", subject=subject, value=answer_words(tr, shown, v.get("answer"))
        )
    if action == "measurement.recorded":
        value = f"{v.get('value')} {v.get('unit') or ''}".strip()
        return tr("audit.measurement.recorded", subject=subject, value=value)
    if action == "defect.recorded":
        severity = tr.code("severity", v.get("severity"))
        zone = text("zone") or (tr("value.zone", zone=v["zone"]) if v.get("zone") else "")
        if zone:
            return tr("audit.defect.recorded", subject=subject, zone=zone, severity=severity)
        return tr("audit.defect.recorded_nozone", subject=subject, severity=severity)
    if action == "photo.recorded":
        role = str(v.get("subject_code") or "")
        return tr(
            "audit.photo.recorded",
            subject=photo_role_words(tr, role, event.texts.get("subject") or {}),
        )
    if action == "defect.removed":
        return tr("audit.defect.removed", subject=subject)
    if action == "weight.recorded":
        stable = tr("value.stable") if v.get("stable") else tr("value.unstable")
        return tr("audit.weight.recorded", grams=_grams(v.get("grams")), stable=stable)
    if action in ("verdict.recorded", "verdict.revised", "second_opinion.recorded"):
        disposition = _lower_first(tr.code("disposition", v.get("disposition")))
        return tr(
            f"audit.{action}",
            grade=v.get("grade") or "—",
            disposition=disposition,
            text=v.get("text") or tr("value.none"),
        )
    if action == "verdict.reviewed":
        return tr("audit.verdict.reviewed", outcome=tr.code("review", v.get("outcome")))
    if action == "label.printed":
        kind = tr.code("label_kind", v.get("kind"))
        return tr("audit.label.reprinted" if v.get("reprint") else "audit.label.printed", kind=kind)
    key = f"audit.{action}"
    if tr.has(key):
        return tr(key, text=v.get("text") or tr("value.none"))
    return tr("audit.other")


def _grams(value: Any) -> str:
    try:
        return f"{float(value):.1f}".rstrip("0").rstrip(".")
    except (TypeError, ValueError):
        return "—"


def audit_section(
    tr: Translator,
    styles: Styles,
    width: float,
    events: Sequence[ReportAuditEvent],
    check: AuditCheck | None = None,
) -> list[Flowable]:
    """What the trail is, the check made when the report was, and the table of steps."""
    if not events:
        return [styles.p(tr("text.no_audit"))]
    rows = [
        [
            f"#{event.seq}",
            event.at.strftime("%Y-%m-%d %H:%M:%S"),
            event.actor or "—",
            describe(tr, event),
            Paragraph(event.hash[:SHORT_HASH], styles.mono),
        ]
        for event in events
    ]
    header = [
        tr("col.event"),
        tr("col.time_utc"),
        tr("col.by"),
        tr("col.what"),
        tr("col.hash", count=SHORT_HASH),
    ]
    widths = [width * 0.08, width * 0.17, width * 0.15, width * 0.42, width * 0.18]
    story: list[Flowable] = [styles.p(tr("text.audit"), styles.label)]
    if check is not None:
        if check.altered:
            rows_text = ", ".join(f"#{seq}" for seq in check.altered)
            story.append(styles.p(tr("text.audit_altered", rows=rows_text), styles.cell_bold))
        else:
            story.append(styles.p(tr("text.audit_checked", count=check.rows), styles.label))
    story.append(grid_table(styles, header, rows, widths))
    return story
