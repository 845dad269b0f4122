"""Which answers the relay and the RMA pull retry, and how long a ``Retry-After`` asks to wait.

Expected values are worked out by hand from RFC 9110 (delta-seconds or an HTTP date) and the
relay's rule "408, 429 and 5xx are retriable, nothing else", so an off-by-one in either shows.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from station.sync.retry_after import is_retriable, parse_retry_after

NOW = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        ("  120 ", 120.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-5", 0.0),  # never a negative wait
        ("Wed, 01 Jan 2025 12:01:30 GMT", 90.0),
        ("Wed, 01 Jan 2025 12:00:30 -0000", 30.0),  # no zone given: read as UTC
        ("Wed, 01 Jan 2025 13:00:00 +0100", 0.0),  # = 12:00 UTC: due now
        ("Wed, 01 Jan 2025 11:00:00 GMT", 0.0),  # in the past: due now
    ],
)
def test_retry_after_as_seconds_or_an_http_date(value: str, seconds: float) -> None:
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize("value", [None, "", "soon", "Wed, 99 Foo 2025"])
def test_an_absent_or_unreadable_retry_after_is_none(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_retriable_answers(status: int) -> None:
    assert is_retriable(status)


@pytest.mark.parametrize(
    "status", [200, 204, 300, 302, 400, 401, 404, 407, 409, 410, 422, 428, 430, 499]
)
def test_answers_that_are_not_worth_retrying(status: int) -> None:
    assert not is_retriable(status)
