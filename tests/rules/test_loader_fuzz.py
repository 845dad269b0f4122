"""Property tests of the standards loader: whatever a standard file holds (YAML-ish text or a
real standard with garbage put into it), loading gives valid standards and/or problems that
each name the file with a line and column; it never raises.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from inspection_rules.loader import SHIPPED_DIR, load_standards
from inspection_rules.source import parse_yaml

FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SHIPPED = SHIPPED_DIR / "general.yaml"
BASE = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))

yaml_ish = st.lists(
    st.sampled_from([*"ab:-?[]{},&*!|>'\"#%@` \n\t\x00\\", "<<", "\ufeff", "é", "  "]),
    max_size=300,
).map("".join)
garbage = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=15,
)


def assert_problems_name_the_file(text: str, tmp_path: Path) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = load_standards([path])
    where = re.compile(rf"{re.escape(str(path))}:[0-9]+:[0-9]+: \S")
    for problem in result.problems:
        assert where.match(str(problem)), problem
        assert len(str(problem).splitlines()) == 1, problem
    assert result.ok or result.problems


@FUZZ
@given(text=yaml_ish | st.text(max_size=300))
@example(text="[" * 5000)
@example(text="- " * 5000 + "x")
@example(text="a: &a [*a]")
@example(text="a: !!python/object:os.system x")
def test_any_text_parses_to_nodes_or_problems(tmp_path: Path, text: str) -> None:
    _root, problems = parse_yaml(text, "fuzz.yaml")
    for problem in problems:
        assert problem.file == "fuzz.yaml" and problem.line >= 1 and problem.col >= 1
    assert_problems_name_the_file(text, tmp_path)


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in ``data`` a value could be replaced."""
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*path, index))
    return found


PLACES = _paths(BASE)[1:]


@FUZZ
@given(
    edits=st.lists(st.tuples(st.sampled_from(PLACES), garbage), min_size=1, max_size=3),
    new_id=st.booleans(),
)
def test_a_standard_with_garbage_in_it_loads_or_gives_problems(
    tmp_path: Path, edits: list[tuple[tuple[Any, ...], Any]], new_id: bool
) -> None:
    data = copy.deepcopy(BASE)
    for place, value in edits:
        target = data
        for step in place[:-1]:
            if not isinstance(target, dict | list):
                break
            try:
                target = target[step]
            except (KeyError, IndexError, TypeError):
                break
        else:
            if isinstance(target, dict) or (
                isinstance(target, list) and isinstance(place[-1], int) and place[-1] < len(target)
            ):
                target[place[-1]] = value
    if new_id and isinstance(data, dict):
        data["id"] = "fuzzed-standard"
    assert_problems_name_the_file(yaml.safe_dump(data, allow_unicode=True), tmp_path)
