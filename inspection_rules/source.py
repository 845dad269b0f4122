"""YAML with positions: every value of a standard file remembers where it was written.

The people who edit standards fix them from messages like ``knitwear.yaml:42:9: ...``. PyYAML's
``safe_load`` throws positions away (and silently keeps the last of two equal keys), so standard
files are read with its node API instead and turned into a small tree of ``Scalar``/``Seq``/``Map``
nodes, each carrying its ``Pos``. Merging (``extends``) moves whole nodes around, so a value that
came from a base file still points at the base file after merging.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from inspection_rules.file_guard import (
    MAX_DEPTH,
    UnreadableStandard,
    read_standard_bytes,
    too_deep_at,
)

MERGE_TAG = "tag:yaml.org,2002:merge"
# A guard against alias bombs ("billion laughs"): no honest standard comes near this.
MAX_NODES = 200_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


@dataclass(frozen=True, order=True)
class Pos:
    """A 1-based position in a file, as editors show it."""

    file: str
    line: int
    col: int


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a standard file, at the place to fix it."""

    file: str
    line: int
    col: int
    message: str

    def __post_init__(self) -> None:
        # Messages quote keys and values from the file; escaped, a problem stays one line.
        if _CONTROL.search(self.message):
            escaped = _CONTROL.sub(lambda match: repr(match.group())[1:-1], self.message)
            object.__setattr__(self, "message", escaped)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"

    @classmethod
    def at(cls, pos: Pos, message: str) -> Problem:
        return cls(pos.file, pos.line, pos.col, message)


@dataclass(eq=False)
class Scalar:
    """A single value (text, number, boolean, null) and the text it was written as."""

    pos: Pos
    value: Any
    text: str = ""


@dataclass(eq=False)
class Seq:
    pos: Pos
    items: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class Entry:
    """One ``key: value`` pair; the key's own position is what an unknown-key error points at."""

    key: str
    key_pos: Pos
    value: Node


@dataclass(eq=False)
class Map:
    pos: Pos
    entries: dict[str, Entry] = field(default_factory=dict)

    def get(self, key: str) -> Node | None:
        entry = self.entries.get(key)
        return entry.value if entry else None

    def text(self, key: str) -> str | None:
        """The value under ``key`` if it is a string (codes, ids), else None."""
        node = self.get(key)
        return node.value if isinstance(node, Scalar) and isinstance(node.value, str) else None


Node = Scalar | Seq | Map
PathElem = str | int


def to_plain(node: Node) -> Any:
    """The node tree as ordinary Python data (what pydantic validates and what gets hashed)."""
    if isinstance(node, Map):
        return {key: to_plain(entry.value) for key, entry in node.entries.items()}
    if isinstance(node, Seq):
        return [to_plain(item) for item in node.items]
    return node.value


def from_plain(data: Any, pos: Pos) -> Node:
    """Wrap plain data in nodes that all sit at ``pos`` (for callers that have no file)."""
    if isinstance(data, dict):
        return Map(pos, {str(k): Entry(str(k), pos, from_plain(v, pos)) for k, v in data.items()})
    if isinstance(data, list | tuple):
        return Seq(pos, [from_plain(item, pos) for item in data])
    return Scalar(pos, data, str(data))


def child(node: Node | None, elem: PathElem) -> Node | None:
    if isinstance(node, Map) and isinstance(elem, str):
        return node.get(elem)
    if isinstance(node, Seq) and isinstance(elem, int) and 0 <= elem < len(node.items):
        return node.items[elem]
    return None


def node_at(root: Node, path: Sequence[PathElem]) -> Node | None:
    node: Node | None = root
    for elem in path:
        node = child(node, elem)
    return node


def pos_at(root: Node, path: Sequence[PathElem], *, key: bool = False) -> Pos:
    """Where ``path`` was written; with ``key=True`` the position of its key rather than its value.

    Values that were never written (schema defaults) fall back to the nearest written ancestor.
    """
    node: Node = root
    best = root.pos
    for index, elem in enumerate(path):
        if key and index == len(path) - 1 and isinstance(node, Map) and isinstance(elem, str):
            entry = node.entries.get(elem)
            return entry.key_pos if entry else best
        nxt = child(node, elem)
        if nxt is None:
            return best
        node, best = nxt, nxt.pos
    return best


def walk_maps(
    node: Node, path: tuple[PathElem, ...] = ()
) -> Iterator[tuple[tuple[PathElem, ...], Map]]:
    """Every mapping in the tree with its path (depth first, in file order)."""
    if isinstance(node, Map):
        yield path, node
        for key, entry in node.entries.items():
            yield from walk_maps(entry.value, (*path, key))
    elif isinstance(node, Seq):
        for index, item in enumerate(node.items):
            yield from walk_maps(item, (*path, index))


# --- reading files -----------------------------------------------------------------------


def _pos(name: str, mark: yaml.Mark | None) -> Pos:
    if mark is None:
        return Pos(name, 1, 1)
    return Pos(name, mark.line + 1, mark.column + 1)


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def read_yaml(path: Path, name: str | None = None) -> tuple[Node | None, list[Problem]]:
    """Parse one file into positioned nodes; problems instead of exceptions.

    ``name`` is how problems name the file (default ``str(path)``), so messages match what the
    user typed on the command line.
    """
    name = str(path) if name is None else name
    try:
        data = read_standard_bytes(path)
    except UnreadableStandard as exc:
        return None, [Problem(name, 1, 1, str(exc))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        head = data[: exc.start].decode("utf-8", errors="replace")
        line, col = _line_col(head, len(head))
        byte = data[exc.start]
        message = f"the file is not UTF-8 text (byte 0x{byte:02X}); save it as UTF-8"
        return None, [Problem(name, line, col, message)]
    return parse_yaml(text, name)


_FAST_LOADER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def parse_yaml(text: str, name: str) -> tuple[Node | None, list[Problem]]:
    """Parse YAML text; ``name`` is the file name problems carry.

    libyaml's parser (when installed) reads valid files several times faster; a file it cannot
    parse is parsed again by the pure-Python one, whose messages and positions are clearer.
    """
    if _FAST_LOADER is not None:
        try:
            return _parse(text, name, _FAST_LOADER)
        except yaml.YAMLError:
            pass
    try:
        return _parse(text, name, yaml.SafeLoader)
    except _Unparsable as exc:
        return None, [exc.problem]


class _Unparsable(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _parse(
    text: str, name: str, loader_class: type[yaml.SafeLoader]
) -> tuple[Node | None, list[Problem]]:
    """One parse; the fast loader's errors propagate (to retry), the slow one's are reported."""
    fast = loader_class is not yaml.SafeLoader
    try:
        loader = loader_class(text)  # checks for unprintable characters right away
    except yaml.reader.ReaderError as exc:
        if fast:
            raise
        line, col = _line_col(text, exc.position)
        message = (
            f"the file contains a control character YAML does not allow (U+{exc.character:04X})"
        )
        raise _Unparsable(Problem(name, line, col, message)) from None
    try:
        deep = too_deep_at(loader_class(text))
        if deep is not None:
            message = f"nested more than {MAX_DEPTH} levels deep; a standard is never that deep"
            return None, [Problem.at(_pos(name, deep), message)]
        root = loader.get_single_node()
        if root is None:
            empty = "the file is empty; a standard is a mapping with id, version, title, ..."
            return None, [Problem(name, 1, 1, empty)]
        builder = _Builder(name, loader)
        return builder.build(root), builder.problems
    except yaml.MarkedYAMLError as exc:
        if fast:
            raise
        raise _Unparsable(_syntax_problem(name, exc)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every parser error carries a mark
        if fast:
            raise
        raise _Unparsable(Problem(name, 1, 1, f"YAML syntax error: {exc}")) from None
    finally:
        loader.dispose()


def _syntax_problem(name: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    message = f"YAML syntax error: {exc.problem or exc.context}"
    if exc.context and exc.problem and exc.context_mark is not None:
        message += f" ({exc.context} that starts at line {exc.context_mark.line + 1})"
    if exc.problem and "'\\t'" in exc.problem:
        message += "; indent with spaces, not tabs"
    return Problem.at(_pos(name, mark), message)


class _Builder:
    """Turns PyYAML nodes into positioned nodes, collecting problems along the way."""

    def __init__(self, name: str, loader: yaml.SafeLoader) -> None:
        self.name = name
        self.loader = loader
        self.problems: list[Problem] = []
        self._count = 0
        self._depth = 0
        self._active: set[int] = set()

    def _problem(self, mark: yaml.Mark | None, message: str) -> None:
        self.problems.append(Problem.at(_pos(self.name, mark), message))

    def build(self, node: yaml.Node) -> Node:
        pos = _pos(self.name, node.start_mark)
        self._count += 1
        if id(node) in self._active:
            self._problem(node.start_mark, "an alias refers to a value that contains it")
            return Scalar(pos, None, "")
        if self._count > MAX_NODES:
            if self._count == MAX_NODES + 1:
                self._problem(
                    node.start_mark, f"too many values (over {MAX_NODES}) after expanding aliases"
                )
            return Scalar(pos, None, "")
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, pos)
        if self._depth >= MAX_DEPTH:  # nested through aliases: the text itself was shallow
            self._problem(node.start_mark, f"nested more than {MAX_DEPTH} levels deep")
            return Scalar(pos, None, "")
        self._active.add(id(node))
        self._depth += 1
        try:
            if isinstance(node, yaml.SequenceNode):
                return Seq(pos, [self.build(item) for item in node.value])
            assert isinstance(node, yaml.MappingNode)
            return self._mapping(node, pos)
        finally:
            self._depth -= 1
            self._active.discard(id(node))

    def _scalar(self, node: yaml.ScalarNode, pos: Pos) -> Scalar:
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            self._problem(
                exc.problem_mark or node.start_mark, f"cannot read this value: {exc.problem}"
            )
            value = node.value
        except (ValueError, OverflowError) as exc:
            self._problem(node.start_mark, f'cannot read "{node.value}": {exc}')
            value = node.value
        return Scalar(pos, value, node.value)

    def _mapping(self, node: yaml.MappingNode, pos: Pos) -> Map:
        result = Map(pos)
        merged: list[Map] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merged.extend(self._merge_sources(value_node))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_node.start_mark, "a key must be plain text")
                continue
            # Keys stay as written: "NO" is Norway and "1" a grade code, not False and 1.
            key = key_node.value
            first = result.entries.get(key)
            if first is not None:
                self._problem(
                    key_node.start_mark,
                    f'duplicate key "{key}" (already set at line {first.key_pos.line})',
                )
                continue
            key_pos = _pos(self.name, key_node.start_mark)
            result.entries[key] = Entry(key, key_pos, self.build(value_node))
        for source in merged:  # YAML merge keys ("<<: *defaults"): explicit keys win
            for key, entry in source.entries.items():
                result.entries.setdefault(key, entry)
        return result

    def _merge_sources(self, node: yaml.Node) -> list[Map]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        maps: list[Map] = []
        for source in sources:
            built = self.build(source)
            if isinstance(built, Map):
                maps.append(built)
            else:
                self._problem(source.start_mark, "<< merges only mappings")
        return maps
