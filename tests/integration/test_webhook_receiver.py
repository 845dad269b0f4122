"""The relay tests' receiver speaks correct HTTP/1.1 on a keep-alive connection.

Why: a receiver that sent a body with a 204 left those bytes in the stream; the relay's next
request on that pooled connection read them as the start of its response and failed, or not,
depending on whether they had arrived before the connection was reused: a flaky relay test.
"""

from __future__ import annotations

import http.client
import uuid
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from station.sync.endpoints import generate_secret
from tests.integration.webhook_receiver import Receiver, Reply


def _post(connection: http.client.HTTPConnection, secret: str, event_id: str) -> None:
    body = f'{{"id": "{event_id}", "data": {{"code": "U1"}}}}'
    signature = Webhook(secret).sign(event_id, datetime.now(UTC), body)
    headers = {
        "content-type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": str(int(datetime.now(UTC).timestamp())),
        "webhook-signature": signature,
    }
    connection.request("POST", "/hook", body=body.encode(), headers=headers)


@pytest.mark.parametrize("status", [204, 304])
def test_a_bodiless_status_leaves_the_keep_alive_stream_clean(status: int) -> None:
    secret = generate_secret()
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    replies = {first: Reply(status, body="this must not be sent"), second: Reply(200, body="ok")}
    with Receiver(secret, lambda event, _n: replies[event["id"]]) as rx:
        port = rx.server.server_address[1]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            _post(connection, secret, first)
            answer = connection.getresponse()
            assert answer.status == status
            assert answer.getheader("content-length") is None
            assert answer.read() == b""
            _post(connection, secret, second)  # the same connection, reused
            answer = connection.getresponse()
            assert (answer.status, answer.read()) == (200, b"ok")
            assert answer.getheader("content-length") == "2"
        finally:
            connection.close()
    assert rx.requests == {first: 1, second: 1}
