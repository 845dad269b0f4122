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
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_core import bench_finalize, percentile  # noqa: E402

from station.db import Database, upgrade_database  # noqa: E402
from station.outbox import add_outbox_event  # noqa: E402
from station.services.demo import seed_demo  # noqa: E402
from station.sync.config import SyncConfig  # noqa: E402
from station.sync.endpoints import add_endpoint  # noqa: E402
from station.sync.relay import Relay  # noqa: E402
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


def start_receiver() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hook"


def add_events(db: Database, n: int, units: int = 2000) -> None:
    with db.write() as session:
        for i in range(n):
            add_outbox_event(session, event_type="inspection.finalized", aggregate_type="unit",
                             aggregate_id=f"U{i % units}", payload={"n": i, "grade": "A"})  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--finalizes", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "station.sqlite3"
        url = f"sqlite:///{path}"
        upgrade_database(url)
        db = Database.open(url)
        server, hook = start_receiver()
        add_endpoint(db, hook)
        add_events(db, args.events)
        relay = Relay(db, SyncConfig())
        start = time.perf_counter()
        counts = relay.run_once()
        elapsed = time.perf_counter() - start
        print(f"relay: {counts.delivered:,} of {args.events:,} events delivered in {elapsed:.2f}s "
              f"= {counts.delivered / elapsed:,.0f} events/s (target >= 500/s)")  # fmt: skip
        assert sync_status(db).pending == 0

        seed_demo(db, rma_count=args.finalizes * 2 * 20 // 10)
        rng = random.Random(7)
        idle = bench_finalize(db, path, args.finalizes // 2, rng)["ours"]
        add_events(db, args.events)  # a backlog for the relay to drain during the second run
        relay.start()
        busy = bench_finalize(db, path, args.finalizes // 2, rng)["ours"]
        relay.close()
        left = sync_status(db).pending
        for name, values in (("idle", idle), ("relay running", busy)):
            print(f"finalize {name:>13}: p50 {statistics.median(values):6.1f} ms, "
                  f"p95 {percentile(values, 95):6.1f} ms (n={len(values)})")  # fmt: skip
        ratio = percentile(busy, 95) / percentile(idle, 95)
        print(f"finalize p95 ratio relay/idle: {ratio:.2f} (target <= 1.2); "
              f"{left:,} deliveries still pending when the run ended")  # fmt: skip
        server.shutdown()
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
