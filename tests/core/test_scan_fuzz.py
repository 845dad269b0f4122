"""``resolve_scan`` and ``station scan`` on whatever a scanner, a keyboard or a shell can send.

An outside attack found 2 crashing inputs in 1,500 random codes (issue 14). The strategies here
are wider than tests/core/test_scan_barcodes.py's: every Unicode code point including lone
surrogates (what Python makes of bytes that are not UTF-8 in ``argv`` or on stdin) and NUL,
GS1 separators and AIM prefixes, digit strings of every length, AI-shaped strings with
impossible dates, very long strings. The answer is a ScanResult or a one-line ScanError,
never anything else.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from station.services.scanning import ScanError, ScanKind, resolve_scan
from tests.factories import make_rma

REPO = Path(__file__).resolve().parents[2]
CLI = "import sys; from main import cli; sys.exit(cli(sys.argv[1:]))"

AIS = ["00", "01", "02", "10", "11", "13", "15", "17", "21", "240", "30", "37", "310", "3103",
       "392", "400", "401", "410", "414", "420", "421", "422", "7003", "8003", "8004", "8020",
       "90", "91", "99"]  # fmt: skip
AIM = ["]C1", "]d2", "]Q3", "]e0", "]J1", "]E0", "]C0", "]Z9", "]", ""]

any_char = st.characters(codec=None, categories=None)  # surrogates and controls included
digits = st.text(alphabet="0123456789", min_size=1, max_size=60)
ai_value = st.text(alphabet="0123456789ABCabc-/", max_size=24)
hri = st.lists(st.tuples(st.sampled_from(AIS), ai_value), min_size=1, max_size=4).map(
    lambda parts: "".join(f"({ai}){value}" for ai, value in parts)
)
element_string = st.tuples(
    st.sampled_from(AIM),
    st.lists(st.tuples(st.sampled_from(AIS), ai_value), min_size=1, max_size=4),
).map(lambda t: t[0] + "\x1d".join(ai + value for ai, value in t[1]))
dates = st.tuples(st.sampled_from(["(17)", "17", "]C117", "(01)09501101530003(17)"]),
                  st.text(alphabet="0123456789", min_size=0, max_size=8))  # fmt: skip
carrier_shaped = st.tuples(
    st.sampled_from(["1Z", "TBA", "JD", "JJD", "RB", "LX", "EE", "92", "94", "420", "96", "C",
                     "GM", "LY", "YT", "UUS", "SF", "JT", "00", "01"]),
    digits,
).map("".join)  # fmt: skip
CODES = st.one_of(
    st.text(alphabet=any_char, max_size=40),
    st.text(alphabet="0123456789 \x1d\x00\x1c\x1e\x1f\t\r\n\u00a0\u3000]C1d2()-#", max_size=60),
    digits,
    hri,
    element_string,
    dates.map("".join),
    carrier_shaped,
    st.text(alphabet="٠١٢٣٤٥٦٧٨٩０１２３４５６７８９²³¹0123456789", min_size=1, max_size=30),
    st.builds(
        lambda s, n: s * n,
        st.text(alphabet=any_char, min_size=1, max_size=8),
        st.integers(500, 20_000),
    ),
)


@pytest.fixture
def rmas(db, catalog):
    make_rma(db, "RMA-FZ-000001", tracking="1Z5R89390357567127")
    return catalog


def _check(db, text: str) -> None:
    try:
        result = resolve_scan(db, text)
    except ScanError as error:  # empty, or unusable: a clear one-line error on purpose
        assert str(error) and "\n" not in str(error)
        return
    assert isinstance(result.kind, ScanKind)
    json.dumps(result.normalized, ensure_ascii=False).encode("utf-8")  # printable as output


@settings(
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=CODES)
@example(text="\udcff\udcfe")  # found: bytes 0xff 0xfe in argv, as Python decodes them
@example(text="\x00")  # found: PostgreSQL refuses NUL in any text parameter
def test_resolve_scan_answers_every_code(db, rmas, text: str) -> None:
    _check(db, text)


@pytest.mark.parametrize(
    "code",
    [
        "\udcff\udcfe",
        "A\udce9B",
        "RMA\x00FZ-000001",
        "1Z5R89390357567127\x00",
        "]C1" + "9" * 60,
        "(17)991340(01)09501101530003",
        "x" * 100_000,
    ],
)
def test_odd_codes_resolve(db, rmas, code: str) -> None:
    _check(db, code)


def test_a_code_that_is_not_utf8_is_reported_and_the_rest_still_resolved(
    tmp_path: Path,
) -> None:
    """``station scan`` in a real process: bytes from argv and stdin that are not UTF-8, NUL
    and control characters. Each code gets its line; nothing is a traceback."""
    data_dir = tmp_path / "data"
    # strict: as under a UTF-8 locale other than C.UTF-8, where a bad byte fails the read
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    stdin = b"A\xffB\n\x00\n1Z5R89390357567127\n(17)991340\n\x1b[31mred\n"
    done = subprocess.run(
        [sys.executable, "-c", CLI, "scan", "--json", "--data-dir", str(data_dir),
         b"\xff\xfe".decode("utf-8", "surrogateescape"), "-"],
        cwd=REPO, env=env, input=stdin, capture_output=True, timeout=120,
    )  # fmt: skip
    assert b"Traceback" not in done.stderr, done.stderr.decode("utf-8", "replace")
    lines = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert len(lines) == 6
    assert lines[0]["input"] == "\\xff\\xfe" and "error" in lines[0]
    assert lines[1]["input"] == "A\\xffB" and "error" in lines[1]
    assert lines[3]["kind"] == "tracking" and lines[3]["carrier"] == "ups"
    assert done.returncode == 1  # some codes failed; every other one was still answered


def test_digit_strings_of_every_length_resolve(db, rmas) -> None:
    for length in range(1, 61):
        for pattern in ("0", "9", "1234567890", "4006381333931"):
            _check(db, (pattern * length)[:length])


def test_what_is_not_text_is_refused_saying_what_and_where(db) -> None:
    with pytest.raises(ScanError, match=r"not UTF-8 text \(0xe9 at position 2\)"):
        resolve_scan(db, "A\udce9B")
    with pytest.raises(ScanError, match=r"NUL character at position 4"):
        resolve_scan(db, "RMA\x00FZ-000001")
