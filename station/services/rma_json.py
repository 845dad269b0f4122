"""Find the RMA objects of a JSON import file and the line each one starts on.

``json.loads`` would give the objects but not where they are, and a clerk needs a line number to
find the bad RMA in a 5 MB export. So the top-level array is walked with
``JSONDecoder.raw_decode``, one element at a time, keeping each element's offset.

The decoder recurses once per level of nesting, so a document like ``[[[[…`` 100,000 levels deep
would end in a ``RecursionError``: the nesting is measured first, without recursion, and a
document deeper than ``MAX_JSON_DEPTH`` is refused at the place it goes too deep.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate, count
from operator import sub
from typing import Any

from station.i18n import _
from station.services.rma_files import MAX_JSON_DEPTH


class JsonLayoutError(ValueError):
    """The document is not valid JSON, or not a list of RMAs / ``{"rmas": [...]}``."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class TooDeep:
    """Stands in for a list element nested deeper than ``MAX_JSON_DEPTH`` (never decoded)."""


TOO_DEEP = TooDeep()


def json_rma_items(text: str) -> list[tuple[int, Any]]:
    """``(start_line, value)`` for each element of the RMA list (elements are not checked).

    An element nested too deep is ``TOO_DEEP``, so the other RMAs of the file are still read;
    one that is too deep and never closed ends the document, which is refused as a whole.
    """
    return _Walker(text).items()


_JSON_SPACE = re.compile(r"[ \t\n\r]*")
# A JSON string (the decoder stops at the first invalid one, so what it never reads is moot).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^][{}]+")
_BRACKET_STEPS = bytes.maketrans(b"[{]}", bytes([2, 2, 0, 0]))
_BRACKET_OR_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[][{}]')
# Integers longer than this stay text: int() refuses over 4,300 digits with a ValueError the
# decoder would pass on, and the RMA's validators then report the value on its own line.
_MAX_INT_DIGITS = 1000


def depth_exceeded_at(text: str, limit: int) -> int | None:
    """Offset of the first bracket nested deeper than ``limit`` (outside strings), if any.

    The fast pass runs in C (regex and ``accumulate``): strip strings, keep the brackets, and
    take the largest running depth; only a document that is too deep is walked in Python,
    up to the offending bracket.
    """
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)).encode("ascii")
    # Openers step +2 and closers 0, so depth after n brackets is (running sum) - n.
    steps = brackets.translate(_BRACKET_STEPS)
    if max(map(sub, accumulate(steps), count(1)), default=0) <= limit:
        return None
    depth = 0
    for match in _BRACKET_OR_STRING.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif char in "]}":
            depth -= 1
    return None  # pragma: no cover - the fast pass found a position the walk reaches


def _parse_int(digits: str) -> int | str:
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else digits


class _Walker:
    """Walks the top-level array with ``raw_decode`` so each RMA object keeps its start line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.decoder = json.JSONDecoder(parse_int=_parse_int)
        # Decided once in C; only a document with something too deep is walked in Python.
        self.deep = depth_exceeded_at(text, MAX_JSON_DEPTH) is not None
        self._line_pos = 0
        self._line = 1

    def line_at(self, pos: int) -> int:
        """Line of ``pos``; positions only move forward, so count newlines incrementally."""
        self._line += self.text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line

    def skip(self, pos: int) -> int:
        match = _JSON_SPACE.match(self.text, pos)
        assert match is not None
        return match.end()

    def fail(self, message: str, pos: int) -> JsonLayoutError:
        """``message`` is the whole (translated) sentence; this adds where it happened."""
        line = self.text.count("\n", 0, pos) + 1
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return JsonLayoutError(message, line, column)

    def value(self, pos: int) -> tuple[Any, int]:
        if self.deep and self.text[pos : pos + 1] in ("[", "{"):
            end = self.too_deep_end(pos)
            if end is not None:
                return TOO_DEEP, end
        try:
            return self.decoder.raw_decode(self.text, pos)
        except json.JSONDecodeError as exc:
            # The decoder's own reason (English, from the standard library) is passed through.
            message = _("not valid JSON: {error}").format(error=exc.msg)
            raise JsonLayoutError(message, exc.lineno, exc.colno) from None

    def too_deep_end(self, pos: int) -> int | None:
        """Where the list or object at ``pos`` ends, if it nests more than ``MAX_JSON_DEPTH``
        levels (``None`` if it does not); a too deep one that never closes is an error."""
        depth = deepest = 0
        first_too_deep = pos
        for match in _BRACKET_OR_STRING.finditer(self.text, pos):
            char = match.group()
            if char in "[{":
                depth += 1
                if depth > deepest:
                    deepest = depth
                    if depth == MAX_JSON_DEPTH + 1:
                        first_too_deep = match.start()
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    return match.end() if deepest > MAX_JSON_DEPTH else None
        if deepest <= MAX_JSON_DEPTH:
            return None  # the decoder reports what is wrong with it
        message = _("nested more than {limit} levels deep; an RMA file is never that deep")
        raise self.fail(message.format(limit=MAX_JSON_DEPTH), first_too_deep)

    def expect(self, pos: int, chars: str) -> str:
        char = self.text[pos : pos + 1]
        if not char or char not in chars:
            raise self.fail(_unexpected(chars, char), pos)
        return char

    def items(self) -> list[tuple[int, Any]]:
        pos = self.skip(0)
        start = self.expect(pos, "[{")
        if start == "[":
            items, pos = self.array(pos)
        else:
            items, pos = self.envelope(pos)
        pos = self.skip(pos)
        if pos < len(self.text):
            raise self.fail(_("not valid JSON: unexpected text after the end of the document"), pos)
        return [(self.line_at(item_pos), item) for item_pos, item in items]

    def array(self, pos: int) -> tuple[list[tuple[int, Any]], int]:
        items: list[tuple[int, Any]] = []
        pos = self.skip(pos + 1)
        if self.text.startswith("]", pos):
            return items, pos + 1
        while True:
            item, end = self.value(pos)
            items.append((pos, item))
            pos = self.skip(end)
            if self.expect(pos, ",]") == "]":
                return items, pos + 1
            pos = self.skip(pos + 1)

    def envelope(self, pos: int) -> tuple[list[tuple[int, Any]], int]:
        """``{"rmas": [...], ...}``: other keys (export time, cursor) are ignored."""
        found: list[tuple[int, Any]] | None = None
        pos = self.skip(pos + 1)
        if self.text.startswith("}", pos):
            pos += 1
        else:
            while True:
                self.expect(pos, '"')
                key, pos = self.value(pos)
                pos = self.skip(pos)
                self.expect(pos, ":")
                pos = self.skip(pos + 1)
                if key == "rmas" and self.text.startswith("[", pos):
                    found, pos = self.array(pos)
                else:
                    _ignored, pos = self.value(pos)
                pos = self.skip(pos)
                if self.expect(pos, ",}") == "}":
                    pos += 1
                    break
                pos = self.skip(pos + 1)
        if found is None:
            raise JsonLayoutError(
                _('expected a list of RMAs or an object with an "{key}" list').format(key="rmas")
            )
        return found, pos


def _unexpected(chars: str, found: str) -> str:
    """One whole sentence per shape, so a translator never has to assemble "or" lists."""
    if len(chars) == 1:
        if found:
            return _('not valid JSON: expected {expected}, found "{found}"').format(
                expected=repr(chars), found=found
            )
        return _("not valid JSON: expected {expected}, found the end of the file").format(
            expected=repr(chars)
        )
    first, second = (repr(char) for char in chars)
    if found:
        return _('not valid JSON: expected {first} or {second}, found "{found}"').format(
            first=first, second=second, found=found
        )
    return _("not valid JSON: expected {first} or {second}, found the end of the file").format(
        first=first, second=second
    )
