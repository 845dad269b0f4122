"""``station audit verify`` and ``station audit export``, in-process, on a trail built through the
real services: exit codes, JSON, and exports a seller could check on their own."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import uuid
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from labels.config import LabelsConfig
from station.audit import GENESIS_HASH, canonical_json
from station.cli import main
from station.context import AppContext
from station.models import RmaLine
from station.services import inspections as svc
from station.services.labels import issue_labels
from station.services.receiving import open_inspection, receive_parcel
from station.settings import load_settings
from tests.factories import UPS, make_catalog, make_rma

BLIND = "1Z999AA10123456784-B"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _recipe_hash(event: dict[str, Any]) -> str:
    """The export header's hash recipe, re-implemented as a seller would."""
    body = {
        "prev": event["prev_hash"],
        "id": event["id"],
        "at": event["occurred_at"],
        "actor": event["actor_id"],
        "station": event["station_id"],
        "action": event["action"],
        "entity": [event["entity_type"], event["entity_id"]],
        "before": event["before"],
        "after": event["after"],
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


@pytest.fixture
def trail(tmp_path: Path) -> dict[str, Any]:
    """Two units on two parcels, their steps interleaved, each parcel with a receipt label."""
    data = tmp_path / "d"
    context = AppContext.build(load_settings(data))
    try:
        db, actor, standards = context.db, context.actor, context.standards
        make_catalog(db)
        make_rma(db, "RMA-1", tracking=UPS)
        parcel_a = receive_parcel(db, actor, UPS, "RMA-1")
        parcel_b = receive_parcel(db, actor, BLIND, tracking_number=BLIND)
        with db.read() as session:
            line_id = session.scalar(select(RmaLine.id))
        a = open_inspection(db, actor, standards, parcel_a.id, line_id)
        b = open_inspection(db, actor, standards, parcel_b.id)
        svc.record_weight(db, actor, a.id, 425.0, stable=True, device="sim")
        svc.record_weight(db, actor, b.id, 180.0, stable=True, device="sim")
        config = LabelsConfig(format="pdf")
        [label_a] = issue_labels(db, actor, standards, config, None, kinds=("receipt",),
                                 parcel_id=parcel_a.id)  # fmt: skip
        [label_b] = issue_labels(db, actor, standards, config, None, kinds=("receipt",),
                                 parcel_id=parcel_b.id)  # fmt: skip
    finally:
        context.close()
    return {
        "data": str(data),
        "db_file": data / "station.sqlite3",
        "a": {("inspection", str(a.id)), ("parcel", str(parcel_a.id)), ("label", str(label_a.id))},
        "a_id": str(a.id),
        "b": {("inspection", str(b.id)), ("parcel", str(parcel_b.id)), ("label", str(label_b.id))},
    }


def test_verify_intact_then_broken(trail, capsys):
    code, out, _ = run(capsys, "audit", "verify", "--data-dir", trail["data"])
    assert code == 0 and out.startswith("audit trail intact: ") and out.strip().endswith(" events")
    code, out, _ = run(capsys, "audit", "verify", "--data-dir", trail["data"], "--json")
    intact = json.loads(out)
    assert code == 0 and intact["ok"] is True and intact["first_broken_seq"] is None
    assert intact["events"] >= 8 and intact["reason"] is None

    with sqlite3.connect(trail["db_file"]) as con:  # an attacker with the file
        con.execute("DROP TRIGGER audit_events_no_update")
        seq, action, kind, entity = con.execute(
            "SELECT seq, action, entity_type, entity_id FROM audit_events "
            "WHERE action = 'weight.recorded' ORDER BY seq LIMIT 1"
        ).fetchone()
        con.execute("""UPDATE audit_events SET after = '{"grams": 1}' WHERE seq = ?""", (seq,))
    con.close()

    code, out, _ = run(capsys, "audit", "verify", "--data-dir", trail["data"])
    assert code == 2
    assert out.strip() == (
        f"audit trail BROKEN at event #{seq} ({action} on {kind} {entity}): "
        "content does not match its hash"
    )
    code, out, _ = run(capsys, "audit", "verify", "--json", "--data-dir", trail["data"])
    broken = json.loads(out)
    assert code == 2 and broken["ok"] is False and broken["first_broken_seq"] == seq
    assert broken["reason"] == "content does not match its hash" and broken["events"] == seq

    # The export still writes the evidence, and says the chain is broken.
    out_file = Path(trail["data"]) / "broken.json"
    code, _, _ = run(capsys, "audit", "export", "--data-dir", trail["data"],
                     "--output", str(out_file))  # fmt: skip
    assert code == 2 and json.loads(out_file.read_text("utf-8"))["chain"]["ok"] is False


def test_export_of_one_inspection_holds_only_its_events_and_they_check_out(trail, capsys, tmp_path):
    out_file = tmp_path / "a.json"
    code, out, _ = run(capsys, "audit", "export", "--inspection", trail["a_id"], "--json",
                       "--output", str(out_file), "--data-dir", trail["data"])  # fmt: skip
    assert code == 0
    summary = json.loads(out)
    exported = json.loads(out_file.read_text("utf-8"))
    assert exported["format"] == "station-audit-export/1"
    assert exported["chain"]["ok"] is True and exported["chain"]["head_hash"]
    assert exported["filters"]["inspection_id"] == trail["a_id"] and exported["hash_recipe"]
    events = exported["events"]
    entities = {(e["entity_type"], e["entity_id"]) for e in events}
    assert entities == trail["a"]  # the unit, its parcel and its label; nothing of unit B
    assert {e["action"] for e in events} == {
        "parcel.received", "inspection.opened", "weight.recorded", "label.printed",
    }  # fmt: skip
    for event in events:
        assert set(event) >= {"seq", "id", "occurred_at", "actor_id", "station_id", "before"}
        assert _recipe_hash(event) == event["hash"]  # every row checks on its own
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs)
    # Interleaved with unit B's steps, so not contiguous; where neighbours are, they link.
    assert exported["slice"] == summary["slice"] == {
        "count": len(events), "first_seq": seqs[0], "last_seq": seqs[-1],
        "contiguous": False, "links_ok": True,
    }  # fmt: skip

    csv_file = tmp_path / "a.csv"
    code, _, _ = run(capsys, "audit", "export", "--inspection", trail["a_id"], "--format", "csv",
                     "--output", str(csv_file), "--data-dir", trail["data"])  # fmt: skip
    assert code == 0
    with csv_file.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["seq"]) for r in rows] == seqs
    assert [r["hash"] for r in rows] == [e["hash"] for e in events]
    assert [r["prev_hash"] for r in rows] == [e["prev_hash"] for e in events]
    for row, event in zip(rows, events, strict=True):
        assert json.loads(row["after"]) == event["after"]


def test_export_of_the_whole_trail_links_row_to_row(trail, capsys):
    code, out, err = run(capsys, "audit", "export", "--data-dir", trail["data"])
    assert code == 0 and "events exported" in err  # the summary stays off standard output
    exported = json.loads(out)
    events = exported["events"]
    assert len(events) == exported["chain"]["events"]
    assert events[0]["prev_hash"] == GENESIS_HASH
    for previous, event in pairwise(events):
        assert event["seq"] == previous["seq"] + 1 and event["prev_hash"] == previous["hash"]
    assert events[-1]["hash"] == exported["chain"]["head_hash"]
    assert exported["slice"]["contiguous"] is True and exported["slice"]["links_ok"] is True


def test_export_filters_by_entity_and_day(trail, capsys):
    entity = next(entity_id for kind, entity_id in trail["b"] if kind == "inspection")
    code, out, _ = run(capsys, "audit", "export", "--entity-id", entity, "--since", "2000-01-01",
                       "--data-dir", trail["data"])  # fmt: skip
    events = json.loads(out)["events"]
    assert code == 0 and events and {e["entity_id"] for e in events} == {entity}
    code, out, _ = run(capsys, "audit", "export", "--until", "2000-01-01", "--format", "csv",
                       "--data-dir", trail["data"])  # fmt: skip
    assert code == 0 and list(csv.reader(io.StringIO(out)))[1:] == []


def test_export_refuses_a_bad_inspection(trail, capsys):
    code, out, _ = run(capsys, "audit", "export", "--inspection", "nope", "--json",
                       "--data-dir", trail["data"])  # fmt: skip
    assert code == 1 and "not an inspection id" in json.loads(out)["error"]
    code, out, _ = run(capsys, "audit", "export", "--inspection", str(uuid.uuid4()), "--json",
                       "--data-dir", trail["data"])  # fmt: skip
    assert code == 1 and "inspection" in json.loads(out)["error"]
