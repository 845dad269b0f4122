"""A real loopback webhook receiver for relay tests.

It verifies every request with the official ``standardwebhooks`` library, applies each event
at most once (dedupe by ``webhook-id``, like a well-behaved receiver), and can misbehave on
demand: answer an error status (with ``Retry-After``), hold the answer until the test releases
it, or apply the event and then drop the connection without answering (the case at-least-once
delivery exists for). Whatever it is told, it answers in correct HTTP/1.1, so a misbehaviour
asked for never corrupts the next answer on the same keep-alive connection.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str = "ok"
    delay_s: float = 0.0  # pacing only: never what a test's outcome hangs on
    drop_after_apply: bool = False  # apply the event, then close the socket without a reply
    # Answer only once the test sets this event: a reply slower than any timeout, however
    # fast or slow the machine (a fixed delay races the client's timeout under load).
    hold: threading.Event | None = None


Behaviour = Callable[[dict[str, Any], int], Reply]  # (event envelope, attempt no. for it)

#: Final statuses that never carry a body (1xx are interim and not given as a Reply).
NO_BODY_STATUSES = frozenset({204, 304})
HOLD_LIMIT_S = 60.0  # a held reply is given up after this (a test that failed first)


class Receiver:
    def __init__(self, secret: str, behaviour: Behaviour | None = None) -> None:
        self.webhook = Webhook(secret)
        self.behaviour = behaviour or (lambda _event, _n: Reply())
        self.lock = threading.Lock()
        self.applied: list[str] = []  # event ids, in the order their effect happened
        self.applied_units: list[tuple[str, str]] = []  # (unit, event id) in effect order
        self.effects: dict[str, int] = {}  # event id -> times applied (must stay 1)
        self.requests: dict[str, int] = {}  # event id -> requests received
        self.rejected = 0
        self.bodies: dict[str, set[bytes]] = {}  # event id -> distinct bodies seen
        self.changed = threading.Condition(self.lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.handle(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        try:
            event = self.webhook.verify(body, headers)
        except WebhookVerificationError:
            with self.lock:
                self.rejected += 1
            self._answer(handler, Reply(status=400, body="bad signature"))
            return
        event_id = headers["webhook-id"]
        with self.lock:
            self.requests[event_id] = self.requests.get(event_id, 0) + 1
            attempt = self.requests[event_id]
            self.bodies.setdefault(event_id, set()).add(body)
        reply = self.behaviour(event, attempt)
        if reply.delay_s:
            time.sleep(reply.delay_s)
        if reply.hold is not None and not reply.hold.wait(HOLD_LIMIT_S):
            return  # the test never released it: drop the request, apply nothing
        if reply.status < 300 or reply.drop_after_apply:
            with self.changed:
                if event_id not in self.effects:  # dedupe: a redelivery has no second effect
                    self.applied.append(event_id)
                    self.applied_units.append((str(event["data"].get("code")), event_id))
                self.effects[event_id] = self.effects.get(event_id, 0) + 1
                self.changed.notify_all()
        if reply.drop_after_apply:
            handler.connection.shutdown(socket.SHUT_RDWR)
            handler.close_connection = True
            return
        self._answer(handler, reply)

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        """Answer in correct HTTP/1.1, whatever the Reply says: a 204 or 304 has neither a body
        nor a Content-Length (RFC 9110 sections 8.6, 15.3.5 and 15.4.5). A body after either
        stays in the keep-alive stream and is read as the start of the next response."""
        bodiless = reply.status in NO_BODY_STATUSES
        data = b"" if bodiless else reply.body.encode()
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if not bodiless:
            handler.send_header("content-length", str(len(data)))
        handler.end_headers()
        if data:
            handler.wfile.write(data)

    def wait_applied(self, n: int, timeout: float = 30.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: len(self.applied) >= n, timeout)


def envelope_json(event: dict[str, Any]) -> str:
    return json.dumps(event, sort_keys=True)
