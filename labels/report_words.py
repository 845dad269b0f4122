"""Codes to words for the seller report: answers, reasons, warnings, stated reasons, photo roles.

A seller reads words, never codes: ``SIZE_OFF_SPEC``, ``not_as_described`` or ``item_matches``
mean nothing to them, and nothing at all in Chinese. Words come from two places only: the
standard's own texts (questions, answers, defects, zones, grades: in the data, per language) and
the report catalogue for what the station itself defines (``labels.locale.report_words``).
A code neither knows is shown humanised ("Supervisor regrade"), never as the raw code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from labels.report_common import Translator, humanise
from labels.report_data import LocalText, ReasonFact, ReportReason, ReportVerdict


def answer_words(tr: Translator, shown: Sequence[LocalText], value: Any) -> str:
    """A recorded answer: the standard's labels of the chosen choices, else yes/no or the value."""
    if shown:
        return ", ".join(tr.local(label) for label in shown)
    if isinstance(value, bool):
        return tr("value.yes") if value else tr("value.no")
    if value is None or value == "" or value == []:
        return tr("value.none")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def stated_reason_words(tr: Translator, code: str | None, text: str | None) -> str:
    """Our reason category in words, and the customer's own words beside it when imported."""
    if not code and not text:
        return tr("value.none")
    reason = tr.code("stated_reason", code) if code else tr("stated_reason.other")
    if text and text.strip():
        return tr("value.stated_reason_with_text", reason=reason, text=text.strip())
    return reason


def photo_role_words(tr: Translator, role: str, role_label: LocalText) -> str:
    """The standard's name for a photo role, else the catalogue's, else "Other photo"."""
    named = tr.local(role_label, "")
    if named:
        return named
    key = f"photo_role.{role}"
    return tr(key) if tr.has(key) else tr("photo_role.other")


def warning_words(tr: Translator, code: str) -> str:
    key = f"warning.{code}"
    return tr(key) if tr.has(key) else tr("warning.other")


def fact_words(tr: Translator, fact: ReasonFact) -> str:
    """One fact behind a reason, e.g. "Signs of wear: Worn, visibly" or "Defect: Snag"."""
    label = tr.local(fact.label, "")
    if fact.kind == "answer":
        shown = (fact.shown,) if fact.shown else ()
        return tr("reason.answer", label=label, value=answer_words(tr, shown, fact.value))
    if fact.kind == "measurement":
        return tr("reason.measurement", label=label)
    if fact.kind == "defect":
        return tr("reason.defect", name=label)
    if fact.kind == "stated_reason":
        return tr("reason.stated", reason=tr.code("stated_reason", fact.value))
    if fact.kind == "country":
        return tr("reason.country", country=fact.value or tr("value.none"))
    if fact.kind in ("weight", "serial", "late", "blind"):
        return tr(f"reason.{fact.kind}")
    return ""


def reason_words(tr: Translator, reason: ReportReason, grade: str) -> str:
    """What one reason code of a verdict means, in the standard's and the catalogue's words."""
    if reason.kind in ("late", "blind"):
        return tr(f"reason.{reason.kind}")
    phrases = _unique(fact_words(tr, fact) for fact in reason.facts)
    if phrases:
        return "; ".join(phrases)
    if reason.kind == "rule":
        return tr("reason.rule", grade=grade)
    return tr("reason.other", text=humanise(reason.code))


def reasons_words(tr: Translator, verdict: ReportVerdict) -> str:
    """Every reason of a verdict, in words, each once; a dash when there is none."""
    if verdict.reasons:
        texts = _unique(reason_words(tr, reason, verdict.grade) for reason in verdict.reasons)
    else:  # data built without reasons in words: never print the codes themselves
        texts = _unique(humanise(code) for code in verdict.reason_codes)
    return "; ".join(texts) or tr("value.none")


def grade_words(tr: Translator, verdict: ReportVerdict) -> str:
    """The line under the grade letter: what this grade means here, agreeing with the verdict.

    The standard's own label where it belongs to this disposition alone (``grade_note``), else
    the facts that decided the grade, else "nothing lowered the grade" for the default grade.
    """
    note = tr.local(verdict.grade_note, "")
    if note:
        return note
    deciding = [r for r in verdict.reasons if r.decides_grade]
    if deciding:
        return reason_words(tr, deciding[0], verdict.grade)
    return tr("text.default_grade") if verdict.default_grade else ""


def _unique(texts: Iterable[str]) -> list[str]:
    return [text for text in dict.fromkeys(texts) if text]
