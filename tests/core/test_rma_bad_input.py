"""Hostile or broken RMA files: each gives one clear line per problem, never a traceback or a
hang, and the good RMAs of the same file are still imported.

The command-line cases run the real ``station`` CLI (in-process, or as a subprocess where a
regression would hang); the subprocess timeout is only a guard, never an assertion on time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from main import cli
from station.db import Database
from station.services import rma_import
from station.services.rma_files import MAX_FIELD_CHARS, MAX_FILE_BYTES
from station.services.rma_import import RmaImportFailed, import_rmas
from tests.core.test_rma_import import STATION, catalog, load  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("catalog")

STATION_SCRIPT = Path(sys.executable).with_name("station")
HEADER = "rma_number,seller,channel,sku,qty,unit_price,reason_text"
GOOD_1 = "R-1,NORDKNIT,amazon,NK-SWT-M,1,10.00,ok"
GOOD_3 = "R-3,VOLTEDGE,amazon,VE-PB-10K,2,25.00,ok"


def csv_file(tmp_path: Path, middle: str, name: str = "rmas.csv") -> Path:
    """Good RMA R-1 on line 2, ``middle`` from line 3, good RMA R-3 on the last line."""
    path = tmp_path / name
    path.write_text(f"{HEADER}\n{GOOD_1}\n{middle}\n{GOOD_3}\n", encoding="utf-8")
    return path


def good_json(number: str) -> dict[str, object]:
    return {
        "rma_number": number,
        "seller": "NORDKNIT",
        "channel": "amazon",
        "lines": [{"sku": "NK-SWT-M", "qty": 1}],
    }


@pytest.fixture
def run_cli(data_dir: Path, database_url: str, monkeypatch, capsys):
    """``station rma import`` in-process on the test database: (exit code, stdout, stderr)."""
    monkeypatch.setenv("STATION_DATABASE_URL", database_url)

    def run(path: Path | str) -> tuple[int, str, str]:
        code = cli(["rma", "import", str(path), "--data-dir", str(data_dir)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def run_station(data_dir: Path, database_url: str, path: Path | str) -> tuple[int, str, str]:
    """The real console script; the timeout turns a hang into a failure, not a stuck suite."""
    env = {**os.environ, "STATION_DATABASE_URL": database_url}
    # Private, as the station makes its data folder, so stderr holds only the import's words.
    for private in (data_dir, data_dir / "station.sqlite3"):
        if private.exists():
            private.chmod(0o700 if private.is_dir() else 0o600)
    done = subprocess.run(
        [str(STATION_SCRIPT), "rma", "import", str(path), "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def assert_one_problem(err: str, where: str, *words: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err[:2000]
    assert lines[0].startswith(where), lines[0][:500]
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in err
    return lines[0]


def assert_good_rmas_kept(db: Database, *numbers: str) -> None:
    for number in numbers:
        assert load(db, number) is not None, number


# --- through the command line -----------------------------------------------------------------


def test_ten_megabyte_quoted_field_is_one_problem_and_the_good_rows_stay(
    db: Database, data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    huge = '"' + "x\n" * 5_000_000 + '"'  # 10 MB over 5,000,001 lines
    path = csv_file(tmp_path, f"R-2,NORDKNIT,amazon,NK-SWT-M,1,1.00,{huge}", "big.csv")
    code, out, err = run_station(data_dir, database_url, path)
    assert code == 3, err[:2000]
    line = assert_one_problem(err, f"{path}:3: ", "10000000 characters", "lines 3-5000003")
    assert f"at most {MAX_FIELD_CHARS}" in line and "RMA R-2 not imported" in line
    assert "2 created" in out
    assert_good_rmas_kept(db, "R-1", "R-3")
    assert load(db, "R-2") is None


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("qty", "two", ["not a whole number"]),
        ("qty", "99999999999999999999999", ["too large"]),
        ("qty", "9" * 5000, ["not a whole number"]),
        ("qty", "1\n2", ["not a whole number", '"1\\n2"']),
        ("unit_price", "abc", ["not a number"]),
        ("unit_price", "1e999999", ["too large"]),
        ("unit_price", "9" * 5000, ["not a number"]),
        ("unit_price", "NaN", ["not a number"]),
        ("unit_price", "-Infinity", ["not a number"]),
    ],
)
def test_non_numbers_in_qty_and_price_are_reported_on_their_row(
    db: Database, run_cli, tmp_path: Path, column: str, value: str, words: list[str]
) -> None:
    cells = {"qty": "1", "unit_price": "1.00"} | {column: value}
    quoted = {name: f'"{text}"' if "\n" in text else text for name, text in cells.items()}
    path = csv_file(
        tmp_path, f"R-2,NORDKNIT,amazon,NK-SWT-M,{quoted['qty']},{quoted['unit_price']},x"
    )
    code, _out, err = run_cli(path)
    assert code == 3
    assert_one_problem(err, f"{path}:3: ", f'column "{column}"', *words, "RMA R-2 not imported")
    assert_good_rmas_kept(db, "R-1", "R-3")


def test_deeply_nested_json_element_is_refused_and_the_other_rmas_kept(
    db: Database, run_cli, tmp_path: Path
) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    text = f"[{json.dumps(good_json('J-1'))},\n{deep},\n{json.dumps(good_json('J-3'))}]\n"
    path = tmp_path / "deep.json"
    path.write_text(text, encoding="utf-8")
    code, _out, err = run_cli(path)
    assert code == 3
    assert_one_problem(err, f"{path}:2: ", "item 2", "nested more than 64 levels")
    assert_good_rmas_kept(db, "J-1", "J-3")


def test_deep_json_that_never_closes_is_one_error_at_its_place(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "open.json"
    path.write_text("[" * 100_000, encoding="utf-8")
    code, _out, err = run_cli(path)
    assert code == 1
    assert_one_problem(err, f"station: error: {path}:1:", "nested more than 64 levels")


def test_a_fifo_is_refused_without_blocking(
    data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    fifo = tmp_path / "rmas.csv"
    os.mkfifo(fifo)
    code, _out, err = run_station(data_dir, database_url, fifo)
    assert code == 1
    assert_one_problem(err, f"station: error: {fifo}: ", "not a file")


@pytest.mark.parametrize("path", ["/dev/null"])
def test_a_device_is_refused(run_cli, path: str) -> None:
    code, _out, err = run_cli(path)
    assert code == 1
    assert_one_problem(err, f"station: error: {path}: ", "device or a pipe")


# --- through the service ----------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as file:
        file.write(f"{HEADER}\n{GOOD_1}\n".encode())
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: no 50 MB written to the disk
    with pytest.raises(RmaImportFailed, match=f"larger than {MAX_FILE_BYTES // 2**20} MB"):
        import_rmas(db, path, station_id=STATION)
    assert load(db, "R-1") is None


def test_an_over_long_header_cell_refuses_the_file(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text(f'{HEADER},"{"h" * (MAX_FIELD_CHARS + 1)}"\n{GOOD_1}\n', encoding="utf-8")
    with pytest.raises(RmaImportFailed, match=r":1: header row: a value on this row is"):
        import_rmas(db, path, station_id=STATION)


def test_an_unreadable_row_skips_its_whole_rma(db: Database, tmp_path: Path) -> None:
    """A return with a missing line would be received wrongly: the other row of R-2 (line 4)
    is good, but line 3 of the same RMA could not be read, so R-2 is not imported at all."""
    path = csv_file(
        tmp_path,
        f'R-2,NORDKNIT,amazon,NK-SWT-M,1,1.00,"{"y" * (MAX_FIELD_CHARS + 1)}"\n'
        "R-2,NORDKNIT,amazon,NK-SCF-01,1,1.00,fine",
    )
    report = import_rmas(db, path, station_id=STATION)
    assert [(error.line, "R-2 not imported" in error.message) for error in report.errors] == [
        (3, True)
    ]
    assert load(db, "R-2") is None
    assert_good_rmas_kept(db, "R-1", "R-3")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("bad\x00text", "cannot be stored (\\x00)"),
        ("bad\ud800text", "cannot be stored (\\ud800)"),
    ],
)
def test_text_no_database_can_store_is_refused_on_its_row(
    db: Database, tmp_path: Path, value: str, words: str
) -> None:
    items = [good_json("J-1"), {**good_json("J-2"), "customer_ref": value}, good_json("J-3")]
    path = tmp_path / "text.json"
    path.write_text(json.dumps(items, indent=1), encoding="utf-8")  # \u escapes in the file
    report = import_rmas(db, path, station_id=STATION)
    assert len(report.errors) == 1 and words in report.errors[0].message
    assert "\n" not in str(report.errors[0])
    assert_good_rmas_kept(db, "J-1", "J-3")


def test_a_nul_in_a_csv_cell_costs_only_its_rma(db: Database, tmp_path: Path) -> None:
    path = csv_file(tmp_path, 'R-2,NORDKNIT,amazon,NK-SWT-M,1,1.00,"a\x00\nb""\x00"')
    report = import_rmas(db, path, station_id=STATION)
    assert [error.line for error in report.errors] == [3]
    assert "(\\x00)" in report.errors[0].message
    assert_good_rmas_kept(db, "R-1", "R-3")


def test_a_json_integer_with_thousands_of_digits_is_a_row_problem(
    db: Database, tmp_path: Path
) -> None:
    items = [good_json("J-1"), good_json("J-2"), good_json("J-3")]
    text = json.dumps(items).replace('"qty": 1}', '"qty": ' + "9" * 5000 + "}", 1)
    text = text.replace('"J-1"', '"J-0"').replace('"J-2"', '"J-1"', 1)  # the big one is J-0
    path = tmp_path / "digits.json"
    path.write_text(text, encoding="utf-8")
    report = import_rmas(db, path, station_id=STATION)
    assert len(report.errors) == 1 and "lines[0].qty" in report.errors[0].message
    assert_good_rmas_kept(db, "J-1", "J-3")


def test_a_value_the_database_refuses_costs_only_its_own_rma(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a value pass the validators but not the database, the batch is written again
    one RMA at a time: the good RMAs of the batch are kept and the bad one is reported."""
    write_batch = rma_import._write_batch

    def refuse_r2(session, batch, **kwargs):
        if any(source.record.rma_number == "R-2" for source, _seller in batch):
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return write_batch(session, batch, **kwargs)

    monkeypatch.setattr(rma_import, "_write_batch", refuse_r2)
    path = csv_file(tmp_path, "R-2,NORDKNIT,amazon,NK-SCF-01,1,1.00,ok")
    report = import_rmas(db, path, station_id=STATION)
    assert (report.created, report.skipped) == (2, 1)
    assert [str(error) for error in report.errors] == [
        f"{path}:3: could not be stored (Python int too large to convert to SQLite INTEGER) "
        "(RMA R-2 not imported)"
    ]
    assert_good_rmas_kept(db, "R-1", "R-3")
    assert load(db, "R-2") is None
