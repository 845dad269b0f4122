"""Settings for the window: edit a draft, test devices, save, apply what can be applied live.

The draft starts from ``settings.toml`` alone (``file_settings``), not from the running
settings, so a runtime override (``--simulate``, ``STATION_DATABASE_URL``) is never written into
the file. Fields are set as text (what a line edit holds) or as values; text that is not a
number is a problem of that field until it is fixed, and nothing is saved while any field has
a problem. Saving, device tests and endpoint changes run on the TaskRunner; the view-model
only emits what happened.

Applied at once: language, theme and sounds (through the callbacks the app passes in) and the
label rules (the services read ``context.settings.labels`` at each print). Everything else
(devices, sync, sign-out, standards folders) takes effect after a restart, and saying so is
part of the "saved" message.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any, get_args, get_type_hints

from PySide6.QtCore import QObject, Signal

from station.context import AppContext
from station.i18n import current_language
from station.services.common import Actor
from station.services.device_checks import (
    devices_for_test,
    test_camera,
    test_printer,
    test_scale,
    test_scanner,
)
from station.settings import SECTIONS, Settings, SettingsError, file_settings, find_problems
from station.settings import save_settings as write_settings
from station.sync import endpoints as endpoint_service
from ui.tasks import Pool, TaskRunner

log = logging.getLogger(__name__)

DEVICE_KINDS = ("scanner", "scale", "camera", "printer")
LIVE_KEYS = frozenset({"language", "theme", "sounds", "labels"})  # no restart needed


def _hint(key: str) -> Any:
    section, _dot, name = key.rpartition(".")
    owner = SECTIONS[section] if section else Settings
    return get_type_hints(owner)[name]


class SettingsViewModel(QObject):
    problemsChanged = Signal(object)  # dict: setting key -> message (empty: all fine)
    testFinished = Signal(str, bool, object)  # kind, ok, text (or JPEG bytes for the camera)
    saved = Signal(bool)  # restart needed for some of the changes
    messageChanged = Signal(str, str)  # level ("info", "error"), text
    endpointsChanged = Signal(object)  # list[EndpointView]
    secretIssued = Signal(str)  # a new endpoint's secret: shown once, never stored here

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        *,
        switch_language: Callable[[str], object],
        apply_theme: Callable[[str], object],
        set_sounds: Callable[[bool], object] | None = None,
        actor: Callable[[], Actor] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._runner = runner
        self._switch_language = switch_language
        self._apply_theme = apply_theme
        self._set_sounds = set_sounds
        self._actor = actor or (lambda: context.actor)
        self._live = (current_language(), context.settings.theme, context.settings.sounds)
        self.saving = False
        self.reset()

    def reset(self) -> None:
        """Start a new draft from the file (each time the dialog opens: a cancelled edit never
        lingers). A few hundred bytes of TOML, read here so the dialog opens filled in."""
        self.load_error: str | None = None
        try:
            self._initial = file_settings(self._context.settings.data_dir)
        except SettingsError as exc:  # edited by hand since start: shown, and never overwritten
            self.load_error = str(exc)
            self._initial = Settings(data_dir=self._context.settings.data_dir)
        self.draft = self._initial
        self._parse_errors: dict[str, str] = {}

    # --- the draft -----------------------------------------------------------------------

    @property
    def data_dir(self) -> str:
        return str(self._context.settings.data_dir)

    @property
    def simulating(self) -> bool:
        """Started with ``--simulate``: every device is a simulator whatever the file says."""
        return self._context.settings.simulate

    def value(self, key: str) -> Any:
        section, _dot, name = key.rpartition(".")
        owner = getattr(self.draft, section) if section else self.draft
        return getattr(owner, name)

    def text(self, key: str) -> str:
        """The value as a line edit shows it ("" for none, 5 rather than 5.0)."""
        value = self.value(key)
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    def set_value(self, key: str, value: Any) -> None:
        self._parse_errors.pop(key, None)
        section, _dot, name = key.rpartition(".")
        if section:
            changed = replace(getattr(self.draft, section), **{name: value})
            self.draft = replace(self.draft, **{section: changed})
        else:
            self.draft = replace(self.draft, **{name: value})
        self.validate()

    def set_text(self, key: str, text: str) -> None:
        """Parse ``text`` by the setting's type; what does not parse is that field's problem."""
        hint = _hint(key)
        kinds = [t for t in (get_args(hint) or (hint,)) if t is not type(None)]
        clean = text.strip()
        if not clean and type(None) in get_args(hint):  # optional: empty means "none"
            self.set_value(key, None)
            return
        try:
            if int in kinds:
                value: Any = int(clean)
            elif float in kinds:
                value = float(clean.replace(",", "."))
            else:
                value = clean
        except ValueError:
            message = self.tr("Enter a whole number") if int in kinds else self.tr("Enter a number")
            self._parse_errors[key] = message
            self.problemsChanged.emit(self.problems())
            return
        self.set_value(key, value)

    def problems(self) -> dict[str, str]:
        found = {problem.key: problem.message for problem in find_problems(self.draft)}
        found.update(self._parse_errors)
        return found

    def validate(self) -> dict[str, str]:
        problems = self.problems()
        self.problemsChanged.emit(problems)
        return problems

    # --- saving --------------------------------------------------------------------------

    def save(self) -> bool:
        """Save the draft if it is valid (on a worker); False (and the problems shown) if not."""
        if self.load_error:
            self.messageChanged.emit("error", self.load_error)
            return False
        if self.validate():
            self.messageChanged.emit("error", self.tr("Fix the marked fields first: nothing was saved"))  # fmt: skip
            return False
        if self.saving:
            return False
        self.saving = True
        draft = self.draft
        self._runner.submit(lambda: write_settings(draft), lambda _path: self._saved(draft),
                            self._save_failed, Pool.GENERAL)  # fmt: skip
        return True

    def _saved(self, draft: Settings) -> None:
        self.saving = False
        ctx = self._context
        ctx.settings = replace(ctx.settings, **{key: getattr(draft, key) for key in LIVE_KEYS})
        language, theme, sounds = self._live
        if draft.language != language:
            self._switch_language(draft.language)
        if draft.theme != theme:
            self._apply_theme(draft.theme)
        if draft.sounds != sounds and self._set_sounds is not None:
            self._set_sounds(draft.sounds)
        self._live = (draft.language, draft.theme, draft.sounds)
        restart = any(
            getattr(draft, spec.name) != getattr(self._initial, spec.name)
            for spec in fields(Settings)
            if spec.name not in LIVE_KEYS
        )
        text = self.tr("Settings saved.")
        if restart:
            text += " " + self.tr("Device and other changes take effect after a restart.")
        self.messageChanged.emit("info", text)
        self.saved.emit(restart)

    def _save_failed(self, error: BaseException) -> None:
        self.saving = False
        self.messageChanged.emit("error", str(error))

    # --- device tests --------------------------------------------------------------------

    def test_device(self, kind: str) -> None:
        """Test the device as the draft describes it (the running one if unchanged)."""
        ctx, draft = self._context, self.draft
        station, site = ctx.settings.station_id, ctx.settings.site_id
        config, running = getattr(draft, kind), getattr(ctx.settings, kind)

        def work() -> object:
            if kind == "scanner":
                return test_scanner(config)
            with devices_for_test(kind, config, ctx.devices, running) as devices:
                error = devices.status(kind).error
                if kind == "scale":
                    return test_scale(devices.scale, error=error)
                if kind == "camera":
                    return test_camera(devices.camera, error=error)
                return test_printer(devices.printer, station_id=station, site_id=site,
                                    labels=draft.labels, error=error)  # fmt: skip

        self._runner.submit(work, lambda result: self.testFinished.emit(kind, True, result),
                            lambda error: self.testFinished.emit(kind, False, str(error)),
                            Pool.GENERAL)  # fmt: skip

    # --- webhook endpoints -----------------------------------------------------------------

    def refresh_endpoints(self) -> None:
        db = self._context.db
        self._runner.submit(lambda: endpoint_service.list_endpoints(db), self.endpointsChanged.emit,
                            self._endpoint_failed)  # fmt: skip

    def add_endpoint(self, url: str) -> None:
        """As the signed-in user: the service refuses anyone who may not manage sync."""
        db, actor = self._context.db, self._actor()

        def work() -> str:
            _view, secret = endpoint_service.add_endpoint(db, actor, url.strip())
            return secret

        self._runner.submit(work, self._endpoint_added, self._endpoint_failed)

    def set_endpoint_enabled(self, endpoint_id: uuid.UUID, enabled: bool) -> None:
        db, actor = self._context.db, self._actor()
        self._runner.submit(
            lambda: endpoint_service.set_enabled(db, actor, endpoint_id, enabled),
            lambda _view: self.refresh_endpoints(),
            self._endpoint_failed,
        )

    def _endpoint_added(self, secret: str) -> None:
        self.secretIssued.emit(secret)
        self.refresh_endpoints()

    def _endpoint_failed(self, error: BaseException) -> None:
        self.messageChanged.emit("error", str(error))
