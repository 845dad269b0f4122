"""Read-only views of the open inspection for the form: items, visibility, photos, what is missing.

A mixin of ``BenchViewModel`` (kept apart to keep each module small); everything here is derived
from the inspection, the standard and the latest evaluation, and never touches a service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inspection_rules import ChecklistItem, Evaluation, Facts, ItemType, Standard
from inspection_rules.model import MeasurementResult
from station.i18n import current_language
from station.timeutil import today_utc
from station.views import InspectionView, RmaView
from ui.viewmodels.checklist import (
    DefectOption,
    ItemModel,
    PendingFacts,
    PhotoRequirement,
    defect_options,
    facts_from_view,
    photo_requirements,
    visible_codes,
    zone_label,
)

PHOTO_ROLES = (
    "front", "back", "label", "defect_closeup", "packaging", "serial_plate", "overview",
)  # fmt: skip


class InspectionReadout:
    """Needs the attributes below from the class it is mixed into (a QObject, for ``tr``)."""

    inspection: InspectionView | None
    rma: RmaView | None
    evaluation: Evaluation | None
    _standard: Standard | None
    _items: tuple[ItemModel, ...]
    _pending: PendingFacts
    _role_labels: tuple[str, dict[str, str]] | None = None

    if TYPE_CHECKING:

        @property
        def language(self) -> str: ...
        @property
        def inspecting(self) -> bool: ...
        def tr(self, text: str) -> str: ...

    @property
    def standard(self) -> Standard | None:
        """The standard the open inspection is judged by (resolved off the main thread)."""
        return self._standard if self.inspection is not None else None

    @property
    def checklist(self) -> tuple[ChecklistItem, ...]:
        standard = self.standard
        return tuple(standard.checklist) if standard else ()

    @property
    def items(self) -> tuple[ItemModel, ...]:
        """The checklist in the station's language, one record per item."""
        return self._items if self.inspection is not None else ()

    @property
    def defect_options(self) -> tuple[DefectOption, ...]:
        return defect_options(self.standard, self.language)

    def zone_label(self, zone: str | None) -> str:
        return zone_label(self.standard, zone, self.language)

    @property
    def visible_items(self) -> frozenset[str]:
        return visible_codes(self.standard, self.items, self.evaluation)

    @property
    def facts_pending(self) -> bool:
        return bool(self._pending)

    @property
    def can_finalize(self) -> bool:
        return self.inspecting and self.evaluation is not None and self.evaluation.complete

    def answer(self, item_code: str) -> Any:
        """The answer as the grader last gave it (in flight or recorded); None: unanswered."""
        pending, value = self._pending.answer(item_code)
        if pending:
            return value
        return self.inspection.answers.get(item_code) if self.inspection else None

    def measurement(self, item_code: str) -> float | None:
        pending = self._pending.measurement(item_code)
        if pending is not None:
            return pending[0]
        recorded = self.inspection.measurements.get(item_code) if self.inspection else None
        return recorded[0] if recorded else None

    def check_measurement(self, item_code: str, value: float | None) -> MeasurementResult | None:
        """Pass/fail of a value against the SKU spec, locally (pure, for typing feedback)."""
        standard, view = self.standard, self.inspection
        if standard is None or view is None:
            return None
        return standard.check_measurement(item_code, value, view.sku_spec)

    def facts(self) -> Facts | None:
        """The evaluator's facts: what the services returned plus what is still in flight."""
        if self.inspection is None:
            return None
        return facts_from_view(
            self.inspection,
            self.rma,
            pending_answers=self._pending.answers,
            pending_measurements=self._pending.measurements,
            today=today_utc(),
        )

    def photo_role_label(self, role: str) -> str:
        # Asked for every role on every evaluation: translated once per language.
        language = current_language()
        cache = self._role_labels
        if cache is None or cache[0] != language:
            cache = (language, self._role_label_texts())
            self._role_labels = cache
        return cache[1].get(role) or role.replace("_", " ").capitalize()

    def _role_label_texts(self) -> dict[str, str]:
        return {
            "front": self.tr("Front"),
            "back": self.tr("Back"),
            "label": self.tr("Label"),
            "defect_closeup": self.tr("Defect close-up"),
            "packaging": self.tr("Packaging"),
            "serial_plate": self.tr("Serial plate"),
            "overview": self.tr("Overview (the whole item)"),
        }

    def photo_requirements(self) -> list[PhotoRequirement]:
        """Photo roles the standard asks for now, each with whether it has been taken."""
        view = self.inspection
        if view is None:
            return []
        roles = set(PHOTO_ROLES) | set(view.photo_roles)
        return photo_requirements(
            self.standard,
            self.items,
            self.visible_items,
            self.evaluation,
            view.photo_roles,
            {role: self.photo_role_label(role) for role in roles},
        )

    def missing_labels(self) -> list[str]:
        """What the evaluation still needs, named in the station's language where we can."""
        if self.evaluation is None:
            return []
        items = {item.code: item for item in self.items}
        visible = self.visible_items
        photo_items = {
            item.photo_role: item
            for item in self.items
            if item.type is ItemType.PHOTO and item.photo_role and item.code in visible
        }
        labels: list[str] = []
        for missing in self.evaluation.missing:
            if missing.code in items:
                labels.append(items[missing.code].label)
            elif missing.code.startswith("photo:"):
                role = missing.code.removeprefix("photo:")
                item = photo_items.get(role)
                labels.append(
                    item.label
                    if item
                    else self.tr("Photo: {role}").format(role=self.photo_role_label(role))
                )
            elif missing.code == "item":
                labels.append(self.tr("What the item is (scan its GTIN or SKU, or type it)"))
            elif missing.code == "weight":
                labels.append(
                    self.tr("Stable weight reading")
                    if missing.message.startswith("Stable")
                    else self.tr("Weight reading")
                )
            else:
                labels.append(missing.message)
        return labels
