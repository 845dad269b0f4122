"""The first-run check: findings listed problems first, shown at start only when one fails."""

from __future__ import annotations

import sys

import pytest

from station.context import AppContext
from station.services import station_check
from station.services.station_check import Finding
from ui.tasks import TaskRunner
from ui.widgets.first_run import FirstRunDialog, check_at_start

REAL_CHECK_ZBAR = station_check.check_zbar


def test_dialog_lists_problems_first_with_their_remedies(qtbot) -> None:
    findings = [
        Finding("database", True, "Database ready (sqlite)"),
        Finding("zbar", False, "ZBar is missing", "sudo apt-get install libzbar0"),
        Finding("data_dir", False, "Data folder /x is not writable", "Fix it", blocker=True),
    ]
    dialog = FirstRunDialog(findings)
    qtbot.addWidget(dialog)

    assert [f.key for f in dialog.findings] == ["data_dir", "zbar", "database"]
    assert [m.text() for m in dialog.marks] == ["✗", "!", "✓"]
    assert [m.property("state") for m in dialog.marks] == ["error", "warning", "success"]
    assert dialog.blocking and "✗" in dialog.intro.text()
    texts = [label.text() for label in dialog.findChildren(type(dialog.intro))]
    assert any("ZBar is missing" in t and "sudo apt-get install libzbar0" in t for t in texts)
    assert not any("Database ready" in t and "→" in t for t in texts)  # no remedy when ok


def test_warnings_only_say_the_bench_works(qtbot) -> None:
    dialog = FirstRunDialog([Finding("sound", False, "No sound", "sudo apt-get install libpulse0")])
    qtbot.addWidget(dialog)

    assert not dialog.blocking and "!" in dialog.intro.text()


@pytest.fixture
def healthy_system(monkeypatch) -> None:
    """This machine's libraries are not what is under test: make them all present."""
    monkeypatch.setattr(station_check, "_is_linux", lambda: False)
    monkeypatch.setattr(station_check, "check_zbar", lambda: Finding("zbar", True, "ZBar present"))


def test_at_start_a_missing_library_opens_the_dialog(
    qtbot, context: AppContext, runner: TaskRunner, healthy_system, monkeypatch
) -> None:
    monkeypatch.setattr(station_check, "check_zbar", REAL_CHECK_ZBAR)  # and pyzbar missing:
    monkeypatch.setitem(sys.modules, "pyzbar.pyzbar", None)
    shown: list[FirstRunDialog] = []

    check_at_start(context, runner, on_shown=shown.append)
    qtbot.waitUntil(lambda: bool(shown), timeout=15_000)

    dialog = shown[0]
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and not dialog.blocking
    assert dialog.findings[0].key == "zbar" and "ZBar" in dialog.findings[0].remedy
    dialog.close()


def test_at_start_nothing_is_shown_when_all_is_well(
    qtbot, context: AppContext, runner: TaskRunner, healthy_system
) -> None:
    shown: list[FirstRunDialog] = []

    check_at_start(context, runner, on_shown=shown.append)
    qtbot.waitUntil(lambda: not runner.busy, timeout=15_000)

    assert shown == []
    assert all(f.ok for f in station_check.first_run_findings(context))
