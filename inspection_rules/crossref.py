"""Cross-reference checks: the mistakes a schema cannot see.

A standard can be well-formed and still wrong: a rule reading a checklist item that does not
exist never fires, a grade with no outcome row makes the evaluator fail at the bench, a rule
behind a catch-all is dead text the seller believes is enforced. These checks run on the merged,
schema-valid standard and point at the offending value in whichever file it came from.

Duplicate codes are checked per file *before* merging (``check_duplicates``), because merging by
code would silently keep only one of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from inspection_rules.model import ItemType, Responsibility
from inspection_rules.schema import (
    REQUIRED_LANGUAGES,
    Condition,
    GradingRule,
    ItemSpec,
    ResponsibilityRule,
    StandardSpec,
)
from inspection_rules.source import Map, Node, PathElem, Pos, Problem, Scalar, Seq, node_at, pos_at
from inspection_rules.wording import describe, listing, quoted, suggest, where

__all__ = ["check_duplicates", "check_references"]

_KEYED_LISTS = (
    ("checklist", "code", "checklist item code"),
    ("defects", "code", "defect code"),
    ("grades", "code", "grade code"),
    ("grading", "id", "grading rule id"),
    ("responsibility", "id", "responsibility rule id"),
)


# --- per file, before merging --------------------------------------------------------------


def check_duplicates(root: Map) -> list[Problem]:
    """Codes and ids used twice in one file, reported at the second use."""
    problems: list[Problem] = []
    for key, code_key, noun in _KEYED_LISTS:
        problems.extend(_duplicates(_entries(root, key), code_key, f"duplicate {noun}"))
    for item in _entries(root, "checklist"):
        name = _named("checklist item", item, "code")
        problems.extend(
            _duplicates(_entries(item, "choices"), "code", "duplicate choice code", f" in {name}")
        )
    rows: dict[tuple[Any, ...], Pos] = {}
    for row in _entries(root, "outcomes"):
        reasons = row.get("stated_reason")
        grade, who = _value(row.get("grade")), _value(row.get("responsibility")) or "any"
        stated = (
            tuple(_value(n) for n in reasons.items) if isinstance(reasons, Seq) else _value(reasons)
        )
        if (grade, who, stated) in rows:
            first = rows[(grade, who, stated)].line
            message = f"outcome row for grade {quoted(grade)} x {who} repeats the row at line {first} (same grade, responsibility and stated_reason); only the first one is used"
            problems.append(Problem.at(row.pos, message))
        else:
            rows[(grade, who, stated)] = row.pos
    return problems


def _value(node: Node | None) -> Any:
    return node.value if isinstance(node, Scalar) else None


def _entries(node: Node | None, key: str) -> list[Map]:
    seq = node.get(key) if isinstance(node, Map) else None
    return [item for item in seq.items if isinstance(item, Map)] if isinstance(seq, Seq) else []


def _named(noun: str, entry: Map, key: str) -> str:
    code = _value(entry.get(key))
    return f"{noun} {quoted(code)}" if code is not None else noun


def _duplicates(
    entries: Sequence[Map], code_key: str, what: str, suffix: str = ""
) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[Any, Pos] = {}
    for entry in entries:
        node = entry.get(code_key)
        if not isinstance(node, Scalar) or node.value is None:
            continue
        if node.value in seen:
            first = where(seen[node.value], node.pos.file)
            problems.append(
                Problem.at(node.pos, f"{what} {quoted(node.value)}{suffix} (first used at {first})")
            )
        else:
            seen[node.value] = node.pos
    return problems


# --- on the merged standard ----------------------------------------------------------------


def check_references(spec: StandardSpec, root: Map, own: Map) -> list[Problem]:
    """Every cross-reference problem of a merged, schema-valid standard."""
    return _Checker(spec, root, own).run()


def _always(c: Condition) -> bool:
    if c.all is not None:
        return all(_always(x) for x in c.all)
    if c.any is not None:
        return any(_always(x) for x in c.any)
    return c.not_ is not None and _never(c.not_)


def _never(c: Condition) -> bool:
    if c.all is not None:
        return any(_never(x) for x in c.all)
    if c.any is not None:
        return all(_never(x) for x in c.any)
    return c.not_ is not None and _always(c.not_)


def _same(a: Condition, b: Condition) -> bool:
    return a.model_dump(by_alias=True, exclude_none=True) == b.model_dump(
        by_alias=True, exclude_none=True
    )


class _Checker:
    """One pass over a merged standard; ``root`` gives positions, ``own`` is its own file."""

    def __init__(self, spec: StandardSpec, root: Map, own: Map) -> None:
        self.spec, self.root, self.own = spec, root, own
        self.problems: list[Problem] = []
        self.items: dict[str, ItemSpec] = {item.code: item for item in spec.checklist}
        self.defect_codes = [defect.code for defect in spec.defects]
        self.grades = [grade.code for grade in spec.grades]
        self.zones = list(spec.zones) or [z for d in spec.defects for z in d.zones]

    def add(self, path: Sequence[PathElem], message: str, *, key: bool = False) -> None:
        self.problems.append(Problem.at(pos_at(self.root, path, key=key), message))

    def run(self) -> list[Problem]:
        self.check_languages()
        self.check_conditions()
        self.check_defect_zones()
        self.check_grades()
        self.check_reachable("grading", self.spec.grading)
        self.check_reachable("responsibility", self.spec.responsibility)
        self.check_matrix()
        self.check_serial()
        if self.spec.seller is not None and self.spec.extends is None:
            self.add(
                ("seller",),
                "a seller standard must extend a base standard (add extends: <base standard id>)",
            )
        return self.problems

    # labels ------------------------------------------------------------------------------

    def check_languages(self) -> None:
        languages = self.spec.languages
        for language in REQUIRED_LANGUAGES:
            if language not in languages:
                self.add(("languages",), f"languages must include {quoted(language)}")
        texts: list[tuple[tuple[PathElem, ...], Mapping[str, str]]] = [
            (("title",), self.spec.title)
        ]
        for i, item in enumerate(self.spec.checklist):
            texts.append((("checklist", i, "label"), item.label))
            texts.extend(
                (("checklist", i, "choices", j, "label"), c.label)
                for j, c in enumerate(item.choices)
            )
        texts.extend((("defects", i, "name"), d.name) for i, d in enumerate(self.spec.defects))
        texts.extend((("grades", i, "label"), g.label) for i, g in enumerate(self.spec.grades))
        texts.extend((("zones", z), label) for z, label in self.spec.zones.items())
        for path, text in texts:
            what = (
                f"label of zone {quoted(path[1])}"
                if path[0] == "zones"
                else describe(self.root, path)
            )
            for language in languages:
                if language not in text:
                    self.add(path, f"{what} has no {quoted(language)} text")
                elif not text[language].strip():
                    self.add((*path, language), f"{what} has an empty {quoted(language)} text")
            for language in text:
                if language not in languages:
                    self.add(
                        (*path, language),
                        f"{what} has text in {quoted(language)}, which is not one of the languages ({listing(languages)}){suggest(language, languages)}",
                        key=True,
                    )

    # conditions ----------------------------------------------------------------------------

    def check_conditions(self) -> None:
        for i, item in enumerate(self.spec.checklist):
            if item.when is not None:
                self.check_condition(item.when, ("checklist", i, "when"))
        for i, rule in enumerate(self.spec.grading):
            self.check_condition(rule.when, ("grading", i, "when"))
        for i, resp in enumerate(self.spec.responsibility):
            self.check_condition(resp.when, ("responsibility", i, "when"))

    def check_condition(self, c: Condition, path: tuple[PathElem, ...]) -> None:
        for key, children in (("all", c.all), ("any", c.any)):
            for j, sub in enumerate(children or ()):
                self.check_condition(sub, (*path, key, j))
        if c.not_ is not None:
            self.check_condition(c.not_, (*path, "not"))
        if c.answer is not None and (item := self.item_ref(c.answer, (*path, "answer"))):
            self.check_answer_test(c, item, path)
        item = self.item_ref(c.measurement, (*path, "measurement")) if c.measurement else None
        if item is not None and item.type is not ItemType.MEASUREMENT:
            self.add(
                (*path, "measurement"),
                f"checklist item {quoted(item.code)} is not a measurement (it is {item.type.value})",
            )
        if c.defect is not None:
            match, at = c.defect, (*path, "defect")
            codes = [((*at, "code"), match.code)] if match.code else []
            codes += [((*at, "codes", k), code) for k, code in enumerate(match.codes or ())]
            for code_path, code in codes:
                if code not in self.defect_codes:
                    self.add(
                        code_path,
                        f"unknown defect code {quoted(code)}{suggest(code, self.defect_codes)}",
                    )
            if match.zone is not None and match.zone not in self.zones:
                hint = (
                    suggest(match.zone, self.zones)
                    if self.zones
                    else " (the standard defines no zones)"
                )
                self.add((*at, "zone"), f"unknown zone {quoted(match.zone)}{hint}")

    def item_ref(self, code: str, path: tuple[PathElem, ...]) -> ItemSpec | None:
        item = self.items.get(code)
        if item is None:
            self.add(
                path,
                f"condition refers to unknown checklist item {quoted(code)}{suggest(code, self.items)}",
            )
        return item

    def check_answer_test(self, c: Condition, item: ItemSpec, path: tuple[PathElem, ...]) -> None:
        name = f"checklist item {quoted(item.code)}"
        tests: list[tuple[tuple[PathElem, ...], Any]] = []
        if c.equals is not None:
            tests.append(((*path, "equals"), c.equals))
        for key, values in (("in", c.in_), ("not_in", c.not_in)):
            tests.extend(((*path, key, k), value) for k, value in enumerate(values or ()))
        kind = item.type
        if kind is ItemType.PHOTO and c.is_set is None:
            self.add(
                path, f"{name} is a photo; only is_set applies to it (photos are required by role)"
            )
            return
        if c.includes is not None and kind is not ItemType.MULTI_CHOICE:
            self.add(
                (*path, "includes"),
                f"includes only works on multi_choice items; {name} is {kind.value}",
            )
        numeric = (c.at_least, c.at_most) != (None, None)
        if numeric and kind not in (ItemType.MEASUREMENT, ItemType.TEXT):
            test = "at_least" if c.at_least is not None else "at_most"
            self.add((*path, test), f"{test} compares numbers; {name} is {kind.value}")
        codes = [choice.code for choice in item.choices]
        if kind is ItemType.MULTI_CHOICE:
            if tests:
                self.add(tests[0][0], f"{name} is multiple choice; test it with includes: <choice>")
            if c.includes is not None and c.includes not in codes:
                self.add((*path, "includes"), self.not_a_choice(c.includes, name, codes))
        elif kind is ItemType.SINGLE_CHOICE:
            for at, value in tests:
                if value not in codes or not isinstance(value, str):
                    self.add(at, self.not_a_choice(value, name, codes))
        elif kind is ItemType.YES_NO:
            for at, value in tests:
                if not isinstance(value, bool):
                    self.add(
                        at, f"{self.shown(at)} is not true or false ({name} is a yes/no question)"
                    )
        elif kind is ItemType.MEASUREMENT:
            for at, value in tests:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    self.add(at, f"{self.shown(at)} is not a number ({name} is a measurement)")

    def shown(self, path: Sequence[PathElem]) -> str:
        node = node_at(self.root, path)
        if isinstance(node, Scalar) and isinstance(node.value, str):
            return quoted(node.value)
        return node.text if isinstance(node, Scalar) and node.text else "this value"

    @staticmethod
    def not_a_choice(value: Any, name: str, codes: list[str]) -> str:
        hint = suggest(value, codes) or f" (choices: {listing(codes)})"
        return f"{quoted(value)} is not a choice of {name}{hint}"

    # defects, grades, rules, matrix ------------------------------------------------------

    def check_defect_zones(self) -> None:
        if not self.spec.zones:
            return
        for i, defect in enumerate(self.spec.defects):
            for k, zone in enumerate(defect.zones):
                if zone not in self.spec.zones:
                    self.add(
                        ("defects", i, "zones", k),
                        f"zone {quoted(zone)} of defect {quoted(defect.code)} is not declared in zones{suggest(zone, self.spec.zones)}",
                    )

    def check_grades(self) -> None:
        uses: list[tuple[tuple[PathElem, ...], str, bool]] = [
            (("default_grade",), self.spec.default_grade, False)
        ]
        uses += [(("grading", i, "grade"), r.grade, False) for i, r in enumerate(self.spec.grading)]
        uses += [
            (("outcomes", i, "grade"), o.grade, False) for i, o in enumerate(self.spec.outcomes)
        ]
        uses += [(("photos", "by_grade", g), g, True) for g in self.spec.photos.by_grade]
        defined = f"grades: {listing(self.grades)}" if self.grades else "no grades are defined"
        for path, grade, key in uses:
            if grade not in self.grades:
                self.add(path, f"grade {quoted(grade)} is not defined ({defined})", key=key)

    def check_reachable(self, kind: str, rules: Sequence[GradingRule | ResponsibilityRule]) -> None:
        noun = "grading rule" if kind == "grading" else "responsibility rule"
        for i, rule in enumerate(rules):
            file = pos_at(self.root, (kind, i)).file

            def here(j: int, file: str = file) -> str:
                return where(pos_at(self.root, (kind, j)), file)

            catch_all = next((j for j in range(i) if _always(rules[j].when)), None)
            same = next((j for j in range(i) if _same(rules[j].when, rule.when)), None)
            prefix = f"{noun} {quoted(rule.id)} can never match:"
            if catch_all is not None:
                self.add(
                    (kind, i, "when"),
                    f"{prefix} {noun} {quoted(rules[catch_all].id)} at {here(catch_all)} always matches",
                )
            elif same is not None:
                self.add(
                    (kind, i, "when"),
                    f"{prefix} {noun} {quoted(rules[same].id)} at {here(same)} has the same condition",
                )
            elif _never(rule.when):
                self.add((kind, i, "when"), f"{prefix} its condition never holds")

    def check_matrix(self) -> None:
        entry = self.own.entries.get("outcomes")
        pos = entry.key_pos if entry else Pos(self.own.pos.file, 1, 1)
        for grade in dict.fromkeys(self.grades):
            for who in Responsibility:
                if not any(
                    row.grade == grade
                    and row.responsibility in (who, "any")
                    and row.stated_reason is None
                    for row in self.spec.outcomes
                ):
                    self.problems.append(
                        Problem.at(
                            pos,
                            f"no outcome for grade {grade} x {who.value} (add a row with grade: {grade} and responsibility: {who.value} or any)",
                        )
                    )

    def check_serial(self) -> None:
        if self.spec.serial is None:
            return
        code, path = self.spec.serial.item, ("serial", "item")
        item = self.items.get(code)
        if item is None:
            self.add(
                path,
                f"serial.item {quoted(code)} is not a checklist item{suggest(code, self.items)}",
            )
        elif item.type is not ItemType.TEXT:
            self.add(
                path, f"serial.item {quoted(code)} must be a text item (it is {item.type.value})"
            )
