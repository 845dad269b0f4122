"""``station sync pull-disputes`` end to end: a demo station, an upstream over loopback HTTP."""

from __future__ import annotations

import json

from pytest_httpserver import HTTPServer
from sqlalchemy import select

from main import cli
from station.db import Database
from station.models import Dispute, Lpn


def test_pull_disputes_from_the_command_line(tmp_path, capsys, httpserver: HTTPServer):
    data = tmp_path / "d"
    assert (
        cli(["demo", "seed", "--rmas", "40", "--history-days", "1", "--data-dir", str(data)]) == 0
    )
    db = Database.open(f"sqlite:///{data / 'station.sqlite3'}")
    with db.read() as session:
        lpn = session.scalars(select(Lpn.code)).first()
    assert lpn
    body = {"disputes": [{"external_id": "SH-77", "lpn": lpn, "reason": "Seller: item unworn",
                          "party": "seller"}], "next_cursor": None}  # fmt: skip
    httpserver.expect_request("/disputes").respond_with_json(body)
    capsys.readouterr()
    url = httpserver.url_for("/disputes")

    code = cli(["sync", "pull-disputes", "--url", url, "--data-dir", str(data), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["created"] == 1 and report["complete"] is True
    code = cli(["sync", "pull-disputes", "--url", url, "--reset", "--data-dir", str(data)])
    assert code == 0 and "0 new disputes, 1 already known" in capsys.readouterr().out
    with db.read() as session:
        [dispute] = session.scalars(select(Dispute)).all()
    assert dispute.external_id == "SH-77" and dispute.source == "upstream"
    db.dispose()
