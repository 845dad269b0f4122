"""How problems name things: "checklist item "powers_on"", not ``checklist.3``.

The people who edit standards think in checklist items, defects and rules, so every message
names the thing by its code or id, shows values the way they were typed in the file, and offers
a "did you mean" when a name is one typo away from a real one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import get_close_matches

from inspection_rules.source import Map, Node, PathElem, Pos, Scalar, Seq, child

# Top-level lists whose entries are named by a key, and what one entry is called.
ENTRY_NAMES: dict[str, tuple[str, str]] = {
    "checklist": ("checklist item", "code"),
    "defects": ("defect", "code"),
    "grades": ("grade", "code"),
    "grading": ("grading rule", "id"),
    "responsibility": ("responsibility rule", "id"),
    "outcomes": ("outcome row", "grade"),
}
LABEL_KEYS = ("label", "name", "title")


def quoted(value: object) -> str:
    return f'"{value}"'


def suggest(word: object, options: Iterable[str]) -> str:
    """`` (did you mean "x"?)`` for a likely typo, else an empty string."""
    if not isinstance(word, str):
        return ""
    matches = get_close_matches(word, list(dict.fromkeys(options)), n=1, cutoff=0.6)
    return f" (did you mean {quoted(matches[0])}?)" if matches else ""


def listing(options: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(options))


def show(node: Node | None) -> str:
    """A value as the user wrote it: text in quotes, numbers and booleans as typed."""
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    if node is None or node.value is None:
        return "an empty value"
    if isinstance(node.value, str):
        return quoted(node.value)
    return node.text or str(node.value)


def where(pos: Pos, here: str) -> str:
    """``line 12`` in the same file, ``base.yaml:12`` in another one."""
    return f"line {pos.line}" if pos.file == here else f"{pos.file}:{pos.line}"


def _entry_name(kind: str, entry: Node | None, index: int) -> str:
    noun, key = ENTRY_NAMES[kind]
    code = entry.get(key) if isinstance(entry, Map) else None
    if kind == "outcomes":
        grade = show(code) if isinstance(code, Scalar) and code.value is not None else None
        return f"{noun} for grade {grade}" if grade else f"{noun} {index + 1}"
    if isinstance(code, Scalar) and isinstance(code.value, str | int):
        return f"{noun} {quoted(code.value)}"
    return f"{noun} {index + 1}"


def describe(root: Node, path: Sequence[PathElem]) -> str:
    """Name the place ``path`` points at, e.g. ``tolerance of checklist item "chest"``.

    Returns an empty string for the top level of the file.
    """
    owner = ""
    rest: list[str] = []
    node: Node | None = root
    index = 0
    while index < len(path):
        elem = path[index]
        nxt = path[index + 1] if index + 1 < len(path) else None
        if index == 0 and isinstance(elem, str) and elem in ENTRY_NAMES and isinstance(nxt, int):
            node = child(child(node, elem), nxt)
            owner, rest = _entry_name(elem, node, nxt), []
            index += 2
            continue
        if elem == "choices" and isinstance(nxt, int):
            node = child(child(node, elem), nxt)
            code = node.text("code") if isinstance(node, Map) else None
            name = f"choice {quoted(code)}" if code else f"choice {nxt + 1}"
            owner, rest = f"{name} of {owner}" if owner else name, []
            index += 2
            continue
        if index == 0 and elem == "zones" and isinstance(nxt, str):
            node = child(child(node, elem), nxt)
            owner, rest = f"zone {quoted(nxt)}", []
            index += 2
            continue
        if elem == "when":
            return f"condition of {owner}" if owner else "condition"
        node = child(node, elem)
        if isinstance(elem, str):
            rest.append(elem)
        index += 1
    text = ".".join(rest)
    if owner:
        return f"{text} of {owner}" if text else owner
    return text


def field_name(path: Sequence[PathElem]) -> str:
    """The nearest key in ``path`` (list indexes skipped): what the user sees next to a value."""
    for elem in reversed(path):
        if isinstance(elem, str):
            return elem
    return ""
