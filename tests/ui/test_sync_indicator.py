"""The window's sync indicator: pending while offline, failed letters listed and retried, and
the events a dead letter holds back (its unit's later ones) counted, shown, and released by
resolving it."""

from __future__ import annotations

import json

from werkzeug import Request, Response

from station.outbox import add_outbox_event
from station.sync.config import SyncConfig
from station.sync.endpoints import add_endpoint
from station.sync.relay import Relay
from tests.event_payloads import LABEL_PRINTED, label_printed
from tests.factories import make_user, sync_manager
from ui.viewmodels.sync import SyncViewModel
from ui.widgets.sync_indicator import SyncIndicator


def _event(db, unit: str) -> None:
    with db.write() as session:
        add_outbox_event(session, event_type=LABEL_PRINTED, aggregate_type="unit",
                         aggregate_id=unit, payload=label_printed(unit))  # fmt: skip


def test_offline_then_failed_then_retried(qtbot, db, runner, httpserver, refused_port):
    add_endpoint(
        db, sync_manager(db), f"http://127.0.0.1:{refused_port}/hook"
    )  # nobody listening: offline
    _event(db, "unit-1")
    relay = Relay(db, SyncConfig(request_timeout_s=2))
    relay.run_once()
    acting = {"now": make_user(db, "grader")}
    vm = SyncViewModel(db, runner, actor=lambda: acting["now"], refresh_ms=60_000)
    indicator = SyncIndicator(vm)
    qtbot.addWidget(indicator)
    qtbot.waitUntil(lambda: "offline" in indicator.text())
    assert "1 waiting" in indicator.text()

    # A receiver that refuses the event (422): it becomes a dead letter a supervisor can see.
    httpserver.expect_request("/hook").respond_with_data("bad payload", status=422)
    add_endpoint(db, sync_manager(db), httpserver.url_for("/hook"))
    _event(db, "unit-2")
    relay.run_once()
    vm.refresh()
    qtbot.waitUntil(lambda: "FAILED" in indicator.text())
    dialog = indicator.open_dead_letters()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() >= 1)
    assert "bad payload" in dialog.table.item(0, dialog.REPLY_COLUMN).text()
    assert dialog.retry_all.isEnabled()
    dialog.retry_all.click()  # a grader may not re-send a refused event
    qtbot.waitUntil(lambda: "may not" in dialog.message.text())
    assert "FAILED" in indicator.text()
    acting["now"] = make_user(db, "supervisor")
    dialog.retry_all.click()
    qtbot.waitUntil(lambda: "FAILED" not in indicator.text())
    relay.close()


def test_events_held_behind_a_dead_letter_are_shown_and_released(qtbot, db, runner, httpserver):
    """The receiver refuses unit-1's first event: its next two wait (the window says how many
    and for which unit, apart from pending), unit-2 is not held; resolving the dead letter in
    the dialog, with a reason, sends the held two."""
    with db.write() as session:
        first = add_outbox_event(session, event_type=LABEL_PRINTED, aggregate_type="unit",
                                 aggregate_id="unit-1", payload=label_printed("unit-1"))  # fmt: skip
        refused = str(first.id)
    _event(db, "unit-1")
    _event(db, "unit-2")
    _event(db, "unit-1")
    received: list[str] = []
    refusals: list[str] = []

    def receiver(request: Request) -> Response:
        event = json.loads(request.get_data())
        if event["id"] == refused:
            refusals.append(event["id"])
            return Response("unit unknown", status=400)
        received.append(event["data"]["code"])
        return Response(status=204)

    httpserver.expect_request("/hook").respond_with_handler(receiver)
    add_endpoint(db, sync_manager(db), httpserver.url_for("/hook"))
    relay = Relay(db, SyncConfig(request_timeout_s=5))
    try:
        while relay.run_once().sent:
            pass
        assert received == ["unit-2"]  # unit-1's later events were not sent
        supervisor = make_user(db, "supervisor")
        vm = SyncViewModel(db, runner, actor=lambda: supervisor, refresh_ms=60_000)
        indicator = SyncIndicator(vm)
        qtbot.addWidget(indicator)
        qtbot.waitUntil(lambda: vm.status is not None and vm.status.dead == 1)
        assert vm.status is not None and (vm.status.held, vm.status.pending) == (2, 2)
        assert vm.held_lines() == ["2 event(s) held behind a dead letter (unit unit-1)"]
        assert indicator.text() == "Sync: 1 FAILED, 2 held"
        assert "2 event(s) held behind a dead letter (unit unit-1)" in indicator.toolTip()

        dialog = indicator.open_dead_letters()
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.table.rowCount() == 1)
        assert dialog.table.item(0, 4).text() == "2"  # the "Events held" column
        assert "2 event(s) held behind a dead letter (unit unit-1)" in dialog.summary.text()
        assert not dialog.resolve.isEnabled()  # needs a row and a reason
        dialog.table.selectRow(0)
        assert not dialog.resolve.isEnabled()
        dialog.reason.setText("keyed into the WMS by hand")
        assert dialog.resolve.isEnabled()
        dialog.resolve.click()
        qtbot.waitUntil(lambda: vm.status is not None and vm.status.dead == 0)
        assert vm.status is not None and vm.status.held == 0 and vm.held_lines() == []
        while relay.run_once().sent:
            pass
        assert received == ["unit-2", "unit-1", "unit-1"]
        assert refusals == [refused]  # the resolved event was not sent again
        vm.stop()
    finally:
        relay.close()
