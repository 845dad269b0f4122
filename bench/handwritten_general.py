"""Benchmark baseline: the general-merchandise standard as it was first hand-written in Python.

The station now runs the same rules as data (inspection_rules/standards/general.yaml); this copy
stays only so bench/bench_rules.py can compare the data-driven evaluator with hand-written code.

It is deliberately simple and conservative; seller-specific standards (knitwear, electronics)
arrive as data files. Its definition is plain data so it hashes like any other standard.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from inspection_rules.model import (
    ChecklistItem,
    Choice,
    Disposition,
    Evaluation,
    Facts,
    ItemType,
    MissingFact,
    Refund,
    RefundKind,
    Responsibility,
    TraceStep,
)

GRADES = ("A", "B", "C", "D", "X")
WEIGHT_TOLERANCE_G = 50.0
WEIGHT_TOLERANCE_PCT = 10.0
DEFECT_PHOTO_ROLE = "defect_closeup"
MISSING_PARTS_REFUND_CUT = Decimal(20)


def _l(en: str, zh: str, es: str) -> Mapping[str, str]:
    return {"en": en, "zh-CN": zh, "es": es}


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "item_matches",
        ItemType.YES_NO,
        _l(
            "Item matches the expected SKU",
            "物品与预期 SKU 一致",
            "El artículo coincide con el SKU",
        ),
    ),
    ChecklistItem(
        "packaging",
        ItemType.SINGLE_CHOICE,
        _l("Packaging", "包装", "Embalaje"),
        choices=(
            Choice("sealed", _l("Original, sealed", "原包装，未拆封", "Original, precintado")),
            Choice("opened", _l("Original, opened", "原包装，已拆封", "Original, abierto")),
            Choice("damaged", _l("Original, damaged", "原包装，已损坏", "Original, dañado")),
            Choice("missing", _l("No original packaging", "无原包装", "Sin embalaje original")),
        ),
    ),
    ChecklistItem(
        "condition",
        ItemType.SINGLE_CHOICE,
        _l("Item condition", "物品状况", "Estado del artículo"),
        choices=(
            Choice("new", _l("New, unused", "全新未使用", "Nuevo, sin usar")),
            Choice("like_new", _l("Like new", "几乎全新", "Como nuevo")),
            Choice(
                "used", _l("Used, visible wear", "已使用，有明显磨损", "Usado, desgaste visible")
            ),
            Choice("damaged", _l("Damaged", "已损坏", "Dañado")),
            Choice("unusable", _l("Unusable", "无法使用", "Inservible")),
        ),
    ),
    ChecklistItem(
        "complete",
        ItemType.YES_NO,
        _l("All parts and accessories present", "配件齐全", "Todas las piezas y accesorios"),
    ),
    ChecklistItem(
        "defect_photo",
        ItemType.PHOTO,
        _l("Close-up photo of the defect", "缺陷特写照片", "Foto de detalle del defecto"),
        required=False,
        photo_role=DEFECT_PHOTO_ROLE,
    ),
    ChecklistItem(
        "notes",
        ItemType.TEXT,
        _l("Notes", "备注", "Notas"),
        required=False,
    ),
)

# Grade from condition (first match wins); packaging can only lower it.
CONDITION_GRADE = {"new": "A", "like_new": "B", "used": "C", "damaged": "D", "unusable": "X"}
PACKAGING_CAP = {"sealed": "A", "opened": "B", "damaged": "B", "missing": "B"}

DEFINITION: dict[str, Any] = {
    "id": "general-merchandise",
    "version": "1.0.0",
    "title": dict(_l("General merchandise", "通用商品", "Mercancía general")),
    "grades": list(GRADES),
    "checklist": [
        {
            "code": item.code,
            "type": item.type.value,
            "required": item.required,
            "choices": [c.code for c in item.choices],
            "photo_role": item.photo_role,
            "label": dict(item.label),
        }
        for item in CHECKLIST
    ],
    "rules": {
        "condition_grade": CONDITION_GRADE,
        "packaging_cap": PACKAGING_CAP,
        "missing_parts": {"downgrade": 1, "refund_cut_percent": str(MISSING_PARTS_REFUND_CUT)},
        "weight_tolerance": {"grams": WEIGHT_TOLERANCE_G, "percent": WEIGHT_TOLERANCE_PCT},
        "defect_photo_required_for": ["D", "X"],
        "late_return": "customer-responsibility refunds become none",
        "blind_return": "quarantine, no refund until identified",
    },
}


def _responsibility(stated_reason: str | None) -> Responsibility:
    if stated_reason == "defect":
        return Responsibility.MANUFACTURING
    if stated_reason == "damaged_in_transit":
        return Responsibility.CARRIER
    return Responsibility.CUSTOMER


@dataclass(frozen=True)
class GeneralMerchandiseStandard:
    id: str = DEFINITION["id"]
    version: str = DEFINITION["version"]

    @property
    def title(self) -> Mapping[str, str]:
        return DEFINITION["title"]

    @property
    def grades(self) -> Sequence[str]:
        return GRADES

    @property
    def checklist(self) -> Sequence[ChecklistItem]:
        return CHECKLIST

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(DEFINITION, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def evaluate(self, facts: Facts) -> Evaluation:
        missing = self._missing(facts)
        if missing:
            return Evaluation(None, None, None, None, missing=tuple(missing))
        trace: list[TraceStep] = []
        reasons: list[str] = []
        warnings: list[str] = []
        answers = facts.answers

        if not facts.is_blind and answers.get("item_matches") is False:
            trace.append(TraceStep("wrong_item", "item does not match the RMA: quarantine"))
            return Evaluation(
                grade="X",
                disposition=Disposition.QUARANTINE,
                refund=Refund.none(),
                responsibility=Responsibility.CUSTOMER,
                reason_codes=("WRONG_ITEM",),
                trace=tuple(trace),
            )

        condition = answers["condition"]
        packaging = answers["packaging"]
        grade = CONDITION_GRADE[condition]
        trace.append(TraceStep("condition_grade", f"condition {condition} -> grade {grade}"))
        cap = PACKAGING_CAP[packaging]
        if GRADES.index(cap) > GRADES.index(grade):
            trace.append(TraceStep("packaging_cap", f"packaging {packaging} caps grade at {cap}"))
            grade = cap
            reasons.append(f"PACKAGING_{packaging.upper()}")
        if answers["complete"] is False and grade != "X":
            lower = GRADES[min(GRADES.index(grade) + 1, len(GRADES) - 2)]
            trace.append(TraceStep("missing_parts", f"parts missing: grade {grade} -> {lower}"))
            grade = lower
            reasons.append("MISSING_PARTS")

        responsibility = (
            _responsibility(facts.stated_reason) if grade in ("D", "X") else Responsibility.CUSTOMER
        )
        disposition, refund = self._outcome(grade, responsibility)
        trace.append(
            TraceStep(
                "outcome",
                f"grade {grade}, responsibility {responsibility}: {disposition}, "
                f"refund {refund.kind} {refund.percent}%",
            )
        )
        if answers["complete"] is False and refund.kind is not RefundKind.NONE:
            refund = Refund.partial(max(Decimal(0), refund.percent - MISSING_PARTS_REFUND_CUT))
            trace.append(TraceStep("missing_parts_refund", f"refund cut to {refund.percent}%"))
        if facts.stated_reason == "defect" and condition in ("new", "like_new"):
            reasons.append("NO_FAULT_FOUND")
            trace.append(TraceStep("no_fault_found", "defect stated, none found"))
        reasons.append(f"CONDITION_{condition.upper()}")

        self._check_weight(facts, warnings, trace)
        if self._is_late(facts):
            warnings.append("OUTSIDE_RETURN_WINDOW")
            if responsibility is Responsibility.CUSTOMER and refund.kind is not RefundKind.NONE:
                refund = Refund.none()
                reasons.append("LATE_RETURN")
                trace.append(TraceStep("late_return", "outside return window: no refund"))
        if facts.is_blind:
            warnings.append("BLIND_RETURN")
            disposition, refund = Disposition.QUARANTINE, Refund.none()
            reasons.append("BLIND_RETURN")
            trace.append(TraceStep("blind_return", "no RMA: quarantine until identified"))

        return Evaluation(
            grade=grade,
            disposition=disposition,
            refund=refund,
            responsibility=responsibility,
            reason_codes=tuple(reasons),
            warnings=tuple(warnings),
            trace=tuple(trace),
        )

    @staticmethod
    def _outcome(grade: str, responsibility: Responsibility) -> tuple[Disposition, Refund]:
        not_customer = responsibility is not Responsibility.CUSTOMER
        if grade == "A":
            return Disposition.RESTOCK, Refund.full()
        if grade == "B":
            return Disposition.RESTOCK_AS_GRADED, Refund.full()
        if grade == "C":
            return Disposition.RESTOCK_AS_GRADED, Refund.partial(80)
        if grade == "D":
            if responsibility is Responsibility.MANUFACTURING:
                return Disposition.REPAIR, Refund.full()
            return Disposition.REFURBISH, Refund.full() if not_customer else Refund.partial(50)
        if responsibility is Responsibility.MANUFACTURING:
            return Disposition.RETURN_TO_SELLER, Refund.full()
        return Disposition.DISPOSE, Refund.full() if not_customer else Refund.none()

    @staticmethod
    def _missing(facts: Facts) -> list[MissingFact]:
        missing = []
        for item in CHECKLIST:
            if not item.required or item.type in (ItemType.PHOTO, ItemType.TEXT):
                continue
            if item.code == "item_matches" and facts.is_blind:
                continue
            if facts.answers.get(item.code) is None:
                missing.append(MissingFact(item.code, item.label["en"]))
        condition = facts.answers.get("condition")
        if condition in ("damaged", "unusable") and DEFECT_PHOTO_ROLE not in facts.photo_roles:
            missing.append(
                MissingFact("photo:" + DEFECT_PHOTO_ROLE, "Close-up photo of the defect")
            )
        if facts.weight_g is None:
            missing.append(MissingFact("weight", "Weight reading"))
        elif not facts.weight_stable:
            missing.append(MissingFact("weight", "Stable weight reading"))
        return missing

    @staticmethod
    def _check_weight(facts: Facts, warnings: list[str], trace: list[TraceStep]) -> None:
        if facts.weight_g is None or not facts.expected_weight_g:
            return
        deviation = abs(facts.weight_g - facts.expected_weight_g)
        allowed = max(WEIGHT_TOLERANCE_G, facts.expected_weight_g * WEIGHT_TOLERANCE_PCT / 100)
        if deviation > allowed:
            warnings.append("WEIGHT_OUT_OF_TOLERANCE")
            trace.append(
                TraceStep(
                    "weight",
                    f"{facts.weight_g:.0f} g vs expected {facts.expected_weight_g:.0f} g "
                    f"(allowed ±{allowed:.0f} g)",
                )
            )

    @staticmethod
    def _is_late(facts: Facts) -> bool:
        if not (facts.delivered_on and facts.return_window_days is not None and facts.inspected_on):
            return False
        # The parcel reaching the warehouse is a conservative stand-in for "sent back in time".
        return facts.inspected_on > facts.delivered_on + timedelta(days=facts.return_window_days)
