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
