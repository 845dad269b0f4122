"""What every service call carries and the errors services raise."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from station.i18n import _


@dataclass(frozen=True)
class Actor:
    """Who acts, where: recorded on every change (audit, verdicts, outbox events)."""

    station_id: str
    site_id: str = "WH1"
    user_id: uuid.UUID | None = None


class ServiceError(Exception):
    """A refusal the user can act on; the message is already translated."""


class NotFound(ServiceError):
    pass


class InvalidState(ServiceError):
    pass


class FinalizeRefused(ServiceError):
    def __init__(self, missing: Sequence[tuple[str, str]]) -> None:
        self.missing = tuple(missing)
        names = "; ".join(message for _code, message in self.missing)
        super().__init__(_("Cannot finalize, still missing: {names}").format(names=names))
