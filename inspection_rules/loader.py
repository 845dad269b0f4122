"""Load standard files: parse YAML with positions, resolve ``extends``, validate, compile.

Only valid standards are returned; everything else comes back as ``Problem``s
(``file:line:col: message``) so ``station rules check`` and the station itself can say exactly
what to fix. A seller's standard ``extends`` a base and overrides parts of it; the *merged*
result is what is validated, hashed and evaluated. Merge rules:

- ``checklist``, ``defects``, ``grades`` merge by ``code``, ``grading`` and ``responsibility``
  by ``id``: an entry with a known code replaces it in place, ``remove: true`` drops it,
  ``before: ID`` / ``after: ID`` put a new (or moved) entry next to another, anything else is
  appended;
- ``outcomes`` rows merge by (grade, responsibility, stated_reason);
- ``zones``, ``weight``, ``photos``, ``return_window``, ``serial`` merge one level deep;
- everything else is replaced by the child's value.

Merging moves positioned nodes, so a problem in a value inherited from a base file points at
the base file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from inspection_rules.crossref import check_duplicates
from inspection_rules.file_guard import yaml_files_under
from inspection_rules.schema import StandardSpec
from inspection_rules.source import (
    Entry,
    Map,
    Node,
    Pos,
    Problem,
    Scalar,
    Seq,
    from_plain,
    read_yaml,
    to_plain,
)
from inspection_rules.standard import CompiledStandard
from inspection_rules.validation import validate_standard
from inspection_rules.wording import ENTRY_NAMES, quoted, suggest

__all__ = [
    "SHIPPED_DIR",
    "LoadResult",
    "Problem",
    "compile_content",
    "load_standards",
    "merge",
    "merge_nodes",
    "standard_files",
]

SHIPPED_DIR = Path(__file__).with_name("standards")
MERGE_KEYS = {
    "checklist": "code",
    "defects": "code",
    "grades": "code",
    "grading": "id",
    "responsibility": "id",
}
DEEP_MERGE = ("zones", "weight", "photos", "return_window", "serial")
POSITIONING = ("remove", "before", "after")


@dataclass
class LoadResult:
    standards: dict[str, CompiledStandard] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    # (standard id, file that replaced it, file it replaced) for site overrides of shipped ids.
    overrides: list[tuple[str, str, str]] = field(default_factory=list)
    # Ids declared by files that were refused (so the station can fall back to a stored version).
    refused_ids: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.problems


def standard_files(paths: Iterable[Path]) -> list[Path]:
    """The ``.yaml``/``.yml`` files under ``paths`` (directories searched recursively), once each.

    ``os.path.realpath`` rather than ``Path.resolve``: it never raises, so a symlink loop is
    listed like any file and reported when it is read.
    """
    files: list[Path] = []
    seen: set[str] = set()
    for path in paths:
        for file in yaml_files_under(path) if path.is_dir() else [path]:
            real = os.path.realpath(file)
            if real not in seen:
                seen.add(real)
                files.append(file)
    return files


# --- merging -------------------------------------------------------------------------------


def merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Merge plain data the way files merge (for callers without files, e.g. tests, tools)."""
    pos = Pos("<data>", 1, 1)
    base_node, child_node = from_plain(base, pos), from_plain(child, pos)
    assert isinstance(base_node, Map) and isinstance(child_node, Map)
    merged: dict[str, Any] = to_plain(merge_nodes(base_node, child_node, []))
    return merged


def merge_nodes(base: Map | None, child: Map, problems: list[Problem]) -> Map:
    """``child`` over ``base`` (``None`` for a standard without ``extends``).

    ``remove``/``before``/``after`` are consumed here; misuse of them is added to ``problems``.
    """
    entries = dict(base.entries) if base else {}
    for key, entry in child.entries.items():
        old = entries[key].value if key in entries else None
        value = entry.value
        if key in MERGE_KEYS and isinstance(value, Seq):
            value = _merge_keyed(
                old if isinstance(old, Seq) else None, value, key, base is not None, problems
            )
        elif key == "outcomes" and isinstance(value, Seq) and isinstance(old, Seq):
            value = _merge_outcomes(old, value)
        elif key in DEEP_MERGE and isinstance(value, Map) and isinstance(old, Map):
            value = Map(value.pos, {**old.entries, **value.entries})
        entries[key] = Entry(key, entry.key_pos, value)
    return Map(child.pos, entries)


def _scalar(node: Node | None) -> Any:
    return node.value if isinstance(node, Scalar) else None


def _merge_keyed(
    base: Seq | None, child: Seq, list_key: str, has_base: bool, problems: list[Problem]
) -> Seq:
    code_key, noun = MERGE_KEYS[list_key], ENTRY_NAMES[list_key][0]
    result: list[Node] = list(base.items) if base else []

    def code_of(node: Node) -> Any:
        return _scalar(node.get(code_key)) if isinstance(node, Map) else None

    for item in child.items:
        ops = (
            {k: item.entries[k] for k in POSITIONING if k in item.entries}
            if isinstance(item, Map)
            else {}
        )
        if not isinstance(item, Map) or not ops:
            codes = [code_of(n) for n in result]
            code = code_of(item)
            if code is not None and code in codes:
                result[codes.index(code)] = item
            else:
                result.append(item)
            continue
        entry = Map(item.pos, {k: e for k, e in item.entries.items() if k not in POSITIONING})
        if not has_base:
            for key, op in ops.items():
                problems.append(
                    Problem.at(
                        op.key_pos, f"{quoted(key)} only works in a standard that extends another"
                    )
                )
            result.append(entry)
            continue
        code = code_of(entry)
        codes = [code_of(n) for n in result]
        remove = ops.get("remove")
        if remove is not None and _scalar(remove.value) is not False:
            if _scalar(remove.value) is not True:
                problems.append(Problem.at(remove.value.pos, "remove takes true (or leave it out)"))
            elif code in codes:
                del result[codes.index(code)]
            else:
                at = entry.get(code_key) or entry
                problems.append(
                    Problem.at(
                        at.pos,
                        f"cannot remove {noun} {quoted(code)}: the base standard has none{suggest(code, [c for c in codes if isinstance(c, str)])}",
                    )
                )
            continue
        before, after = ops.get("before"), ops.get("after")
        if before is not None and after is not None:
            problems.append(Problem.at(after.key_pos, "use before or after, not both"))
        anchor = before or after
        if code is not None and code in codes:
            if anchor is None:
                result[codes.index(code)] = entry
                continue
            del result[codes.index(code)]  # an override that also moves
            codes.remove(code)
        if anchor is None:
            result.append(entry)
            continue
        target = _scalar(anchor.value)
        if target in codes:
            result.insert(codes.index(target) + (anchor is after), entry)
        else:
            known = [c for c in codes if isinstance(c, str)]
            problems.append(
                Problem.at(
                    anchor.value.pos,
                    f"{anchor.key}: there is no {noun} {quoted(target)} to insert {anchor.key}{suggest(target, known)}",
                )
            )
            result.append(entry)
    return Seq(child.pos, result)


def _outcome_key(node: Node) -> tuple[Any, ...] | None:
    if not isinstance(node, Map):
        return None
    reasons = node.get("stated_reason")
    return (
        _scalar(node.get("grade")),
        _scalar(node.get("responsibility")) or "any",
        tuple(_scalar(n) for n in reasons.items) if isinstance(reasons, Seq) else _scalar(reasons),
    )


def _merge_outcomes(base: Seq, child: Seq) -> Seq:
    result = list(base.items)
    for row in child.items:
        keys = [_outcome_key(r) for r in result]
        key = _outcome_key(row)
        if key is not None and key in keys:
            result[keys.index(key)] = row
        else:
            result.append(row)
    return Seq(child.pos, result)


# --- loading -------------------------------------------------------------------------------


@dataclass(eq=False)
class _File:
    path: Path
    name: str
    root: Map | None
    problems: list[Problem]
    standard_id: str | None = None
    extends: Scalar | None = None
    # Which of the given paths the file came from: a later path (a site's own standards folder)
    # may replace a standard of an earlier one (the shipped standards) by using the same id.
    layer: int = 0


@dataclass(frozen=True)
class _Built:
    merged: Map | None
    ok: bool


def _read(path: Path) -> _File:
    root, problems = read_yaml(path)
    if root is not None and not isinstance(root, Map):
        problems.append(
            Problem.at(
                root.pos,
                f"a standard file is a mapping (id: ..., version: ..., ...), not {'a list' if isinstance(root, Seq) else 'a single value'}",
            )
        )
        root = None
    file = _File(path, str(path), root, problems)
    if root is not None:
        file.standard_id = root.text("id")
        extends = root.get("extends")
        if isinstance(extends, Scalar) and isinstance(extends.value, str):
            file.extends = extends
    return file


class _Resolver:
    """Builds each file's merged standard once, bases first, and records what was found."""

    def __init__(self, files: Sequence[_File], result: LoadResult) -> None:
        self.result = result
        self.by_id: dict[str, _File] = {}
        self.built: dict[int, _Built] = {}
        self.overridden: set[int] = set()
        for file in files:
            if file.standard_id is None or file.root is None:
                continue
            first = self.by_id.get(file.standard_id)
            if first is None:
                self.by_id[file.standard_id] = file
            elif file.layer > first.layer:
                self.by_id[file.standard_id] = file
                self.overridden.add(id(first))
                result.overrides.append((file.standard_id, file.name, first.name))
            else:
                at = file.root.get("id") or file.root
                file.problems.append(
                    Problem.at(
                        at.pos,
                        f"standard id {quoted(file.standard_id)} is already used by {first.name}",
                    )
                )

    def cycle(self, file: _File) -> list[str] | None:
        """The ids round the ``extends`` circle that ``file`` is part of, if it is in one."""
        chain, current = [file], file
        while current.extends is not None:
            nxt = self.by_id.get(current.extends.value)
            if nxt is None or (nxt in chain and nxt is not file):
                return None
            chain.append(nxt)
            if nxt is file:
                return [f.standard_id or f.name for f in chain]
            current = nxt
        return None

    def build(self, file: _File) -> _Built:
        if id(file) in self.built:
            return self.built[id(file)]
        self.built[id(file)] = _Built(None, False)  # guards against re-entry while building
        problems = list(file.problems)
        built = self._build(file, problems)
        self.result.problems.extend(problems)
        self.built[id(file)] = built
        return built

    def _build(self, file: _File, problems: list[Problem]) -> _Built:
        if file.root is None:
            return _Built(None, False)
        problems.extend(check_duplicates(file.root))
        base: _Built | None = None
        name = file.standard_id or file.name
        if file.extends is not None:
            base_id, at = file.extends.value, file.extends.pos
            base_file = self.by_id.get(base_id)
            if base_file is None:
                problems.append(
                    Problem.at(
                        at,
                        f"extends unknown standard {quoted(base_id)}{suggest(base_id, self.by_id)}",
                    )
                )
                return _Built(None, False)
            if circle := self.cycle(file):
                problems.append(
                    Problem.at(at, f"extends goes round in a circle: {' -> '.join(circle)}")
                )
                return _Built(None, False)
            base = self.build(base_file)
            if not base.ok:
                problems.append(
                    Problem.at(
                        at,
                        f"base standard {quoted(base_id)} has problems (see {base_file.name}), so {quoted(name)} cannot be loaded",
                    )
                )
            if base.merged is None:
                return _Built(None, False)
        merged = merge_nodes(base.merged if base else None, file.root, problems)
        spec, found = validate_standard(merged, file.root)
        for problem in found:
            if problem.file == file.name:
                problems.append(problem)
            elif base is not None and base.ok:  # caused by this file's changes to a valid base
                problems.append(
                    replace(
                        problem,
                        message=f"{problem.message} (while checking {quoted(name)}, which builds on this file)",
                    )
                )
            # else: the invalid base reports its own problems
        ok = spec is not None and not problems
        if ok and spec is not None and self.by_id.get(spec.id) is file:
            self.result.standards[spec.id] = CompiledStandard(spec)
        return _Built(merged, ok)


def load_standards(paths: Sequence[Path] | None = None) -> LoadResult:
    """Load every standard file under ``paths`` (default: the shipped ones).

    A standard in a later path replaces one with the same id from an earlier path (a site's
    folder overriding a shipped standard); the same id twice within one path is an error.

    ``standards`` holds only valid standards (by id); ``problems`` is sorted by file, line and
    column. A standard whose base is invalid is itself refused, with a problem saying which base.
    """
    roots = list(paths or [SHIPPED_DIR])
    result = LoadResult(files=standard_files(roots))
    layer_of = {
        os.path.realpath(path): index
        for index, root in enumerate(roots)
        for path in standard_files([root])
    }
    files = [_read(path) for path in result.files]
    for file in files:
        file.layer = layer_of.get(os.path.realpath(file.path), 0)
    resolver = _Resolver(files, result)
    for file in files:
        if id(file) not in resolver.overridden:
            resolver.build(file)
    result.refused_ids = {
        f.standard_id
        for f in files
        if f.standard_id
        and f.standard_id not in result.standards
        and id(f) not in resolver.overridden
    }
    unique = dict.fromkeys(result.problems)
    result.problems = sorted(unique, key=lambda p: (p.file, p.line, p.col))
    return result


def compile_content(content: dict[str, Any]) -> CompiledStandard:
    """Rebuild a standard from its stored canonical content (an older version, by hash)."""
    return CompiledStandard(StandardSpec.model_validate(content))
