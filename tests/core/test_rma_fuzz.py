"""Property tests of the RMA reader: whatever a file holds, reading it either gives a result or
``RmaImportFailed`` (never another exception), every problem is one line, and a bad row or
element never costs a good RMA of the same file.

The reader is what an outside file reaches first and needs no database, so these run on the
reader alone; the database side of a bad row is in test_rma_bad_input.py.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from station.services.rma_reading import ReadResult, RmaImportFailed, read_rma_file

FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
COLUMNS = ["rma_number", "seller", "channel", "sku", "qty", "unit_price", "gtin", "reason_text"]
GOOD = [
    ["GOOD-1", "NORDKNIT", "amazon", "NK-SWT-M", "1", "10.00", "", "fine"],
    ["GOOD-2", "VOLTEDGE", "ebay", "VE-PB-10K", "2", "1.234,50", "", 'with "quotes", and\nlines'],
]

# Text a hostile or broken export may hold: quotes, delimiters, line breaks, NUL and other
# control characters, huge or odd numbers, any Unicode (lone surrogates only where JSON can
# carry them, as \u escapes).
nasty_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from('",;\t\r\n\x00\\[]{}\u2028\ufeff\uffff'), max_size=20),
    st.sampled_from(
        ["NaN", "-Infinity", "1e999999", "9" * 5000, "-0", "1_000", "0x10", "１２", "1,2,3", ""]
    ),
    st.integers().map(str),
    st.from_regex(r"[+-]?[0-9]{1,30}([.,][0-9]{0,30})?([eE][+-]?[0-9]{1,7})?", fullmatch=True),
)


def read(path: Path) -> ReadResult | None:
    """The result, or ``None`` for the module's own refusal; any other exception fails."""
    try:
        result = read_rma_file(path)
    except RmaImportFailed as exc:
        assert len(str(exc).splitlines()) == 1, exc
        return None
    for problem in [*result.errors, *result.warnings]:
        assert len(problem.message.splitlines()) == 1, problem
    return result


def numbers(result: ReadResult | None) -> set[str]:
    return {rma.record.rma_number for rma in result.rmas} if result else set()


def to_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([COLUMNS, *rows])
    return out.getvalue()


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".json", ".txt", ".dat"]))
@example(data=b"[" * 5000, suffix=".json")
@example(data=b'{"rmas": ' + b"{" * 5000, suffix=".dat")
@example(data=b'sep="\nrma_number\n1\n', suffix=".csv")
@example(data=b"rma_number,seller\n\x00,\x00\n", suffix=".csv")
def test_any_bytes_give_a_result_or_the_modules_own_error(
    tmp_path: Path, data: bytes, suffix: str
) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    read(path)


@FUZZ
@given(text=st.text(max_size=500), suffix=st.sampled_from([".csv", ".json"]))
def test_any_text_gives_a_result_or_the_modules_own_error(
    tmp_path: Path, text: str, suffix: str
) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    read(path)


@FUZZ
@given(bad=st.lists(nasty_text, min_size=len(COLUMNS), max_size=len(COLUMNS) + 2))
@example(bad=["X", "NORDKNIT", "amazon", "S", "1", "1", "", 'a\x00\nb"\x00'])
@example(bad=["X", "NORDKNIT", "amazon", "S", "1", "1", "", "x\n" * 40_000])
def test_a_bad_csv_row_never_costs_a_good_rma(tmp_path: Path, bad: list[str]) -> None:
    bad[0] = f"FUZZ{bad[0]}"  # never the number of a good RMA
    path = tmp_path / "rows.csv"
    path.write_text(to_csv([GOOD[0], bad, GOOD[1]]), encoding="utf-8", errors="surrogatepass")
    result = read(path)
    assert numbers(result) >= {"GOOD-1", "GOOD-2"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | nasty_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def good_json(number: str) -> dict[str, Any]:
    return {
        "rma_number": number,
        "seller": "NORDKNIT",
        "channel": "amazon",
        "lines": [{"sku": "NK-SWT-M", "qty": 1, "unit_price": "49.90"}],
    }


@FUZZ
@given(
    element=json_values
    | st.fixed_dictionaries(
        {"rma_number": nasty_text},
        optional={
            "seller": nasty_text,
            "channel": nasty_text,
            "customer_ref": nasty_text,
            "tracking_numbers": json_values,
            "lines": st.lists(
                st.dictionaries(
                    st.sampled_from(["sku", "qty", "unit_price", "serials", "gtin", "line_no"]),
                    json_values,
                ),
                max_size=3,
            ),
        },
    ),
    envelope=st.booleans(),
)
def test_a_bad_json_element_never_costs_a_good_rma(
    tmp_path: Path, element: Any, envelope: bool
) -> None:
    if isinstance(element, dict) and "rma_number" in element:
        element["rma_number"] = f"FUZZ{element['rma_number']}"
    items = [good_json("GOOD-1"), element, good_json("GOOD-2")]
    text = json.dumps({"rmas": items} if envelope else items, indent=1)
    path = tmp_path / "items.json"
    path.write_text(text, encoding="utf-8")
    assert numbers(read(path)) >= {"GOOD-1", "GOOD-2"}


@FUZZ
@given(depth=st.integers(min_value=1, max_value=3000), opener=st.sampled_from(["[", '{"k":']))
def test_nesting_of_any_depth_is_read_or_refused_on_its_element(
    tmp_path: Path, depth: int, opener: str
) -> None:
    closer = "]" if opener == "[" else "}"
    nested = opener * depth + "1" + closer * depth
    text = f"[{json.dumps(good_json('GOOD-1'))},\n{nested},\n{json.dumps(good_json('GOOD-2'))}]"
    path = tmp_path / "nested.json"
    path.write_text(text, encoding="utf-8")
    result = read(path)
    assert numbers(result) == {"GOOD-1", "GOOD-2"}
    assert result is not None and {problem.line for problem in result.errors} == {2}
