"""Users, roles and sign-in: permissions, bootstrap, last-admin rule, lockout, audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from station.audit import verify_chain
from station.auth import DEFAULT_IDLE_SIGN_OUT_S, IdleTimer, verify_pin
from station.db import Database
from station.models import AuditEvent, Role, User
from station.permissions import PermissionDenied
from station.services.common import Actor, NotFound, ServiceError
from station.services.users import (
    LOCKOUT,
    MAX_FAILED_SIGN_INS,
    AccountLocked,
    SignedIn,
    SignInRefused,
    add_user,
    list_users,
    reset_pin,
    set_active,
    set_role,
    sign_in,
)

ADMIN_PIN = "735291"
PINS = {"grader": "1111", "supervisor": "2222", "admin": "3333"}
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def admin(db: Database, actor: Actor) -> SignedIn:
    """The first admin (bootstrap), signed in."""
    add_user(db, actor, "Root", "Rita Root", Role.ADMIN, pin=ADMIN_PIN)
    return sign_in(db, actor, "root", ADMIN_PIN)


@pytest.fixture
def staff(db: Database, actor: Actor, admin: SignedIn) -> dict[str, SignedIn]:
    """One signed-in user per role (the admin role: a second admin besides root)."""
    for role, pin in PINS.items():
        add_user(db, admin.actor, role, f"{role.title()} User", role, pin=pin)
    return {role: sign_in(db, actor, role, pin) for role, pin in PINS.items()}


def _events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
            )
        )


def _user(db: Database, username: str) -> User:
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return user


# --- bootstrap and adding users -------------------------------------------------------------


def test_first_admin_is_a_bootstrap_by_anyone_at_the_station(db: Database, actor: Actor) -> None:
    view, pin = add_user(db, actor, "  Anna ", "Anna Berg", "admin")
    assert view.username == "anna" and view.role is Role.ADMIN and view.active
    assert len(pin) == 6 and pin.isdigit()
    assert verify_pin(pin, _user(db, "anna").pin_hash)
    [event] = _events(db, "user.created")
    assert event.actor_id is None and event.station_id == actor.station_id
    assert event.after is not None and event.after["bootstrap"] is True
    assert event.after["role"] == "admin"
    # Once an admin exists, the station alone may not add anyone, not even another admin.
    with pytest.raises(PermissionDenied, match="sign in first"):
        add_user(db, actor, "mallory", "Mallory", "admin")


def test_bootstrap_only_creates_an_admin(db: Database, actor: Actor) -> None:
    with pytest.raises(PermissionDenied, match="create an admin first"):
        add_user(db, actor, "gus", "Gus Grader", "grader")
    assert list_users(db) == []


def test_an_admin_without_a_pin_does_not_block_the_bootstrap(db: Database, actor: Actor) -> None:
    with db.write() as session:  # as a demo seed from before PINs left it
        session.add(User(username="old", display_name="Old Admin", role="admin", pin_hash=None))
    view, _pin = add_user(db, actor, "new", "New Admin", "admin")
    assert view.role is Role.ADMIN


def test_added_user_is_audited_without_pin_or_hash(db: Database, admin: SignedIn) -> None:
    view, pin = add_user(db, admin.actor, "Bob", "Bob  Builder", "grader", pin="98765")
    assert pin == "98765" and view.display_name == "Bob Builder"
    event = _events(db, "user.created")[-1]
    assert event.actor_id == admin.user_id and event.entity_id == str(view.id)
    assert event.after is not None and event.after["bootstrap"] is False
    stored = _user(db, "bob").pin_hash
    assert stored and stored not in str(event.after) and "98765" not in str(event.after)
    assert "pin_hash" not in event.after


def test_duplicate_username_is_named(db: Database, admin: SignedIn) -> None:
    add_user(db, admin.actor, "carla", "Carla", "grader")
    with pytest.raises(ServiceError, match="carla already exists"):
        add_user(db, admin.actor, " CARLA ", "Carla Again", "supervisor")


@pytest.mark.parametrize(
    ("username", "name", "role", "pin", "says"),
    [
        ("", "X", "grader", None, "not valid"),
        ("two words", "X", "grader", None, "not valid"),
        ("ok", "   ", "grader", None, "display name"),
        ("ok", "X", "boss", None, "unknown role boss"),
        ("ok", "X", "grader", "12", "at least 4 digits"),
    ],
)
def test_bad_input_is_refused(
    db: Database, admin: SignedIn, username: str, name: str, role: str, pin: str | None, says: str
) -> None:
    with pytest.raises(ServiceError, match=says):
        add_user(db, admin.actor, username, name, role, pin)


def test_list_users_has_no_hashes(db: Database, staff: dict[str, SignedIn]) -> None:
    views = list_users(db)
    assert [v.username for v in views] == ["admin", "grader", "root", "supervisor"]
    assert {v.username: v.role for v in views}["supervisor"] is Role.SUPERVISOR
    for view in views:
        assert not hasattr(view, "pin_hash") and view.has_pin and view.active
        assert view.locked_until is None and view.last_sign_in_at is not None


# --- permissions ----------------------------------------------------------------------------

_CHANGES: dict[str, Callable[[Database, Actor], object]] = {
    "add_user": lambda db, a: add_user(db, a, "newbie", "New Bie", "grader"),
    "set_role": lambda db, a: set_role(db, a, "grader", "supervisor"),
    "reset_pin": lambda db, a: reset_pin(db, a, "grader"),
    "set_active": lambda db, a: set_active(db, a, "grader", False),
}


@pytest.mark.parametrize("service", sorted(_CHANGES))
@pytest.mark.parametrize("role", ["grader", "supervisor", "admin"])
def test_only_admins_manage_users(
    db: Database, staff: dict[str, SignedIn], role: str, service: str
) -> None:
    before = list_users(db)
    count = len(_events(db, "user.created")) + len(_events(db, "user.role_changed"))
    if role == "admin":
        _CHANGES[service](db, staff[role].actor)
        assert list_users(db) != before
        return
    with pytest.raises(PermissionDenied, match="may not manage users"):
        _CHANGES[service](db, staff[role].actor)
    assert list_users(db) == before
    assert len(_events(db, "user.created")) + len(_events(db, "user.role_changed")) == count


@pytest.mark.parametrize("service", sorted(_CHANGES))
def test_nobody_signed_in_may_manage_users(
    db: Database, actor: Actor, staff: dict[str, SignedIn], service: str
) -> None:
    with pytest.raises(PermissionDenied, match="sign in first"):
        _CHANGES[service](db, actor)


def test_role_comes_from_the_database_not_the_actor(
    db: Database, staff: dict[str, SignedIn], admin: SignedIn
) -> None:
    promoted = staff["grader"].actor
    set_role(db, admin.actor, "grader", "admin")
    add_user(db, promoted, "via-promotion", "Promoted Adds", "grader")
    set_role(db, admin.actor, "grader", "grader")
    with pytest.raises(PermissionDenied):
        add_user(db, promoted, "too-late", "Too Late", "grader")


def test_set_role_and_set_active_are_audited(db: Database, staff: dict[str, SignedIn]) -> None:
    admin = staff["admin"].actor
    view = set_role(db, admin, "grader", Role.SUPERVISOR)
    assert view.role is Role.SUPERVISOR
    [event] = _events(db, "user.role_changed")
    assert event.before is not None and event.after is not None
    assert (event.before["role"], event.after["role"]) == ("grader", "supervisor")
    assert event.actor_id == staff["admin"].user_id

    assert not set_active(db, admin, "grader", False).active
    [off] = _events(db, "user.deactivated")
    assert off.before is not None and off.after is not None
    assert (off.before["active"], off.after["active"]) == (True, False)
    assert set_active(db, admin, "grader", True).active
    assert len(_events(db, "user.activated")) == 1
    assert verify_chain_ok(db)


def verify_chain_ok(db: Database) -> bool:
    with db.read() as session:
        return verify_chain(session).ok


def test_unknown_user_is_not_found(db: Database, admin: SignedIn) -> None:
    with pytest.raises(NotFound, match="no user named ghost"):
        set_role(db, admin.actor, "Ghost", "grader")


# --- the last admin -------------------------------------------------------------------------


def test_the_last_admin_cannot_be_demoted_or_deactivated(db: Database, admin: SignedIn) -> None:
    with pytest.raises(ServiceError, match="root is the last active admin"):
        set_role(db, admin.actor, "root", "supervisor")
    with pytest.raises(ServiceError, match="root is the last active admin"):
        set_active(db, admin.actor, "root", False)
    assert _user(db, "root").role == "admin" and _user(db, "root").active
    # With a second admin, either may step down.
    add_user(db, admin.actor, "second", "Second Admin", "admin", pin="4444")
    assert set_role(db, admin.actor, "root", "supervisor").role is Role.SUPERVISOR
    second = sign_in(db, admin.actor, "second", "4444")
    with pytest.raises(ServiceError, match="second is the last active admin"):
        set_active(db, second.actor, "second", False)


# --- PIN reset ------------------------------------------------------------------------------


def test_reset_pin_generates_once_and_lifts_a_lockout(
    db: Database, actor: Actor, staff: dict[str, SignedIn]
) -> None:
    for _ in range(MAX_FAILED_SIGN_INS):
        with pytest.raises(SignInRefused):
            sign_in(db, actor, "grader", "0000", now=NOW)
    assert _user(db, "grader").locked_until is not None
    new = reset_pin(db, staff["admin"].actor, "grader")
    assert len(new) == 6 and new.isdigit()
    user = _user(db, "grader")
    assert user.locked_until is None and user.failed_sign_ins == 0
    assert verify_pin(new, user.pin_hash) and not verify_pin(PINS["grader"], user.pin_hash)
    sign_in(db, actor, "grader", new, now=NOW)
    [event] = _events(db, "user.pin_reset")
    assert new not in str(event.before) + str(event.after)
    assert "pin_hash" not in (event.after or {})

    assert reset_pin(db, staff["admin"].actor, "grader", "24680") == "24680"
    with pytest.raises(ServiceError, match="at least 4 digits"):
        reset_pin(db, staff["admin"].actor, "grader", "99")


# --- signing in -----------------------------------------------------------------------------


def test_sign_in_returns_who_and_an_actor(db: Database, actor: Actor, admin: SignedIn) -> None:
    add_user(db, admin.actor, "Dana", "Dana Doe", "supervisor", pin="5678")
    signed = sign_in(db, actor, " DANA ", "5678", now=NOW)
    assert (signed.username, signed.display_name, signed.role) == ("dana", "Dana Doe", "supervisor")
    assert signed.actor == Actor(actor.station_id, actor.site_id, signed.user_id)
    assert _user(db, "dana").last_sign_in_at == NOW
    event = _events(db, "user.signed_in")[-1]
    assert event.actor_id == signed.user_id and event.entity_id == str(signed.user_id)


def test_unknown_user_and_wrong_pin_read_the_same(
    db: Database, actor: Actor, admin: SignedIn
) -> None:
    with pytest.raises(SignInRefused) as unknown:
        sign_in(db, actor, "nobody", ADMIN_PIN)
    with pytest.raises(SignInRefused) as wrong:
        sign_in(db, actor, "root", "000000")
    assert str(unknown.value) == str(wrong.value) == "wrong user name or PIN"
    assert type(unknown.value) is type(wrong.value)
    reasons = [e.after["reason"] for e in _events(db, "user.sign_in_failed") if e.after]
    assert reasons == ["unknown_user", "wrong_pin"]


def test_lockout_after_five_failures_refuses_the_right_pin_until_it_ends(
    db: Database, actor: Actor, admin: SignedIn
) -> None:
    add_user(db, admin.actor, "eve", "Eve", "grader", pin="1357")
    for attempt in range(1, MAX_FAILED_SIGN_INS):
        with pytest.raises(SignInRefused, match="wrong user name or PIN"):
            sign_in(db, actor, "eve", "9999", now=NOW)
        assert _user(db, "eve").failed_sign_ins == attempt  # committed despite the refusal
    with pytest.raises(AccountLocked, match="locked until") as locked:
        sign_in(db, actor, "eve", "9999", now=NOW)
    assert locked.value.until == NOW + LOCKOUT == NOW + timedelta(minutes=5)
    assert _user(db, "eve").locked_until == NOW + LOCKOUT
    assert len(_events(db, "user.locked")) == 1

    almost = NOW + LOCKOUT - timedelta(seconds=1)
    with pytest.raises(AccountLocked, match="locked until"):
        sign_in(db, actor, "eve", "1357", now=almost)  # the right PIN, still refused
    assert _user(db, "eve").last_sign_in_at is None

    signed = sign_in(db, actor, "eve", "1357", now=NOW + LOCKOUT)
    assert signed.username == "eve"
    user = _user(db, "eve")
    assert user.failed_sign_ins == 0 and user.locked_until is None
    assert user.last_sign_in_at == NOW + LOCKOUT


def test_after_a_lockout_ends_the_count_starts_again(
    db: Database, actor: Actor, admin: SignedIn
) -> None:
    add_user(db, admin.actor, "finn", "Finn", "grader", pin="2468")
    for _ in range(MAX_FAILED_SIGN_INS):
        with pytest.raises(SignInRefused):
            sign_in(db, actor, "finn", "0000", now=NOW)
    later = NOW + LOCKOUT + timedelta(seconds=1)
    with pytest.raises(SignInRefused, match="wrong user name or PIN"):  # not locked again at once
        sign_in(db, actor, "finn", "0000", now=later)
    assert _user(db, "finn").failed_sign_ins == 1


def test_success_resets_the_counter(db: Database, actor: Actor, admin: SignedIn) -> None:
    add_user(db, admin.actor, "gina", "Gina", "grader", pin="8642")
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        with pytest.raises(SignInRefused):
            sign_in(db, actor, "gina", "0000", now=NOW)
    sign_in(db, actor, "gina", "8642", now=NOW)
    assert _user(db, "gina").failed_sign_ins == 0
    # So it takes five more failures, not one, to lock.
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        with pytest.raises(SignInRefused, match="wrong user name or PIN"):
            sign_in(db, actor, "gina", "0000", now=NOW)
    assert _user(db, "gina").locked_until is None


def test_inactive_users_are_refused(db: Database, actor: Actor, admin: SignedIn) -> None:
    add_user(db, admin.actor, "hal", "Hal", "grader", pin="1470")
    set_active(db, admin.actor, "hal", False)
    with pytest.raises(SignInRefused, match="not active"):
        sign_in(db, actor, "hal", "1470")
    with pytest.raises(SignInRefused, match="wrong user name or PIN"):
        sign_in(db, actor, "hal", "0000")
    reasons = [e.after["reason"] for e in _events(db, "user.sign_in_failed") if e.after]
    assert reasons == ["inactive", "wrong_pin"]
    # A deactivated user's earlier session no longer counts either.
    set_active(db, admin.actor, "hal", True)
    hal = sign_in(db, actor, "hal", "1470")
    set_active(db, admin.actor, "hal", False)
    with pytest.raises(PermissionDenied, match="not active"):
        add_user(db, hal.actor, "x", "X", "grader")


def test_a_user_without_a_pin_cannot_sign_in(db: Database, actor: Actor) -> None:
    with db.write() as session:
        session.add(User(username="nopin", display_name="No PIN", role="grader", pin_hash=None))
    with pytest.raises(SignInRefused, match="wrong user name or PIN"):
        sign_in(db, actor, "nopin", "")


# --- idle sign-out --------------------------------------------------------------------------


def test_idle_timer_with_an_injected_clock() -> None:
    now = [1000.0]
    timer = IdleTimer(300, clock=lambda: now[0])
    assert not timer.expired() and timer.remaining_s() == 300
    now[0] += 299
    assert not timer.expired() and timer.remaining_s() == pytest.approx(1)
    timer.touch()
    now[0] += 299
    assert not timer.expired()
    now[0] += 1
    assert timer.expired() and timer.remaining_s() == 0
    timer.touch()
    assert not timer.expired() and timer.remaining_s() == 300
    assert DEFAULT_IDLE_SIGN_OUT_S == 300
    with pytest.raises(ValueError):
        IdleTimer(0)
