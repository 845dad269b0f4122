"""A small but complete standard as YAML text, for core tests that need a real data standard."""

from __future__ import annotations

from pathlib import Path

MINI_STANDARD = """\
id: mini-knit
version: "1.0.0"
title: {en: Mini knitwear, zh-CN: 迷你针织}
category: minitest
languages: [en, zh-CN]
checklist:
  - code: condition
    type: single_choice
    label: {en: Condition, zh-CN: 状况}
    choices:
      - {code: new, label: {en: New, zh-CN: 全新}}
      - {code: worn, label: {en: Worn, zh-CN: 穿过}}
  - code: chest
    type: measurement
    label: {en: Chest width, zh-CN: 胸宽}
    unit: cm
    spec_key: chest_width_cm
    tolerance: {percent: 5}
defects:
  - code: HOLE
    name: {en: Hole, zh-CN: 破洞}
    zones: [A, B]
    severity: major
    responsibility: manufacturing
zones:
  A: {en: Front, zh-CN: 正面}
  B: {en: Back, zh-CN: 背面}
weight: {required: false}
grades:
  - {code: A, label: {en: As new, zh-CN: 全新}}
  - {code: C, label: {en: Used, zh-CN: 二手}}
  - {code: D, label: {en: Damaged, zh-CN: 损坏}}
grading:
  - id: hole
    when: {defect: {code: HOLE}}
    grade: D
  - id: worn
    when: {answer: condition, equals: worn}
    grade: C
default_grade: A
outcomes:
  - {grade: A, disposition: restock, refund: full}
  - {grade: C, disposition: restock_as_graded, refund: {partial: PARTIAL}}
  - {grade: D, disposition: repair, refund: full}
return_window: {default_days: 30, countries: {DE: 14}}
"""


def write_mini_standard(directory: Path, partial: int = 80) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "mini-knit.yaml"
    path.write_text(MINI_STANDARD.replace("PARTIAL", str(partial)), encoding="utf-8")
    return path
