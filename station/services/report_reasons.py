"""A verdict's reason codes as the facts behind them, in the standard's own words.

``SIZE_OFF_SPEC`` is the standard's name for a grading rule; what a seller needs is what made the
rule match: "Body length: outside the allowed deviation". So each reason code is traced back to
where it came from - the grading rule that carries it (the one the verdict's trace names first),
the defect catalogue (``DEFECT_<CODE>``), the return window or a blind return - and the rule's
condition is walked for the tests that hold on the recorded facts. Those tests name checklist
items, defects and measurements, whose labels the standard has in every language.

The grade's description is decided here too, from the same verdict: the standard's grade label
("C – visible wear: sell as second") says what the grade is normally for, so it is shown only
where the standard ties that grade to this verdict's disposition alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from inspection_rules.evaluator import Evaluator, holds
from inspection_rules.model import Facts, ItemType
from inspection_rules.schema import Condition, GradingRule, ItemSpec, StandardSpec
from labels.report_data import LocalText, ReasonFact, ReportReason

BLIND_REASON = "BLIND_RETURN"  # the evaluator's own code for a return with no RMA
DEFECT_PREFIX = "DEFECT_"


class ReasonWords:
    """Explains the reason codes of verdicts judged by one standard version on one unit."""

    def __init__(self, spec: StandardSpec, facts: Facts) -> None:
        self.spec = spec
        self.situation = Evaluator(spec).situation(facts)
        self.items = {item.code: item for item in spec.checklist}
        self.catalogue = {defect.code: defect for defect in spec.defects}

    def reasons(
        self, codes: Sequence[str], trace: Iterable[Mapping[str, Any]] | None
    ) -> tuple[ReportReason, ...]:
        fired = {
            str(step.get("rule", "")).split(":", 1)[1]
            for step in trace or ()
            if str(step.get("rule", "")).startswith("grading:")
        }
        return tuple(self.reason(code, fired) for code in codes)

    def reason(self, code: str, fired: set[str]) -> ReportReason:
        if code == self.spec.return_window.late.reason:
            return ReportReason(code, "late")
        if code == BLIND_REASON:
            return ReportReason(code, "blind")
        rule = self._rule_for(code, fired)
        if rule is not None:
            facts = tuple(self._facts(rule.when))
            return ReportReason(code, "rule", facts, decides_grade=rule.id in fired)
        defect = self.catalogue.get(code.removeprefix(DEFECT_PREFIX))
        if code.startswith(DEFECT_PREFIX) and defect is not None:
            return ReportReason(code, "defect", (ReasonFact("defect", dict(defect.name)),))
        return ReportReason(code, "other")

    def _rule_for(self, code: str, fired: set[str]) -> GradingRule | None:
        """The rule that gave this reason: the one the verdict fired, else one that holds now,
        else the first that carries the code (the facts may be gone from a revision)."""
        rules = [rule for rule in self.spec.grading if rule.reason == code]
        return (
            next((r for r in rules if r.id in fired), None)
            or next((r for r in rules if holds(r.when, self.situation)), None)
            or (rules[0] if rules else None)
        )

    def _facts(self, condition: Condition) -> list[ReasonFact]:
        """The facts behind the tests of ``condition`` that hold (never behind a ``not``)."""
        c = condition
        if c.all is not None:
            return [fact for child in c.all for fact in self._facts(child)]
        if c.any is not None:
            held = [child for child in c.any if holds(child, self.situation)]
            return [fact for child in held for fact in self._facts(child)]
        if c.not_ is not None or not holds(c, self.situation):
            return []
        return self._leaf(c)

    def _leaf(self, c: Condition) -> list[ReasonFact]:
        situation = self.situation
        if c.answer is not None:
            return self._answer(c.answer)
        if c.measurement is not None and c.out_of_tolerance:
            return self._measurements([c.measurement])
        if c.any_measurement_out_of_tolerance:
            failed = [code for code, r in situation.measurements.items() if r.passed is False]
            return self._measurements(failed)
        if c.defect is not None:
            return [
                ReasonFact("defect", dict(self.catalogue[d.code].name))
                for d in situation.defects
                if d.code in self.catalogue
                and holds(c, dataclasses.replace(situation, defects=(d,)))
            ]
        if c.stated_reason is not None:
            return [ReasonFact("stated_reason", value=situation.facts.stated_reason)]
        if c.customer_country is not None:
            return [ReasonFact("country", value=situation.facts.customer_country)]
        flags = (
            ("weight", c.weight_out_of_tolerance),
            ("serial", c.serial_mismatch),
            ("late", c.late_return),
            ("blind", c.blind_return),
        )
        return [ReasonFact(kind) for kind, test in flags if test]

    def _answer(self, code: str) -> list[ReasonFact]:
        item = self.items.get(code)
        if item is None:
            return []
        if item.type is ItemType.MEASUREMENT:
            return self._measurements([code])
        value = self.situation.answer(code)
        return [ReasonFact("answer", dict(item.label), choice_words(item, value), value)]

    def _measurements(self, codes: Iterable[str]) -> list[ReasonFact]:
        return [
            ReasonFact("measurement", dict(self.items[code].label))
            for code in codes
            if code in self.items
        ]


def choice_words(item: ItemSpec | None, value: Any) -> LocalText:
    """The standard's labels of the chosen choice(s), joined per language ({} for no choice)."""
    if item is None or not item.choices:
        return {}
    chosen = value if isinstance(value, list | tuple) else [value]
    labels = [c.label for c in item.choices if c.code in chosen]
    if not labels:
        return {}
    languages = dict.fromkeys(lang for label in labels for lang in label)
    return {
        lang: ", ".join(
            label.get(lang) or label.get("en") or next(iter(label.values())) for label in labels
        )
        for lang in languages
    }


def grade_note(spec: StandardSpec, grade: str, disposition: str) -> dict[str, str]:
    """The standard's label of ``grade``, if the standard gives that grade this disposition and
    no other (in its outcome table and its tier rules); otherwise nothing, so a label written
    for the usual case ("resell as new") never contradicts a verdict that holds the unit."""
    given = {str(o.disposition) for o in spec.outcomes if o.grade == grade}
    given |= {str(r.disposition) for r in spec.grading if r.grade == grade and r.disposition}
    label = next((g.label for g in spec.grades if g.code == grade), None)
    return dict(label) if label and given == {disposition} else {}


def is_default_grade(trace: Iterable[Mapping[str, Any]] | None) -> bool:
    """No grading rule matched: the evaluator says so in the trace it stores with the verdict."""
    return any(step.get("rule") == "default_grade" for step in trace or ())
