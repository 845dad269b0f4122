"""The evaluator: a pure function from a standard and the facts to a verdict and its reasons.

No I/O and no clock: everything it needs is in ``Facts``, so a past inspection can be replayed
with the exact standard version it used and give the same answer. Every complete fact set gets
exactly one grade (the first grading rule that matches, else the standard's ``default_grade``)
and exactly one disposition (a rule's own outcome, else the outcome matrix, which validation
guarantees covers every grade x responsibility).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from inspection_rules.model import (
    DefectFact,
    Disposition,
    Evaluation,
    Facts,
    ItemType,
    MeasurementResult,
    MissingFact,
    Refund,
    RefundKind,
    Responsibility,
    TraceStep,
)
from inspection_rules.schema import (
    SEVERITIES,
    Condition,
    DefectMatch,
    ItemSpec,
    OutcomeSpec,
    RefundSpec,
    StandardSpec,
    refund_parts,
)


def _refund(spec: RefundSpec) -> Refund:
    kind, percent = refund_parts(spec)
    return Refund(RefundKind(kind), percent)


def check_measurement(
    item: ItemSpec, value: float | None, sku_spec: Mapping[str, Any]
) -> MeasurementResult:
    """Compare one measured value with the SKU's spec (used live by the form, too)."""
    unit = item.unit or ""
    measurements = sku_spec.get("measurements") or {}
    raw = measurements.get(item.spec_key) if item.spec_key else None
    expected = float(raw) if isinstance(raw, int | float) else None
    if expected is None or item.tolerance is None:
        return MeasurementResult(item.code, value, unit, expected, None, None)
    # A SKU may carry its own percent tolerance (knit stretches more than woven fabric).
    percent = sku_spec.get("tolerance_pct", item.tolerance.percent)
    allowed = max(
        item.tolerance.absolute or 0.0,
        expected * float(percent) / 100 if percent is not None else 0.0,
    )
    passed = None if value is None else abs(value - expected) <= allowed + 1e-9
    return MeasurementResult(item.code, value, unit, expected, allowed, passed)


@dataclass(frozen=True)
class _Situation:
    """Facts plus what follows from them, computed once per evaluation."""

    facts: Facts
    defects: tuple[DefectFact, ...]
    catalogue: Mapping[str, Any]
    measurements: Mapping[str, MeasurementResult]
    weight_out: bool
    late: bool
    serial_mismatch: bool

    def answer(self, code: str) -> Any:
        if code in self.facts.answers:
            return self.facts.answers[code]
        # A measurement item's answer is its measured value (the bench records those apart).
        measured = self.facts.measurements.get(code)
        return measured[0] if measured else None


def _severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


def _defect_matches(match: DefectMatch, defect: DefectFact, catalogue: Mapping[str, Any]) -> bool:
    codes = {c for c in (match.code, *(match.codes or ())) if c}
    if codes and defect.code not in codes:
        return False
    if match.zone is not None and defect.zone != match.zone:
        return False
    if match.severity is not None and defect.severity != match.severity:
        return False
    if match.severity_at_least is not None and _severity_rank(defect.severity) < _severity_rank(
        match.severity_at_least
    ):
        return False
    if match.responsibility is not None:
        spec = catalogue.get(defect.code)
        if spec is None or spec.responsibility != match.responsibility:
            return False
    return True


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return None


def holds(condition: Condition, situation: _Situation) -> bool:
    """Whether a condition holds. Unanswered items make answer tests false (not an error)."""
    c = condition
    if c.all is not None:
        return all(holds(child, situation) for child in c.all)
    if c.any is not None:
        return any(holds(child, situation) for child in c.any)
    if c.not_ is not None:
        return not holds(c.not_, situation)
    if c.answer is not None:
        value = situation.answer(c.answer)
        if c.is_set is not None:
            return (value is not None and value != [] and value != "") == c.is_set
        if value is None:
            return False
        if c.equals is not None:
            return bool(value == c.equals)
        if c.in_ is not None:
            return value in c.in_
        if c.not_in is not None:
            return value not in c.not_in
        if c.includes is not None:
            return isinstance(value, list | tuple) and c.includes in value
        number = _number(value)
        if number is None:
            return False
        if c.at_least is not None:
            return number >= c.at_least
        return c.at_most is not None and number <= c.at_most
    if c.defect is not None:
        match = c.defect
        return any(_defect_matches(match, d, situation.catalogue) for d in situation.defects)
    if c.no_defects is not None:
        return not situation.defects
    if c.measurement is not None:
        result = situation.measurements.get(c.measurement)
        out = result is not None and result.passed is False
        return out == c.out_of_tolerance
    if c.any_measurement_out_of_tolerance is not None:
        out = any(r.passed is False for r in situation.measurements.values())
        return out == c.any_measurement_out_of_tolerance
    if c.stated_reason is not None:
        return situation.facts.stated_reason in c.stated_reason
    if c.weight_out_of_tolerance is not None:
        return situation.weight_out == c.weight_out_of_tolerance
    if c.serial_mismatch is not None:
        return situation.serial_mismatch == c.serial_mismatch
    if c.late_return is not None:
        return situation.late == c.late_return
    if c.customer_country is not None:
        return situation.facts.customer_country in c.customer_country
    if c.blind_return is not None:
        return situation.facts.is_blind == c.blind_return
    if c.sku_has_measurement is not None:
        measurements = situation.facts.sku_spec.get("measurements") or {}
        value = measurements.get(c.sku_has_measurement)
        # The same test check_measurement uses to find an expected value.
        return isinstance(value, int | float) and not isinstance(value, bool)
    raise AssertionError("validated conditions always have a test")  # pragma: no cover


class Evaluator:
    """Evaluates facts against one merged, validated standard."""

    def __init__(self, spec: StandardSpec) -> None:
        self.spec = spec
        self._catalogue = {d.code: d for d in spec.defects}
        self._items = {item.code: item for item in spec.checklist}

    # --- derived facts ---------------------------------------------------------------------

    def situation(self, facts: Facts) -> _Situation:
        measurements = {
            item.code: check_measurement(item, self._measured(facts, item), facts.sku_spec)
            for item in self.spec.checklist
            if item.type is ItemType.MEASUREMENT
        }
        defects = tuple(
            d
            if d.severity in SEVERITIES or d.code not in self._catalogue
            else DefectFact(d.code, d.zone, self._catalogue[d.code].severity)
            for d in facts.defects
        )
        return _Situation(
            facts=facts,
            defects=defects,
            catalogue=self._catalogue,
            measurements=measurements,
            weight_out=self._weight_out(facts),
            late=self.is_late(facts),
            serial_mismatch=self._serial_mismatch(facts),
        )

    @staticmethod
    def _measured(facts: Facts, item: ItemSpec) -> float | None:
        if item.code in facts.measurements:
            return facts.measurements[item.code][0]
        return _number(facts.answers.get(item.code))

    def _weight_out(self, facts: Facts) -> bool:
        policy = self.spec.weight
        if facts.weight_g is None or not facts.expected_weight_g:
            return False
        allowed = [
            t for t in (
                policy.tolerance_g,
                facts.expected_weight_g * policy.tolerance_percent / 100
                if policy.tolerance_percent is not None else None,
            ) if t is not None
        ]  # fmt: skip
        if not allowed:
            return False
        return abs(facts.weight_g - facts.expected_weight_g) > max(allowed)

    def window_days(self, country: str | None) -> int:
        policy = self.spec.return_window
        return policy.countries.get(country or "", policy.default_days)

    def is_late(self, facts: Facts) -> bool:
        if facts.delivered_on is None or facts.inspected_on is None or facts.is_blind:
            return False
        days = self.window_days(facts.customer_country)
        if facts.return_window_days is not None:
            # The order's own promise (e.g. a seller's 30-day policy) never shortens the law's.
            days = max(days, facts.return_window_days)
        return facts.inspected_on > facts.delivered_on + timedelta(days=days)

    def _serial_mismatch(self, facts: Facts) -> bool:
        policy = self.spec.serial
        if policy is None or not facts.expected_serials:
            return False
        serial = facts.answers.get(policy.item)
        if not serial:
            return False
        normalized = str(serial).strip().upper()
        return normalized not in {s.strip().upper() for s in facts.expected_serials}

    # --- evaluation ------------------------------------------------------------------------

    def visible(self, situation: _Situation) -> list[ItemSpec]:
        return [i for i in self.spec.checklist if i.when is None or holds(i.when, situation)]

    def evaluate(self, facts: Facts) -> Evaluation:
        situation = self.situation(facts)
        visible = self.visible(situation)
        missing = self._missing_facts(facts, visible)
        trace: list[TraceStep] = []
        reasons: list[str] = []
        warnings: list[str] = []

        grade, rule = self.spec.default_grade, None
        upstream: str | None
        for candidate in self.spec.grading:
            if holds(candidate.when, situation):
                grade, rule = candidate.grade, candidate
                break
        if rule is None:
            trace.append(TraceStep("default_grade", f"no grading rule matched: grade {grade}"))
        else:
            trace.append(TraceStep(f"grading:{rule.id}", f"rule {rule.id} matched: grade {grade}"))
            if rule.reason:
                reasons.append(rule.reason)

        responsibility, why = self._responsibility(situation)
        trace.append(TraceStep("responsibility", why))

        if rule is not None and rule.disposition is not None and rule.refund is not None:
            disposition, refund, upstream = rule.disposition, _refund(rule.refund), None
            trace.append(
                TraceStep(
                    f"grading:{rule.id}",
                    f"tier outcome: {disposition}, refund {refund.kind} {refund.percent}%",
                )
            )
        else:
            row, index = self.outcome_for(grade, responsibility, facts.stated_reason)
            disposition, refund, upstream = row.disposition, _refund(row.refund), row.shopify
            trace.append(TraceStep(f"outcome:{index + 1}", f"{grade} x {responsibility}: {disposition}, refund {refund.kind} {refund.percent}%"))  # fmt: skip

        for role in self.required_photos(grade):
            # A photo the checklist already asked for is listed once.
            if role not in facts.photo_roles and all(m.code != f"photo:{role}" for m in missing):
                missing.append(MissingFact(f"photo:{role}", f"Photo: {role.replace('_', ' ')} (required for grade {grade})"))  # fmt: skip

        if situation.weight_out:
            warnings.append("WEIGHT_OUT_OF_TOLERANCE")
            trace.append(TraceStep("weight", f"{facts.weight_g:.0f} g vs expected {facts.expected_weight_g:.0f} g: out of tolerance"))  # fmt: skip
            if self.spec.weight.on_miss == "quarantine":
                disposition = Disposition.QUARANTINE
        if situation.serial_mismatch:
            warnings.append("SERIAL_MISMATCH")
            trace.append(TraceStep("serial", "serial number does not match the RMA"))
            if self.spec.serial and self.spec.serial.on_mismatch == "quarantine":
                disposition = Disposition.QUARANTINE
        if situation.late:
            warnings.append("OUTSIDE_RETURN_WINDOW")
            late = self.spec.return_window.late
            if responsibility in late.applies_to and refund.kind is not RefundKind.NONE:
                refund = _refund(late.refund)
                reasons.append(late.reason)
                trace.append(TraceStep("late_return", f"outside the {self.window_days(facts.customer_country)}-day window: refund {refund.kind} {refund.percent}%"))  # fmt: skip
        if facts.is_blind:
            warnings.append("BLIND_RETURN")
            disposition, refund = Disposition.QUARANTINE, Refund.none()
            reasons.append("BLIND_RETURN")
            trace.append(
                TraceStep("blind_return", "no RMA: quarantine until identified, no refund")
            )
        for defect in situation.defects:
            reasons.append(f"DEFECT_{defect.code}")

        if disposition is Disposition.QUARANTINE:
            upstream = None  # a hold overrides the row's mapping; the default map applies
        return Evaluation(
            grade=grade,
            disposition=disposition,
            refund=refund,
            responsibility=responsibility,
            reason_codes=tuple(dict.fromkeys(reasons)),
            warnings=tuple(warnings),
            trace=tuple(trace),
            missing=tuple(missing),
            measurements=tuple(situation.measurements.values()),
            visible_items=frozenset(item.code for item in visible),
            upstream=upstream,
        )

    def _responsibility(self, situation: _Situation) -> tuple[Responsibility, str]:
        for rule in self.spec.responsibility:
            if holds(rule.when, situation):
                return rule.responsibility, f"rule {rule.id}: {rule.responsibility}"
        known = [d for d in situation.defects if d.code in self._catalogue]
        if known:
            worst = max(known, key=lambda d: _severity_rank(d.severity))
            who = self._catalogue[worst.code].responsibility
            return who, f"most severe defect {worst.code} ({worst.severity}): {who}"
        return Responsibility.CUSTOMER, "no defect and no rule: customer"

    def outcome_for(
        self, grade: str, responsibility: Responsibility, stated_reason: str | None
    ) -> tuple[OutcomeSpec, int]:
        """Most specific matrix row: stated reason before none, exact responsibility before any."""
        best: tuple[int, int, OutcomeSpec] | None = None
        for index, row in enumerate(self.spec.outcomes):
            if row.grade != grade:
                continue
            if row.responsibility not in ("any", responsibility):
                continue
            if row.stated_reason is not None and stated_reason not in row.stated_reason:
                continue
            score = (2 if row.stated_reason is not None else 0) + (row.responsibility != "any")
            if best is None or score > best[0]:
                best = (score, index, row)
        if best is None:  # validation rules this out; say what is wrong if it happens anyway
            raise LookupError(
                f"standard {self.spec.id} has no outcome for {grade} x {responsibility}"
            )
        return best[2], best[1]

    def required_photos(self, grade: str | None) -> list[str]:
        roles = list(self.spec.photos.always)
        if grade is not None:
            roles.extend(r for r in self.spec.photos.by_grade.get(grade, ()) if r not in roles)
        return roles

    def _missing_facts(self, facts: Facts, visible: Sequence[ItemSpec]) -> list[MissingFact]:
        missing: list[MissingFact] = []
        for item in visible:
            if not item.required:
                continue
            if item.type is ItemType.PHOTO:
                if item.role not in facts.photo_roles:
                    missing.append(MissingFact(f"photo:{item.role}", item.label["en"]))
                continue
            if item.type is ItemType.MEASUREMENT:
                if self._measured(facts, item) is None:
                    missing.append(MissingFact(item.code, item.label["en"]))
                continue
            value = facts.answers.get(item.code)
            # An empty multiple choice is an answer ("none of these"); empty text is not.
            if value is None or value == "":
                missing.append(MissingFact(item.code, item.label["en"]))
        if facts.is_blind:
            missing.extend(self._missing_for_blind(facts))
        if self.spec.weight.required:
            if facts.weight_g is None:
                missing.append(MissingFact("weight", "Weight reading"))
            elif not facts.weight_stable:
                missing.append(MissingFact("weight", "Stable weight reading"))
        return missing

    def _missing_for_blind(self, facts: Facts) -> list[MissingFact]:
        """With no RMA, nothing but the bench says what the unit is: the item must be
        identified and photographed whole before a verdict can be recorded."""
        missing: list[MissingFact] = []
        if not facts.item_identified:
            missing.append(MissingFact("item", "Identify the item: scan its GTIN or SKU, or type what it is"))  # fmt: skip
        for role in self.spec.photos.blind:
            if role not in facts.photo_roles:
                missing.append(MissingFact(f"photo:{role}", f"Photo: {role.replace('_', ' ')} (blind return)"))  # fmt: skip
        return missing


__all__ = ["Evaluator", "check_measurement", "holds"]
