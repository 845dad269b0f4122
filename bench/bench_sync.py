"""Benchmark: outbox relay throughput, and finalize latency while the relay runs.

1. Drains 10,000 outbox events to a loopback receiver (verifying nothing, answering 204)
   and reports events/s. Target from the issue: >= 500 events/s on 2 cores.
2. Finalize p50/p95 (general-merchandise standard, as in bench_core.py) idle, then with the
   relay thread draining a backlog at the same time. Target: p95 with relay <= 1.2x idle.
Nothing here asserts a time; it reports.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_core import general_only, percentile, prepare_inspections, time_finalizes  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from inspection_rules import StandardRegistry  # noqa: E402
from station.db import Database, upgrade_database  # noqa: E402
from station.models.ledger import OutboxEvent  # noqa: E402
from station.models.sync import DeliveryStatus, OutboxDelivery  # noqa: E402
from station.outbox import add_outbox_event  # noqa: E402
from station.services.common import Actor  # noqa: E402
from station.services.demo import seed_demo  # noqa: E402
from station.sync.config import SyncConfig  # noqa: E402
from station.sync.endpoints import add_endpoint  # noqa: E402
from station.sync.relay import Relay  # noqa: E402
from station.sync.sender import canonical_body  # noqa: E402
from station.sync.status import sync_status  # noqa: E402


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()


def demo_admin(db: Database, station_id: str) -> Actor:
    """The demo's administrator as the acting user: adding an endpoint is sync management,
    which the service authorises (the seed made the user; nothing needs to sign in here)."""
    from station.models import Role, User

    with db.read() as session:
        user_id = session.scalar(select(User.id).where(User.role == Role.ADMIN.value))
    assert user_id is not None, "the demo seed made no administrator"
    return Actor(station_id=station_id, user_id=user_id)


def serve(port_file: str) -> None:
    """The receiver's process: a remote system in reality, so it must not share our GIL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    Path(port_file).write_text(str(server.server_address[1]))
    server.serve_forever()


def start_receiver(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port_file = tmp / "receiver.port"
    process = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file)])
    deadline = time.monotonic() + 20
    while not port_file.exists() or not port_file.read_text():
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("the loopback receiver did not start")
        time.sleep(0.02)
    return process, f"http://127.0.0.1:{int(port_file.read_text())}/hook"


def delivered_count(db: Database) -> int:
    with db.read() as session:
        query = select(func.count()).where(OutboxDelivery.state == DeliveryStatus.DELIVERED)
        return int(session.scalar(query) or 0)


def verdict_template(db: Database, actor: Actor, standards: StandardRegistry) -> dict[str, Any]:
    """A real ``inspection.verdict.recorded`` envelope (the relay validates what it sends)."""
    (inspection_id,) = prepare_inspections(db, actor, standards, 1, random.Random(1))
    time_finalizes(db, actor, standards, [inspection_id])
    with db.read() as session:
        event = session.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type == "inspection.verdict.recorded")
        ).first()
        assert event is not None
        return dict(event.payload)


def add_events(db: Database, template: dict[str, Any], n: int, units: int = 2000) -> None:
    """n copies of a real verdict event, as if n verdicts had been finalized offline."""
    with db.write() as session:
        for i in range(n):
            add_outbox_event(session, event_type=template["type"], aggregate_type="inspection",
                             aggregate_id=f"U{i % units}", payload=template["data"])  # fmt: skip


BLOCKS = 8  # idle and busy blocks alternate, so drift (cache, WAL size, CPU clock) hits both
PACE_S = 0.1  # "paced": a finalize every 100 ms, a very fast grader; "back to back": none


def wait_until_sending(db: Database, relay: Relay) -> None:
    """Starts the relay and returns once it is delivering: timing starts in its steady state."""
    before = delivered_count(db)
    relay.start()
    deadline = time.monotonic() + 30
    while delivered_count(db) < before + 50 and time.monotonic() < deadline:
        time.sleep(0.02)


def finalize_blocks(
    db: Database,
    relay: Relay,
    actor: Actor,
    standards: StandardRegistry,
    total: int,
    pace_s: float,
    rng: random.Random,
) -> tuple[list[float], list[float], list[float]]:
    """Finalize latency with the relay stopped and draining, in alternating blocks, both timed
    the same way (the pause matters: a finalize after a pause is slower than back to back)."""
    idle: list[float] = []
    busy: list[float] = []
    rates: list[float] = []
    per_block = max(1, total // (2 * BLOCKS))

    def run(opened: list[uuid.UUID]) -> list[float]:
        timings = []
        for inspection_id in opened:
            timings += time_finalizes(db, actor, standards, [inspection_id])
            time.sleep(pace_s)
        return timings

    for _ in range(BLOCKS):
        idle += run(prepare_inspections(db, actor, standards, per_block, rng))
        opened = prepare_inspections(db, actor, standards, per_block, rng)
        wait_until_sending(db, relay)
        started, at_start = time.perf_counter(), delivered_count(db)
        busy += run(opened)
        rates.append((delivered_count(db) - at_start) / (time.perf_counter() - started))
        relay.stop()
    return idle, busy, rates


def report(name: str, idle: list[float], busy: list[float], rates: list[float]) -> None:
    ratio = percentile(busy, 95) / percentile(idle, 95)
    print(f"{name}: finalize p50/p95 idle {statistics.median(idle):.1f}/"
          f"{percentile(idle, 95):.1f} ms, relay draining {statistics.median(busy):.1f}/"
          f"{percentile(busy, 95):.1f} ms (n={len(busy)}); p95 ratio {ratio:.2f} "
          f"(target <= 1.2); relay meanwhile {statistics.median(rates):,.0f} events/s")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--backlog", type=int, default=20_000)
    parser.add_argument("--finalizes", type=int, default=320, help="per mode, idle + busy")
    parser.add_argument("--workers", type=int, default=SyncConfig().relay_workers)
    parser.add_argument("--batch", type=int, default=SyncConfig().relay_batch_size)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "station.sqlite3"
        url = f"sqlite:///{path}"
        upgrade_database(url)
        db = Database.open(url)
        receiver, hook = start_receiver(Path(tmp))
        seed_demo(db, rma_count=args.finalizes * 2 * 2)
        actor = Actor(station_id="BENCH-1")
        standards = general_only(db)
        template = verdict_template(db, actor, standards)
        add_endpoint(db, demo_admin(db, "BENCH-1"), hook)
        add_events(db, template, args.events)
        relay = Relay(db, SyncConfig(relay_workers=args.workers, relay_batch_size=args.batch))
        start = time.perf_counter()
        counts = relay.run_once()
        elapsed = time.perf_counter() - start
        print(f"relay: {counts.delivered:,} events delivered in {elapsed:.2f}s "
              f"= {counts.delivered / elapsed:,.0f} events/s (target >= 500/s; each validated "
              f"against its schema, signed, {len(canonical_body(template)):,} bytes)")  # fmt: skip
        status = sync_status(db)
        assert status.pending == 0 and status.dead == 0, status

        rng = random.Random(7)
        add_events(db, template, args.backlog)  # so the relay has work in every busy block
        for name, pace in (("back to back", 0.0), (f"one every {PACE_S * 1000:.0f} ms", PACE_S)):
            report(name, *finalize_blocks(db, relay, actor, standards, args.finalizes, pace, rng))
        relay.close()
        receiver.terminate()
        receiver.wait(10)
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
