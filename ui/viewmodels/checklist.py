"""What the inspection form shows, derived from the standard: plain data, no Qt.

The bench view-model turns a standard (a data standard with a ``spec``, or a built-in Python
one with only a checklist) into these small records in the station's language, so widgets
never read the schema, and builds the evaluator's ``Facts`` from what the services returned,
so the form can evaluate locally for instant feedback while the services stay the source of
truth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from inspection_rules import DefectFact, Evaluation, Facts, ItemType, Standard
from station.views import InspectionView, RmaView

# Marker for "clear this answer" in the view-model's overlay of facts not yet confirmed.
CLEARED = object()


def local_text(text: Mapping[str, str] | None, language: str, default: str = "") -> str:
    """The text in the station's language, else English, else any language written."""
    if not text:
        return default
    return text.get(language) or text.get("en") or next(iter(text.values()), default)


@dataclass(frozen=True)
class ItemModel:
    """One checklist item as the form shows it."""

    code: str
    type: ItemType
    label: str
    required: bool
    choices: tuple[tuple[str, str], ...] = ()  # (code, label)
    unit: str | None = None
    photo_role: str | None = None
    help: str | None = None
    conditional: bool = False


@dataclass(frozen=True)
class DefectOption:
    """One defect of the standard's catalogue, for the picker."""

    code: str
    name: str
    severity: str
    zones: tuple[tuple[str, str], ...]  # (zone code, label)
    responsibility: str


@dataclass(frozen=True)
class PhotoRequirement:
    role: str
    label: str
    required: bool
    taken: bool
    item_code: str | None = None  # the checklist item asking for it, if any


def items_of(standard: Standard | None, language: str) -> tuple[ItemModel, ...]:
    if standard is None:
        return ()
    return tuple(
        ItemModel(
            code=item.code,
            type=item.type,
            label=local_text(item.label, language, item.code),
            required=item.required,
            choices=tuple(
                (choice.code, local_text(choice.label, language, choice.code))
                for choice in item.choices
            ),
            unit=item.unit,
            photo_role=item.role,
            help=local_text(item.help, language) or None,
            conditional=item.when is not None,
        )
        for item in standard.spec.checklist
    )


def defect_options(standard: Standard | None, language: str) -> tuple[DefectOption, ...]:
    if standard is None:
        return ()
    zones = standard.spec.zones
    return tuple(
        DefectOption(
            code=defect.code,
            name=local_text(defect.name, language, defect.code),
            severity=defect.severity,
            zones=tuple(
                (zone, local_text(zones.get(zone), language, zone)) for zone in defect.zones
            ),
            responsibility=str(defect.responsibility),
        )
        for defect in standard.spec.defects
    )


def zone_label(standard: Standard | None, zone: str | None, language: str) -> str:
    if zone is None:
        return ""
    if standard is None:
        return zone
    return local_text(standard.spec.zones.get(zone), language, zone)


def visible_codes(
    standard: Standard | None, items: Sequence[ItemModel], evaluation: Evaluation | None
) -> frozenset[str]:
    """Items to show now: the evaluator's visible set; before the first evaluation, every
    item without a condition."""
    if evaluation is None:
        return frozenset(item.code for item in items if not item.conditional)
    return evaluation.visible_items


def facts_from_view(
    view: InspectionView,
    rma: RmaView | None,
    *,
    pending_answers: Mapping[str, Any] | None = None,
    pending_measurements: Mapping[str, tuple[float, str]] | None = None,
    today: date,
) -> Facts:
    """The evaluator's facts from what the services returned, plus facts still in flight.

    Normally the service's facts are in the view; without them (older callers) the RMA context
    comes from the RMA the bench scanned and ``today`` stands in for the receipt day.
    """
    answers = dict(view.answers)
    for code, value in (pending_answers or {}).items():
        if value is CLEARED:
            answers.pop(code, None)
        else:
            answers[code] = value
    measurements = {**view.measurements, **(pending_measurements or {})}
    if view.facts is not None:
        # The service's own facts (RMA context, receipt day) with what is still in flight.
        return replace(view.facts, answers=answers, measurements=measurements)
    if rma is not None and rma.number != view.rma_number:
        rma = None
    line = next((ln for ln in rma.lines if ln.id == view.rma_line_id), None) if rma else None
    window = None
    if rma is not None and rma.return_deadline and rma.delivered_on:
        window = (rma.return_deadline - rma.delivered_on).days
    return Facts(
        answers=answers,
        measurements=measurements,
        defects=tuple(DefectFact(d.code, d.zone, d.severity) for d in view.defects),
        photo_roles=frozenset(view.photo_roles),
        weight_g=view.weight_g,
        weight_stable=view.weight_stable,
        expected_weight_g=view.expected_weight_g,
        stated_reason=rma.reason_code if rma else None,
        delivered_on=rma.delivered_on if rma else None,
        return_window_days=window,
        inspected_on=today,
        is_blind=view.rma_number is None,
        sku_spec=dict(view.sku_spec),
        customer_country=rma.customer_country if rma else None,
        expected_serials=tuple(line.serials) if line else (),
    )


def photo_requirements(
    standard: Standard | None,
    items: Sequence[ItemModel],
    visible: frozenset[str],
    evaluation: Evaluation | None,
    taken: Sequence[str],
    role_label: Mapping[str, str],
) -> list[PhotoRequirement]:
    """Photo roles the standard asks for now: visible photo items, the grade's required roles
    and any photo the evaluator reports missing; each with whether it has been taken."""
    found: dict[str, PhotoRequirement] = {}
    for item in items:
        if item.type is ItemType.PHOTO and item.photo_role and item.code in visible:
            found.setdefault(
                item.photo_role,
                PhotoRequirement(
                    item.photo_role, item.label, item.required, item.photo_role in taken, item.code
                ),
            )
    roles: list[str] = []
    if standard is not None:
        roles.extend(standard.required_photos(evaluation.grade if evaluation else None))
    for missing in evaluation.missing if evaluation else ():
        if missing.code.startswith("photo:"):
            roles.append(missing.code.removeprefix("photo:"))
    for role in roles:
        previous = found.get(role)
        if previous is None:
            label = role_label.get(role) or role.replace("_", " ").capitalize()
            found[role] = PhotoRequirement(role, label, True, role in taken)
        elif not previous.required:
            found[role] = PhotoRequirement(
                role, previous.label, True, previous.taken, previous.item_code
            )
    return list(found.values())


class PendingFacts:
    """Facts sent to the services whose result has not come back yet (the optimistic overlay).

    Each write gets a token; only the result of the latest write of an item clears it, so a
    slow earlier result never hides a newer answer.
    """

    def __init__(self) -> None:
        self._tokens = 0
        self._answers: dict[str, tuple[int, Any]] = {}
        self._measurements: dict[str, tuple[int, tuple[float, str]]] = {}

    def __bool__(self) -> bool:
        return bool(self._answers or self._measurements)

    def clear(self) -> None:
        self._answers.clear()
        self._measurements.clear()

    def add_answer(self, code: str, value: Any) -> int:
        self._tokens += 1
        self._answers[code] = (self._tokens, CLEARED if value is None else value)
        return self._tokens

    def add_measurement(self, code: str, value: float, unit: str) -> int:
        self._tokens += 1
        self._measurements[code] = (self._tokens, (value, unit))
        return self._tokens

    def settle(self, code: str, token: int) -> None:
        for pending in (self._answers, self._measurements):
            entry = pending.get(code)
            if entry is not None and entry[0] == token:
                del pending[code]

    def answer(self, code: str) -> tuple[bool, Any]:
        """(True, value) when an answer for ``code`` is in flight (value None: clearing)."""
        entry = self._answers.get(code)
        if entry is None:
            return False, None
        return True, None if entry[1] is CLEARED else entry[1]

    def measurement(self, code: str) -> tuple[float, str] | None:
        entry = self._measurements.get(code)
        return entry[1] if entry else None

    @property
    def answers(self) -> dict[str, Any]:
        return {code: value for code, (_token, value) in self._answers.items()}

    @property
    def measurements(self) -> dict[str, tuple[float, str]]:
        return {code: value for code, (_token, value) in self._measurements.items()}
