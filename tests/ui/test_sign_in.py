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
