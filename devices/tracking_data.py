"""Carrier tracking-number formats read from the public data set ``tracking_number_data``.

The formats (regular expressions, check-digit algorithms, lookup tables and published valid and
invalid test numbers) are not written here by hand: they are the JSON files of
github.com/jkeen/tracking_number_data (MIT), shipped in ``devices/data/tracking_number_data/``
(see its README.md for the commit and how to update). This module loads them and answers one
question: which formats does a code match, with which named groups (``SerialNumber``,
``CheckDigit``, ``ServiceType``, ...), and does the format's check hold.

Why the JSON and a small loader rather than the PyPI package ``tracking-numbers`` (0.1.8): that
package is code generated in 2022 from an old snapshot of the data set and unreleased since; it
carries no test numbers and misses formats a bench meets (FedEx ASTRA 32-digit barcodes, Amazon
``TBC``/``TBM``, LaserShip ``LA``/``LE``/``LH``..., USPS 20-digit and the IMpb rework of release
2.0.0). With the JSON, updating is copying files, and the published test numbers come along.

How the reference implementation (the Ruby gem ``tracking_number``, and the data set's
``spec/``) reads the files, followed here:

- ``regex`` is a string or a list of strings joined; Ruby named groups ``(?<Name>...)`` become
  Python's ``(?P<Name>...)``. Patterns tolerate whitespace with ``\\s*``; we match whitespace-free
  upper-case input, so those are dropped before compiling (same language on such input, faster,
  and it gives each pattern a fixed length range to index by).
- ``validation.checksum`` names one of the algorithms below, with its parameters.
- ``validation.serial_number_format.prepend_if`` prepends ``content`` to the serial before the
  check when the serial matches ``matches_regex`` (OnTrac ``4``/``5``, USPS legacy ``91``).
- ``validation.additional.exists`` lists ``additional`` lookups that must find an entry (S10
  needs its country code in the ``Courier`` table, so ``RB123456785XX`` is not valid).

The file is read on first use, not at import: the window's cold start imports this module.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Package data (pyproject.toml), next to this module as the station's other data files are.
COURIERS_DIR = Path(__file__).with_name("data") / "tracking_number_data" / "couriers"

# Whitespace except the ASCII separators \x1c-\x1f, which Python also counts as whitespace.
_SPACES = re.compile(r"[^\S\x1c-\x1f]+")
_NAMED_GROUP = re.compile(r"\(\?<(?=[A-Za-z_])")  # (?<Name> but not (?<= or (?<!
_ALNUM36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
# No tracking number is longer (the longest format is 42); longer input matches no format.
_LONGEST_CODE = 1024


# --- check-digit algorithms, as CHECKSUM_ALGORITHMS.md and spec/spec_helper.rb define them ----


# mod10 values: digits count as themselves, letters as (ASCII - 3) mod 10 (UPS: A=2 ... H=9,
# I=0 ...), as the reference implementation maps them.
_MOD10_VALUES = {c: int(c) if c.isdigit() else (ord(c) - 3) % 10 for c in _ALNUM36}


def _digit(text: str) -> int:
    return int(text) if text.isdigit() else -1


def mod10(sequence: str, check: str, params: Mapping[str, Any]) -> bool:
    """Weighted sum; ``odds``/``evens`` count positions from 0 (Ruby ``each_with_index``)."""
    values = [_MOD10_VALUES[c] for c in (sequence[::-1] if params.get("reverse") else sequence)]
    odds, evens = params.get("odds_multiplier"), params.get("evens_multiplier")
    total = sum(values[1::2]) * (int(odds) if odds is not None else 1)
    total += sum(values[0::2]) * (int(evens) if evens is not None else 1)
    modulo = int(params.get("modulo", 10))
    return (-total) % modulo == _digit(check)


def mod7(sequence: str, check: str, params: Mapping[str, Any]) -> bool:
    """The serial read as one number, mod 7 (DHL Express; weak: 0<->7 is not caught)."""
    return int(sequence) % int(params.get("modulo", 7)) == _digit(check)


def s10(sequence: str, check: str, params: Mapping[str, Any]) -> bool:
    """UPU S10: weights 8,6,4,2,3,5,9,7 mod 11; remainder 1 gives 0, remainder 0 gives 5."""
    weights = params.get("weightings") or _S10_WEIGHTS
    modulo = int(params.get("modulo", 11))
    remainder = sum(int(d) * w for d, w in zip(sequence, weights, strict=True)) % modulo
    expected = 0 if remainder == 1 else 5 if remainder == 0 else modulo - remainder
    return expected == _digit(check)


def sum_product_with_weightings_and_modulo(
    sequence: str, check: str, params: Mapping[str, Any]
) -> bool:
    """Digits times the listed weights, summed, then ``mod modulo1 mod modulo2`` (FedEx)."""
    weights = params["weightings"]
    if len(weights) != len(sequence):
        return False
    total = sum(int(d) * w for d, w in zip(sequence, weights, strict=True))
    return total % int(params["modulo1"]) % int(params["modulo2"]) == _digit(check)


def mod_37_36(sequence: str, check: str, params: Mapping[str, Any]) -> bool:
    """ISO 7064 MOD 37,36 (DPD): one character of 0-9A-Z."""
    return mod_37_36_character(sequence, params.get("alphabet") or _ALNUM36) == check


def mod_37_36_character(sequence: str, alphabet: str = _ALNUM36) -> str:
    """The MOD 37,36 check character of ``sequence`` (digits and capital letters)."""
    running = 36
    for char in sequence:
        running += _ALNUM36.index(char)
        if running > 36:
            running -= 36
        running *= 2
        if running > 36:
            running -= 37
    expected = 37 - running
    return alphabet[0 if expected == 36 else expected]


def luhn(sequence: str, check: str, params: Mapping[str, Any]) -> bool:
    """Luhn: every other digit from the right doubled (digit sum), complement mod 10."""
    total = 0
    for i, char in enumerate(reversed(sequence)):
        value = int(char) * (1 if i % 2 else 2)
        total += value - 9 if value > 9 else value
    return (-total) % int(params.get("modulo", 10)) == _digit(check)


CHECKSUMS: dict[str, Callable[[str, str, Mapping[str, Any]], bool]] = {
    "mod10": mod10,
    "mod7": mod7,
    "s10": s10,
    "sum_product_with_weightings_and_modulo": sum_product_with_weightings_and_modulo,
    "mod_37_36": mod_37_36,
    "luhn": luhn,
}


# --- formats ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    """One ``additional`` table: entries keyed by the value of ``group`` (exact values are
    indexed: S10's country table has 191 entries and is consulted on every S10 scan)."""

    name: str
    group: str
    exact: Mapping[str, Mapping[str, Any]]
    patterns: tuple[tuple[str, Mapping[str, Any]], ...]  # compiled on use (re's own cache)

    @classmethod
    def of(cls, section: Mapping[str, Any]) -> Lookup:
        entries = section["lookup"]
        exact = {}
        for entry in reversed(entries):  # the first entry wins, as in a linear search
            if "matches" in entry:
                exact[entry["matches"]] = entry
        patterns = tuple((e["matches_regex"], e) for e in entries if "matches_regex" in e)
        return cls(section["name"], section["regex_group_name"], exact, patterns)

    def find(self, value: str) -> Mapping[str, Any] | None:
        entry = self.exact.get(value)
        if entry is not None:
            return entry
        return next((e for pattern, e in self.patterns if re.search(pattern, value)), None)


@dataclass(frozen=True)
class Format:
    """One entry of a courier file's ``tracking_numbers``, compiled."""

    id: str
    name: str
    courier_code: str
    courier_name: str
    pattern: re.Pattern[str]
    checksum: Mapping[str, Any] | None
    prepend_if: tuple[re.Pattern[str], str] | None
    required: tuple[str, ...]
    lookups: tuple[Lookup, ...]
    valid_numbers: tuple[str, ...]
    invalid_numbers: tuple[str, ...]
    lengths: tuple[int, int]

    def match(self, code: str) -> Match | None:
        """``code`` is whitespace-free and upper case (see ``compact``)."""
        found = self.pattern.fullmatch(code)
        if found is None:
            return None
        groups = {k: v for k, v in found.groupdict().items() if v is not None}
        return Match(self, code, groups, self._check(groups))

    def _check(self, groups: Mapping[str, str]) -> bool | None:
        if self.checksum is None:
            return None
        serial, check = groups.get("SerialNumber", ""), groups.get("CheckDigit", "")
        if self.prepend_if is not None and self.prepend_if[0].search(serial):
            serial = self.prepend_if[1] + serial
        try:
            return CHECKSUMS[self.checksum["name"]](serial, check, self.checksum)
        except (KeyError, ValueError):  # a letter where the algorithm wants digits
            return False

    def lookup(self, name: str, groups: Mapping[str, str]) -> Mapping[str, Any] | None:
        """The entry of the ``additional`` table ``name`` for these groups, if any."""
        for table in self.lookups:
            if table.name == name and table.group in groups:
                return table.find(groups[table.group])
        return None


class Match:
    """A code read as one format: its groups, and whether the check holds.

    ``check`` is None for formats without a check digit. ``known``: every lookup the format
    requires (``validation.additional.exists``) found an entry; ``valid`` needs both. A plain class with
    slots, not a dataclass: several are made per scan, and that is the hot path.
    """

    __slots__ = ("check", "code", "format", "groups", "known", "valid")

    def __init__(self, fmt: Format, code: str, groups: Mapping[str, str], check: bool | None):
        self.format = fmt
        self.code = code
        self.groups = groups
        self.check = check
        self.known = all(fmt.lookup(name, groups) is not None for name in fmt.required)
        self.valid = check is not False and self.known

    @property
    def checked(self) -> bool:
        return self.check is not None

    @property
    def additional(self) -> dict[str, Mapping[str, Any]]:
        """What the format's lookup tables say about this code (service names, operator...)."""
        found = {}
        for table in self.format.lookups:
            value = self.groups.get(table.group)
            entry = table.find(value) if value is not None else None
            if entry is not None:
                found[table.name] = entry
        return found

    def __repr__(self) -> str:
        return f"Match({self.format.id}, {self.code!r}, check={self.check}, valid={self.valid})"


def compact(code: str) -> str:
    """Upper case without whitespace (the ASCII separators \\x1c-\\x1f are kept: GS means
    something in GS1 strings; no format here accepts one, so such codes simply match none)."""
    return _SPACES.sub("", code).upper()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _python_pattern(regex: str | list[str]) -> str:
    """The data set's Ruby pattern for whitespace-free input, in Python syntax."""
    text = "".join(regex) if isinstance(regex, list) else regex
    text = text.replace("\\s*", "").replace("\\s", "")
    return _NAMED_GROUP.sub("(?P<", text)


def _length_range(pattern: str) -> tuple[int, int]:
    """Shortest and longest match, to index formats by length; (0, huge) if unknown."""
    parser = getattr(re, "_parser", None)  # CPython's own parser, the one re.compile uses
    try:
        low, high = parser.parse(pattern).getwidth()  # type: ignore[union-attr]
    except Exception:  # an index only: without it the format is tried at every length
        return 0, _LONGEST_CODE
    return int(low), int(high)


def _format(courier: Mapping[str, Any], info: Mapping[str, Any]) -> Format:
    source = _python_pattern(info["regex"])
    validation = info.get("validation") or {}
    prepend = (validation.get("serial_number_format") or {}).get("prepend_if")
    lookups = tuple(Lookup.of(section) for section in info.get("additional") or ())
    tests = info.get("test_numbers") or {}
    return Format(
        id=info.get("id") or _slug(info["name"]),
        name=info["name"],
        courier_code=courier["courier_code"],
        courier_name=courier["name"],
        pattern=re.compile(source),
        checksum=validation.get("checksum"),
        prepend_if=(re.compile(prepend["matches_regex"]), prepend["content"]) if prepend else None,
        required=tuple((validation.get("additional") or {}).get("exists") or ()),
        lookups=lookups,
        valid_numbers=tuple(tests.get("valid") or ()),
        invalid_numbers=tuple(tests.get("invalid") or ()),
        lengths=_length_range(source),
    )


@functools.cache
def formats() -> tuple[Format, ...]:
    """Every format of every courier file, in file-name order then file order (loaded once)."""
    import json  # here, not at the top: the window's cold start imports this module

    loaded: list[Format] = []
    for path in sorted(COURIERS_DIR.glob("*.json")):
        courier = json.loads(path.read_text(encoding="utf-8"))
        loaded.extend(_format(courier, info) for info in courier["tracking_numbers"])
    log.debug("tracking_number_data: %d formats loaded", len(loaded))
    return tuple(loaded)


@functools.cache
def format_by_id(format_id: str) -> Format:
    """The format with this id (ids are the data set's; the few without one get a slug)."""
    for fmt in formats():
        if fmt.id == format_id:
            return fmt
    raise KeyError(format_id)


@functools.cache
def _by_length() -> tuple[tuple[Format, ...], ...]:
    """Formats indexed by the length of code they can match (longer codes match none)."""
    longest = max(min(f.lengths[1], _LONGEST_CODE) for f in formats())
    return tuple(
        tuple(f for f in formats() if f.lengths[0] <= n <= f.lengths[1]) for n in range(longest + 1)
    )


def matches(code: str) -> list[Match]:
    """Every format ``code`` fits (checked or not), in data-set order; input is compacted."""
    return matches_compact(compact(code))


def matches_compact(code: str) -> list[Match]:
    """``matches`` for input already upper case and without whitespace."""
    index = _by_length()
    found = []
    for fmt in index[len(code)] if len(code) < len(index) else ():
        match = fmt.match(code)
        if match is not None:
            found.append(match)
    return found
