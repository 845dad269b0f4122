"""``station sync ...``: webhook endpoints, the outbox relay, its status and dead letters, and
the RMA pull. The same Qt-free services the window uses, so a headless bench can sync too."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import signal
import sys
from types import FrameType
from typing import Any

from station.cli_user import acting_actor, acting_options
from station.i18n import _
from station.services.common import ServiceError
from station.sync import endpoints as ep
from station.sync.relay import Relay, RunCounts
from station.sync.status import (
    SyncStatus,
    held_text,
    resolve,
    retry,
    retry_all_dead,
    sync_status,
)
from station.views import jsonable


def add_sync_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    sync = commands.add_parser("sync", parents=[common], help="webhook delivery and RMA pull")
    actions = sync.add_subparsers(dest="sync_command", required=True, metavar="ACTION")

    endpoint = actions.add_parser("endpoint", parents=[common], help="webhook endpoints")
    ep_actions = endpoint.add_subparsers(dest="endpoint_command", required=True, metavar="ACTION")
    # Changing where verdicts go is a supervisor's (or admin's) decision: --as USERNAME.
    managed = [common, acting_options()]
    add = ep_actions.add_parser("add", parents=managed, help="add an endpoint (--as USERNAME)")
    add.add_argument("url")
    add.add_argument("--secret", help="whsec_... (default: generate one, printed once)")
    add.add_argument("--events", help="comma-separated event types (default: all)")
    ep_actions.add_parser("list", parents=[common], help="list endpoints")
    remove = ep_actions.add_parser("remove", parents=managed, help="remove an endpoint")
    remove.add_argument("id")
    enable = ep_actions.add_parser("enable", parents=managed, help="re-enable an endpoint")
    enable.add_argument("id")
    disable = ep_actions.add_parser("disable", parents=managed, help="pause an endpoint")
    disable.add_argument("id")

    run = actions.add_parser("run", parents=[common], help="deliver outbox events")
    run.add_argument("--once", action="store_true", help="deliver what is due, then exit")
    actions.add_parser("status", parents=[common], help="delivery status and dead letters")
    retry_parser = actions.add_parser(
        "retry", parents=[common, acting_options()],
        help="retry dead deliveries (a supervisor: --as USERNAME)",
    )  # fmt: skip
    which = retry_parser.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", help="a dead delivery's id")
    which.add_argument("--all-dead", action="store_true")
    resolve_parser = actions.add_parser(
        "resolve", parents=[common, acting_options()],
        help="settle a dead delivery by hand: not sent again, its unit's held events flow "
             "(a supervisor: --as USERNAME)",
    )  # fmt: skip
    resolve_parser.add_argument("id", help="a dead delivery's id")
    resolve_parser.add_argument("--reason", required=True, help="why (kept in the audit trail)")
    pull = actions.add_parser("pull", parents=[common], help="pull RMAs from upstream")
    pull.add_argument("--url", help="default: [sync] pull_url in settings")
    disputes = actions.add_parser(
        "pull-disputes", parents=[common], help="pull disputes opened upstream (seller, CS)"
    )
    disputes.add_argument("--url", help="default: [sync] dispute_pull_url in settings")
    disputes.add_argument("--reset", action="store_true", help="start again from the first page")


def _print(result: Any, text: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps(jsonable(result), ensure_ascii=False))
    else:
        print(text)


def run_sync(args: argparse.Namespace, context: Any, as_json: bool) -> int:
    command = args.sync_command
    if command == "endpoint":
        return _endpoint(args, context, as_json)
    if command == "run":
        return _run(args, context, as_json)
    if command == "status":
        status = sync_status(context.db)
        _print(dataclasses.asdict(status), _status_text(status), as_json)
        return 0 if not status.dead else 2
    if command == "retry":
        try:
            actor = acting_actor(args, context)
            n = (
                retry_all_dead(context.db, actor)
                if args.all_dead
                else retry(context.db, actor, args.id)
            )
        except ValueError as exc:
            raise ServiceError(f"not a delivery id: {args.id}") from exc
        _print({"requeued": n}, f"{n} delivery(ies) back to pending", as_json)
        return 0 if n or args.all_dead else 1
    if command == "resolve":
        return _resolve(args, context, as_json)
    if command == "pull":
        return _pull(args, context, as_json)
    if command == "pull-disputes":
        return _pull_disputes(args, context, as_json)
    raise ServiceError(f"unknown sync action {command}")


def _status_text(status: SyncStatus) -> str:
    """Totals, then per endpoint, then what a supervisor must act on: dead letters and the
    events they hold (counted apart from pending, so a stopped unit is explained)."""
    lines = [
        f"pending {status.pending} (in flight {status.in_flight}), delivered "
        f"{status.delivered}, dead {status.dead}; oldest pending "
        + (f"{status.oldest_pending_age_s:.0f}s" if status.oldest_pending_age_s else "-")
    ]
    for e in status.endpoints:
        state = "enabled" if e.enabled else f"DISABLED ({e.disabled_reason})"
        lines.append(f"  {e.id} {e.url} {state}: pending {e.pending}, dead {e.dead}"
                     + (f"; last error: {e.last_error}" if e.last_error else ""))  # fmt: skip
        if e.held:
            lines.append("    " + held_text(e.held, e.held_units))
    for d in status.dead_letters:
        lines.append(f"  dead {d.id} event {d.event_id} unit {d.aggregate_id} -> "
                     f"{d.endpoint_url}: {d.last_error}")  # fmt: skip
    if status.held:
        lines.append(_("Held events are sent once their dead letter is retried "
                       "(station sync retry) or resolved (station sync resolve)."))  # fmt: skip
    return "\n".join(lines)


def _resolve(args: argparse.Namespace, context: Any, as_json: bool) -> int:
    try:
        n = resolve(context.db, acting_actor(args, context), args.id, args.reason)
    except ValueError as exc:
        raise ServiceError(f"not a delivery id: {args.id}") from exc
    text = (
        _("dead letter {id} resolved: the events it held will be sent").format(id=args.id)
        if n
        else _("{id} is not a dead delivery: nothing resolved").format(id=args.id)
    )
    _print({"resolved": n}, text, as_json)
    return 0 if n else 1


def _endpoint(args: argparse.Namespace, context: Any, as_json: bool) -> int:
    action = args.endpoint_command
    try:
        if action == "add":
            types = [t for t in (args.events or "").split(",") if t.strip()]
            view, secret = ep.add_endpoint(context.db, acting_actor(args, context), args.url,
                                           secret=args.secret, event_types=types)  # fmt: skip
            shown = secret if not args.secret else None  # a generated secret is shown once
            text = f"endpoint {view.id} added for {view.url}"
            if shown:
                text += f"\nsecret (shown once, give it to the receiver): {shown}"
            _print({**dataclasses.asdict(view), "secret": shown}, text, as_json)
        elif action == "list":
            views = ep.list_endpoints(context.db)
            text = (
                "\n".join(
                    f"{v.id} {v.url} {'enabled' if v.enabled else 'DISABLED: ' + str(v.disabled_reason)}"
                    f" events={','.join(v.event_types) or '*'}"
                    for v in views
                )
                or "no endpoints"
            )
            _print({"endpoints": [dataclasses.asdict(v) for v in views]}, text, as_json)
        elif action == "remove":
            ep.remove_endpoint(context.db, acting_actor(args, context), args.id)
            _print({"removed": args.id}, f"endpoint {args.id} removed", as_json)
        elif action in ("enable", "disable"):
            view = ep.set_enabled(
                context.db, acting_actor(args, context), args.id, action == "enable"
            )
            _print(dataclasses.asdict(view), f"endpoint {view.id} {action}d", as_json)
    except ep.EndpointError as exc:
        raise ServiceError(str(exc)) from exc
    return 0


def _run(args: argparse.Namespace, context: Any, as_json: bool) -> int:
    config = context.settings.sync

    last_standby: list[str | None] = [None]

    def report(counts: RunCounts) -> None:
        standby_changed = counts.standby != last_standby[0]
        last_standby[0] = counts.standby
        if counts.sent or counts.error or (counts.standby and standby_changed):
            _print(dataclasses.asdict(counts), _counts_text(counts), as_json)
            sys.stdout.flush()

    relay = Relay(context.db, config, on_status=None if args.once else report,
                  station_id=context.actor.station_id)  # fmt: skip
    try:
        if args.once:
            counts = relay.run_once()
            _print(dataclasses.asdict(counts), _counts_text(counts), as_json)
            return 0 if not counts.error else 1

        def on_signal(_signum: int, _frame: FrameType | None) -> None:
            relay.stop(timeout=0)

        signal.signal(signal.SIGTERM, on_signal)
        with contextlib.suppress(KeyboardInterrupt):
            relay.run_forever()
        return 0
    finally:
        relay.close()


def _counts_text(c: RunCounts) -> str:
    text = (f"created {c.created}, sent {c.sent}: delivered {c.delivered}, retrying {c.retried}, "
            f"dead {c.dead}, endpoints disabled {c.endpoints_disabled}, pruned {c.pruned}")  # fmt: skip
    if c.standby:
        text = f"standing by: another relay is delivering ({c.standby})"
    return text + (f"; error: {c.error}" if c.error else "")


def _pull_disputes(args: argparse.Namespace, context: Any, as_json: bool) -> int:
    from station.sync.pull_disputes import pull_disputes

    config = context.settings.sync
    url = args.url or config.dispute_pull_url
    if not url:
        raise ServiceError("no URL: pass --url or set [sync] dispute_pull_url in settings")
    report = pull_disputes(context.db, context.actor, url=url, token=config.pull_token,
                           page_size=config.pull_page_size, reset=args.reset)  # fmt: skip
    result = dataclasses.asdict(report)
    text = (f"pulled {url}: {report.created} new disputes, {report.unchanged} already known, "
            f"{len(report.errors)} refused" + "".join(f"\n  {e}" for e in report.errors))  # fmt: skip
    _print(result, text, as_json)
    return 0 if not report.errors else 3


def _pull(args: argparse.Namespace, context: Any, as_json: bool) -> int:
    try:
        from station.sync.pull import pull_rmas
    except ImportError as exc:  # written separately; say so instead of a traceback
        raise ServiceError(f"RMA pull is not available in this build: {exc}") from exc
    config = context.settings.sync
    url = args.url or config.pull_url
    if not url:
        raise ServiceError("no pull URL: pass --url or set [sync] pull_url in settings")
    report = pull_rmas(context.db, url=url, station_id=context.actor.station_id,
                       token=config.pull_token, page_size=config.pull_page_size)  # fmt: skip
    result = dataclasses.asdict(report) if dataclasses.is_dataclass(report) else vars(report)
    _print(result, f"pulled {url}: {result}", as_json)
    return 0 if not result.get("errors") else 3
