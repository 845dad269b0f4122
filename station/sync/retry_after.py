"""Which HTTP answers are worth retrying, and how long the server asked us to wait.

Shared by the relay (webhooks out) and the RMA pull (expected returns in), so both treat
408/429/5xx and ``Retry-After`` (seconds or an HTTP date) the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def is_retriable(status: int) -> bool:
    return status in (408, 429) or status >= 500
