"""``station user ...``: add users, list them, change roles, reset PINs.

Who acts is a signed-in user, as at the bench: ``--as USERNAME`` signs in with the PIN from
``$STATION_PIN`` (for scripts) or, in a terminal, typed at a hidden prompt. The services check
the role, so without ``--as`` only the bootstrap (creating the first admin) is allowed. A PIN
the station generates is printed once and never stored in the clear.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import os
import sys
from typing import Any

from station.i18n import _
from station.models import Role
from station.services.common import Actor, ServiceError
from station.services.users import (
    UserView,
    add_user,
    list_users,
    normalize_username,
    reset_pin,
    set_active,
    set_role,
    sign_in,
)
from station.timeutil import utcnow
from station.views import jsonable

PIN_ENV = "STATION_PIN"
_ROLES = [role.value for role in Role]


def acting_options() -> argparse.ArgumentParser:
    """``--as USERNAME``: a parent parser for every command that needs a signed-in user."""
    acting = argparse.ArgumentParser(add_help=False)
    acting.add_argument(
        "--as", dest="as_user", metavar="USERNAME", default=argparse.SUPPRESS,
        help=f"act as this user (PIN from ${PIN_ENV}, else asked for in a terminal)",
    )  # fmt: skip
    return acting


def add_user_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    parents = [common, acting_options()]
    user = commands.add_parser("user", parents=parents, help="users, roles and PINs")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    add = actions.add_parser("add", parents=parents, help="add a user (the first one: an admin)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="display name, e.g. 'Anna Berg'")
    add.add_argument("--role", required=True, choices=_ROLES)
    add.add_argument("--pin", help="the PIN (default: generate one, printed once)")
    actions.add_parser("list", parents=parents, help="list users")
    role = actions.add_parser("set-role", parents=parents, help="change a user's role")
    role.add_argument("username")
    role.add_argument("role", choices=_ROLES)
    reset = actions.add_parser("reset-pin", parents=parents, help="new PIN, lifts a lockout")
    reset.add_argument("username")
    reset.add_argument("--pin", help="the new PIN (default: generate one, printed once)")
    for name, text in (("activate", "allow a user to sign in again"),
                       ("deactivate", "stop a user from signing in")):  # fmt: skip
        parser = actions.add_parser(name, parents=parents, help=text)
        parser.add_argument("username")


def _print(result: Any, text: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps(jsonable(result), ensure_ascii=False))
    else:
        print(text)


def acting_actor(args: argparse.Namespace, context: Any) -> Actor:
    """The station's actor, signed in as ``--as`` when given (else no user: bootstrap only)."""
    station: Actor = context.actor
    username = getattr(args, "as_user", None)
    if not username:
        return station
    pin = os.environ.get(PIN_ENV)
    if pin is None:
        if not sys.stdin.isatty():
            raise ServiceError(
                _("--as {username} needs a PIN: set {env} or run in a terminal").format(
                    username=username, env=PIN_ENV)
            )  # fmt: skip
        pin = getpass.getpass(_("PIN for {username}: ").format(username=username))
    return sign_in(context.db, station, username, pin).actor


def _pin_line(username: str, pin: str) -> str:
    return _("PIN for {username}: {pin} — shown once").format(username=username, pin=pin)


def _describe(view: UserView) -> str:
    state = "active" if view.active else "INACTIVE"
    if view.locked_until is not None and view.locked_until > utcnow():
        state += f", locked until {view.locked_until.astimezone():%Y-%m-%d %H:%M:%S}"
    if not view.has_pin:
        state += ", no PIN"
    last = (
        f"{view.last_sign_in_at.astimezone():%Y-%m-%d %H:%M}" if view.last_sign_in_at else "never"
    )
    who = f"{view.username:<16} {view.display_name:<24} {view.role.value:<10}"
    return f"{who} {state}; last sign-in {last}"


def run_user(args: argparse.Namespace, context: Any, as_json: bool) -> int:
    command = args.user_command
    if command == "list":
        views = list_users(context.db)
        text = "\n".join(_describe(v) for v in views) or "no users"
        _print({"users": [dataclasses.asdict(v) for v in views]}, text, as_json)
        return 0
    actor = acting_actor(args, context)
    if command == "add":
        view, pin = add_user(context.db, actor, args.username, args.name, args.role, args.pin)
        shown = pin if args.pin is None else None  # a PIN the user typed is not echoed
        text = f"user {view.username} ({view.display_name}) added as {view.role.value}"
        if shown:
            text += "\n" + _pin_line(view.username, shown)
        _print({**dataclasses.asdict(view), "pin": shown}, text, as_json)
        return 0
    if command == "set-role":
        view = set_role(context.db, actor, args.username, args.role)
        _print(dataclasses.asdict(view), f"{view.username} is now {view.role.value}", as_json)
        return 0
    if command == "reset-pin":
        pin = reset_pin(context.db, actor, args.username, args.pin)
        shown = pin if args.pin is None else None
        username = normalize_username(args.username)
        text = _pin_line(username, shown) if shown else f"PIN for {username} changed"
        _print({"username": username, "pin": shown}, text, as_json)
        return 0
    if command in ("activate", "deactivate"):
        view = set_active(context.db, actor, args.username, command == "activate")
        _print(dataclasses.asdict(view), f"{view.username} {command}d", as_json)
        return 0
    raise ServiceError(f"unknown user action {command}")
