"""Events produced by the real services match the published schemas; broken ones are refused."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from labels.config import LabelsConfig
from station.models import Lpn, OutboxEvent, Rma, RmaLine, Verdict
from station.outbox import add_outbox_event
from station.services import inspections as svc
from station.services.events import (
    VERDICT_REVISED,
    verdict_event_id,
    verdict_revised_payload,
)
from station.services.facts import standard_of
from station.services.labels import issue_labels
from station.services.receiving import receive_parcel
from station.sync.events import (
    EVENT_TYPES,
    SCHEMA_DIR,
    EventSchemaError,
    all_schemas,
    schema_for,
    validate_event,
)
from tests.core.test_inspections import GOOD_ANSWERS, _answer_all, _open
from tests.factories import UPS, make_rma

# Everything the "Sync" issue says a verdict event carries, by the key that carries it.
VERDICT_KEYS = {
    "site", "station", "grader",
    "rma", "order_id", "return_id", "line_id", "line_ids", "line_no", "upstream_line_id",
    "sku", "gtin", "quantity", "lpn", "serial", "serials",
    "grade", "disposition", "shopify_disposition_type", "refund", "responsibility",
    "reason_codes", "standard", "photos", "report",
    "inspection_id", "verdict_id", "revision", "supersedes", "blind", "channel", "seller",
    "warnings", "decided_at",
}  # fmt: skip


def _events(db, event_type: str) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type == event_type)
            .order_by(OutboxEvent.created_at)
        )  # fmt: skip
        return [row.payload for row in rows]


@pytest.fixture
def finalized(db, actor, standards, catalog):
    make_rma(db, "RMA-1", tracking=UPS, order_id="gid://shopify/Order/1", price="89.90")
    with db.write() as session:
        session.scalar(select(Rma)).external_id = "gid://shopify/Return/77"
        line = session.scalar(select(RmaLine))
        line.serials = ["SN-EXPECTED-1"]
        line.external_id = "gid://shopify/ReturnLineItem/9001"
    inspection = _open(db, actor, standards)
    _answer_all(db, actor, standards, inspection.id, GOOD_ANSWERS)
    return svc.finalize_inspection(db, actor, standards, inspection.id)


def test_every_schema_file_is_a_valid_2020_12_schema():
    schemas = all_schemas()
    assert set(schemas) == {f"{t}.v1.json" for t in EVENT_TYPES}
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        event_type = name.removesuffix(".v1.json")
        assert event_type in schema["$id"] and schema["$id"].endswith(":v1")
        assert schema["additionalProperties"] is False
        assert schema["properties"]["data"]["additionalProperties"] is False
        assert schema["properties"]["type"] == {"const": event_type}


def test_verdict_event_validates_and_carries_every_field(db, finalized):
    [event] = _events(db, "inspection.verdict.recorded")
    validate_event(event)
    assert set(event) == {"id", "type", "schema_version", "occurred_at", "data"}
    data = event["data"]
    assert set(data) == VERDICT_KEYS
    assert data["return_id"] == "gid://shopify/Return/77"
    assert data["order_id"] == "gid://shopify/Order/1"
    assert data["line_ids"] == [data["line_id"]] and data["line_id"] is not None
    assert data["upstream_line_id"] == "gid://shopify/ReturnLineItem/9001"
    assert data["serials"] == ["SN-EXPECTED-1"]
    assert data["lpn"] == finalized.lpn and data["quantity"] == 1
    assert set(data["refund"]) == {"kind", "percent", "amount", "currency"}
    assert set(data["standard"]) == {"id", "version", "hash"}
    assert data["report"]["kind"] == "inspection_report"
    assert data["report"]["inspection_id"] == data["inspection_id"]
    assert data["supersedes"] is None and data["revision"] == 1


def test_blind_parcel_emits_return_received(db, actor):
    parcel = receive_parcel(db, actor, "  UNKNOWN-CODE ", tracking_number=UPS, carrier="ups")
    [event] = _events(db, "return.received")
    validate_event(event)
    data = event["data"]
    assert data["parcel_id"] == str(parcel.id)
    assert data["blind"] is True and data["rma"] is None and data["seller"] is None
    assert (data["scanned_code"], data["tracking_number"], data["carrier"]) == (
        "UNKNOWN-CODE",
        UPS,
        "ups",
    )
    assert (data["site"], data["station"]) == (actor.site_id, actor.station_id)


def test_matched_parcel_names_its_rma(db, actor, catalog):
    make_rma(db, "RMA-9", tracking=UPS)
    receive_parcel(db, actor, UPS, "RMA-9")
    [event] = _events(db, "return.received")
    validate_event(event)
    assert event["data"]["rma"] == "RMA-9" and event["data"]["seller"] == "NORDKNIT"


def test_label_events_validate(db, actor, standards, finalized):
    issue_labels(db, actor, standards, LabelsConfig(), None,
                 kinds=("lpn", "route", "receipt"), inspection_id=finalized.inspection_id)  # fmt: skip
    events = _events(db, "label.printed")
    assert [e["data"]["kind"] for e in events] == ["lpn", "route", "receipt"]
    for event in events:
        validate_event(event)
    assert events[0]["data"]["code"] == finalized.lpn
    assert events[0]["data"]["printer"] is None and events[0]["data"]["job_id"] is None


def test_a_revision_references_the_event_and_verdict_it_supersedes(db, actor, standards, finalized):
    with db.write() as session:
        first = session.scalar(select(Verdict))
        inspection = first.inspection
        revised = Verdict(
            inspection_id=inspection.id, revision=2, supersedes_id=first.id, grade="C",
            disposition="refurbish", refund_kind="partial", refund_percent=first.refund_percent / 2,
            refund_amount=None, currency=first.currency, responsibility="customer",
            reason_codes=["dispute.upheld_partially"], standard_hash=first.standard_hash,
        )  # fmt: skip
        session.add(revised)
        session.flush()
        lpn = session.scalar(select(Lpn).where(Lpn.inspection_id == inspection.id))
        first_event_id = verdict_event_id(session, first)
        assert first_event_id is not None
        payload = verdict_revised_payload(
            actor, inspection, revised, lpn, standard_of(standards, inspection),
            superseded_event_id=first_event_id, superseded=first, reason="supervisor review",
        )  # fmt: skip
        add_outbox_event(session, event_type=VERDICT_REVISED, aggregate_type="inspection",
                         aggregate_id=inspection.id, payload=payload)  # fmt: skip
    [event] = _events(db, VERDICT_REVISED)
    validate_event(event)
    recorded = _events(db, "inspection.verdict.recorded")[0]
    assert event["data"]["supersedes"] == {
        "event_id": recorded["id"],
        "verdict_id": recorded["data"]["verdict_id"],
        "revision": 1,
    }
    assert event["data"]["revision"] == 2 and event["data"]["refund"]["amount"] is None

    skipped = copy.deepcopy(event)
    skipped["data"]["revision"] = 3
    with pytest.raises(EventSchemaError, match=r"\$\.data\.revision"):
        validate_event(skipped)
    with pytest.raises(ValueError, match="does not follow"):
        verdict_revised_payload(actor, inspection, first, lpn, standard_of(standards, inspection),
                                superseded_event_id=first_event_id, superseded=first)  # fmt: skip


@pytest.mark.parametrize(
    ("break_it", "path", "words"),
    [
        (lambda e: e["data"].pop("grade"), "$.data.grade", "required"),
        (lambda e: e["data"]["refund"].update(kind="most"), "$.data.refund.kind", "is not one of"),
        (lambda e: e["data"].update(disposition="burn"), "$.data.disposition", "is not one of"),
        (
            lambda e: e["data"].update(shopify_disposition_type="GONE"),
            "$.data.shopify_disposition_type",
            "is not one of",
        ),
        (lambda e: e["data"].update(colour="red"), "$.data.colour", "Additional properties"),
        (lambda e: e.update(extra=1), "$.extra", "Additional properties"),
        (lambda e: e.update(id="not-a-uuid"), "$.id", "uuid"),
        (lambda e: e.update(occurred_at="2024-05-01T10:00:00+02:00"), "$.occurred_at", "date-time"),
        (
            lambda e: e["data"]["photos"].append({"role": "x", "sha256": "nope"}),
            "$.data.photos[0].sha256",
            "does not match",
        ),
        (lambda e: e.update(schema_version=2), "$.type", "no schema v2"),
    ],
)
def test_broken_verdict_events_are_rejected_with_the_path(db, finalized, break_it, path, words):
    [event] = _events(db, "inspection.verdict.recorded")
    broken = json.loads(json.dumps(event))
    break_it(broken)
    with pytest.raises(EventSchemaError) as refused:
        validate_event(broken)
    message = str(refused.value)
    assert message.startswith("inspection.verdict.recorded: ")
    assert refused.value.path == path and path in message
    assert words in message


def test_unknown_type_is_refused():
    with pytest.raises(EventSchemaError, match=r"order\.shipped: \$\.type: no schema"):
        validate_event({"type": "order.shipped", "schema_version": 1})


def test_schema_for_reads_the_repository_files():
    assert SCHEMA_DIR.name == "schemas" and SCHEMA_DIR.parent.name == "resources"
    assert schema_for("return.received")["title"] == "Return received"


def test_the_complete_examples_in_the_docs_validate():
    """Receivers copy these examples; they must not drift from the schemas."""
    text = (SCHEMA_DIR.parents[1] / "docs" / "events.md").read_text(encoding="utf-8")
    blocks = [json.loads(b.split("```", 1)[0]) for b in text.split("```json\n")[1:]]
    complete = [b for b in blocks if "id" in b]
    assert {b["type"] for b in complete} == set(EVENT_TYPES) - {VERDICT_REVISED}
    for example in complete:
        validate_event(example)
