"""A tiny but complete data standard for the form's tests, and a bench context judged by it.

It has one of everything the form generates widgets for: a yes/no item (``powers_on``), a
single choice shown only when the unit does not power on, a multiple choice, a measurement
against the SKU's spec, a required photo, free text, a defect catalogue with zones, grading
rules and a complete outcome matrix.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from inspection_rules import StandardRegistry
from inspection_rules.loader import load_standards
from inspection_rules.standard import CompiledStandard
from station.context import AppContext
from station.db import Database
from station.models import Rma, RmaLine, Seller, Sku
from station.settings import Settings
from station.timeutil import today_utc

CATEGORY = "ui-gadget"
SKU = "UI-GADGET-1"
RMA = "RMA-UI-000001"
WIDTH_CM = 52.0  # the SKU's spec; the standard allows ± 1 cm

GADGET_STANDARD = """\
id: ui-gadget
version: "1.0.0"
title: {en: UI test gadget, zh-CN: 界面测试小工具}
category: ui-gadget
languages: [en, zh-CN]
checklist:
  - code: powers_on
    type: yes_no
    label: {en: Powers on, zh-CN: 能开机}
  - code: no_power_cause
    type: single_choice
    label: {en: Why it does not power on, zh-CN: 不能开机的原因}
    when: {answer: powers_on, equals: false}
    choices:
      - {code: battery, label: {en: Flat battery, zh-CN: 电池没电}}
      - {code: board, label: {en: Dead board, zh-CN: 主板损坏}}
  - code: accessories
    type: multi_choice
    label: {en: Accessories in the box, zh-CN: 盒内配件}
    choices:
      - {code: cable, label: {en: Cable, zh-CN: 线缆}}
      - {code: case, label: {en: Case, zh-CN: 保护套}}
      - {code: manual, label: {en: Manual, zh-CN: 说明书}}
  - code: width
    type: measurement
    label: {en: Width, zh-CN: 宽度}
    unit: cm
    spec_key: width_cm
    tolerance: {absolute: 1.0}
  - code: front_photo
    type: photo
    label: {en: Photo of the front, zh-CN: 正面照片}
    role: front
  - code: notes
    type: text
    label: {en: Notes, zh-CN: 备注}
    required: false
defects:
  - code: SCRATCH
    name: {en: Scratch, zh-CN: 划痕}
    zones: [body, screen]
    severity: minor
    responsibility: customer
  - code: CRACK
    name: {en: Cracked screen, zh-CN: 屏幕破裂}
    zones: [screen]
    severity: major
    responsibility: carrier
zones:
  body: {en: Body, zh-CN: 机身}
  screen: {en: Screen, zh-CN: 屏幕}
weight: {required: false}
grades:
  - {code: A, label: {en: As new, zh-CN: 全新}}
  - {code: C, label: {en: Used, zh-CN: 二手}}
  - {code: D, label: {en: Damaged, zh-CN: 损坏}}
grading:
  - id: dead
    when: {answer: powers_on, equals: false}
    grade: D
    reason: DOES_NOT_POWER_ON
  - id: major_defect
    when: {defect: {severity_at_least: major}}
    grade: D
  - id: scratched
    when: {defect: {code: SCRATCH}}
    grade: C
    reason: SCRATCHED
  - id: wrong_size
    when: {any_measurement_out_of_tolerance: true}
    grade: C
    reason: SIZE_OFF
default_grade: A
outcomes:
  - {grade: A, disposition: restock, refund: full}
  - {grade: C, disposition: restock_as_graded, refund: {partial: 80}}
  - {grade: D, disposition: refurbish, refund: {partial: 50}}
  - {grade: D, responsibility: carrier, disposition: dispose, refund: full}
photos:
  by_grade: {D: [defect_closeup]}
return_window: {default_days: 30}
"""


def gadget_standard(directory: Path) -> CompiledStandard:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "ui-gadget.yaml"
    path.write_text(GADGET_STANDARD, encoding="utf-8")
    result = load_standards([path])
    assert result.ok, [str(problem) for problem in result.problems]
    return result.standards["ui-gadget"]


def add_gadget_rma(db: Database) -> None:
    """A seller, a SKU of the standard's category with a width in its spec, one RMA for it."""
    with db.write() as session:
        seller = Seller(code="UIGADGETS", name="UI Gadgets Ltd", language="en")
        session.add(seller)
        session.flush()
        sku = Sku(
            seller_id=seller.id,
            code=SKU,
            gtin=None,
            title="Test gadget",
            category=CATEGORY,
            expected_unit_weight_g=250.0,
            spec={"measurements": {"width_cm": WIDTH_CM}},
        )
        session.add(sku)
        session.flush()
        rma = Rma(
            number=RMA,
            seller_id=seller.id,
            channel="shopify",
            customer_country="DE",
            reason_code="changed_mind",
            delivered_on=today_utc(),
            return_window_days=30,
        )
        session.add(rma)
        session.flush()
        session.add(
            RmaLine(
                rma_id=rma.id,
                line_no=1,
                sku_id=sku.id,
                sku_code=SKU,
                qty_expected=1,
                unit_price=Decimal("40.00"),
                currency="EUR",
            )
        )


def gadget_context(settings: Settings, directory: Path, *, language: str = "en") -> AppContext:
    """A simulated bench whose only standard is the gadget standard."""
    context = AppContext.build(replace(settings, simulate=True, language=language))
    context.standards = StandardRegistry([gadget_standard(directory)])
    add_gadget_rma(context.db)
    return context
