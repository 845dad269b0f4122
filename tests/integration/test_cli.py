"""The ``station`` command, in-process (fast) and once as a real console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from main import cli


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_db_upgrade_creates_then_reports_no_change(tmp_path, capsys):
    data = tmp_path / "d"
    code, out, _ = run(capsys, "db", "upgrade", "--data-dir", str(data), "--json")
    first = json.loads(out)
    assert code == 0 and first["from_revision"] is None and first["to_revision"]
    assert (data / "station.sqlite3").exists()
    code, out, _ = run(capsys, "--json", "db", "upgrade", "--data-dir", str(data))
    assert json.loads(out)["from_revision"] == first["to_revision"]


def test_demo_seed_then_scan_a_demo_tracking_number(tmp_path, capsys):
    data = str(tmp_path / "d")
    code, out, _ = run(
        capsys, "demo", "seed", "--rmas", "60", "--history-days", "0", "--data-dir", data, "--json"
    )
    seeded = json.loads(out)
    assert code == 0 and seeded["seeded"] is True and seeded["rmas"] == 60
    tracking = next(v for k, v in seeded["sample_codes"].items() if "ups" in k.lower())

    code, out, _ = run(capsys, "scan", tracking.lower(), "--data-dir", data, "--json")
    result = json.loads(out)
    assert code == 0 and result["kind"] == "tracking" and result["carrier"] == "ups"
    assert result["valid"] is True and result["rma"]["number"].startswith("RMA-")
    assert result["rma"]["lines"] and result["normalized"] == tracking.upper()

    code, out, _ = run(capsys, "demo", "seed", "--data-dir", data, "--json")
    assert code == 1 and "already" in json.loads(out)["error"]
    code, out, _ = run(capsys, "demo", "seed", "--if-empty", "--data-dir", data, "--json")
    assert code == 0 and json.loads(out)["seeded"] is False


def test_scan_unknown_and_errors(tmp_path, capsys):
    data = str(tmp_path / "d")
    code, out, _ = run(capsys, "scan", "NOTHING-HERE", "--data-dir", data, "--json")
    result = json.loads(out)
    assert code == 0 and result == {
        **result,
        "kind": "unknown",
        "rma": None,
        "normalized": "NOTHING-HERE",
    }
    code, out, _ = run(capsys, "scan", "   ", "--data-dir", data, "--json")
    assert code == 1 and "Empty scan" in json.loads(out)["error"]
    code, out, err = run(capsys, "scan", "   ", "--data-dir", data)
    assert code == 1 and "Empty scan" in out + err  # batch output keeps input order


def test_bad_settings_file_is_named(tmp_path, capsys):
    data = tmp_path / "d"
    data.mkdir()
    (data / "settings.toml").write_text("stationid = 'B7'\n", encoding="utf-8")
    code, out, _ = run(capsys, "scan", "X", "--data-dir", str(data), "--json")
    error = json.loads(out)["error"]
    assert code == 1 and "settings.toml" in error and "stationid" in error


def test_console_script_uses_station_data_dir(tmp_path):
    env = {**os.environ, "STATION_DATA_DIR": str(tmp_path / "envdata")}
    script = Path(sys.executable).with_name("station")
    if not script.exists():
        pytest.fail(f"console script not installed next to {sys.executable}")
    done = subprocess.run(
        [str(script), "db", "upgrade", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "envdata" / "station.sqlite3").exists()
    done = subprocess.run(
        [str(script), "rma", "import", str(tmp_path / "missing.csv"), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0 and "missing.csv" in json.loads(done.stdout)["error"]


def test_a_reader_that_stops_reading_is_no_traceback(tmp_path):
    """``station … --json | head`` with a reader gone before the output is written: no
    traceback on stderr, and the status a shell gives a process ended by SIGPIPE."""
    env = {**os.environ, "STATION_DATA_DIR": str(tmp_path / "data")}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone: every write fails with EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "main", "db", "upgrade", "--json"],
            cwd=Path(__file__).resolve().parents[2], env=env, stdout=write_end,
            stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 141
    assert (tmp_path / "data" / "station.sqlite3").exists()  # the work itself was done


SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "sample_data"


def test_rma_import_sample_then_reimport_then_scan(tmp_path, capsys):
    data = str(tmp_path / "d")
    assert (
        run(capsys, "demo", "seed", "--rmas", "5", "--history-days", "0", "--data-dir", data)[0]
        == 0
    )
    code, out, _ = run(
        capsys, "rma", "import", str(SAMPLES / "rmas-sample.csv"), "--data-dir", data, "--json"
    )
    report = json.loads(out)
    assert code == 0 and report["created"] > 0 and report["errors"] == []
    assert report["encoding"] == "utf-8-sig"
    code, out, _ = run(
        capsys, "rma", "import", str(SAMPLES / "rmas-sample.csv"), "--data-dir", data, "--json"
    )
    again = json.loads(out)
    assert again["created"] == 0 and again["unchanged"] == report["created"]

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "rma_number,seller,channel,sku,qty\nRMA-T-1,NORDKNIT,shopify,X,2\n"
        "RMA-T-2,NOSUCH,shopify,X,1\nRMA-T-3,NORDKNIT,carrier pigeon,X,1\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "rma", "import", str(bad), "--data-dir", data)
    assert code == 3
    assert f"{bad}:3:" in err and f"{bad}:4:" in err and "1 created" in out
    code, out, _ = run(capsys, "scan", "rma-t-1", "--data-dir", data, "--json")
    assert json.loads(out)["rma"]["lines"][0]["qty_expected"] == 2


def test_a_demo_return_is_judged_by_its_sellers_standard_and_explained_later(tmp_path, capsys):
    from sqlalchemy import select

    from station.context import AppContext
    from station.models import Rma, RmaLine, Seller, Sku
    from station.services.receiving import open_inspection, receive_parcel
    from station.settings import load_settings

    data = tmp_path / "d"
    assert (
        run(capsys, "demo", "seed", "--rmas", "40", "--history-days", "0", "--data-dir", str(data))[
            0
        ]
        == 0
    )
    context = AppContext.build(load_settings(data))
    try:
        with context.db.read() as session:
            number, line_id = session.execute(
                select(Rma.number, RmaLine.id)
                .join(RmaLine, RmaLine.rma_id == Rma.id)
                .join(Sku, Sku.id == RmaLine.sku_id)
                .join(Seller, Seller.id == Rma.seller_id)
                .where(Seller.code == "VOLTIQ", Sku.category == "electronics")
                .limit(1)
            ).one()
        parcel = receive_parcel(context.db, context.actor, number, number)
        inspection = open_inspection(
            context.db, context.actor, context.standards, parcel.id, line_id
        )
    finally:
        context.close()
    assert inspection.standard_id == "voltiq-electronics"

    code, out, _ = run(capsys, "rules", "explain", "--inspection", str(inspection.id),
                       "--data-dir", str(data), "--json")  # fmt: skip
    explained = json.loads(out)
    assert code == 0 and explained["standard"]["hash"] == inspection.standard_hash
    assert explained["result"]["complete"] is False and explained["result"]["missing"]
    assert explained["recorded"]["reproduced"] is None  # no verdict yet

    code, out, _ = run(capsys, "rules", "check", "--json", "--data-dir", str(data))
    checked = json.loads(out)
    assert code == 0 and checked["ok"] and len(checked["standards"]) == 7


def test_demo_history_feeds_labels_and_reports(tmp_path, capsys):
    from datetime import timedelta

    from sqlalchemy import select

    from station.context import AppContext
    from station.models import Inspection, Lpn
    from station.settings import load_settings
    from station.timeutil import today_utc

    data = str(tmp_path / "d")
    code, out, _ = run(capsys, "demo", "seed", "--rmas", "40", "--history-days", "1",
                       "--data-dir", data, "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["history"]["inspections"] > 0
    context = AppContext.build(load_settings(data))
    try:
        with context.db.read() as session:
            lpn, inspection_id = session.execute(
                select(Lpn.code, Lpn.inspection_id).join(Inspection).limit(1)
            ).one()
    finally:
        context.close()

    label = tmp_path / "label.pdf"
    code, out, _ = run(capsys, "label", lpn, "--kind", "route", "--format", "pdf", "--size",
                       "4x6", "--out", str(label), "--data-dir", data, "--json")  # fmt: skip
    assert code == 0 and label.read_bytes().startswith(b"%PDF")

    report = tmp_path / "inspection.pdf"
    code, _out, _ = run(capsys, "report", "inspection", str(inspection_id), "--lang", "zh-CN",
                        "--out", str(report), "--data-dir", data)  # fmt: skip
    assert code == 0 and report.read_bytes().startswith(b"%PDF")

    daily = tmp_path / "daily.pdf"
    yesterday = (today_utc() - timedelta(days=1)).isoformat()
    code, _out, err = run(capsys, "report", "daily", "--seller", "NORDKNIT", "--date", yesterday,
                          "--out", str(daily), "--data-dir", data)  # fmt: skip
    assert code == 0, err
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(daily).pages)
    assert "NORDKNIT" in text or "Nordknit" in text


def test_endpoint_changes_from_the_command_line_need_a_sync_manager(tmp_path, capsys, monkeypatch):
    from station.context import AppContext
    from station.services.users import add_user
    from station.settings import load_settings

    data = str(tmp_path / "d")
    assert run(capsys, "db", "upgrade", "--data-dir", data)[0] == 0
    context = AppContext.build(load_settings(Path(data)))
    try:
        add_user(context.db, context.actor, "ada", "Ada Admin", "admin", pin="2468")
    finally:
        context.close()
    url = "https://wms.example/hooks"
    code, out, _ = run(capsys, "sync", "endpoint", "add", url, "--data-dir", data, "--json")
    assert code == 1 and "sign in" in json.loads(out)["error"]
    monkeypatch.setenv("STATION_PIN", "2468")
    code, out, _ = run(
        capsys, "sync", "endpoint", "add", url, "--as", "ada", "--data-dir", data, "--json"
    )
    added = json.loads(out)
    assert code == 0 and added["url"] == url and added["secret"].startswith("whsec_")
    code, out, _ = run(
        capsys, "sync", "endpoint", "disable", added["id"], "--as", "ada", "--data-dir", data
    )
    assert code == 0 and "disabled" in out
