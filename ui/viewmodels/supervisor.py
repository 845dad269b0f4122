"""Supervisor queue and evidence: disputes and flagged verdicts, resolved off the UI thread.

Who acts comes from ``actor``, a callable: the window passes the signed-in user's actor, so a
resolution is always recorded (and authorised, in the service) as that person. A conflict (a
second supervisor resolved the dispute first) comes back as a message and a fresh queue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from station.context import AppContext
from station.i18n import N_, _
from station.services.common import Actor
from station.services.disputes import DisputeConflict, RevisedOutcome, resolve_dispute
from station.services.evidence import Evidence, EvidencePhoto, gather_evidence
from station.services.second_opinion import request_second_opinion
from station.services.supervisor_queue import QueueItem, review_flagged, supervisor_queue
from station.timeutil import utcnow
from ui.tasks import TaskRunner
from ui.viewmodels.messages import RememberedMessage

# station.models.disputes.DisputeState, the queue's "flagged", and a review's outcomes.
DISPUTE_STATE_NAMES: Mapping[str, str] = {
    "open": N_("open"),
    "in_review": N_("in review"),
    "upheld": N_("upheld"),
    "revised": N_("revised"),
    "closed": N_("closed"),
    "flagged": N_("flagged"),
    "accepted": N_("accepted"),
    "disputed": N_("disputed"),
}
# QueueItem.kind
QUEUE_KIND_NAMES: Mapping[str, str] = {
    "dispute": N_("dispute"),
    "flagged": N_("flagged verdict"),
}


def state_name(state: str) -> str:
    """A dispute's (or review's) state in words, in the language in force."""
    text = DISPUTE_STATE_NAMES.get(state)
    return _(text) if text else state


def kind_name(kind: str) -> str:
    text = QUEUE_KIND_NAMES.get(kind)
    return _(text) if text else kind


def load_photo_image(photo: EvidencePhoto) -> QImage:
    """Decode a photo (a null image when it is missing). QImage, not QPixmap, so a worker
    thread can do it: a 12-megapixel JPEG takes long enough to freeze the window."""
    return QImage(str(photo.path)) if photo.present else QImage()


def load_photo_images(evidence: Evidence) -> dict[str, QImage]:
    """Every photo of the evidence, decoded, by SHA-256 (run this off the UI thread)."""
    return {photo.sha256: load_photo_image(photo) for photo in evidence.photos}


class SupervisorViewModel(RememberedMessage, QObject):
    queueChanged = Signal(object)  # list[QueueItem]
    evidenceChanged = Signal(object)  # Evidence
    messageChanged = Signal(str, str)  # level ("info", "error", "conflict"), text

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        actor: Callable[[], Actor],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._runner = runner
        self._actor = actor
        self.items: list[QueueItem] = []
        self.evidence: Evidence | None = None
        self.images: dict[str, QImage] = {}  # the evidence's photos, decoded by the worker
        self.filters: dict[str, object] = {}
        self.now: Callable[[], datetime] = utcnow

    def refresh(self, **filters: object) -> None:
        """Reload the queue; ``filters`` (seller, grade, grader, min_age_hours) are kept."""
        if filters:
            self.filters = {k: v for k, v in filters.items() if v not in (None, "")}
        db, kwargs, now = self._context.db, dict(self.filters), self.now()
        self._runner.submit(
            lambda: supervisor_queue(db, now=now, **kwargs),  # type: ignore[arg-type]
            self._on_queue,
            self._on_error,
        )

    def load_evidence(self, item: QueueItem) -> None:
        ctx = self._context

        def work() -> tuple[Evidence, dict[str, QImage]]:
            evidence = gather_evidence(ctx.db, ctx.standards, ctx.photos, item.inspection_id)
            return evidence, load_photo_images(evidence)  # decoded here, not on the UI thread

        self._runner.submit(work, self._on_evidence, self._on_error)

    def resolve(self, item: QueueItem, reason: str, revised: RevisedOutcome | None) -> None:
        """Uphold (``revised`` None) or revise the dispute the supervisor is looking at."""
        ctx, actor = self._context, self._actor()

        def work() -> str:
            view = resolve_dispute(ctx.db, actor, ctx.standards, item.id,
                                   expected_version=item.version, reason=reason,
                                   revised=revised)  # fmt: skip
            return view.state

        self._runner.submit(work, self._on_resolved, self._on_error)

    def ask_second_opinion(self, item: QueueItem) -> None:
        """A blind re-inspection of the disputed unit by another grader: it waits at every
        bench for the next scan of the unit's LPN."""
        ctx, actor = self._context, self._actor()

        def work() -> None:
            request_second_opinion(ctx.db, actor, item.id, item.version)

        def done(_result: None) -> None:
            self._say("info", lambda: self.tr(
                "Second opinion asked for: another grader scans the unit's LPN at a bench"))  # fmt: skip
            self.refresh()
            self.load_evidence(item)

        self._runner.submit(work, done, self._on_error)

    def review(self, item: QueueItem, outcome: str, note: str) -> None:
        """A flagged verdict: ``accepted`` (grade stands) or ``disputed`` (opens a dispute)."""
        ctx, actor = self._context, self._actor()

        def work() -> str:
            review_flagged(ctx.db, actor, item.verdict_id, outcome, note)
            return outcome

        self._runner.submit(work, self._on_resolved, self._on_error)

    def _on_queue(self, items: list[QueueItem]) -> None:
        self.items = items
        self.queueChanged.emit(items)

    def _on_evidence(self, loaded: tuple[Evidence, dict[str, QImage]]) -> None:
        self.evidence, self.images = loaded
        self.evidenceChanged.emit(self.evidence)

    def _on_resolved(self, state: str) -> None:
        self._say("info", lambda: self.tr("Saved: {state}").format(state=state_name(state)))
        self.refresh()

    def _on_error(self, error: BaseException) -> None:
        # Services raise their refusals already in the user's language: said as they came.
        text = str(error)
        if isinstance(error, DisputeConflict):
            self._say("conflict", lambda: text)
            self.refresh()  # show what the other supervisor decided
        else:  # PermissionDenied and other refusals carry a message written for the user
            self._say("error", lambda: text)
