"""Standards folders nobody vetted: deep nesting, symlink loops, FIFOs, devices and huge files
each become a ``file:line:col`` problem of that file; the other standards still load, and
``station rules check`` says so in one line per problem, without a traceback or a hang.

Positions below are counted by hand from the texts written here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspection_rules.file_guard import MAX_DEPTH, MAX_STANDARD_BYTES
from inspection_rules.loader import SHIPPED_DIR, load_standards, standard_files
from main import cli

SHIPPED_COUNT = len(standard_files([SHIPPED_DIR]))
STATION_SCRIPT = Path(sys.executable).with_name("station")


def problems_of(folder: Path) -> list[str]:
    result = load_standards([SHIPPED_DIR, folder])
    assert len(result.standards) == SHIPPED_COUNT  # the good standards still load
    return [str(problem) for problem in result.problems]


def flow_deep(depth: int) -> str:
    return "id: deep\nvalue: " + "[" * depth + "]" * depth + "\n"


def block_deep(depth: int) -> str:
    """``depth`` mappings, each indented one more space than the one holding it."""
    return (
        "id: deep\n" + "".join(" " * level + "k:\n" for level in range(depth)) + " " * depth + "v\n"
    )


def test_deep_flow_yaml_is_refused_where_it_gets_too_deep(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text(flow_deep(100_000), encoding="utf-8")
    # The root mapping is level 1, so the 64th "[" is level 65: "value: " is 7 columns.
    assert problems_of(tmp_path) == [
        f"{tmp_path / 'deep.yaml'}:2:{7 + MAX_DEPTH}: nested more than {MAX_DEPTH} levels "
        "deep; a standard is never that deep"
    ]


def test_deep_block_yaml_is_refused_where_it_gets_too_deep(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text(block_deep(300), encoding="utf-8")
    # The root mapping (line 1) is level 1; the value of the "k" on line 2 is the mapping that
    # starts on line 3, column 2: level 2. So level 65 starts on line 66, column 65.
    assert problems_of(tmp_path) == [
        f"{tmp_path / 'deep.yaml'}:{MAX_DEPTH + 2}:{MAX_DEPTH + 1}: nested more than {MAX_DEPTH} "
        "levels deep; a standard is never that deep"
    ]


def test_depth_built_from_aliases_is_refused_too(tmp_path: Path) -> None:
    """Each anchor holds the previous one: shallow text, deep values."""
    chain = "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 200))
    (tmp_path / "alias.yaml").write_text(f"id: alias\na0: &a0 [1]\n{chain}", encoding="utf-8")
    problems = problems_of(tmp_path)
    assert any(f"nested more than {MAX_DEPTH} levels deep" in problem for problem in problems)
    assert all(problem.startswith(f"{tmp_path / 'alias.yaml'}:") for problem in problems)


def test_symlink_loops_are_problems_of_their_own_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    (tmp_path / "self.yaml").symlink_to("self.yaml")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")  # a folder loop: not walked twice
    loop = os.strerror(40)  # ELOOP
    assert problems_of(tmp_path) == [
        f"{tmp_path / name}:1:1: cannot read the file: {loop}"
        for name in ("a.yaml", "b.yaml", "self.yaml")
    ]


def test_device_and_huge_file_are_refused(tmp_path: Path) -> None:
    """A FIFO is tested through a subprocess below: if a regression blocked on it, the guard
    timeout would end it instead of the whole suite hanging. For the same reason the device
    here is ``/dev/null``, which ends at once, rather than the endless ``/dev/zero``."""
    (tmp_path / "null.yaml").symlink_to(os.devnull)
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as file:
        file.truncate(MAX_STANDARD_BYTES + 1)  # sparse: nothing written to the disk
    assert problems_of(tmp_path) == [
        f"{huge}:1:1: the file is larger than {MAX_STANDARD_BYTES // 1024} KB; a standard is "
        "never that large",
        f"{tmp_path / 'null.yaml'}:1:1: not a regular file (a device); a standard is a .yaml file",
    ]


# --- through the command line -----------------------------------------------------------------


def check(capsys, folder: Path, data_dir: Path) -> tuple[int, str, str]:
    code = cli(["rules", "check", str(folder), "--data-dir", str(data_dir)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("name", "make", "where"),
    [
        ("flow.yaml", lambda path: path.write_text(flow_deep(100_000)), ":2:71: "),
        ("block.yaml", lambda path: path.write_text(block_deep(1000)), ":66:65: "),
        ("loop.yaml", lambda path: path.symlink_to(path.name), ":1:1: "),
    ],
)
def test_rules_check_reports_one_line_and_fails(
    tmp_path: Path, capsys, name: str, make, where: str
) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    make(folder / name)
    code, out, err = check(capsys, folder, tmp_path / "data")
    assert code == 1
    assert err.splitlines() == [err.splitlines()[0]]
    assert err.startswith(f"{folder / name}{where}")
    assert f"{SHIPPED_COUNT} standard(s) valid" in out
    assert "Traceback" not in out + err


def test_rules_check_on_a_fifo_does_not_block(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    os.mkfifo(folder / "fifo.yaml")
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    done = subprocess.run(
        [str(STATION_SCRIPT), "rules", "check", str(folder), "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=120,  # a guard against a hang, not a measurement
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{folder / 'fifo.yaml'}:1:1: not a regular file (a named pipe (FIFO)); a standard is a "
        ".yaml file"
    ]
    assert f"{SHIPPED_COUNT} standard(s) valid" in done.stdout
