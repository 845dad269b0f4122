"""Loading standards: exact ``file:line:col: message`` for every kind of mistake, inheritance,
content hashing, and the shipped standards.

The expected messages below were written by hand from the files in ``malformed/`` (count the
lines and columns there), not copied from the program's output: they are the contract the
people who edit standards rely on.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inspection_rules.loader import SHIPPED_DIR, LoadResult, load_standards, merge
from inspection_rules.model import Facts
from inspection_rules.source import Problem

MALFORMED = Path(__file__).with_name("malformed")

GAP = "no outcome for grade {g} x {r} (add a row with grade: {g} and responsibility: {r} or any)"

CASES: dict[str, list[str]] = {
    "unknown_key.yaml": [
        'unknown_key.yaml:10:5: unknown key "requried" in checklist item "powers_on" (did you mean "required"?)',
    ],
    "wrong_type.yaml": [
        'wrong_type.yaml:22:16: weight.tolerance_g: "yes" is not a number',
    ],
    "version_not_text.yaml": [
        'version_not_text.yaml:3:10: version: 1.10 is not text (put it in quotes: "1.10")',
    ],
    "bad_enum.yaml": [
        'bad_enum.yaml:20:21: responsibility of defect "scratch": "custmer" is not one of customer, carrier, manufacturing, warehouse (did you mean "customer"?)',
        'bad_enum.yaml:34:56: refund of outcome row for grade "C": 50 is not full, none or {partial: PERCENT}',
    ],
    "missing_key.yaml": [
        'missing_key.yaml:2:1: missing required key "default_grade"',
        'missing_key.yaml:7:5: missing required key "label" in checklist item "powers_on"',
    ],
    "duplicate_yaml_key.yaml": [
        'duplicate_yaml_key.yaml:10:5: duplicate key "label" (already set at line 9)',
    ],
    "yaml_syntax.yaml": [
        "yaml_syntax.yaml:5:9: YAML syntax error: expected ',' or '}', but got ':' (while parsing a flow mapping that starts at line 4)",
    ],
    "duplicate_checklist_code.yaml": [
        'duplicate_checklist_code.yaml:16:11: duplicate checklist item code "powers_on" (first used at line 7)',
    ],
    "duplicate_choice_code.yaml": [
        'duplicate_choice_code.yaml:16:16: duplicate choice code "used" in checklist item "condition" (first used at line 15)',
    ],
    "unknown_item.yaml": [
        'unknown_item.yaml:26:20: condition refers to unknown checklist item "power_on" (did you mean "powers_on"?)',
    ],
    "answer_not_a_choice.yaml": [
        'answer_not_a_choice.yaml:26:39: "no" is not true or false (checklist item "powers_on" is a yes/no question)',
        'answer_not_a_choice.yaml:29:42: "damaged" is not a choice of checklist item "condition" (choices: new, used)',
    ],
    "unknown_defect.yaml": [
        'unknown_defect.yaml:29:27: unknown defect code "scrach" (did you mean "scratch"?)',
    ],
    "undefined_grade.yaml": [
        'undefined_grade.yaml:27:12: grade "D" is not defined (grades: A, C)',
        'undefined_grade.yaml:36:14: grade "B" is not defined (grades: A, C)',
    ],
    "unreachable_rule.yaml": [
        'unreachable_rule.yaml:29:11: grading rule "dead_again" can never match: grading rule "dead" at line 25 has the same condition',
        'unreachable_rule.yaml:37:11: responsibility rule "scratched" can never match: responsibility rule "everything" at line 33 always matches',
    ],
    "matrix_gap.yaml": [
        f"matrix_gap.yaml:32:1: {GAP.format(g='C', r='carrier')}",
        f"matrix_gap.yaml:32:1: {GAP.format(g='C', r='manufacturing')}",
        f"matrix_gap.yaml:32:1: {GAP.format(g='C', r='warehouse')}",
    ],
    "missing_label_language.yaml": [
        'missing_label_language.yaml:9:12: label of checklist item "powers_on" has no "zh-CN" text',
        'missing_label_language.yaml:15:29: label of choice "used" of checklist item "condition" has no "zh-CN" text',
        'missing_label_language.yaml:15:40: label of choice "used" of checklist item "condition" has text in "zh-cn", which is not one of the languages (en, zh-CN) (did you mean "zh-CN"?)',
    ],
    "undeclared_zone.yaml": [
        'undeclared_zone.yaml:16:20: zone "sleeve" of defect "scratch" is not declared in zones',
        'undeclared_zone.yaml:27:42: unknown zone "bak" (did you mean "back"?)',
    ],
    "wrong_item_kind.yaml": [
        'wrong_item_kind.yaml:6:12: languages must include "zh-CN"',
        'wrong_item_kind.yaml:27:25: checklist item "powers_on" is not a measurement (it is yes_no)',
        'wrong_item_kind.yaml:30:41: checklist item "accessories" is multiple choice; test it with includes: <choice>',
        'wrong_item_kind.yaml:33:49: "cabel" is not a choice of checklist item "accessories" (did you mean "cable"?)',
        'wrong_item_kind.yaml:42:9: serial.item "powers_on" must be a text item (it is yes_no)',
    ],
    "seller_without_extends.yaml": [
        "seller_without_extends.yaml:6:9: a seller standard must extend a base standard (add extends: <base standard id>)",
    ],
    "unknown_extends.yaml": [
        'unknown_extends.yaml:4:10: extends unknown standard "knitwear"',
    ],
    "extends_cycle": [
        "extends_cycle/first.yaml:4:10: extends goes round in a circle: first -> second -> first",
        "extends_cycle/second.yaml:4:10: extends goes round in a circle: second -> first -> second",
        'extends_cycle/third.yaml:4:10: base standard "second" has problems (see extends_cycle/second.yaml), so "third" cannot be loaded',
    ],
    "base_error": [
        'base_error/base.yaml:11:5: missing required key "severity" in defect "scratch"',
        'base_error/base.yaml:13:5: unknown key "severty" in defect "scratch" (did you mean "severity"?)',
        'base_error/child.yaml:4:10: base standard "base" has problems (see base_error/base.yaml), so "child" cannot be loaded',
    ],
    "bad_override": [
        'bad_override/base.yaml:18:20: condition refers to unknown checklist item "powers_on" (while checking "child", which builds on this file)',
        f"bad_override/child.yaml:1:1: {GAP.format(g='B', r='customer')}",
        f"bad_override/child.yaml:1:1: {GAP.format(g='B', r='carrier')}",
        f"bad_override/child.yaml:1:1: {GAP.format(g='B', r='manufacturing')}",
        f"bad_override/child.yaml:1:1: {GAP.format(g='B', r='warehouse')}",
        'bad_override/child.yaml:9:11: cannot remove checklist item "boxed": the base standard has none',
        'bad_override/child.yaml:15:13: before: there is no grading rule "ded" to insert before (did you mean "dead"?)',
    ],
}


def _relative(result: LoadResult) -> list[str]:
    prefix = str(MALFORMED) + os.sep
    return [str(problem).replace(prefix, "").replace(os.sep, "/") for problem in result.problems]


def test_every_malformed_case_has_expectations() -> None:
    on_disk = {p.name for p in MALFORMED.iterdir() if p.suffix == ".yaml" or p.is_dir()}
    assert on_disk == set(CASES)
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_standard_reports_exact_problems(case: str) -> None:
    result = load_standards([MALFORMED / case])
    assert _relative(result) == CASES[case]
    assert not result.ok


def test_invalid_base_and_its_dependants_are_refused_but_a_valid_base_loads() -> None:
    assert load_standards([MALFORMED / "base_error"]).standards == {}
    assert load_standards([MALFORMED / "extends_cycle"]).standards == {}
    # A valid base stays usable even when a child built on it is refused.
    assert set(load_standards([MALFORMED / "bad_override"]).standards) == {"base"}


def test_problem_prints_as_file_line_col_message() -> None:
    assert str(Problem("a.yaml", 3, 7, "boom")) == "a.yaml:3:7: boom"


# --- files generated per test ----------------------------------------------------------------

MINI = """\
id: mini
version: "1"
title: {en: Mini, zh-CN: 迷你}
category: general
checklist:
  - code: powers_on
    type: yes_no
    label: {en: Powers on, zh-CN: 能开机}
  - code: condition
    type: single_choice
    label: {en: Condition, zh-CN: 状况}
    choices:
      - {code: new, label: {en: New, zh-CN: 全新}}
      - {code: used, label: {en: Used, zh-CN: 已使用}}
  - code: complete
    type: yes_no
    label: {en: Complete, zh-CN: 完整}
defects:
  - code: scratch
    name: {en: Scratch, zh-CN: 划痕}
    severity: minor
    responsibility: customer
weight:
  tolerance_g: 50
grades:
  - {code: A, label: {en: New, zh-CN: 全新}}
  - {code: C, label: {en: Used, zh-CN: 已使用}}
grading:
  - id: dead
    when: {answer: powers_on, equals: false}
    grade: C
  - id: used
    when: {answer: condition, equals: used}
    grade: C
default_grade: A
outcomes:
  - {grade: A, disposition: restock, refund: full}
  - {grade: C, disposition: restock_as_graded, refund: {partial: 50}}
return_window:
  default_days: 14
"""

# The same standard: other key order, block style instead of flow style, comments, quoting.
MINI_REWRITTEN = """\
# The mini standard again, written differently.
category: "general"
id: 'mini'
title:
  zh-CN: 迷你
  en: Mini
version: '1'
default_grade: "A"
return_window: {default_days: 14}
checklist:
  - type: yes_no
    code: powers_on
    label: {zh-CN: 能开机, en: Powers on}
  - label: {en: Condition, zh-CN: 状况}
    code: condition
    type: single_choice
    choices:
      - code: new
        label: {zh-CN: 全新, en: New}
      - {label: {en: Used, zh-CN: 已使用}, code: used}  # worn
  - {code: complete, type: yes_no, label: {en: Complete, zh-CN: 完整}}
grades: [{code: A, label: {en: New, zh-CN: 全新}}, {code: C, label: {en: Used, zh-CN: 已使用}}]
weight: {tolerance_g: 50.0}
defects:
  - {responsibility: customer, severity: minor, code: scratch, name: {en: Scratch, zh-CN: 划痕}}
outcomes:
  - {refund: full, disposition: restock, grade: A}
  - grade: C
    disposition: restock_as_graded
    refund:
      partial: 50
grading:
  - {id: dead, grade: C, when: {equals: false, answer: powers_on}}
  - {id: used, grade: C, when: {equals: used, answer: condition}}
"""

CHILD = """\
id: acme-mini
version: "1"
extends: mini
seller: acme
checklist:
  - code: powers_on
    type: yes_no
    label: {en: Switches on, zh-CN: 能开机}
  - code: complete
    remove: true
grading:
  - id: scratched
    when: {defect: {code: scratch}}
    grade: C
    before: used
weight:
  on_miss: quarantine
"""


def _load(tmp_path: Path, **files: str) -> LoadResult:
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    return load_standards([tmp_path])


def test_valid_minimal_standard_loads_without_problems(tmp_path: Path) -> None:
    result = _load(tmp_path, mini=MINI)
    assert result.problems == []
    standard = result.standards["mini"]
    assert standard.grades == ("A", "C")
    evaluation = standard.evaluate(Facts(answers={"powers_on": False, "condition": "new"}))
    assert evaluation.grade == "C"


def test_child_overrides_removes_inserts_and_deep_merges(tmp_path: Path) -> None:
    result = _load(tmp_path, mini=MINI, child=CHILD)
    assert result.problems == []
    spec = result.standards["acme-mini"].spec
    assert [item.code for item in spec.checklist] == ["powers_on", "condition"]
    assert spec.checklist[0].label["en"] == "Switches on"
    assert [rule.id for rule in spec.grading] == ["dead", "scratched", "used"]
    assert (spec.weight.tolerance_g, spec.weight.on_miss) == (50, "quarantine")
    assert spec.seller == "acme" and spec.extends == "mini"
    # The base is loaded unchanged alongside.
    assert [item.code for item in result.standards["mini"].spec.checklist] == [
        "powers_on",
        "condition",
        "complete",
    ]


def test_extends_chains_of_any_depth(tmp_path: Path) -> None:
    middle = "id: middle\nversion: '1'\nextends: mini\ngrades:\n  - {code: A, label: {en: Mint, zh-CN: 全新}}\n"
    leaf = CHILD.replace("extends: mini", "extends: middle")
    result = _load(tmp_path, mini=MINI, middle=middle, leaf=leaf)
    assert result.problems == []
    spec = result.standards["acme-mini"].spec
    assert spec.grades[0].label["en"] == "Mint"
    assert spec.checklist[0].label["en"] == "Switches on"


def test_problem_in_inherited_value_points_at_the_base_file(tmp_path: Path) -> None:
    child = CHILD.replace(
        "  - code: complete\n    remove: true\n", "  - code: powers_on\n    remove: true\n"
    )
    child = child.replace(
        "  - code: powers_on\n    type: yes_no\n    label: {en: Switches on, zh-CN: 能开机}\n", ""
    )
    result = _load(tmp_path, mini=MINI, child=child)
    # Line 30 of MINI is the "dead" rule's condition; column 20 is its item code.
    assert [str(p) for p in result.problems] == [
        f'{tmp_path / "mini.yaml"}:30:20: condition refers to unknown checklist item "powers_on" (while checking "acme-mini", which builds on this file)',
    ]
    assert set(result.standards) == {"mini"}


def test_duplicate_standard_id_refuses_the_second_file(tmp_path: Path) -> None:
    result = _load(tmp_path, a=MINI, b=MINI_REWRITTEN)
    assert [str(p) for p in result.problems] == [
        f'{tmp_path / "b.yaml"}:3:5: standard id "mini" is already used by {tmp_path / "a.yaml"}',
    ]
    assert set(result.standards) == {"mini"}


def test_positioning_keys_need_a_base(tmp_path: Path) -> None:
    text = MINI.replace("  - id: used\n", "  - id: used\n    before: dead\n")
    result = _load(tmp_path, mini=text)
    # The inserted line is line 33; "before" sits in column 5.
    assert [str(p) for p in result.problems] == [
        f'{tmp_path / "mini.yaml"}:33:5: "before" only works in a standard that extends another',
    ]


def test_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: caf\xe9\n".encode("latin-1"))
    result = load_standards([path])
    assert [str(p) for p in result.problems] == [
        f"{path}:1:8: the file is not UTF-8 text (byte 0xE9); save it as UTF-8",
    ]


def test_tabs_and_control_characters_are_pointed_at(tmp_path: Path) -> None:
    (tmp_path / "tabs.yaml").write_text("id: tabs\nchecklist:\n\t- code: a\n", encoding="utf-8")
    (tmp_path / "ctrl.yaml").write_text('id: ctrl\ntitle: "a\x01b"\n', encoding="utf-8")
    result = load_standards([tmp_path])
    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'ctrl.yaml'}:2:10: the file contains a control character YAML does not allow (U+0001)",
        f"{tmp_path / 'tabs.yaml'}:3:1: YAML syntax error: found character '\\t' that cannot start any token; indent with spaces, not tabs",
    ]


def test_empty_file_and_list_file(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    result = load_standards([tmp_path])
    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'empty.yaml'}:1:1: the file is empty; a standard is a mapping with id, version, title, ...",
        f"{tmp_path / 'list.yaml'}:1:1: a standard file is a mapping (id: ..., version: ..., ...), not a list",
    ]


# --- hashing ---------------------------------------------------------------------------------


def _hash(tmp_path: Path, name: str, **files: str) -> str:
    directory = tmp_path / name
    directory.mkdir()
    result = _load(directory, **files)
    assert result.problems == []
    return result.standards[next(iter(result.standards))].content_hash


def test_same_content_written_differently_hashes_the_same(tmp_path: Path) -> None:
    assert _hash(tmp_path, "one", mini=MINI) == _hash(tmp_path, "two", mini=MINI_REWRITTEN)


def test_equal_numbers_written_differently_hash_the_same(tmp_path: Path) -> None:
    other = MINI.replace("refund: {partial: 50}", "refund: {partial: 50.0}")
    assert _hash(tmp_path, "one", mini=MINI) == _hash(tmp_path, "two", mini=other)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('version: "1"', 'version: "2"'),
        ("default_days: 14", "default_days: 30"),
        ("refund: {partial: 50}", "refund: {partial: 40}"),
        ("equals: used}", "equals: new}"),
        (
            "{en: Used, zh-CN: 已使用}}\n  - code: complete",
            "{en: Worn, zh-CN: 已使用}}\n  - code: complete",
        ),
        ("tolerance_g: 50", "tolerance_g: 50\n  on_miss: quarantine"),
    ],
)
def test_any_change_gives_a_new_hash(tmp_path: Path, old: str, new: str) -> None:
    assert old in MINI
    assert _hash(tmp_path, "one", mini=MINI) != _hash(tmp_path, "two", mini=MINI.replace(old, new))


def test_change_in_the_base_changes_the_childs_hash(tmp_path: Path) -> None:
    def child_hash(name: str, base: str) -> str:
        directory = tmp_path / name
        directory.mkdir()
        result = _load(directory, mini=base, child=CHILD)
        assert result.problems == []
        return result.standards["acme-mini"].content_hash

    same = child_hash("a", MINI)
    assert child_hash("b", MINI_REWRITTEN) == same
    assert child_hash("c", MINI.replace("default_days: 14", "default_days: 30")) != same


# --- the plain-data merge and the shipped standards ------------------------------------------


def test_plain_merge_follows_the_file_rules() -> None:
    base = {
        "checklist": [{"code": "a", "x": 1}, {"code": "b"}, {"code": "c"}],
        "grading": [{"id": "r1"}, {"id": "r2"}],
        "weight": {"tolerance_g": 50, "on_miss": "warn"},
        "outcomes": [{"grade": "A", "refund": "full"}],
        "title": {"en": "Base", "zh-CN": "基础"},
    }
    child = {
        "checklist": [{"code": "a", "x": 2}, {"code": "b", "remove": True}, {"code": "d"}],
        "grading": [{"id": "r0", "before": "r1"}, {"id": "r15", "after": "r1"}],
        "weight": {"on_miss": "quarantine"},
        "outcomes": [
            {"grade": "A", "refund": "none"},
            {"grade": "A", "responsibility": "carrier", "refund": "full"},
        ],
        "title": {"en": "Child"},
    }
    merged = merge(base, child)
    assert merged["checklist"] == [{"code": "a", "x": 2}, {"code": "c"}, {"code": "d"}]
    assert [r["id"] for r in merged["grading"]] == ["r0", "r1", "r15", "r2"]
    assert merged["weight"] == {"tolerance_g": 50, "on_miss": "quarantine"}
    assert merged["outcomes"] == [
        {"grade": "A", "refund": "none"},
        {"grade": "A", "responsibility": "carrier", "refund": "full"},
    ]
    assert merged["title"] == {"en": "Child"}  # not a deep-merged key: replaced whole
    assert base["checklist"][0] == {"code": "a", "x": 1}  # inputs untouched


def test_every_shipped_standard_loads_without_problems() -> None:
    result = load_standards([SHIPPED_DIR])
    assert result.files, f"no standard files in {SHIPPED_DIR}"
    assert [str(p) for p in result.problems] == []
    declared = {path.stem for path in result.files}
    assert len(result.standards) == len(declared)
