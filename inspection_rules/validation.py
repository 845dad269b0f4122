"""Validate a merged standard and say what is wrong in words the file's editors use.

Two passes. The schema pass runs pydantic on the merged data and translates each error: its
location (``('checklist', 3, 'requried')``) is walked through the positioned node tree back to
``file:line:col`` (the key for an unknown key, the value for a wrong type, the mapping for a
missing key), and pydantic's wording ("Extra inputs are not permitted") becomes a sentence
naming the item, with a did-you-mean. Union types make pydantic report one error per member;
those are folded into one message. Only a schema-valid standard gets the second pass, the
cross-reference checks in ``crossref``, because they need the typed model.
"""

from __future__ import annotations

import re
import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from inspection_rules.crossref import check_references
from inspection_rules.schema import PartialRefund, StandardSpec
from inspection_rules.source import Map, Node, PathElem, Problem, Scalar, Seq, pos_at, to_plain
from inspection_rules.wording import (
    LABEL_KEYS,
    describe,
    field_name,
    listing,
    quoted,
    show,
    suggest,
)

__all__ = ["schema_problems", "validate_standard"]

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "decimal_type": "a number",
    "decimal_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}
_BOUNDS = {"greater_than": ("gt", "more than"), "greater_than_equal": ("ge", "at least"),
           "less_than": ("lt", "less than"), "less_than_equal": ("le", "at most")}  # fmt: skip
# How a union member is shown when a value matches none of them.
_MEMBER_SHAPES = {PartialRefund.__name__: "{partial: PERCENT}"}
_TEXT_KEYS = (*LABEL_KEYS, "help")


def validate_standard(
    merged: Map, own: Map | None = None
) -> tuple[StandardSpec | None, list[Problem]]:
    """Schema-check the merged standard, then cross-check it; ``own`` is the standard's own file.

    Returns the typed spec only when the schema pass succeeds (it may still have
    cross-reference problems: the caller treats any problem as "invalid").
    """
    try:
        spec = StandardSpec.model_validate(to_plain(merged))
    except ValidationError as exc:
        return None, schema_problems(exc, merged)
    return spec, check_references(spec, merged, own or merged)


@dataclass
class _Located:
    """One pydantic error placed in the node tree."""

    error: ErrorDetails
    path: tuple[PathElem, ...]  # data keys and indexes only (union member tags dropped)
    node: Node
    site: tuple[PathElem, ...] | None  # where a union member tag appeared, if any
    deep: bool  # the error is about something inside the union member (not the whole value)
    tags: tuple[str, ...]


def _locate(root: Map, error: ErrorDetails) -> _Located:
    node: Node = root
    path: list[PathElem] = []
    site: tuple[PathElem, ...] | None = None
    tags: list[str] = []
    deep = False
    loc = error["loc"]
    for index, elem in enumerate(loc):
        if isinstance(node, Map) and isinstance(elem, str) and elem in node.entries:
            node = node.entries[elem].value
        elif isinstance(node, Seq) and isinstance(elem, int) and 0 <= elem < len(node.items):
            node = node.items[elem]
        elif index == len(loc) - 1 and error["type"] == "missing":
            deep = deep or site is not None
            break
        else:  # a union member's tag ("literal['full','none']", "PartialRefund", "str")
            site = tuple(path) if site is None else site
            tags.append(str(elem))
            continue
        path.append(elem)
        deep = deep or site is not None
    return _Located(error, tuple(path), node, site, deep, tuple(tags))


def schema_problems(exc: ValidationError, root: Map) -> list[Problem]:
    """Every pydantic error of ``exc`` as a positioned, plain-language problem."""
    located = [_locate(root, error) for error in exc.errors()]
    problems: list[Problem] = []
    groups: dict[tuple[PathElem, ...], list[_Located]] = {}
    for item in located:
        if item.site is None:
            problems.append(_problem(root, item))
        else:
            groups.setdefault(item.site, []).append(item)
    for site, members in groups.items():
        deep = [m for m in members if m.deep]
        if deep:
            problems.extend(_problem(root, m) for m in deep)
        else:
            problems.append(_union_problem(root, site, members))
    return list(dict.fromkeys(problems))


def _subject(root: Map, path: Sequence[PathElem]) -> str:
    """What a value problem is about: ``weight.tolerance_g``, ``equals in condition of ...``."""
    if "when" in path:
        return f"{field_name(path)} in {describe(root, path)}"
    return describe(root, path) or field_name(path)


def _problem(root: Map, item: _Located) -> Problem:
    error, path, node = item.error, item.path, item.node
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(path[-1])
        owner = describe(root, path[:-1])
        names = _field_names(error["loc"][:-1])
        message = f"unknown key {quoted(key)}" + (f" in {owner}" if owner else "")
        return Problem.at(pos_at(root, path, key=True), message + suggest(key, names))
    if kind == "missing":
        missing = str(error["loc"][-1])
        owner = describe(root, path)
        message = f"missing required key {quoted(missing)}" + (f" in {owner}" if owner else "")
        return Problem.at(node.pos, message)
    subject = _subject(root, path)
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        is_text = field_name(path) in _TEXT_KEYS or (len(path) == 2 and path[0] == "zones")
        if expected == "a mapping" and is_text:
            expected = "a mapping of language to text, e.g. {en: ..., zh-CN: ...}"
        return Problem.at(node.pos, f"{subject}: {show(node)} is not {expected}{_hint(kind, node)}")
    if kind in ("literal_error", "enum"):
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        if not options:
            return Problem.at(
                node.pos,
                f"{subject}: {show(node)} is not allowed; the only value is {str(ctx.get('expected')).lower()}",
            )
        value = node.value if isinstance(node, Scalar) else None
        message = f"{subject}: {show(node)} is not one of {listing(options)}"
        return Problem.at(node.pos, message + suggest(value, options))
    if kind in _BOUNDS:
        name, words = _BOUNDS[kind]
        return Problem.at(node.pos, f"{subject}: {show(node)} must be {words} {ctx.get(name)}")
    text = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in ("value_error", "assertion_error"):
        owner = describe(root, path)
        pos = _quoted_key_pos(node, text) or node.pos
        return Problem.at(pos, f"{owner}: {text}" if owner else text)
    return Problem.at(node.pos, f"{subject}: {text[:1].lower()}{text[1:]}")


def _hint(kind: str, node: Node) -> str:
    if not isinstance(node, Scalar) or node.value is None:
        return ""
    if kind == "string_type" and not isinstance(node.value, str):
        return f' (put it in quotes: "{node.text}")'
    if kind in ("tuple_type", "list_type"):
        return f" (write it as a list: [{node.text}])"
    return ""


def _quoted_key_pos(node: Node, message: str) -> Any:
    """A validator that names a key ("'de' is not an ISO ... code") points at that key."""
    if isinstance(node, Map):
        for key, entry in node.entries.items():
            if f"'{key}'" in message:
                return entry.key_pos
    return None


def _union_problem(root: Map, site: tuple[PathElem, ...], members: list[_Located]) -> Problem:
    node = members[0].node
    words: list[str] = []
    literals: list[str] = []
    for member in members:
        kind = member.error["type"]
        tag = member.tags[0] if member.tags else ""
        if kind in ("literal_error", "enum"):
            found = re.findall(
                r"'([^']*)'", str((member.error.get("ctx") or {}).get("expected", ""))
            )
            literals.extend(found)
            words.extend(found)
        elif tag in _MEMBER_SHAPES:
            words.append(_MEMBER_SHAPES[tag])
        elif kind in _EXPECTED:
            words.append("true/false" if kind.startswith("bool") else _EXPECTED[kind])
    words = list(dict.fromkeys(words))
    if "a number" in words and "a whole number" in words:
        words.remove("a whole number")
    if not words:
        expected = "a valid value here"
    elif words == literals:
        expected = f"one of {listing(words)}"
    elif len(words) == 1:
        expected = words[0]
    else:
        expected = f"{', '.join(words[:-1])} or {words[-1]}"
    value = node.value if isinstance(node, Scalar) else None
    message = f"{_subject(root, site)}: {show(node)} is not {expected}"
    return Problem.at(node.pos, message + suggest(value, literals))


# --- which model a location is in (for "did you mean") ------------------------------------


def _strip(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def _step(tp: Any, elem: PathElem) -> Any:
    tp = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for name, info in tp.model_fields.items():
            if elem in (name, info.alias):
                return info.annotation
        return None
    origin = get_origin(tp)
    if origin in (tuple, list):
        return get_args(tp)[0]
    if origin is dict:
        return get_args(tp)[1]
    if origin in (Union, types.UnionType):
        for member in get_args(tp):
            if getattr(_strip(member), "__name__", None) == elem:
                return member
    return None


def _field_names(loc: Sequence[PathElem]) -> list[str]:
    """The keys the model at ``loc`` accepts (by the names written in files)."""
    tp: Any = StandardSpec
    for elem in loc:
        tp = _step(tp, elem)
        if tp is None:
            return []
    tp = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [info.alias or name for name, info in tp.model_fields.items()]
    return []
