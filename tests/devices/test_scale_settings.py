"""The [scale] section's new keys: capacity_g and stable_policy, read from a real settings file."""

from __future__ import annotations

from pathlib import Path

import pytest

from station.settings import SETTINGS_FILE, file_settings, find_problems


def problems_in(tmp_path: Path, scale_section: str) -> dict[str, str]:
    (tmp_path / SETTINGS_FILE).write_text(f"[scale]\n{scale_section}\n", encoding="utf-8")
    return {p.key: p.message for p in find_problems(file_settings(tmp_path))}


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("capacity_g = 0.0", "more than 0"),
        ("capacity_g = -6000.0", "more than 0"),
        ("capacity_g = nan", "finite"),  # TOML has nan and inf; a scale's range is neither
        ("capacity_g = inf", "finite"),
        ("stable_delta_g = nan", "finite"),
        ("stable_policy = 'sometimes'", "either"),  # the choices are listed
    ],
)
def test_a_scale_setting_that_cannot_be_is_named(tmp_path: Path, line: str, words: str) -> None:
    key = "scale." + line.split(" =")[0]
    problems = problems_in(tmp_path, line)
    assert key in problems and words in problems[key]


def test_the_scale_policy_needs_a_pattern_that_sees_the_flag(tmp_path: Path) -> None:
    no_status = r"(?P<sign>[+-])(?P<value>\d+\.\d+)\s*(?P<unit>g)"
    section = (
        f"protocol = 'continuous'\nstable_policy = 'scale'\ncontinuous_pattern = '{no_status}'"
    )
    problems = problems_in(tmp_path, section)
    assert "status group" in problems["scale.stable_policy"]
    # With a status group, or another policy, the same settings are fine.
    assert problems_in(tmp_path, section.replace("'scale'", "'either'")) == {}
    assert problems_in(tmp_path, "protocol = 'continuous'\nstable_policy = 'scale'") == {}


def test_good_scale_settings_have_no_problem(tmp_path: Path) -> None:
    section = "capacity_g = 6000.0\nstable_policy = 'both'\nstable_delta_g = 0.5"
    assert problems_in(tmp_path, section) == {}
    settings = file_settings(tmp_path)
    assert (settings.scale.capacity_g, settings.scale.stable_policy) == (6000.0, "both")
