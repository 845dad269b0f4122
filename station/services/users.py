"""Users, roles and sign-in: the Qt-free services behind ``station user`` and the bench window.

Every change is authorised here (``Permission.MANAGE_USERS``, role read from the database) and
audited with before/after values that never include a PIN or its hash. Two rules keep a
station from locking itself out: the first admin may be created by whoever stands at the
bench (bootstrap), and the last admin who can sign in can be neither demoted nor deactivated.

Sign-in counts wrong PINs per user and locks the account for a while after
``MAX_FAILED_SIGN_INS`` in a row, so a 4-6 digit PIN cannot be guessed at the bench. The count
is committed even though the sign-in is refused: the refusal is raised only after the write
transaction has committed. A failed sign-in with a user name that matches no user is audited
without that name (it is often a PIN typed into the name field), nor is it logged.
"""

from __future__ import annotations

import functools
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from station.audit import audit_action
from station.auth import generate_pin, hash_pin, validate_pin, verify_pin
from station.db import Database
from station.i18n import _
from station.models import DemoCredential, Role, User
from station.permissions import Permission, PermissionDenied, authorize
from station.services.common import Actor, NotFound, ServiceError
from station.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=5)
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
_DISPLAY_NAME_MAX = 128
#: The entity id of a failed sign-in whose user name matches no user (the name is not kept).
UNKNOWN_USER = "-"


class SignInRefused(ServiceError):
    """Sign-in did not succeed; the message is safe to show at the bench."""


class AccountLocked(SignInRefused):
    """Too many wrong PINs: sign-in is refused until ``until`` (UTC)."""

    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until


@dataclass(frozen=True)
class UserView:
    """A user as the UI and CLI see one: no PIN hash."""

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    language: str
    active: bool
    has_pin: bool
    failed_sign_ins: int
    locked_until: datetime | None
    last_sign_in_at: datetime | None
    pin_changed_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(
            id=user.id, username=user.username, display_name=user.display_name,
            role=Role(user.role), language=user.language, active=user.active,
            has_pin=user.pin_hash is not None, failed_sign_ins=user.failed_sign_ins,
            locked_until=user.locked_until, last_sign_in_at=user.last_sign_in_at,
            pin_changed_at=user.pin_changed_at, created_at=user.created_at,
        )  # fmt: skip


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in at which station; :attr:`actor` is what services record."""

    user_id: uuid.UUID
    username: str
    display_name: str
    role: Role
    language: str
    station_id: str
    site_id: str

    @property
    def actor(self) -> Actor:
        return Actor(station_id=self.station_id, site_id=self.site_id, user_id=self.user_id)


# --- helpers --------------------------------------------------------------------------------


def normalize_username(username: str) -> str:
    """Usernames compare case-insensitively and without surrounding spaces."""
    return username.strip().lower()


def _role(role: Role | str) -> Role:
    try:
        return Role(str(role).strip().lower())
    except ValueError:
        raise ServiceError(
            _("unknown role {role}: use one of {roles}").format(
                role=role, roles=", ".join(r.value for r in Role))
        ) from None  # fmt: skip


def _snapshot(user: User) -> dict[str, Any]:
    """What the audit trail records about a user: never the PIN or its hash."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.active,
        "language": user.language,
        "failed_sign_ins": user.failed_sign_ins,
        "locked_until": user.locked_until,
        "pin_changed_at": user.pin_changed_at,
    }


def _find(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == normalize_username(username)))


def _get(session: Session, username: str) -> User:
    user = _find(session, username)
    if user is None:
        raise NotFound(_("no user named {username}").format(username=normalize_username(username)))
    return user


def _usable_admins(session: Session) -> int:
    """Active admins who can sign in. An admin without a PIN cannot act, so does not count:
    otherwise a demo database seeded before PINs existed could never get a working admin."""
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN.value, User.active.is_(True), User.pin_hash.is_not(None))
        )
        or 0
    )


def _is_usable_admin(user: User) -> bool:
    return user.role == Role.ADMIN.value and user.active and user.pin_hash is not None


def _guard_last_admin(session: Session, user: User) -> None:
    if _is_usable_admin(user) and _usable_admins(session) <= 1:
        raise ServiceError(
            _("{username} is the last active admin: make another user admin first").format(
                username=user.username
            )
        )


# --- managing users -------------------------------------------------------------------------


def add_user(
    db: Database,
    actor: Actor,
    username: str,
    display_name: str,
    role: Role | str,
    pin: str | None = None,
) -> tuple[UserView, str]:
    """Create a user; returns the view and the PIN (generated when ``pin`` is None: show once).

    Needs ``MANAGE_USERS``, except for the first admin: while no admin can sign in, anyone at
    the station may create one, so a fresh install is not locked out. That is audited as a
    bootstrap.
    """
    name = normalize_username(username)
    if not _USERNAME.fullmatch(name):
        raise ServiceError(
            _("user name {username!r} is not valid: use 1-64 letters, digits, '.', '_', '-' or '@'")
            .format(username=name)
        )  # fmt: skip
    shown = " ".join(display_name.split())
    if not shown or len(shown) > _DISPLAY_NAME_MAX:
        raise ServiceError(
            _("the display name must be 1-{n} characters").format(n=_DISPLAY_NAME_MAX)
        )
    new_role = _role(role)
    if pin is None:
        pin = generate_pin()
    else:
        validate_pin(pin)
    pin_hash = hash_pin(pin)  # slow on purpose: outside the write transaction
    with db.write() as session:
        bootstrap = _usable_admins(session) == 0
        if bootstrap and new_role is not Role.ADMIN:
            raise PermissionDenied(
                _("there is no admin yet: create an admin first ({username} would be a {role})")
                .format(username=name, role=new_role.value)
            )  # fmt: skip
        if not bootstrap:
            authorize(session, actor, Permission.MANAGE_USERS)
        if _find(session, name) is not None:
            raise ServiceError(_("a user named {username} already exists").format(username=name))
        now = utcnow()
        user = User(
            id=uuid.uuid4(), username=name, display_name=shown, role=new_role.value,
            language="en", pin_hash=pin_hash, active=True, created_at=now,
            failed_sign_ins=0, pin_changed_at=now,
        )  # fmt: skip
        session.add(user)
        session.flush()
        audit_action(
            session, actor, action="user.created", entity_type="user", entity_id=user.id,
            after={**_snapshot(user), "bootstrap": bootstrap},
        )  # fmt: skip
        view = UserView.of(user)
    log.info("user %s added as %s%s", name, new_role.value, " (bootstrap)" if bootstrap else "")
    return view, pin


def list_users(db: Database) -> list[UserView]:
    """Every user, by user name (no hashes)."""
    with db.read() as session:
        return [UserView.of(u) for u in session.scalars(select(User).order_by(User.username))]


@dataclass(frozen=True)
class DemoSignIn:
    """How to sign in at a demo station: shown on its sign-in screen."""

    username: str
    display_name: str
    role: Role
    pin: str


def demo_sign_ins(db: Database) -> list[DemoSignIn]:
    """The demo users' user names and PINs, when this is a demo database.

    Only ``station demo seed`` records them, so a real database gives an empty list. A PIN is
    given only while it still signs its user in (checked against the stored hash), so a PIN
    reset by an admin, or a deactivated user, is never shown.
    """
    with db.read() as session:
        rows = session.execute(
            select(User, DemoCredential.pin)
            .join(DemoCredential, DemoCredential.username == User.username)
            .order_by(User.username)
        ).all()
        candidates = [(UserView.of(user), user.pin_hash, pin) for user, pin in rows]
    return [
        DemoSignIn(view.username, view.display_name, view.role, pin)
        for view, stored, pin in candidates
        if view.active and verify_pin(pin, stored)
    ]


def set_role(db: Database, actor: Actor, username: str, role: Role | str) -> UserView:
    """Change a user's role; the last admin who can sign in cannot be demoted."""
    new_role = _role(role)
    with db.write() as session:
        authorize(session, actor, Permission.MANAGE_USERS)
        user = _get(session, username)
        if user.role == new_role.value:
            return UserView.of(user)
        if new_role is not Role.ADMIN:
            _guard_last_admin(session, user)
        before = _snapshot(user)
        user.role = new_role.value
        session.flush()
        audit_action(
            session, actor, action="user.role_changed", entity_type="user", entity_id=user.id,
            before=before, after=_snapshot(user),
        )  # fmt: skip
        return UserView.of(user)


def reset_pin(db: Database, actor: Actor, username: str, new_pin: str | None = None) -> str:
    """Give a user a new PIN (generated when None: show it once) and lift any lockout."""
    if new_pin is None:
        new_pin = generate_pin()
    else:
        validate_pin(new_pin)
    pin_hash = hash_pin(new_pin)
    with db.write() as session:
        authorize(session, actor, Permission.MANAGE_USERS)
        user = _get(session, username)
        before = _snapshot(user)
        user.pin_hash = pin_hash
        user.pin_changed_at = utcnow()
        user.failed_sign_ins = 0
        user.locked_until = None
        session.flush()
        audit_action(
            session, actor, action="user.pin_reset", entity_type="user", entity_id=user.id,
            before=before, after=_snapshot(user),
        )  # fmt: skip
    return new_pin


def set_active(db: Database, actor: Actor, username: str, active: bool) -> UserView:
    """Deactivate (or reactivate) a user; the last admin who can sign in stays active."""
    with db.write() as session:
        authorize(session, actor, Permission.MANAGE_USERS)
        user = _get(session, username)
        if user.active == active:
            return UserView.of(user)
        if not active:
            _guard_last_admin(session, user)
        before = _snapshot(user)
        user.active = active
        session.flush()
        audit_action(
            session, actor, action="user.activated" if active else "user.deactivated",
            entity_type="user", entity_id=user.id, before=before, after=_snapshot(user),
        )  # fmt: skip
        return UserView.of(user)


# --- signing in -----------------------------------------------------------------------------


def _wrong() -> SignInRefused:
    # One message for an unknown user and a wrong PIN: it must not tell which names exist.
    return SignInRefused(_("wrong user name or PIN"))


def _locked(until: datetime) -> AccountLocked:
    local = until.astimezone().strftime("%H:%M:%S")
    return AccountLocked(
        _("too many wrong PINs: sign-in is locked until {time}").format(time=local), until
    )


def sign_in(
    db: Database, station_actor: Actor, username: str, pin: str, *, now: datetime | None = None
) -> SignedIn:
    """Check ``pin`` for ``username`` and return who is signed in, or raise SignInRefused.

    ``now`` (an aware UTC datetime) exists so tests can move past a lockout without sleeping.
    The wrong-PIN count and lockout are committed before the refusal is raised. The slow hash
    check runs before the write transaction, so a sign-in never holds up a grader's write.
    """
    now = now or utcnow()
    name = normalize_username(username)
    with db.read() as session:
        stored = session.scalar(select(User.pin_hash).where(User.username == name))
    # Unknown names and users without a PIN cost the same time as a real check.
    right = verify_pin(pin, stored) if stored is not None else _spend_a_check(pin)
    refusal: SignInRefused | None = None
    signed_in: SignedIn | None = None
    with db.write() as session:
        user = _find(session, name) if name else None
        if user is not None and user.pin_hash != stored:  # PIN reset meanwhile: check again
            right = verify_pin(pin, user.pin_hash)
        if user is None:
            # Not the typed name: a name that matches no user is often a PIN typed into the
            # wrong field, and the audit trail is exported. The event itself is the count.
            audit_action(
                session, station_actor, action="user.sign_in_failed", entity_type="user",
                entity_id=UNKNOWN_USER, after={"reason": "unknown_user"},
            )  # fmt: skip
            refusal = _wrong()
        else:
            refusal, signed_in = _check(session, station_actor, user, right, now)
        user_known = user is not None
    if refusal is not None:
        who = name if user_known else "an unknown user name"
        log.info("sign-in refused for %s at %s", who, station_actor.station_id)
        raise refusal
    assert signed_in is not None
    log.info("%s signed in at %s", signed_in.username, station_actor.station_id)
    return signed_in


def _check(
    session: Session, station_actor: Actor, user: User, right: bool, now: datetime
) -> tuple[SignInRefused | None, SignedIn | None]:
    def failed(reason: str, **extra: Any) -> None:
        audit_action(
            session, station_actor, action="user.sign_in_failed", entity_type="user",
            entity_id=user.id, after={"reason": reason, "username": user.username,
                                      "failed_sign_ins": user.failed_sign_ins, **extra},
        )  # fmt: skip

    if user.locked_until is not None:
        if user.locked_until > now:
            failed("locked", locked_until=user.locked_until)
            return _locked(user.locked_until), None
        user.locked_until = None  # the lockout is over: a fresh set of tries
        user.failed_sign_ins = 0
    if not right:
        # Counted by the database: two benches refusing the same user at once both count.
        session.flush()
        session.execute(
            update(User)
            .where(User.id == user.id)
            .values(failed_sign_ins=User.failed_sign_ins + 1)
            .execution_options(synchronize_session=False)
        )
        session.refresh(user, ["failed_sign_ins"])
        if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
            user.locked_until = now + LOCKOUT
            session.flush()
            failed("wrong_pin")
            audit_action(
                session, station_actor, action="user.locked", entity_type="user",
                entity_id=user.id, after={"failed_sign_ins": user.failed_sign_ins,
                                          "locked_until": user.locked_until},
            )  # fmt: skip
            return _locked(user.locked_until), None
        session.flush()
        failed("wrong_pin")
        return _wrong(), None
    if not user.active:
        failed("inactive")
        return SignInRefused(_("this user account is not active; ask an admin")), None
    before = {"failed_sign_ins": user.failed_sign_ins, "last_sign_in_at": user.last_sign_in_at}
    user.failed_sign_ins = 0
    user.last_sign_in_at = now
    session.flush()
    acting = Actor(station_actor.station_id, station_actor.site_id, user.id)
    audit_action(
        session, acting, action="user.signed_in", entity_type="user", entity_id=user.id,
        before=before, after={"failed_sign_ins": 0, "last_sign_in_at": now},
    )  # fmt: skip
    return None, SignedIn(
        user_id=user.id, username=user.username, display_name=user.display_name,
        role=Role(user.role), language=user.language, station_id=station_actor.station_id,
        site_id=station_actor.site_id,
    )  # fmt: skip


@functools.cache
def _dummy_hash() -> str:
    return hash_pin(generate_pin(12))


def _spend_a_check(pin: str) -> bool:
    """Do the work of a real check and fail: timing must not tell which user names exist."""
    verify_pin(pin, _dummy_hash())
    return False
