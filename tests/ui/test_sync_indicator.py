"""The window's sync indicator: pending while offline, failed letters listed and retried."""

from __future__ import annotations

import socket

from station.outbox import add_outbox_event
from station.sync.config import SyncConfig
from station.sync.endpoints import add_endpoint
from station.sync.relay import Relay
from tests.event_payloads import LABEL_PRINTED, label_printed
from tests.factories import make_user, sync_manager
from ui.viewmodels.sync import SyncViewModel
from ui.widgets.sync_indicator import SyncIndicator


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _event(db, unit: str) -> None:
    with db.write() as session:
        add_outbox_event(session, event_type=LABEL_PRINTED, aggregate_type="unit",
                         aggregate_id=unit, payload=label_printed(unit))  # fmt: skip


def test_offline_then_failed_then_retried(qtbot, db, runner, httpserver):
    add_endpoint(
        db, sync_manager(db), f"http://127.0.0.1:{_closed_port()}/hook"
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
    assert "bad payload" in dialog.table.item(0, 4).text()
    assert dialog.retry_all.isEnabled()
    dialog.retry_all.click()  # a grader may not re-send a refused event
    qtbot.waitUntil(lambda: "may not" in dialog.message.text())
    assert "FAILED" in indicator.text()
    acting["now"] = make_user(db, "supervisor")
    dialog.retry_all.click()
    qtbot.waitUntil(lambda: "FAILED" not in indicator.text())
    relay.close()
