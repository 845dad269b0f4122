"""``station scan --json -`` over the public data set's test numbers, through the real console
entry (``main.cli``) on a fresh data dir.

The "done when" of issue 13: every valid test number of our carriers is recognised with its
carrier and ``valid: true``, and every invalid one is refused. The numbers are read from the
shipped JSON with plain ``json`` (tests/devices/test_tracking.py).
"""

from __future__ import annotations

import io
import json

import pytest

from main import cli
from tests.devices.test_tracking import (
    CHECKED_FORMATS,
    PUBLISHED_INVALID,
    PUBLISHED_VALID,
    compact,
)

OURS = {
    "ups",
    "usps",
    "fedex",
    "dhl",
    "s10",
    "dpd",
    "amazon",
    "canada_post",
    "ontrac",
    "lasership",
    "yunexpress",
}
VALID = [row for row in PUBLISHED_VALID if row[1] in OURS]
INVALID = [row for row in PUBLISHED_INVALID if row[1] in OURS]
# Invalid for their own format, valid as something else a bench scans (checked by hand):
# 15 zeros pass FedEx Ground's GS1 mod 10; 12 zeros are a valid UPC-A GTIN (and FedEx 12).
VALID_AS_SOMETHING_ELSE = {"000000000000000": "tracking", "000000000000": "gtin"}


def _scan(tmp_path, monkeypatch, capsys, lines: list[str]) -> list[dict]:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    status = cli(["scan", "-", "--json", "--data-dir", str(tmp_path / "data")])
    out = capsys.readouterr().out.splitlines()
    assert status == 0
    objects = [json.loads(line) for line in out]
    assert [o["input"] for o in objects] == lines
    return objects


def test_the_issue_counts() -> None:
    assert len(VALID) >= 149  # the issue counted 149 valid test numbers for our carriers


def test_every_valid_number_as_printed(tmp_path, monkeypatch, capsys) -> None:
    results = _scan(tmp_path, monkeypatch, capsys, [n for n, _c, _f in VALID])
    wrong = [
        (number, o["carrier"], o["format"], o["valid"])
        for (number, carrier, fmt), o in zip(VALID, results, strict=True)
        if (o["kind"], o["carrier"], o["format"], o["valid"]) != ("tracking", carrier, fmt, True)
        or o["check_digit"] != (fmt in CHECKED_FORMATS)
    ]
    assert wrong == []


def test_every_valid_number_with_the_spacing_a_person_types(tmp_path, monkeypatch, capsys):
    # The data set's spec splits each number in two with two spaces; and lower case.
    lines = []
    for number, _c, _f in VALID:
        code = compact(number)
        lines += [code[: len(code) // 2] + "  " + code[len(code) // 2 :], code.lower()]
    results = _scan(tmp_path, monkeypatch, capsys, lines)
    expected = [(c, True) for _n, c, _f in VALID for _twice in (1, 2)]
    assert [(o["carrier"], o["valid"]) for o in results] == expected


def test_every_invalid_number_is_refused(tmp_path, monkeypatch, capsys) -> None:
    results = _scan(tmp_path, monkeypatch, capsys, [n for n, _c, _f in INVALID])
    for (number, carrier, fmt), o in zip(INVALID, results, strict=True):
        assert not (o["format"] == fmt and o["valid"]), number
        assert not (o["carrier"] == carrier and o["valid"]), number
        kind = VALID_AS_SOMETHING_ELSE.get(compact(number))
        if kind is None:
            assert o["valid"] is not True, (number, o)
        else:
            assert o["kind"] == kind and o["valid"] is True


@pytest.mark.parametrize(
    ("number", "carrier"), [("TBA502887274000", "amazon"), ("LX17635036", "lasership")]
)
def test_no_check_digit_says_so(tmp_path, monkeypatch, capsys, number: str, carrier: str):
    (result,) = _scan(tmp_path, monkeypatch, capsys, [number])
    assert (result["carrier"], result["valid"], result["check_digit"]) == (carrier, True, False)
