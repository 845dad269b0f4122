"""What every shipped standard promises, checked on the merged files themselves.

Totality (an outcome for every grade x responsibility), grading rules ordered worst -> best,
every label in every language, norms cited, and the measurement keys, categories and sellers
lining up with the demo catalogue the station seeds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from inspection_rules import StandardRegistry
from inspection_rules.model import ItemType, Responsibility
from inspection_rules.schema import Condition, StandardSpec
from station.services.demo_catalog import _SELLERS, _sku_definitions
from tests.rules.cases import shipped, standard

IDS = (
    "general-merchandise",
    "knitwear",
    "consumer-electronics",
    "footwear",
    "nordknit-knitwear",
    "voltiq-electronics",
    "trittfest-footwear",
)
LANGUAGES = ("en", "zh-CN", "es")
# The roles the bench's photo picker offers (ui/widgets/inspection_form.py, PHOTO_ROLES).
BENCH_PHOTO_ROLES = {"front", "back", "label", "defect_closeup", "packaging", "serial_plate"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_exactly_the_expected_standards_ship() -> None:
    assert sorted(shipped()) == sorted(IDS)


def _texts(spec: StandardSpec) -> Iterator[tuple[str, dict[str, str]]]:
    yield "title", spec.title
    for item in spec.checklist:
        yield f"item {item.code}", item.label
        if item.help:
            yield f"help {item.code}", item.help
        for choice in item.choices:
            yield f"choice {item.code}.{choice.code}", choice.label
    for defect in spec.defects:
        yield f"defect {defect.code}", defect.name
    for grade in spec.grades:
        yield f"grade {grade.code}", grade.label
    for zone, label in spec.zones.items():
        yield f"zone {zone}", label


@pytest.mark.parametrize("standard_id", IDS)
def test_every_text_is_in_english_chinese_and_spanish(standard_id: str) -> None:
    spec = standard(standard_id).spec
    assert tuple(spec.languages) == LANGUAGES
    for where, text in _texts(spec):
        assert set(text) == set(LANGUAGES), where
        assert all(value.strip() for value in text.values()), where
        assert CJK.search(text["zh-CN"]), f"{where}: zh-CN text has no Chinese: {text['zh-CN']!r}"


@pytest.mark.parametrize("standard_id", IDS)
def test_norms_are_cited(standard_id: str) -> None:
    assert len(standard(standard_id).spec.references) >= 3


@pytest.mark.parametrize("standard_id", IDS)
def test_outcomes_cover_every_grade_and_responsibility(standard_id: str) -> None:
    spec = standard(standard_id).spec
    assert spec.default_grade in [g.code for g in spec.grades]
    assert [g.code for g in spec.grades] == ["A", "B", "C", "D", "X"]
    for grade in spec.grades:
        for who in Responsibility:
            rows = [
                row
                for row in spec.outcomes
                if row.grade == grade.code
                and row.responsibility in ("any", who)
                and row.stated_reason is None
            ]
            assert rows, f"{standard_id}: no outcome for {grade.code} x {who}"


@pytest.mark.parametrize("standard_id", IDS)
def test_grading_rules_run_from_worst_to_best(standard_id: str) -> None:
    spec = standard(standard_id).spec
    order = [g.code for g in spec.grades]
    ranks = [order.index(rule.grade) for rule in spec.grading]
    assert ranks == sorted(ranks, reverse=True), [(r.id, r.grade) for r in spec.grading]
    # The default is the best grade: when nothing is wrong, nothing is taken off.
    assert spec.default_grade == order[0]
    for rule in spec.grading:
        # A tier outcome is all or nothing: a disposition without a refund would fall back to
        # the matrix silently.
        assert (rule.disposition is None) == (rule.refund is None), rule.id


def _defect_matches(condition: Condition) -> Iterator[tuple[Condition, bool]]:
    """Every defect test in a condition, with whether it sits under a ``not``."""

    def walk(c: Condition, negated: bool) -> Iterator[tuple[Condition, bool]]:
        if c.defect is not None or c.no_defects is not None:
            yield c, negated
        for child in (*(c.all or ()), *(c.any or ())):
            yield from walk(child, negated)
        if c.not_ is not None:
            yield from walk(c.not_, not negated)

    yield from walk(condition, False)


@pytest.mark.parametrize("standard_id", IDS)
def test_grading_only_gets_worse_with_defects(standard_id: str) -> None:
    """The static half of monotonicity (test_properties checks it on generated facts)."""
    for rule in standard(standard_id).spec.grading:
        for test, negated in _defect_matches(rule.when):
            positive = test.defect is not None
            assert positive != negated, f"{rule.id}: a defect must never help a grading rule match"


@pytest.mark.parametrize("standard_id", IDS)
def test_photos_use_roles_the_bench_offers(standard_id: str) -> None:
    spec = standard(standard_id).spec
    roles = {item.role for item in spec.checklist if item.type is ItemType.PHOTO}
    roles |= set(spec.photos.always)
    roles |= {role for grade in spec.photos.by_grade.values() for role in grade}
    assert roles <= BENCH_PHOTO_ROLES


def _demo_skus(category: str) -> list[dict[str, Any]]:
    return [spec for *_rest, spec in _sku_definitions(category)]


@pytest.mark.parametrize("standard_id", ["knitwear", "nordknit-knitwear"])
def test_measurements_match_the_demo_skus(standard_id: str) -> None:
    items = [i for i in standard(standard_id).spec.checklist if i.type is ItemType.MEASUREMENT]
    keys = {i.spec_key for i in items}
    demo_keys = {key for spec in _demo_skus("knitwear") for key in spec["measurements"]}
    assert keys == demo_keys
    assert {"chest_width_cm", "body_length_cm", "sleeve_length_cm"} <= keys
    for item in items:
        assert item.unit == "cm" and item.tolerance is not None
        # Asked only for SKUs that have the key (no chest width for a scarf).
        assert item.when is not None and item.when.all is not None
        assert Condition(sku_has_measurement=item.spec_key) in item.when.all


def test_categories_and_sellers_match_the_demo_catalogue() -> None:
    categories = {code: category for code, _s, _n, _l, _c, category, *_rest in _SELLERS}
    for std in shipped().values():
        if std.seller is not None:
            assert categories[std.seller] == std.category
    assert {s.category for s in shipped().values()} == {*categories.values(), "general"}


def test_the_registry_picks_seller_then_base_then_general() -> None:
    registry = StandardRegistry(shipped().values())
    assert registry.for_item("NORDKNIT", "knitwear").id == "nordknit-knitwear"
    assert registry.for_item("VOLTIQ", "electronics").id == "voltiq-electronics"
    assert registry.for_item("TRITTFEST", "footwear").id == "trittfest-footwear"
    assert registry.for_item("SOMEONE", "knitwear").id == "knitwear"
    assert registry.for_item("SOMEONE", "electronics").id == "consumer-electronics"
    assert registry.for_item("NORDKNIT", "toys").id == "general-merchandise"
    assert registry.for_item(None, None).id == "general-merchandise"
