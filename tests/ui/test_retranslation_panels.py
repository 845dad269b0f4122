"""Runtime language switching of the bench's panels and dialogs, and their layout with long
(German-length, pseudo) strings.

Each test builds one widget with its view-model and realistic content in English, switches to
the pseudo-language (every translated text comes out ⟦bracketed⟧) and asserts that no text a
person can read escaped translation, then switches back and finds the English again. A widget
that does not retranslate, or a literal that was never marked, fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QListWidget,
    QTableWidget,
    QTabWidget,
    QWidget,
)

from devices.config import PrinterConfig
from devices.printer_simulator import PrinterSimulator
from devices.registry import build_devices
from devices.scale import Weight
from station.context import AppContext
from station.i18n import LANGUAGES, PSEUDO_CLOSE, PSEUDO_LANGUAGE, PSEUDO_OPEN
from station.outbox import add_outbox_event
from station.services.disputes import open_dispute
from station.services.evidence import gather_evidence
from station.services.users import add_user, sign_in
from station.sync.config import SyncConfig
from station.sync.endpoints import add_endpoint
from station.sync.relay import Relay
from station.timeutil import utcnow
from tests.event_payloads import LABEL_PRINTED, label_printed
from tests.factories import UPS, make_rma, make_user, sync_manager
from tests.ui.gadget_standard import RMA
from tests.ui.pseudo import untranslated
from tests.ui.steps import finalize_grade_a_in_the_view_model, finalize_with_photos
from ui.device_bridge import DeviceBridge
from ui.i18n import LanguageSwitcher
from ui.theme import DEFAULT_THEME, TOUCH_TARGET_PX, stylesheet
from ui.viewmodels.bench import BenchState, BenchViewModel
from ui.viewmodels.history import HistoryViewModel
from ui.viewmodels.session import SessionViewModel
from ui.viewmodels.settings import SettingsViewModel
from ui.viewmodels.supervisor import SupervisorViewModel
from ui.viewmodels.sync import SyncViewModel
from ui.widgets.camera_preview import CameraPreview
from ui.widgets.defect_picker import DefectPicker
from ui.widgets.device_strip import DeviceStrip, FailedJobsDialog
from ui.widgets.evidence_view import EvidenceView
from ui.widgets.history_dialog import HistoryDialog
from ui.widgets.photo_panel import PhotoPanel
from ui.widgets.rma_panel import RmaPanel
from ui.widgets.scale_readout import ScaleReadout
from ui.widgets.settings_dialog import SettingsDialog
from ui.widgets.sign_in import SessionBadge, SignInDialog
from ui.widgets.supervisor_dialog import SupervisorDialog
from ui.widgets.sync_indicator import DeadLetterDialog, SyncIndicator
from ui.widgets.verdict_panel import VerdictPanel
from ui.widgets.verdict_preview import VerdictPreview

_INNERMOST = re.compile(f"{PSEUDO_OPEN}[^{PSEUDO_OPEN}{PSEUDO_CLOSE}]*{PSEUDO_CLOSE}")
_TAGS = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[A-Za-z]{2,}")
REASON = "Seller photos show the mark was there before shipping"
WINDOW = (1280, 800)  # the bench window's default size: no dialog may need more
BUTTON_PADDING_PX = 16


# --- helpers -------------------------------------------------------------------------------


def _switch(switcher: LanguageSwitcher, language: str) -> None:
    """Switch as the window does, and let every widget handle its LanguageChange."""
    switcher.switch(language)
    for _ in range(3):  # the event is posted to top-level widgets, then sent to children
        QCoreApplication.sendPostedEvents()
        QApplication.processEvents()


def _header_texts(root: QWidget) -> list[str]:
    """Table headers and tab names: read by people, but not walked by ``untranslated``."""
    texts = []
    for table in root.findChildren(QTableWidget):
        for column in range(table.columnCount()):
            item = table.horizontalHeaderItem(column)
            texts.append(item.text() if item is not None else "")
    for tabs in root.findChildren(QTabWidget):
        texts.extend(tabs.tabText(i) for i in range(tabs.count()))
    return texts


def _escapes(text: str, allowed: list[str]) -> bool:
    """Words left once every (possibly nested) translated part is gone: a translated unit
    inside a translated sentence ("Weight ⟦420 g⟧ (expected …)") is one translated text."""
    rest = _TAGS.sub(" ", text)
    while True:
        shorter = _INNERMOST.sub(" ", rest)
        if shorter == rest:
            break
        rest = shorter
    for word in sorted(allowed, key=len, reverse=True):
        rest = rest.replace(word, " ")
    return bool(_WORD.search(rest))


def _assert_all_translated(root: QWidget, allowed: Iterable[str] = ()) -> None:
    data = [text for text in allowed if text]
    problems = [(where, text) for where, text in untranslated(root, allowed=data)
                if _escapes(text, data)]  # fmt: skip
    assert problems == [], problems
    headers = _header_texts(root)
    assert [text for text in headers if PSEUDO_OPEN not in text] == []


def _list_texts(widget: QListWidget) -> list[str]:
    return [widget.item(i).text() for i in range(widget.count())]


def _clipped_buttons(dialog: QWidget) -> list[tuple[str, int, int]]:
    """Visible buttons whose text is wider than the button, unless the tooltip has it all."""
    clipped = []
    measured = 0
    for button in dialog.findChildren(QAbstractButton):
        text = button.text().replace("&", "")
        if not button.isVisible() or not text:
            continue
        needed = button.fontMetrics().horizontalAdvance(text) + BUTTON_PADDING_PX
        measured += needed > BUTTON_PADDING_PX
        if needed > button.width() and text not in button.toolTip():
            clipped.append((text, needed, button.width()))
    assert measured, "no button text was measured: the check would prove nothing"
    return clipped


def _small_targets(dialog: QWidget) -> list[tuple[str, str, int]]:
    """Visible buttons and inputs lower than a touch target (a spin box's or combo box's own
    line edit is part of it, not a target of its own)."""
    small = []
    kinds = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox)
    for widget in dialog.findChildren(QWidget):
        if not isinstance(widget, kinds) or not widget.isVisible():
            continue
        if isinstance(widget, QLineEdit) and isinstance(
            widget.parent(), QAbstractSpinBox | QComboBox
        ):
            continue
        if isinstance(widget.parent(), QAbstractItemView):
            continue  # a table's corner button: part of the table, not a target
        if widget.height() < TOUCH_TARGET_PX:
            text = widget.text() if isinstance(widget, QAbstractButton | QLineEdit) else ""
            small.append((type(widget).__name__, text, widget.height()))
    return small


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def disputed(context: AppContext):
    """Two finalized units with photos and a dispute each (one overdue), and a third whose
    weight was off: a flagged verdict. The supervisor queue holds all three."""
    people = {"grader": make_user(context.db, "grader"),
              "supervisor": make_user(context.db, "supervisor")}  # fmt: skip
    late = finalize_with_photos(context, people["grader"], "RMA-NK-000200", "RMA-NK-000200")
    fresh = finalize_with_photos(context, people["grader"], "RMA-NK-000123", UPS)
    make_rma(context.db, "RMA-NK-000300")
    finalize_with_photos(context, people["grader"], "RMA-NK-000300", "RMA-NK-000300", grams=300.0)
    disputes = [
        open_dispute(context.db, people["supervisor"], late, REASON,
                     now=utcnow() - timedelta(days=10)),
        open_dispute(context.db, people["supervisor"], fresh, REASON),
    ]  # fmt: skip
    return context, people, disputes


def _queue_row(dialog: SupervisorDialog, kind: str) -> int:
    return next(i for i, item in enumerate(dialog._vm.items) if item.kind == kind)


@pytest.fixture
def dead_letter(db, runner, httpserver):
    """A sync view-model whose status has one event an endpoint refused (a dead letter)."""
    httpserver.expect_request("/hook").respond_with_data("bad payload", status=422)
    add_endpoint(db, sync_manager(db), httpserver.url_for("/hook"))
    with db.write() as session:
        add_outbox_event(session, event_type=LABEL_PRINTED, aggregate_type="unit",
                         aggregate_id="unit-1", payload=label_printed("unit-1"))  # fmt: skip
    relay = Relay(db, SyncConfig(request_timeout_s=2))
    relay.run_once()
    supervisor = make_user(db, "supervisor", "sync-supervisor")
    vm = SyncViewModel(db, runner, actor=lambda: supervisor, refresh_ms=60_000)
    yield vm, httpserver.url_for("/hook")
    vm.stop()
    relay.close()


@pytest.fixture
def failing_printer(tmp_path: Path):
    """A device set whose printer is gone: two print jobs have failed."""
    sim = PrinterSimulator().start()
    address = sim.address
    sim.stop()
    printer = PrinterConfig(driver="zpl-tcp", address=address, retry_s=0.01, timeout_s=2)
    devices = build_devices(printer=printer, spool_dir=tmp_path / "spool")
    assert devices.spooler is not None
    devices.spooler.max_attempts = 1
    devices.spooler.submit("zpl", b"^XA^FD1^FS^XZ")
    devices.spooler.submit("zpl", b"^XA^FD2^FS^XZ")
    devices.spooler.start()
    yield devices
    devices.close()


def _device_data(devices) -> list[str]:
    """What the devices say about themselves (names, drivers, ports, errors): data."""
    data: list[str] = []
    for status in devices.statuses():
        data += [status.name, status.driver, status.address or "", status.error or "",
                 status.last_reading or ""]  # fmt: skip
    for job in devices.spooler.failed() if devices.spooler else []:
        data += [job.printer, job.last_error or ""]
    return data


def _open_gadget(qtbot, vm: BenchViewModel) -> None:
    vm.submit_scan(RMA)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING and vm.evaluation is not None)


def _grade_d_complete(qtbot, vm: BenchViewModel) -> None:
    """The gadget does not power on: grade D, refurbish, a partial refund, all facts in."""
    _open_gadget(qtbot, vm)
    vm.set_answer("powers_on", False)
    vm.set_answer("no_power_cause", "board")
    vm.set_answer("accessories", ["cable"])
    vm.record_measurement("width", 52.0)
    vm.take_photo("front")
    qtbot.waitUntil(lambda: "front" in vm.inspection.photo_roles, timeout=10_000)
    vm.take_photo("defect_closeup")
    qtbot.waitUntil(
        lambda: vm.evaluation is not None and vm.evaluation.complete and vm.evaluation_confirmed,
        timeout=10_000,
    )


# --- panels --------------------------------------------------------------------------------


def test_rma_panel_retranslates_the_rma_and_the_blind_prompt(qtbot, vm, switcher):
    panel = RmaPanel(vm)
    qtbot.addWidget(panel)
    vm.submit_scan("RMA-NK-000200")
    qtbot.waitUntil(lambda: vm.state is BenchState.CHOOSE_LINE)
    rma = vm.rma
    data = [rma.number, rma.seller_name, rma.channel, rma.customer_country, rma.reason_code,
            rma.reason_text, str(rma.delivered_on), str(rma.return_deadline)]  # fmt: skip

    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(panel, data)
    assert PSEUDO_OPEN in panel.hint.text() and rma.number in panel.header.text()

    _switch(switcher, "en")
    assert "Several units expected" in panel.hint.text()
    assert (
        "Delivered: " in panel.header.text() and panel.lines.horizontalHeaderItem(1).text() == "SKU"
    )

    vm.submit_scan("LD123456789XX")  # nothing matches: the blind-return prompt
    qtbot.waitUntil(lambda: vm.state is BenchState.BLIND_PROMPT)
    scan = vm.scan
    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(panel, [*data, scan.normalized, scan.carrier or ""])
    assert scan.normalized in panel.blind_label.text()
    assert panel.blind_label.text().startswith(PSEUDO_OPEN)
    _switch(switcher, "en")
    assert panel.blind_label.text().startswith("Blind return: no RMA matches")
    assert panel.blind_button.text() == "Receive as blind return (Ctrl+B)"


def test_defect_picker_retranslates_choices_and_recorded_defects(qtbot, gadget_vm, switcher):
    picker = DefectPicker(gadget_vm)
    qtbot.addWidget(picker)
    _open_gadget(qtbot, gadget_vm)
    qtbot.waitUntil(lambda: picker.code_combo.count() == 2)
    picker.select("SCRATCH", zone="body", severity="major")
    picker.note_field.setText("deep, on the back")
    picker.add()
    qtbot.waitUntil(lambda: len(picker.rows) == 1, timeout=10_000)
    picker.select("CRACK")  # the grader has moved on to the next defect
    data = ["Scratch", "Cracked screen", "Body", "Screen", "deep, on the back"]

    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(picker, data)
    assert picker.code_combo.currentData() == "CRACK"  # the choice survives the switch
    assert picker.current_severity() == "major"
    assert PSEUDO_OPEN in picker.rows[0].label.text()

    _switch(switcher, "en")
    assert picker.add_button.text() == "Add defect" and picker.title() == "Defects"
    assert picker.code_combo.itemText(0) == "Scratch (default minor)"
    assert "major" in picker.rows[0].label.text()
    assert picker.rows[0].remove_button.text() == "Remove"


def test_photo_panel_retranslates_requirements_and_roles(qtbot, gadget_vm, switcher):
    panel = PhotoPanel(gadget_vm)
    qtbot.addWidget(panel)
    _grade_d_complete(qtbot, gadget_vm)
    qtbot.waitUntil(lambda: "defect_closeup" in panel.rows)
    data = [r.label for r in gadget_vm.photo_requirements()]

    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(panel, data)
    assert panel.summary.text().startswith(PSEUDO_OPEN)
    assert all(PSEUDO_OPEN in panel.extra_role.itemText(i) for i in range(panel.extra_role.count()))

    _switch(switcher, "en")
    assert panel.summary.text().startswith("Required now: ")
    assert panel.title() == "Photos" and panel.extra_role.itemText(0) == "Front"


def test_verdict_preview_retranslates_the_outcome(qtbot, gadget_vm, switcher):
    preview = VerdictPreview(gadget_vm)
    qtbot.addWidget(preview)
    _grade_d_complete(qtbot, gadget_vm)
    qtbot.waitUntil(lambda: preview.caption.text() == "Finalize will record")
    evaluation = gadget_vm.evaluation
    data = [*evaluation.reason_codes, evaluation.upstream_disposition or ""]
    data += [text for step in evaluation.trace for text in (step.rule, step.detail)]

    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(preview, data)
    assert preview.grade_label.text() == "D"
    assert preview.details.text().count(PSEUDO_OPEN) >= 4  # every line, every word said

    _switch(switcher, "en")
    assert preview.caption.text() == "Finalize will record"
    details = preview.details.text()
    assert "Refurbish" in details and "Partial refund (50%)" in details and "Customer" in details


def test_verdict_preview_retranslates_what_is_still_missing(qtbot, gadget_vm, switcher):
    preview = VerdictPreview(gadget_vm)
    qtbot.addWidget(preview)
    _open_gadget(qtbot, gadget_vm)
    qtbot.waitUntil(lambda: not preview.missing_label.isHidden())
    data = [*gadget_vm.missing_labels(), *gadget_vm.evaluation.reason_codes]
    data += [text for step in gadget_vm.evaluation.trace for text in (step.rule, step.detail)]

    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(preview, data)
    _switch(switcher, "en")
    assert "Still needed:" in preview.missing_label.text()
    assert preview.caption.text() == "Provisional — facts still missing"


def _switch_bench(switcher: LanguageSwitcher, vm: BenchViewModel, language: str) -> None:
    """Switch as the window does: the view-model hears of it too (ui.app wires it)."""
    switcher.switch(language)
    vm.set_language(language)
    _switch(switcher, language)


def _cracked_and_finalized(qtbot, vm: BenchViewModel) -> None:
    """Grade D with a cracked screen recorded (the gadget standard's CRACK, zone "screen"),
    then finalized."""
    _grade_d_complete(qtbot, vm)
    vm.record_defect("CRACK", zone="screen", severity="major")
    qtbot.waitUntil(
        lambda: (
            "DEFECT_CRACK" in (vm.evaluation.reason_codes if vm.evaluation else ())
            and vm.evaluation.complete
            and vm.evaluation_confirmed
        ),
        timeout=10_000,
    )


def test_the_reasons_name_recorded_defects_in_the_language_in_force(qtbot, gadget_vm, switcher):
    """A recorded defect adds the reason DEFECT_<CODE>: the preview and the recorded verdict
    say the defect's name from the standard (tests/ui/gadget_standard.py: "Cracked screen",
    屏幕破裂), never the code, and follow a language switch."""
    preview, panel = VerdictPreview(gadget_vm), VerdictPanel(gadget_vm)
    for widget in (preview, panel):
        qtbot.addWidget(widget)
    _cracked_and_finalized(qtbot, gadget_vm)
    assert "Cracked screen" in preview.details.text()
    assert "DEFECT_CRACK" not in preview.details.text()
    _switch_bench(switcher, gadget_vm, "zh-CN")
    assert "屏幕破裂" in preview.details.text()
    assert "Cracked screen" not in preview.details.text()

    gadget_vm.finalize()
    qtbot.waitUntil(lambda: gadget_vm.verdict is not None, timeout=10_000)
    assert "屏幕破裂" in panel.details.text() and "DEFECT_CRACK" not in panel.details.text()
    _switch_bench(switcher, gadget_vm, "en")
    assert "Cracked screen" in panel.details.text() and "屏幕破裂" not in panel.details.text()


def test_the_evidence_lists_defects_and_zones_in_the_language_in_force(
    qtbot, gadget_vm, gadget_ctx, switcher
):
    """The supervisor sees what was found: each recorded defect with its zone, named by the
    standard in the language the supervisor reads now (not the seller's, not the code)."""
    _cracked_and_finalized(qtbot, gadget_vm)
    gadget_vm.finalize()
    qtbot.waitUntil(lambda: gadget_vm.verdict is not None, timeout=10_000)
    evidence = gather_evidence(gadget_ctx.db, gadget_ctx.standards, gadget_ctx.photos,
                               gadget_vm.verdict.inspection_id)  # fmt: skip
    view = EvidenceView()
    qtbot.addWidget(view)
    view.show_evidence(evidence)
    [english] = _list_texts(view.defects)
    assert "Cracked screen" in english and "Screen" in english and "major" in english
    _switch(switcher, "zh-CN")
    [chinese] = _list_texts(view.defects)
    assert "屏幕破裂" in chinese and "屏幕" in chinese
    assert "CRACK" not in chinese and "screen" not in chinese.lower()
    assert view.tabs.tabText(0) != "Defects"  # the tab is named in Chinese too


def test_verdict_panel_retranslates_the_recorded_verdict_and_its_labels(qtbot, vm, switcher):
    panel = VerdictPanel(vm)
    qtbot.addWidget(panel)
    finalize_grade_a_in_the_view_model(qtbot, vm, UPS)
    qtbot.waitUntil(lambda: len(panel.reprint_buttons) == 2, timeout=10_000)
    verdict = vm.verdict
    data = [verdict.lpn, str(verdict.refund_amount), verdict.currency or "",
            verdict.upstream_disposition or "", *verdict.reason_codes,
            "4X6", "ZPL", "PDF"]  # fmt: skip

    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(panel, data)
    assert all(b.text().startswith(PSEUDO_OPEN) for b in panel.reprint_buttons)

    _switch(switcher, "en")
    assert "Restock as new" in panel.details.text() and "Full refund" in panel.details.text()
    assert panel.labels_box.title() == "Labels"
    assert "Route tag" in panel.reprint_buttons[1].text()


def test_settings_dialog_names_label_kinds_in_words(qtbot, context, runner, switcher):
    """The label kinds to print (on finalize, on a blind receipt) are check boxes a person
    reads: named in words, in the language in force, never by their codes (lpn, route...)."""
    vm = SettingsViewModel(context, runner, switch_language=lambda _code: None,
                           apply_theme=lambda _name: None)  # fmt: skip
    dialog = SettingsDialog(vm)
    qtbot.addWidget(dialog)
    checks = [c for c in dialog.findChildren(QCheckBox) if c.parent() is not dialog]
    kinds = [c for c in checks if c.text().casefold() in {"lpn", "relabel", "route tag", "receipt",
                                                         "route"}]  # fmt: skip
    assert len(kinds) == 8  # four kinds, on finalize and on a blind receipt
    assert {c.text() for c in kinds} == {"LPN", "Relabel", "Route tag", "Receipt"}

    _switch(switcher, PSEUDO_LANGUAGE)
    assert all(c.text().startswith(PSEUDO_OPEN) for c in kinds), [c.text() for c in kinds]
    _switch(switcher, "en")
    assert {c.text() for c in kinds} == {"LPN", "Relabel", "Route tag", "Receipt"}


def test_camera_preview_retranslates_with_and_without_a_camera(qtbot, vm, switcher):
    without = CameraPreview(None)
    qtbot.addWidget(without)
    with_camera = CameraPreview(vm.live_camera)  # not shown: the camera is not started
    qtbot.addWidget(with_camera)
    assert vm.live_camera is not None

    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(without)
    _assert_all_translated(with_camera)

    _switch(switcher, "en")
    assert without.caption.text() == "Add photos as files"
    assert with_camera.caption.text() == "Live: F7 takes the next photo"


def test_scale_readout_retranslates_the_last_reading(qtbot, vm, switcher):
    readout = ScaleReadout(vm, interval_ms=60_000)  # not shown: no polling
    qtbot.addWidget(readout)
    readout.show_weight(Weight(512.0, True, "scale"))

    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(readout, ["512.0"])
    assert "512.0" in readout.text()

    _switch(switcher, "en")
    assert "512.0 g</b>" in readout.text() and "stable" in readout.text()
    readout.show_weight(Weight(30_500.0, False, "scale", status="overload"))
    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(readout, ["30500.0"])
    _switch(switcher, "en")
    assert "OVERLOAD" in readout.text()


def test_device_strip_and_failed_jobs_dialog_retranslate(qtbot, failing_printer, switcher):
    bridge = DeviceBridge(failing_printer)
    strip = DeviceStrip(bridge)
    qtbot.addWidget(strip)
    qtbot.waitUntil(lambda: len(bridge.failed_jobs()) == 2, timeout=10_000)
    qtbot.waitUntil(lambda: not strip.failed_button.isHidden(), timeout=5000)
    dialog = FailedJobsDialog(bridge, strip)
    qtbot.addWidget(dialog)
    data = _device_data(failing_printer)

    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(strip, data)
    _assert_all_translated(dialog, data)
    assert all(text.startswith(PSEUDO_OPEN) for text in _list_texts(dialog.list))

    _switch(switcher, "en")
    assert strip.failed_button.text() == "2 failed print job(s)"
    assert strip.labels["printer"].toolTip().startswith("Printer: not working")
    assert dialog.windowTitle() == "Failed print jobs" and dialog.retry_button.text() == "Retry"


def test_history_dialog_retranslates_rows_and_the_last_message(qtbot, disputed, runner, switcher):
    context = disputed[0]
    vm = HistoryViewModel(context, runner)
    dialog = HistoryDialog(vm)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3)
    qtbot.mouseClick(dialog.reprint_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "label(s) sent" in dialog.status.text(), timeout=10_000)
    chosen = dialog.selected().inspection_id

    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(dialog, LANGUAGES.values())  # each language in its own words
    assert dialog.status.text().startswith(PSEUDO_OPEN)
    assert dialog.table.item(0, 6).text().startswith(PSEUDO_OPEN)  # the disposition's name
    assert dialog.selected().inspection_id == chosen  # the selection survives the switch

    _switch(switcher, "en")
    assert dialog.windowTitle() == "History"
    assert dialog.status.text().endswith("label(s) sent to the printer")
    assert dialog.table.horizontalHeaderItem(6).text() == "Disposition"


def test_sync_indicator_and_dead_letters_retranslate(qtbot, dead_letter, switcher):
    vm, url = dead_letter
    indicator = SyncIndicator(vm)
    qtbot.addWidget(indicator)
    qtbot.waitUntil(lambda: "FAILED" in indicator.text())
    dialog = DeadLetterDialog(vm, indicator)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1)

    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(indicator)
    _assert_all_translated(dialog, [url, "bad payload"])
    assert indicator.text().startswith(PSEUDO_OPEN) and "1" in indicator.text()

    _switch(switcher, "en")
    assert indicator.text() == "Sync: 1 FAILED"
    assert dialog.summary.text() == "Sync: 1 FAILED"
    assert dialog.retry_all.text() == "Retry all failed"


def test_supervisor_dialog_retranslates_queue_evidence_and_ruling(
    qtbot, disputed, runner, switcher
):
    context, people, _disputes = disputed
    vm = SupervisorViewModel(context, runner, lambda: people["supervisor"])
    dialog = SupervisorDialog(vm)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=10_000)
    qtbot.waitUntil(lambda: dialog.new_disposition.count() > 0, timeout=10_000)
    dialog.reason.setPlainText(REASON)
    qtbot.mouseClick(dialog.uphold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "upheld" in dialog.status.text(), timeout=10_000)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=10_000)
    qtbot.waitUntil(lambda: len(dialog.evidence.images) == 2, timeout=10_000)
    dispute, flagged = _queue_row(dialog, "dispute"), _queue_row(dialog, "flagged")
    assert dialog.table.item(flagged, 6).text() == "Weight out of tolerance"
    evidence = vm.evidence
    header = evidence.report.header
    data = [REASON, *evidence.grades, header.lpn or "", header.seller_code or "",
            *(photo.label for photo in evidence.photos)]  # fmt: skip

    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(dialog, data)
    assert dialog.status.text().startswith(PSEUDO_OPEN)  # "Saved: upheld", said again
    for row, column in ((dispute, 1), (dispute, 5), (flagged, 1), (flagged, 5), (flagged, 6)):
        assert dialog.table.item(row, column).text().startswith(PSEUDO_OPEN)  # in words
    assert dialog.min_age.specialValueText().startswith(PSEUDO_OPEN)
    assert dialog.reason.placeholderText().startswith(PSEUDO_OPEN)

    _switch(switcher, "en")
    assert dialog.status.text() == "Saved: upheld"
    assert dialog.table.item(dispute, 5).text() == "open"
    assert dialog.table.item(dispute, 1).text() == "dispute"
    assert dialog.table.item(flagged, 1).text() == "flagged verdict"
    assert dialog.uphold_button.text() == "Uphold the grade"
    assert dialog.new_disposition.itemText(0) == "Restock as new"


def test_evidence_view_retranslates_history_and_measurements(qtbot, disputed, switcher):
    context, _people, disputes = disputed
    evidence = gather_evidence(context.db, context.standards, context.photos,
                               disputes[0].inspection_id)  # fmt: skip
    view = EvidenceView()
    qtbot.addWidget(view)
    view.show_evidence(evidence)
    header = evidence.report.header
    data = [header.lpn or "", header.seller_code or "", *(p.label for p in evidence.photos)]

    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(view, data)
    history = _list_texts(view.history)
    assert history and all(PSEUDO_OPEN in text for text in history if text.strip())
    assert view.weight.text().startswith(PSEUDO_OPEN)

    _switch(switcher, "en")
    assert view.weight.text().startswith("Weight 420 g")
    assert any(text.startswith("dispute open · opened") for text in _list_texts(view.history))
    assert view.tabs.tabText(2) == "Rule trace"


def test_sign_in_dialog_and_badge_retranslate(qtbot, context, runner, switcher):
    add_user(context.db, context.actor, "admin", "Ada Admin", "admin", pin="2468")  # bootstrap
    admin = sign_in(context.db, context.actor, "admin", "2468").actor
    add_user(context.db, admin, "anna", "Anna", "grader", pin="1357")
    vm = SessionViewModel(context, runner, idle_sign_out_s=0)
    badge = SessionBadge(vm)
    dialog = SignInDialog(vm)
    qtbot.addWidget(badge)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(vm.userChanged, timeout=10_000):
        vm.sign_in("anna", "1357")

    _switch(switcher, PSEUDO_LANGUAGE)
    _assert_all_translated(badge, ["Anna"])
    _assert_all_translated(dialog)
    assert badge.label.text().startswith(PSEUDO_OPEN)

    _switch(switcher, "en")
    assert badge.label.text() == "Anna (grader)"
    assert dialog.windowTitle() == "Sign in" and dialog.sign_in_button.text() == "Sign in"


# --- layout with long strings --------------------------------------------------------------


def test_dialogs_fit_the_window_without_clipping_buttons_in_pseudo(
    qtbot, switcher, disputed, runner, dead_letter, failing_printer
):
    """Built and shown at their default size with German-length strings: every button shows
    its whole text (or carries it in its tooltip), every button and input is a touch target,
    and no dialog needs more than the window."""
    _switch(switcher, PSEUDO_LANGUAGE)  # after the fixtures: building a context sets English
    context, people, _disputes = disputed
    supervisor_vm = SupervisorViewModel(context, runner, lambda: people["supervisor"])
    session_vm = SessionViewModel(context, runner, idle_sign_out_s=0)
    bridge = DeviceBridge(failing_printer)
    qtbot.waitUntil(lambda: len(bridge.failed_jobs()) == 2, timeout=10_000)
    dialogs: list[QDialog] = [
        HistoryDialog(HistoryViewModel(context, runner)),
        SupervisorDialog(supervisor_vm),
        DeadLetterDialog(dead_letter[0]),
        FailedJobsDialog(bridge),
        SignInDialog(session_vm),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
    history, supervisor = dialogs[0], dialogs[1]
    assert isinstance(history, HistoryDialog) and isinstance(supervisor, SupervisorDialog)
    qtbot.waitUntil(lambda: supervisor.table.rowCount() == 3, timeout=10_000)
    qtbot.waitUntil(lambda: supervisor.new_disposition.count() > 0, timeout=10_000)
    qtbot.waitUntil(lambda: history.table.rowCount() == 3, timeout=10_000)
    for dialog in dialogs:
        dialog.setStyleSheet(stylesheet(DEFAULT_THEME))  # the window's look (ui.app applies it)
        dialog.show()
        qtbot.waitExposed(dialog)
        _assert_fits(dialog)
        if dialog is supervisor:  # a flagged verdict shows its own two rulings
            supervisor.table.selectRow(_queue_row(supervisor, "flagged"))
            assert supervisor.accept_button.isVisible() and supervisor.uphold_button.isHidden()
            _assert_fits(dialog)
        dialog.hide()


def _assert_fits(dialog: QDialog) -> None:
    QApplication.processEvents()
    assert dialog.windowTitle().startswith(PSEUDO_OPEN)
    name = type(dialog).__name__
    assert dialog.width() <= WINDOW[0] and dialog.height() <= WINDOW[1], name
    assert _clipped_buttons(dialog) == [], name
    assert _small_targets(dialog) == [], name
