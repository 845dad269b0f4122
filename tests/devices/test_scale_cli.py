"""`station scale read` and `station scale simulate`, against a running simulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devices.scale_simulator import ScaleSimulator
from main import cli

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *args: str) -> tuple[int, dict]:
    code = cli(list(args))
    out, _ = capsys.readouterr()
    return code, json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("protocol", ["mt-sics", "toledo-8217", "continuous"])
def test_scale_read_against_a_simulator(tmp_path, capsys, protocol: str) -> None:
    with ScaleSimulator(protocol, grams=250.0, seed=1) as sim:
        code, result = run(
            capsys, "scale", "read", "--port", sim.url, "--protocol", protocol,
            "--timeout", "15", "--json", "--data-dir", str(tmp_path),
        )  # fmt: skip
    assert code == 0
    assert result["stable"] is True and result["status"] == "ok"
    assert result["grams"] == pytest.approx(250.0, abs=1.0)
    assert result["raw"]


def test_scale_read_timeout_reports_the_last_reading(tmp_path, capsys) -> None:
    with ScaleSimulator("mt-sics", grams=250.0) as sim:
        sim.set_overload()
        code, result = run(
            capsys, "scale", "read", "--port", sim.url, "--protocol", "mt-sics",
            "--timeout", "1", "--json", "--data-dir", str(tmp_path),
        )  # fmt: skip
    assert code != 0
    assert result["stable"] is False and result["status"] == "overload"


def test_scale_read_on_a_missing_port(tmp_path, capsys) -> None:
    code, result = run(
        capsys, "scale", "read", "--port", "/dev/no-such-scale", "--protocol", "mt-sics",
        "--json", "--data-dir", str(tmp_path),
    )  # fmt: skip
    assert code != 0
    assert "/dev/no-such-scale" in result["error"]


def test_scale_simulate_prints_the_port_and_stops_on_ctrl_c(tmp_path, capsys) -> None:
    env = {**os.environ, "STATION_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "scale", "simulate", "--protocol", "continuous",
         "--grams", "42"],
        stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        assert port.startswith("/dev/")
        code, result = run(
            capsys, "scale", "read", "--port", port, "--protocol", "continuous",
            "--timeout", "15", "--json", "--data-dir", str(tmp_path),
        )  # fmt: skip
        assert code == 0 and result["grams"] == pytest.approx(42.0, abs=1.0)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# --- a scale in motion, values outside the range -------------------------------------------


def read(capsys, tmp_path: Path, sim: ScaleSimulator, *extra: str) -> tuple[int, dict]:
    return run(
        capsys, "scale", "read", "--port", sim.url, "--protocol", sim.protocol,
        "--unit", sim.unit, "--json", "--data-dir", str(tmp_path), *extra,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("protocol", "policy"),
    [
        ("mt-sics", "either"),  # the case: S D only, printed stable true
        ("mt-sics", "consecutive"),
        ("continuous", "either"),  # US lines only
        ("continuous", "both"),
        ("toledo-8217", "either"),  # status frames with the motion bit
    ],
)
def test_scale_read_on_a_scale_in_motion_is_not_stable(
    tmp_path, capsys, protocol: str, policy: str
) -> None:
    sim = ScaleSimulator(protocol, grams=250.0, seed=5)
    sim.set_motion()
    with sim:
        chosen = () if policy == "either" else ("--policy", policy)  # either: the default
        code, result = read(capsys, tmp_path, sim, "--timeout", "1.5", *chosen)
    assert code == 2
    assert result["stable"] is False and result["status"] == "unstable"
    if protocol != "toledo-8217":  # the value is shown, for the technician, as unstable
        assert result["grams"] == pytest.approx(250.0, abs=1.0)


@pytest.mark.parametrize("protocol", ["mt-sics", "toledo-8217", "continuous"])
def test_scale_read_never_prints_stable_with_another_status(
    tmp_path, capsys, protocol: str
) -> None:
    with ScaleSimulator(protocol, grams=250.0, seed=2) as sim:
        sim.place(900.0)  # read while it settles: unstable lines first, then stable ones
        code, result = read(capsys, tmp_path, sim, "--timeout", "15")
    assert code == 0
    assert (result["stable"], result["status"]) == (True, "ok")
    assert result["grams"] == pytest.approx(900.0, abs=1.0)


@pytest.mark.parametrize(
    ("protocol", "unit", "value_g", "status", "shown"),
    [
        ("mt-sics", "g", 1e20, "overload", "100000000000000000000.00 g"),
        ("mt-sics", "kg", -99_999_999_000.0, "underload", "-99999999.00 kg"),
        ("continuous", "g", 4.5e302, "overload", "ST,GS,+45"),
        ("toledo-8217", "lb", 1e20, "overload", "\x02"),
    ],
)
def test_scale_read_of_a_value_outside_the_range(
    tmp_path, capsys, protocol: str, unit: str, value_g: float, status: str, shown: str
) -> None:
    with ScaleSimulator(protocol, grams=250.0, unit=unit) as sim:
        sim.force_value(value_g)
        code, result = read(capsys, tmp_path, sim, "--timeout", "1")
    assert code == 2
    assert (result["stable"], result["status"], result["grams"]) == (False, status, None)
    assert shown in result["raw"]


def test_scale_read_of_values_that_are_not_numbers(tmp_path, capsys) -> None:
    with ScaleSimulator("mt-sics", grams=250.0) as sim:
        sim.force_value(float("nan"))
        code, result = read(capsys, tmp_path, sim, "--timeout", "1")
    assert code == 2
    assert (result["stable"], result["status"], result["grams"]) == (False, "error", None)
    assert "nan" in result["raw"] and result["error"]


def test_scale_read_capacity_from_the_command_line_and_from_settings(tmp_path, capsys) -> None:
    with ScaleSimulator("mt-sics", grams=2500.0) as sim:
        code, result = read(capsys, tmp_path, sim, "--timeout", "1", "--capacity", "2000")
        assert (code, result["status"], result["stable"]) == (2, "overload", False)
        (tmp_path / "settings.toml").write_text("[scale]\ncapacity_g = 2000.0\n")
        code, result = read(capsys, tmp_path, sim, "--timeout", "1")
        assert (code, result["status"], result["stable"]) == (2, "overload", False)
        code, result = read(capsys, tmp_path, sim, "--timeout", "15", "--capacity", "3000")
        assert (code, result["status"], result["stable"]) == (0, "ok", True)


@pytest.mark.parametrize("capacity", ["0", "-5", "nan", "inf", "heavy"])
def test_scale_read_refuses_a_capacity_that_is_not_one(tmp_path, capsys, capacity: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli(["scale", "read", "--port", "/dev/null", "--capacity", capacity,
             "--data-dir", str(tmp_path)])  # fmt: skip
    assert exit_.value.code != 0
    err = capsys.readouterr().err
    assert "--capacity" in err and capacity in err and "Traceback" not in err
    assert "not a capacity in grams" in err  # the option's own reason, not "unrecognized"
