"""Command barcodes: payloads round-trip, survive scanner quirks, and never swallow real codes."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

import station.i18n
from devices.gs1 import make_gtin13
from inspection_rules import StandardRegistry
from station.commands import (
    PREFIX,
    Command,
    CommandKind,
    UnknownCommand,
    command_hint,
    command_label,
    encode_command,
    merge_orders,
    parse_command,
    registry_grades,
    standard_commands,
)
from station.lpn import new_lpn_code
from station.services.demo import generate_rma_rows
from station.services.demo_catalog import build_catalog
from tests.devices.test_gs1_strings import GTIN, SSCC
from tests.devices.test_tracking import PUBLISHED_INVALID, PUBLISHED_VALID
from tests.devices.test_tracking_formats import CHECKED_VALID, UNCHECKED
from tests.factories import UPS
from tests.labels.test_scan import IMPB

EVERY_COMMAND = [
    *standard_commands(["A", "B", "C", "D", "X"]),
    Command(CommandKind.GRADE, "A+"),
    Command(CommandKind.GRADE, "B-2"),
]


def test_every_kind_is_on_the_sheet() -> None:
    kinds = {command.kind for command in standard_commands(["A"])}
    assert kinds == set(CommandKind)


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=str)
def test_round_trip(command: Command) -> None:
    payload = encode_command(command)
    assert payload.startswith(PREFIX)
    assert payload.isascii() and payload == payload.upper() and " " not in payload
    assert parse_command(payload) == command


def test_payloads_are_distinct_and_short() -> None:
    payloads = [encode_command(command) for command in EVERY_COMMAND]
    assert len(set(payloads)) == len(payloads)
    assert max(len(p) for p in payloads) <= 13  # Code 128 set B: 11 modules per character


@pytest.mark.parametrize(
    ("scanned", "expected"),
    [
        ("  %RS:FINALIZE\r\n", Command(CommandKind.FINALIZE)),
        ("%rs:finalize", Command(CommandKind.FINALIZE)),  # keyboard wedge, caps lock inverted
        ("]C0%RS:NEXT", Command(CommandKind.NEXT_UNIT)),  # AIM identifier of Code 128
        ("]c0%rs:blind", Command(CommandKind.BLIND_RETURN)),
        ("\t]C0%RS:GRADE:b ", Command(CommandKind.GRADE, "B")),
        ("%Rs:Grade:X", Command(CommandKind.GRADE, "X")),
        ("%RS:REPRINT\u00a0", Command(CommandKind.REPRINT)),
    ],
)
def test_scanner_quirks_are_tolerated(scanned: str, expected: Command) -> None:
    assert parse_command(scanned) == expected


def _demo_codes() -> list[str]:
    """RMA numbers, order ids, tracking numbers and GTINs the demo generator really produces."""
    rng = random.Random(7)
    today = date(2026, 11, 22)
    catalog = build_catalog(rng, today)
    codes: list[str] = []
    for generated in generate_rma_rows(rng, catalog.profiles, 150, today):
        codes.append(generated.rma["number"])
        codes.append(generated.rma["external_order_id"])
        codes += [row["tracking_number"] for row in generated.tracking]
        codes += [line["gtin"] for line in generated.lines if line["gtin"]]
    return codes


def _other_codes() -> list[str]:
    tracking = [code for code, *_rest in [*PUBLISHED_VALID, *PUBLISHED_INVALID]]
    tracking += [code for code, *_rest in [*CHECKED_VALID, *UNCHECKED]]
    gs1 = [
        "00" + SSCC,
        "]C100" + SSCC,
        "01" + GTIN + "17260630" + "10LOT42\x1d" + "21SN-9",
        "]d201" + GTIN + "10LOT42",
        "(01)" + GTIN + "(17)260630(10)LOT42(21)SN-9",
        "\x1d01" + GTIN,
        IMPB,
        "]C1" + IMPB,
    ]
    return [
        UPS,
        "RMA-NK-000123",
        "#1042",
        "114-3941689-8772232",
        make_gtin13("573123400001"),
        "]E0" + make_gtin13("573123400002"),
        *(new_lpn_code() for _ in range(200)),
        *tracking,
        *gs1,
    ]


def test_nothing_else_a_bench_scans_is_a_command() -> None:
    codes = _demo_codes() + _other_codes()
    assert len(codes) > 500
    assert [code for code in codes if parse_command(code) is not None] == []
    # ... and with the same scanner quirks a command tolerates.
    assert [code for code in codes if parse_command(f" ]C0{code.lower()} ") is not None] == []


@given(st.text(alphabet=st.characters(exclude_characters="%")))
def test_text_without_the_prefix_character_is_never_a_command(text: str) -> None:
    assert parse_command(text) is None


@pytest.mark.parametrize(
    "payload",
    [
        "%RS:FOO",
        "%RS:",
        "%RS:GRADE",
        "%RS:GRADE:",
        "%RS:GRADE:A:B",
        "%RS:GRADE:ÄB",
        "%RS:FINALIZE:NOW",
        "%RS:NEXT_UNIT",
    ],
)
def test_unknown_command_names_the_text(payload: str) -> None:
    with pytest.raises(UnknownCommand) as raised:
        parse_command(payload)
    assert payload.upper() in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_messages_and_labels_are_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    english = [command_label(command) for command in EVERY_COMMAND]
    assert english[:6] == [
        "Finalize",
        "Next unit",
        "Reprint label",
        "Blind return",
        "Cancel inspection",
        "Grade A",
    ]
    assert all(command_hint(Command(kind)) for kind in CommandKind if kind is not CommandKind.GRADE)
    catalogue = {
        "Finalize": "完成检验",
        "Grade {grade}": "等级 {grade}",
        "Unknown bench command {text}": "未知的工作台指令 {text}",
    }
    monkeypatch.setattr(station.i18n, "_messages", catalogue)
    assert command_label(Command(CommandKind.FINALIZE)) == "完成检验"
    assert command_label(Command(CommandKind.GRADE, "C")) == "等级 C"
    with pytest.raises(UnknownCommand, match="未知的工作台指令 %RS:NOPE"):
        parse_command("%rs:nope")


@pytest.mark.parametrize(
    ("kind", "grade"),
    [
        (CommandKind.GRADE, None),
        (CommandKind.GRADE, "a"),  # parsing folds case: it could never round-trip
        (CommandKind.GRADE, "A:B"),
        (CommandKind.GRADE, "TOO-LONG-1"),
        (CommandKind.FINALIZE, "A"),
    ],
)
def test_invalid_commands_are_refused(kind: CommandKind, grade: str | None) -> None:
    with pytest.raises(ValueError):
        Command(kind, grade)


def test_standard_commands_order_and_dedup() -> None:
    commands = standard_commands(["A", "B", "A", "X"])
    assert [c.kind for c in commands[:5]] == [
        CommandKind.FINALIZE,
        CommandKind.NEXT_UNIT,
        CommandKind.REPRINT,
        CommandKind.BLIND_RETURN,
        CommandKind.CANCEL,
    ]
    assert [c.grade for c in commands[5:]] == ["A", "B", "X"]


def test_grades_of_the_shipped_standards(shipped_standards: dict) -> None:
    registry = StandardRegistry(list(shipped_standards.values()))
    grades = registry_grades(registry)
    knitwear = list(shipped_standards["knitwear"].grades)
    assert knitwear and set(knitwear) <= set(grades)
    assert len(grades) == len(set(grades))
    assert set(grades) == {g for s in shipped_standards.values() for g in s.grades}
    for standard in shipped_standards.values():  # no standard's best-to-worst order is broken
        positions = [grades.index(grade) for grade in standard.grades]
        assert positions == sorted(positions), standard.id


def test_merge_keeps_every_order() -> None:
    assert merge_orders([["A", "B", "X"], ["A", "B", "C", "D", "X"]]) == ["A", "B", "C", "D", "X"]
    assert merge_orders([["A", "C"], ["S", "A"], ["C", "X"]]) == ["S", "A", "C", "X"]
    # Contradicting orders still give every grade once.
    assert sorted(merge_orders([["A", "B"], ["B", "A"]])) == ["A", "B"]
