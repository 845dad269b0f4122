"""Bench commands as barcodes: what a grader scans from the sheet taped to the bench.

Graders work scan-first, so the keys they would otherwise reach for (finalize, next unit, blind
return...) are also printed as Code 128 symbols. Their payloads must never be mistaken for
anything else a bench scans:

- ``%`` starts no tracking number (UPS, USPS, FedEx, DHL, S10 postal items, DPD, Amazon...),
  RMA number, order id, LPN (whose check alphabet is ``0-9A-Z*~$=``), GTIN or GS1 element
  string (digits, ``(`` or a GS separator), so ``%RS:`` (Returns Station) is unambiguous, and a
  scan that does not start with it is simply not a command (``parse_command`` returns None).
- Payloads are short upper-case ASCII (``%RS:FINALIZE``, ``%RS:GRADE:A``): each character costs
  11 modules in Code 128 code set B, and fewer modules mean wider bars on the same paper.

Scanners are sloppy in ways the rest of the station already tolerates (``station.codes``):
surrounding whitespace, an AIM symbology identifier such as ``]C0``, and lower case from a
keyboard wedge whose caps lock state inverts letters; parsing folds all of these away.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from inspection_rules import StandardRegistry
from station.codes import normalize_code
from station.i18n import N_, _

log = logging.getLogger(__name__)

PREFIX = "%RS:"
# Grade codes ride in the payload as they are; parsing folds case, so only codes that survive
# upper-casing (and carry no ":" separator) can round-trip.
_GRADE = re.compile(r"^[A-Z0-9][A-Z0-9+\-._]{0,7}$")


class CommandKind(StrEnum):
    FINALIZE = "finalize"
    NEXT_UNIT = "next_unit"
    REPRINT = "reprint"
    BLIND_RETURN = "blind_return"
    CANCEL = "cancel"
    GRADE = "grade"


# The word after the prefix: short, because every character widens the symbol.
_TOKENS: dict[CommandKind, str] = {
    CommandKind.FINALIZE: "FINALIZE",
    CommandKind.NEXT_UNIT: "NEXT",
    CommandKind.REPRINT: "REPRINT",
    CommandKind.BLIND_RETURN: "BLIND",
    CommandKind.CANCEL: "CANCEL",
    CommandKind.GRADE: "GRADE",
}
_KINDS = {token: kind for kind, token in _TOKENS.items()}

# Marked here, translated when shown, so a runtime language switch is honoured.
_LABELS: dict[CommandKind, str] = {
    CommandKind.FINALIZE: N_("Finalize"),
    CommandKind.NEXT_UNIT: N_("Next unit"),
    CommandKind.REPRINT: N_("Reprint label"),
    CommandKind.BLIND_RETURN: N_("Blind return"),
    CommandKind.CANCEL: N_("Cancel inspection"),
}
_HINTS: dict[CommandKind, str] = {
    CommandKind.FINALIZE: N_("Record the verdict once nothing is missing"),
    CommandKind.NEXT_UNIT: N_("Open the next unit of the same parcel"),
    CommandKind.REPRINT: N_("Print the last unit's label again"),
    CommandKind.BLIND_RETURN: N_("Receive the parcel without an RMA"),
    CommandKind.CANCEL: N_("Scan twice to set the open inspection aside"),
}
ACTIONS: tuple[CommandKind, ...] = (
    CommandKind.FINALIZE,
    CommandKind.NEXT_UNIT,
    CommandKind.REPRINT,
    CommandKind.BLIND_RETURN,
    CommandKind.CANCEL,
)


class UnknownCommand(ValueError):
    """A scan with the command prefix that names no command this station knows.

    Raised rather than returning None: a sheet from a newer station, or a damaged one, must be
    reported to the grader, not looked up as if it were a tracking number.
    """


@dataclass(frozen=True)
class Command:
    kind: CommandKind
    grade: str | None = None

    def __post_init__(self) -> None:
        if self.kind is CommandKind.GRADE:
            if self.grade is None or not _GRADE.match(self.grade):
                raise ValueError(
                    _(
                        "Grade code {grade} cannot be a command barcode: use 1 to 8 upper-case "
                        "letters, digits or + - . _"
                    ).format(grade=self.grade)
                )
        elif self.grade is not None:
            raise ValueError(
                _("Only grade commands carry a grade ({kind} has {grade})").format(
                    kind=self.kind, grade=self.grade
                )
            )


def encode_command(command: Command) -> str:
    """The barcode payload of ``command``, e.g. ``%RS:GRADE:B``."""
    token = PREFIX + _TOKENS[command.kind]
    return f"{token}:{command.grade}" if command.kind is CommandKind.GRADE else token


def parse_command(text: str) -> Command | None:
    """The command a scan stands for; None when the scan is not a command at all.

    Raises ``UnknownCommand`` for a scan that carries the command prefix but is not one.
    """
    code = normalize_code(text)
    if not code.startswith(PREFIX):
        return None
    kind_token, *arguments = code[len(PREFIX) :].split(":")
    kind = _KINDS.get(kind_token)
    if kind is CommandKind.GRADE and len(arguments) == 1 and _GRADE.match(arguments[0]):
        return Command(kind, arguments[0])
    if kind is not None and kind is not CommandKind.GRADE and not arguments:
        return Command(kind)
    raise UnknownCommand(_("Unknown bench command {text}").format(text=code))


def command_label(command: Command) -> str:
    """What the grader reads for a command, in the current language."""
    if command.kind is CommandKind.GRADE:
        return _("Grade {grade}").format(grade=command.grade)
    return _(_LABELS[command.kind])


def command_hint(command: Command) -> str:
    """A one-line explanation printed under an action's title (grades explain themselves)."""
    return _(_HINTS[command.kind]) if command.kind in _HINTS else ""


def standard_commands(grades: Sequence[str]) -> list[Command]:
    """The sheet's commands: the actions, then one GRADE per grade code (duplicates dropped)."""
    return [Command(kind) for kind in ACTIONS] + [
        Command(CommandKind.GRADE, grade) for grade in dict.fromkeys(grades)
    ]


def registry_grades(registry: StandardRegistry) -> list[str]:
    """Every grade code of the loaded standards, once, in an order that none of them contradicts.

    Each standard lists its grades best to worst, but standards need not define the same ones
    (one may lack D), so the union is a merge of those orders rather than first appearance:
    [A, B, X] and [A, B, C, D, X] give A, B, C, D, X, not A, B, X, C, D.
    """
    return merge_orders(standard.grades for standard in registry.standards)


def merge_orders(orders: Iterable[Sequence[str]]) -> list[str]:
    """A stable topological merge of several orderings of overlapping items.

    Among the items no remaining one must precede, the earliest seen comes first; items whose
    orders contradict each other (a cycle) follow in order of first appearance.
    """
    seen: dict[str, int] = {}
    after: dict[str, set[str]] = {}
    for order in orders:
        unique = list(dict.fromkeys(order))
        for item in unique:
            seen.setdefault(item, len(seen))
            after.setdefault(item, set())
        for earlier, later in pairwise(unique):
            after[later].add(earlier)
    merged: list[str] = []
    remaining = sorted(seen, key=seen.__getitem__)
    while remaining:
        ready = next((i for i in remaining if not after[i] & set(remaining)), None)
        if ready is None:
            log.warning("grade orders contradict each other among %s", remaining)
            ready = remaining[0]
        merged.append(ready)
        remaining.remove(ready)
    return merged
