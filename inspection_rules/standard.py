"""A loaded standard: the merged, validated spec, its content hash, and its evaluator."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from inspection_rules.evaluator import Evaluator, check_measurement
from inspection_rules.model import (
    ChecklistItem,
    Choice,
    Evaluation,
    Facts,
    MeasurementResult,
)
from inspection_rules.schema import DefectSpec, ItemSpec, StandardSpec, canonical_content


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON form: same content, same hash, whatever the file layout."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class CompiledStandard:
    """Implements the ``Standard`` protocol for a standard written as data."""

    def __init__(self, spec: StandardSpec) -> None:
        self.spec = spec
        self.content = canonical_content(spec)
        self.content_hash = content_hash(self.content)
        self._evaluator = Evaluator(spec)

    def __repr__(self) -> str:
        return f"<standard {self.id} {self.version} {self.content_hash[:12]}>"

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def seller(self) -> str | None:
        return self.spec.seller

    @property
    def category(self) -> str:
        return self.spec.category

    @property
    def title(self) -> Mapping[str, str]:
        return self.spec.title

    @property
    def grades(self) -> Sequence[str]:
        return tuple(grade.code for grade in self.spec.grades)

    @cached_property
    def checklist(self) -> Sequence[ChecklistItem]:
        return tuple(_checklist_item(item) for item in self.spec.checklist)

    @property
    def defects(self) -> Sequence[DefectSpec]:
        return self.spec.defects

    def item(self, code: str) -> ItemSpec | None:
        return next((item for item in self.spec.checklist if item.code == code), None)

    def evaluate(self, facts: Facts) -> Evaluation:
        return self._evaluator.evaluate(facts)

    def check_measurement(
        self, code: str, value: float | None, sku_spec: Mapping[str, Any]
    ) -> MeasurementResult | None:
        item = self.item(code)
        return check_measurement(item, value, sku_spec) if item else None

    def required_photos(self, grade: str | None) -> list[str]:
        return self._evaluator.required_photos(grade)


def _checklist_item(item: ItemSpec) -> ChecklistItem:
    return ChecklistItem(
        code=item.code,
        type=item.type,
        label=item.label,
        required=item.required,
        choices=tuple(Choice(choice.code, choice.label) for choice in item.choices),
        unit=item.unit,
        photo_role=item.role,
    )
