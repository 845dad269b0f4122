"""The settings dialog with the simulated bench: tests run off the UI thread, saving is checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit

from station.context import AppContext
from station.settings import SETTINGS_FILE, load_settings
from tests.factories import make_user
from ui.i18n import LanguageSwitcher
from ui.tasks import TaskRunner
from ui.viewmodels.settings import SettingsViewModel
from ui.widgets.settings_dialog import SettingsDialog

CLICK = Qt.MouseButton.LeftButton


@pytest.fixture
def calls() -> dict[str, list[str]]:
    return {"language": [], "theme": []}


@pytest.fixture
def make_dialog(qtbot, context: AppContext, runner: TaskRunner, calls):
    def make(**kwargs: object) -> SettingsDialog:
        options: dict[str, object] = {"switch_language": calls["language"].append,
                                      "apply_theme": calls["theme"].append, **kwargs}  # fmt: skip
        vm = SettingsViewModel(context, runner, **options)  # type: ignore[arg-type]
        dialog = SettingsDialog(vm)
        qtbot.addWidget(dialog)
        return dialog

    return make


def _pick(combo: QComboBox, value: object) -> None:
    combo.setCurrentIndex(combo.findData(value))


def _type(qtbot, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, text)


def test_scale_test_shows_the_simulated_weight(qtbot, make_dialog, context: AppContext) -> None:
    assert context.devices.simulated_scale is not None
    context.devices.simulated_scale.place(1250.0)
    dialog = make_dialog()

    qtbot.mouseClick(dialog.test_buttons["scale"], CLICK)
    result = dialog.test_results["scale"]
    qtbot.waitUntil(lambda: " g" in result.text(), timeout=10_000)

    grams = float(re.match(r"([\d.]+) g", result.text()).group(1))  # type: ignore[union-attr]
    assert abs(grams - 1250.0) <= 0.5
    assert dialog.test_buttons["scale"].isEnabled()
    assert dialog.test_buttons["scale"].minimumHeight() >= 44


def test_camera_test_shows_a_thumbnail(qtbot, make_dialog) -> None:
    dialog = make_dialog()

    qtbot.mouseClick(dialog.test_buttons["camera"], CLICK)
    qtbot.waitUntil(lambda: not dialog.thumbnail.pixmap().isNull(), timeout=10_000)

    assert 0 < dialog.thumbnail.pixmap().width() <= 320


def test_printer_test_sends_a_real_label(qtbot, make_dialog, context: AppContext) -> None:
    dialog = make_dialog()

    qtbot.mouseClick(dialog.test_buttons["printer"], CLICK)
    qtbot.waitUntil(lambda: "sent" in dialog.test_results["printer"].text(), timeout=10_000)

    simulator = context.devices.printer.simulator  # type: ignore[union-attr]
    assert simulator.wait_for_jobs(1, timeout=5)
    assert b"^XA" in simulator.jobs[0] and b"TEST - BENCH-T1" in simulator.jobs[0]


def test_language_and_theme_apply_at_once_and_are_saved(qtbot, make_dialog, calls, context) -> None:
    sounds: list[bool] = []
    dialog = make_dialog(set_sounds=sounds.append)
    dialog.show()

    _pick(dialog.language, "zh-CN")
    _pick(dialog.fields["theme"], "dark")  # type: ignore[arg-type]
    qtbot.mouseClick(dialog.fields["sounds"], CLICK)
    qtbot.mouseClick(dialog.apply_button, CLICK)
    qtbot.waitUntil(lambda: calls["language"] == ["zh-CN"], timeout=10_000)

    assert calls["theme"] == ["dark"] and sounds == [False]
    saved = load_settings(context.settings.data_dir)
    assert (saved.language, saved.theme, saved.sounds) == ("zh-CN", "dark", False)
    assert context.settings.language == "zh-CN"  # the running settings follow
    assert dialog.isVisible()  # Apply keeps the dialog open


def test_ok_saves_device_changes_and_says_restart(qtbot, make_dialog, context) -> None:
    dialog = make_dialog()
    dialog.show()

    _pick(dialog.fields["printer.driver"], "zpl-tcp")  # type: ignore[arg-type]
    _type(qtbot, dialog.fields["printer.address"], "10.0.0.31:9100")  # type: ignore[arg-type]
    _pick(dialog.fields["labels.format"], "pdf")  # type: ignore[arg-type]
    _type(qtbot, dialog.fields["scale.timeout_s"], "2.5")  # type: ignore[arg-type]
    qtbot.mouseClick(dialog.ok_button, CLICK)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)

    saved = load_settings(context.settings.data_dir)
    assert saved.printer.driver == "zpl-tcp" and saved.printer.address == "10.0.0.31:9100"
    assert saved.labels.format == "pdf" and saved.scale.timeout_s == 2.5
    assert "restart" in dialog.message.text()
    assert context.settings.labels.format == "pdf"  # label rules apply to the next print


def test_invalid_input_blocks_saving_and_is_shown_at_the_field(qtbot, make_dialog, context) -> None:
    dialog = make_dialog()
    dialog.show()

    _pick(dialog.fields["printer.driver"], "zpl-tcp")  # type: ignore[arg-type]
    _type(qtbot, dialog.fields["printer.address"], "printer:abc")  # type: ignore[arg-type]
    _type(qtbot, dialog.fields["scale.timeout_s"], "soon")  # type: ignore[arg-type]
    qtbot.mouseClick(dialog.apply_button, CLICK)

    address_error = dialog.errors["printer.address"]
    assert address_error.isVisible() and "printer:abc" in address_error.text()
    assert dialog.errors["scale.timeout_s"].text() == "Enter a number"
    assert "nothing was saved" in dialog.message.text()
    assert not (context.settings.data_dir / SETTINGS_FILE).exists()

    _type(qtbot, dialog.fields["printer.address"], "10.0.0.31:9100")  # type: ignore[arg-type]
    _type(qtbot, dialog.fields["scale.timeout_s"], "3")  # type: ignore[arg-type]
    assert not address_error.isVisible() and not dialog.errors["scale.timeout_s"].isVisible()


def test_the_open_dialog_retranslates_on_a_real_language_switch(qtbot, make_dialog) -> None:
    switcher = LanguageSwitcher()
    dialog = make_dialog(switch_language=switcher.switch)
    labels_tab = dialog.tabs.tabText(1)
    try:
        _pick(dialog.language, "zh-CN")
        qtbot.mouseClick(dialog.apply_button, CLICK)
        qtbot.waitUntil(lambda: dialog.tabs.tabText(1) != labels_tab, timeout=10_000)
        assert dialog.tabs.tabText(1) == "标签"
    finally:
        switcher.switch("en")
    qtbot.waitUntil(lambda: dialog.tabs.tabText(1) == labels_tab)


def test_endpoints_are_added_and_disabled_by_a_supervisor(qtbot, make_dialog, context) -> None:
    supervisor = make_user(context.db, "supervisor")
    dialog = make_dialog(actor=lambda: supervisor)

    qtbot.keyClicks(dialog.endpoint_url, "https://receiver.example/hooks")
    qtbot.mouseClick(dialog.add_endpoint_button, CLICK)
    qtbot.waitUntil(lambda: dialog.endpoint_table.rowCount() == 1, timeout=10_000)
    assert dialog.secret.text().startswith("whsec_")
    assert dialog.endpoint_table.item(0, 0).text() == "https://receiver.example/hooks"

    dialog.endpoint_table.selectRow(0)
    qtbot.mouseClick(dialog.disable_button, CLICK)
    qtbot.waitUntil(lambda: dialog.endpoint_table.item(0, 1).text().startswith("Disabled"), timeout=10_000)  # fmt: skip


def test_a_grader_may_not_add_endpoints(qtbot, make_dialog, context) -> None:
    grader = make_user(context.db, "grader")
    dialog = make_dialog(actor=lambda: grader)

    qtbot.keyClicks(dialog.endpoint_url, "https://receiver.example/hooks")
    qtbot.mouseClick(dialog.add_endpoint_button, CLICK)
    qtbot.waitUntil(lambda: "may not" in dialog.message.text(), timeout=10_000)

    from station.sync.endpoints import list_endpoints

    assert list_endpoints(context.db) == []


def test_data_folder_is_read_only_with_restart_note(make_dialog, context) -> None:
    dialog = make_dialog()
    data_dir = dialog.fields["data_dir"]

    assert isinstance(data_dir, QLineEdit) and data_dir.isReadOnly()
    assert data_dir.text() == str(context.settings.data_dir)
    assert Path(data_dir.text()) == context.settings.data_dir


def test_a_broken_settings_file_is_shown_and_never_overwritten(
    qtbot, make_dialog, context, runner: TaskRunner
) -> None:
    path = context.settings.data_dir / SETTINGS_FILE
    path.write_text("[scale]\nbaud = 9600\n", encoding="utf-8")  # a typo: unknown key
    dialog = make_dialog()

    assert "baud" in dialog.message.text() and str(path) in dialog.message.text()
    qtbot.mouseClick(dialog.apply_button, CLICK)
    runner.wait_idle()  # had a save been started, it would have written by now

    assert "baud" in dialog.message.text()
    assert path.read_text(encoding="utf-8") == "[scale]\nbaud = 9600\n"


def test_reset_drops_an_unsaved_draft(context, runner: TaskRunner, calls) -> None:
    vm = SettingsViewModel(context, runner, switch_language=calls["language"].append,
                           apply_theme=calls["theme"].append)  # fmt: skip
    vm.set_text("printer.address", "nonsense:port")
    assert "printer.address" in vm.problems()

    (context.settings.data_dir / SETTINGS_FILE).write_text('theme = "dark"\n', encoding="utf-8")
    vm.reset()

    assert vm.problems() == {}
    assert vm.value("printer.address") is None and vm.value("theme") == "dark"


def test_the_scales_range_and_policy_and_the_benchs_name_are_set_here(
    qtbot, make_dialog, context
) -> None:
    dialog = make_dialog()
    dialog.show()
    _type(qtbot, dialog.fields["scale.capacity_g"], "0")  # type: ignore[arg-type]
    qtbot.mouseClick(dialog.apply_button, CLICK)
    assert dialog.errors["scale.capacity_g"].isVisible()  # a scale weighs something
    assert not (context.settings.data_dir / SETTINGS_FILE).exists()

    _type(qtbot, dialog.fields["scale.capacity_g"], "6000")  # type: ignore[arg-type]
    _pick(dialog.fields["scale.stable_policy"], "scale")  # type: ignore[arg-type]
    _type(qtbot, dialog.fields["station_name"], "Bench 3")  # type: ignore[arg-type]
    _type(qtbot, dialog.fields["warehouse"], "LAX-1 Los Angeles")  # type: ignore[arg-type]
    qtbot.mouseClick(dialog.ok_button, CLICK)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)
    saved = load_settings(context.settings.data_dir)
    assert saved.scale.capacity_g == 6000 and saved.scale.stable_policy == "scale"
    assert (saved.station_name, saved.warehouse) == ("Bench 3", "LAX-1 Los Angeles")
