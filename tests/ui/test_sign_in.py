"""Sign-in at the bench (pytest-qt): the signed-in user becomes the acting user, a wrong PIN
is shown, idle sign-out, switching user, and the sign-in prompt only once users exist."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from station.context import AppContext
from station.services.common import Actor
from station.services.users import add_user
from ui.viewmodels.session import SessionViewModel
from ui.widgets.sign_in import SessionBadge, SignInDialog


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def people(context: AppContext) -> dict[str, str]:
    station = context.actor
    add_user(context.db, station, "admin", "Ada Admin", "admin", pin="2468")  # bootstrap
    admin = _signed_actor(context, "admin", "2468")
    add_user(context.db, admin, "anna", "Anna", "grader", pin="1357")
    add_user(context.db, admin, "sam", "Sam", "supervisor", pin="9753")
    return {"anna": "1357", "sam": "9753"}


def _signed_actor(context: AppContext, username: str, pin: str) -> Actor:
    from station.services.users import sign_in

    return sign_in(context.db, context.actor, username, pin).actor


def test_sign_in_makes_the_user_the_acting_user_and_idle_signs_out(qtbot, context, runner, people):
    clock = FakeClock()
    station_actor = context.actor
    vm = SessionViewModel(context, runner, idle_sign_out_s=60, clock=clock)
    badge = SessionBadge(vm)
    dialog = SignInDialog(vm)
    qtbot.addWidget(badge)
    qtbot.addWidget(dialog)
    assert "Nobody" in badge.label.text()

    dialog.username.setText("anna")
    dialog.pin.setText("0000")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=10_000)
    assert context.actor == station_actor and dialog.pin.text() == ""

    dialog.pin.setText(people["anna"])
    with qtbot.waitSignal(vm.userChanged, timeout=10_000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert vm.user is not None and vm.user.username == "anna"
    assert context.actor.user_id == vm.user.user_id  # every action now records Anna
    assert badge.label.text() == "Anna (grader)"

    clock.now += 59
    vm.check_idle()
    assert vm.user is not None  # not idle long enough
    vm.touch()
    clock.now += 59
    vm.check_idle()
    assert vm.user is not None  # the touch started the clock again
    with qtbot.waitSignal(vm.signedOutIdle):
        clock.now += 2
        vm.check_idle()
    assert vm.user is None and context.actor == station_actor
    assert "Nobody" in badge.label.text()


def test_switching_user_replaces_the_acting_user(qtbot, context, runner, people):
    vm = SessionViewModel(context, runner, idle_sign_out_s=0)
    with qtbot.waitSignal(vm.userChanged, timeout=10_000):
        vm.sign_in("anna", people["anna"])
    anna = context.actor.user_id
    with qtbot.waitSignal(vm.userChanged, timeout=10_000):
        vm.sign_in("sam", people["sam"])
    assert context.actor.user_id != anna and vm.user is not None and vm.user.role == "supervisor"


def test_the_prompt_is_asked_for_only_once_users_exist(qtbot, context, runner):
    vm = SessionViewModel(context, runner)
    asked: list[bool] = []
    vm.signInNeeded.connect(lambda: asked.append(True))
    vm.ask_if_needed()
    runner.wait_idle()
    qtbot.wait(50)
    assert asked == []  # a fresh station without users keeps working
    add_user(context.db, context.actor, "admin", "Ada Admin", "admin", pin="2468")
    with qtbot.waitSignal(vm.signInNeeded, timeout=10_000):
        vm.ask_if_needed()


def _failed_sign_ins(context: AppContext, username: str) -> int:
    from sqlalchemy import select

    from station.models import User

    with context.db.read() as session:
        return int(session.scalar(select(User.failed_sign_ins).where(User.username == username)))


def test_enter_in_the_user_field_moves_to_the_pin_and_spends_no_attempt(
    qtbot, context, runner, people
):
    vm = SessionViewModel(context, runner, idle_sign_out_s=0)
    dialog = SignInDialog(vm)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.username.setFocus()
    qtbot.waitUntil(dialog.username.hasFocus)
    for char in "anna":
        qtbot.keyClick(dialog.windowHandle(), char)
    qtbot.keyClick(dialog.windowHandle(), Qt.Key.Key_Return)  # as the window system delivers
    qtbot.waitUntil(dialog.pin.hasFocus)
    runner.wait_idle()
    assert dialog.error.text() == "" and vm.user is None
    assert _failed_sign_ins(context, "anna") == 0  # no attempt spent on an empty PIN
    qtbot.keyClick(dialog.windowHandle(), Qt.Key.Key_Return)  # Enter on an empty PIN: nothing
    runner.wait_idle()
    assert _failed_sign_ins(context, "anna") == 0 and dialog.pin.hasFocus()
    with qtbot.waitSignal(vm.userChanged, timeout=10_000):
        for char in people["anna"]:
            qtbot.keyClick(dialog.windowHandle(), char)
        qtbot.keyClick(dialog.windowHandle(), Qt.Key.Key_Return)
    assert vm.user is not None and vm.user.username == "anna"


def test_a_demo_database_shows_its_users_and_pins_and_a_real_one_never_does(
    qtbot, context, runner, people
):
    from station.services.demo import seed_demo
    from station.services.users import demo_sign_ins, reset_pin

    vm = SessionViewModel(context, runner, idle_sign_out_s=0)
    dialog = SignInDialog(vm)
    qtbot.addWidget(dialog)
    runner.wait_idle()
    qtbot.wait(20)
    assert demo_sign_ins(context.db) == [] and dialog.demo.isHidden()  # users, but no demo

    other = context.settings.data_dir.parent / "demo-station"
    from dataclasses import replace

    demo = AppContext.build(replace(context.settings, data_dir=other, database_url=None))
    try:
        summary = seed_demo(demo.db, rma_count=5)
        pins = summary.user_pins
        assert len(pins) >= 3
        demo_vm = SessionViewModel(demo, runner, idle_sign_out_s=0)
        demo_dialog = SignInDialog(demo_vm)
        qtbot.addWidget(demo_dialog)
        qtbot.waitUntil(lambda: demo_dialog.demo.text() != "", timeout=10_000)
        shown = demo_dialog.demo.text()
        for username, pin in pins.items():
            assert username in shown and pin in shown
        # Each PIN shown signs its user in; the admin's last.
        for username in sorted(pins, key=lambda name: name == "admin1"):
            with qtbot.waitSignal(demo_vm.userChanged, timeout=10_000):
                demo_vm.sign_in(username, pins[username])
        admin = demo_vm.user
        assert admin is not None and admin.username == "admin1"
        # A PIN reset since is not shown any more (the others still are).
        reset_pin(demo.db, admin.actor, "grader1", "97531")
        assert "grader1" not in {entry.username for entry in demo_sign_ins(demo.db)}
        assert len(demo_sign_ins(demo.db)) == len(pins) - 1
    finally:
        demo.close()
