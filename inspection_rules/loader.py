"""Load standard files: parse YAML, resolve ``extends``, validate, compile.

(Minimal first version: positions and cross-reference checks are being added.)
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from inspection_rules.schema import StandardSpec
from inspection_rules.standard import CompiledStandard

SHIPPED_DIR = Path(__file__).with_name("standards")
MERGE_KEYS = {"checklist": "code", "defects": "code", "grades": "code", "grading": "id",
              "responsibility": "id"}  # fmt: skip
DEEP_MERGE = ("zones", "weight", "photos", "return_window", "serial")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


@dataclass
class LoadResult:
    standards: dict[str, CompiledStandard] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def standard_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    return files


def merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in child.items():
        if key in MERGE_KEYS and isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = _merge_list(merged[key], value, MERGE_KEYS[key])
        elif key in DEEP_MERGE and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = copy.deepcopy(value)
    if key_outcomes := child.get("outcomes"):
        merged["outcomes"] = _merge_outcomes(base.get("outcomes", []), key_outcomes)
    return merged


def _outcome_key(row: dict[str, Any]) -> tuple[Any, ...]:
    reasons = row.get("stated_reason")
    return (row.get("grade"), row.get("responsibility", "any"),
            tuple(reasons) if isinstance(reasons, list) else reasons)  # fmt: skip


def _merge_outcomes(base: list[Any], child: list[Any]) -> list[Any]:
    result = copy.deepcopy(base)
    for row in child:
        keys = [_outcome_key(r) if isinstance(r, dict) else None for r in result]
        key = _outcome_key(row) if isinstance(row, dict) else None
        if key is not None and key in keys:
            result[keys.index(key)] = copy.deepcopy(row)
        else:
            result.append(copy.deepcopy(row))
    return result


def _merge_list(base: list[Any], child: list[Any], key: str) -> list[Any]:
    result = copy.deepcopy(base)
    for entry in child:
        if not isinstance(entry, dict):
            result.append(entry)
            continue
        entry = dict(entry)
        before, after = entry.pop("before", None), entry.pop("after", None)
        codes = [e.get(key) if isinstance(e, dict) else None for e in result]
        if entry.get("remove") is True:
            if entry.get(key) in codes:
                del result[codes.index(entry.get(key))]
            continue
        if entry.get(key) in codes:
            result[codes.index(entry.get(key))] = entry
        elif before in codes:
            result.insert(codes.index(before), entry)
        elif after in codes:
            result.insert(codes.index(after) + 1, entry)
        else:
            result.append(entry)
    return result


def load_standards(paths: Sequence[Path] | None = None) -> LoadResult:
    result = LoadResult()
    result.files = standard_files(paths or [SHIPPED_DIR])
    raw: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in result.files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
            result.problems.append(Problem(str(path), 1, 1, str(exc)))
            continue
        if not isinstance(data, dict) or "id" not in data:
            result.problems.append(
                Problem(str(path), 1, 1, "a standard file is a mapping with an id")
            )
            continue
        raw[str(data["id"])] = (path, data)
    for standard_id, (path, _data) in raw.items():
        merged = _resolve(standard_id, raw, [])
        if merged is None:
            result.problems.append(Problem(str(path), 1, 1, "extends an unknown standard"))
            continue
        try:
            spec = StandardSpec.model_validate(merged)
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                result.problems.append(Problem(str(path), 1, 1, f"{where}: {error['msg']}"))
            continue
        result.standards[standard_id] = CompiledStandard(spec)
    return result


def _resolve(
    standard_id: str, raw: dict[str, tuple[Path, dict[str, Any]]], seen: list[str]
) -> dict[str, Any] | None:
    if standard_id not in raw or standard_id in seen:
        return None
    data = raw[standard_id][1]
    base_id = data.get("extends")
    if not base_id:
        return copy.deepcopy(data)
    base = _resolve(str(base_id), raw, [*seen, standard_id])
    return None if base is None else merge(base, data)


def compile_content(content: dict[str, Any]) -> CompiledStandard:
    """Rebuild a standard from its stored canonical content (an older version, by hash)."""
    return CompiledStandard(StandardSpec.model_validate(content))
