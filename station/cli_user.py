"""``station user ...``: add users, list them, change roles, reset PINs.

Who acts is a signed-in user, as at the bench: ``--as USERNAME`` signs in with the PIN from
``$STATION_PIN`` (for scripts) or, in a terminal, typed at a hidden prompt. The services check
the role, so without ``--as`` only the bootstrap (creating the first admin) is allowed.

A new PIN (``user add``, ``user reset-pin``) is generated and printed once, or chosen: typed
twice at a hidden prompt (``--ask-pin``) or, for scripts, read from ``$STATION_NEW_PIN``. Never
from the command line: ``--pin 1234`` would stay in the shell's history and be shown to every
local user in the process list, so ``--pin`` is refused with a pointer to the two other ways.
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
NEW_PIN_ENV = "STATION_NEW_PIN"
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
    _new_pin_options(add)
    actions.add_parser("list", parents=parents, help="list users")
    role = actions.add_parser("set-role", parents=parents, help="change a user's role")
    role.add_argument("username")
    role.add_argument("role", choices=_ROLES)
    reset = actions.add_parser("reset-pin", parents=parents, help="new PIN, lifts a lockout")
    reset.add_argument("username")
    _new_pin_options(reset)
    for name, text in (("activate", "allow a user to sign in again"),
                       ("deactivate", "stop a user from signing in")):  # fmt: skip
        parser = actions.add_parser(name, parents=parents, help=text)
        parser.add_argument("username")


def _new_pin_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ask-pin", action="store_true",
        help=f"type the new PIN at a hidden prompt (default: ${NEW_PIN_ENV} if set, "
        "else a generated PIN, printed once)",
    )  # fmt: skip
    # Only to refuse it with a way out (``_refuse_pin_in_argv``): never read as a PIN.
    parser.add_argument("--pin", dest="pin_in_argv", help=argparse.SUPPRESS)


def _refuse_pin_in_argv(args: argparse.Namespace) -> None:
    if getattr(args, "pin_in_argv", None) is not None:
        raise ServiceError(
            _("--pin is not accepted: a PIN on the command line stays in the shell history and "
              "the process list; set {env} or use --ask-pin").format(env=NEW_PIN_ENV)
        )  # fmt: skip


def _chosen_pin(args: argparse.Namespace, username: str) -> str | None:
    """The new PIN someone chose (typed twice at a hidden prompt, or ``$STATION_NEW_PIN``), or
    None: the station generates one and prints it once."""
    if not args.ask_pin:
        return os.environ.get(NEW_PIN_ENV)
    if not sys.stdin.isatty():
        raise ServiceError(
            _("--ask-pin needs a terminal; in a script set {env}").format(env=NEW_PIN_ENV)
        )  # fmt: skip
    name = normalize_username(username)
    first = getpass.getpass(_("New PIN for {username}: ").format(username=name))
    second = getpass.getpass(_("New PIN for {username} again: ").format(username=name))
    if first != second:
        raise ServiceError(_("the two PINs typed differ; nothing was changed"))
    return first


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
    _refuse_pin_in_argv(args)
    actor = acting_actor(args, context)
    if command == "add":
        chosen = _chosen_pin(args, args.username)
        view, pin = add_user(context.db, actor, args.username, args.name, args.role, chosen)
        shown = pin if chosen is None else None  # a PIN the user chose is not echoed
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
        chosen = _chosen_pin(args, args.username)
        pin = reset_pin(context.db, actor, args.username, chosen)
        shown = pin if chosen is None else None
        username = normalize_username(args.username)
        text = _pin_line(username, shown) if shown else f"PIN for {username} changed"
        _print({"username": username, "pin": shown}, text, as_json)
        return 0
    if command in ("activate", "deactivate"):
        view = set_active(context.db, actor, args.username, command == "activate")
        _print(dataclasses.asdict(view), f"{view.username} {command}d", as_json)
        return 0
    raise ServiceError(f"unknown user action {command}")
