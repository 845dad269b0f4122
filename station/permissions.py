"""Who may do what: permissions per role, checked inside the services.

Hiding a button is not a control: a grader with the command line, or a bug in the window,
would still reach the service. So every supervisor- or admin-level service function calls
:func:`authorize` with the acting user, inside its own transaction, and the role is read
from the database (not from the caller), so a stale or forged role in an ``Actor`` does not
count.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from station.i18n import _
from station.models import Role, User
from station.services.common import Actor, ServiceError


class Permission(StrEnum):
    INSPECT = "inspect"  # receive parcels, record facts, finalize, print labels
    OPEN_DISPUTE = "open_dispute"
    RESOLVE_DISPUTE = "resolve_dispute"  # includes writing a verdict revision
    REVIEW_FLAGGED = "review_flagged"
    MANAGE_SYNC = "manage_sync"  # retry dead letters, endpoints
    MANAGE_STANDARDS = "manage_standards"
    MANAGE_USERS = "manage_users"


_GRADER = frozenset({Permission.INSPECT})
_SUPERVISOR = _GRADER | {
    Permission.OPEN_DISPUTE,
    Permission.RESOLVE_DISPUTE,
    Permission.REVIEW_FLAGGED,
    Permission.MANAGE_SYNC,
}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.GRADER: _GRADER,
    Role.SUPERVISOR: _SUPERVISOR,
    Role.ADMIN: frozenset(Permission),
}


class PermissionDenied(ServiceError):
    """The acting user may not do this (or nobody is signed in)."""


def allowed(role: Role | str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[Role(role)]


def authorize(session: Session, actor: Actor, permission: Permission) -> User:
    """The acting user, if they may do ``permission`` now; else :class:`PermissionDenied`."""
    if actor.user_id is None:
        raise PermissionDenied(_("sign in first: this needs a user who may {action}").format(
            action=permission.value.replace("_", " ")))  # fmt: skip
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        raise PermissionDenied(_("this user account is not active; sign in again"))
    if not allowed(user.role, permission):
        raise PermissionDenied(
            _("{user} ({role}) may not {action}").format(
                user=user.display_name, role=user.role, action=permission.value.replace("_", " ")
            )
        )
    return user
