"""Settings (Ctrl+,): devices with Test buttons, label rules, webhook endpoints, language, data.

Every field edits the view-model's draft as it changes; a problem shows in red under its own
field at once, and Apply/OK save only when there is none. Tests, saving and endpoint changes
run on the TaskRunner, so the dialog stays responsive while a scale times out. Fields and
buttons are at least ``TOUCH_TARGET_PX`` high: benches are often driven with a finger.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from devices.scale_protocols import PROTOCOLS
from labels.api import LABEL_KINDS, LABEL_SIZES
from station.i18n import LANGUAGES
from station.settings import LABEL_DPIS
from station.sync.endpoints import EndpointView
from ui.i18n import Retranslatable
from ui.icons import icon
from ui.theme import TOUCH_TARGET_PX, set_style_property
from ui.viewmodels.settings import SettingsViewModel
from ui.widgets.verdict_panel import label_kind_name
from ui.widgets.wheel_guard import guard_wheel

Text = Callable[[], str]


class SettingsDialog(Retranslatable, QDialog):
    def __init__(self, vm: SettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._texts: list[tuple[Callable[[str], Any], Text]] = []  # (setter, text) pairs
        self._combos: list[tuple[QComboBox, list[Text]]] = []
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.test_buttons: dict[str, QPushButton] = {}
        self.test_results: dict[str, QLabel] = {}
        self._endpoints: list[EndpointView] = []
        self._close_after_save = False
        self.setWindowIcon(icon("settings"))
        self.resize(760, 640)

        self.tabs = QTabWidget(self)
        tabs: list[tuple[QWidget, Text]] = [
            (self._devices_tab(), lambda: self.tr("Devices")),
            (self._labels_tab(), lambda: self.tr("Labels")),
            (self._endpoints_tab(), lambda: self.tr("Endpoints")),
            (self._appearance_tab(), lambda: self.tr("Language and appearance")),
            (self._data_tab(), lambda: self.tr("Data")),
        ]
        for index, (page, title) in enumerate(tabs):
            self.tabs.addTab(page, "")
            self._texts.append((partial(self.tabs.setTabText, index), title))
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Cancel,
            self,
        )
        for button in self.buttons.buttons():
            button.setMinimumHeight(TOUCH_TARGET_PX)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.apply_button.clicked.connect(lambda: self._save(close=False))
        self.buttons.accepted.connect(lambda: self._save(close=True))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        vm.problemsChanged.connect(self._show_problems)
        vm.testFinished.connect(self._show_test)
        vm.messageChanged.connect(self._show_message)
        vm.saved.connect(self._after_save)
        vm.endpointsChanged.connect(self._show_endpoints)
        vm.secretIssued.connect(self._show_secret)
        self.retranslate()
        if vm.load_error:
            self._show_message("error", vm.load_error)
        vm.refresh_endpoints()
        guard_wheel(self)  # the wheel scrolls; it never changes a dropdown's value

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        for setter, text in self._texts:
            setter(text())
        for combo, texts in self._combos:
            for index, text in enumerate(texts):
                combo.setItemText(index, text())
        self.endpoint_table.setHorizontalHeaderLabels([self.tr("URL"), self.tr("State")])
        self._show_endpoints(self._endpoints)
        self._show_problems(self._vm.problems())  # the messages come in the new language too

    # --- building blocks -------------------------------------------------------------------

    def _text(self, setter: Callable[[str], Any], text: Text) -> None:
        self._texts.append((setter, text))

    def _row(self, form: QFormLayout, key: str, widget: QWidget, name: Text) -> None:
        widget.setMinimumHeight(TOUCH_TARGET_PX)
        label = QLabel(self)
        self._text(label.setText, name)
        error = QLabel(self)
        set_style_property(error, "state", "error")
        error.setWordWrap(True)
        error.setVisible(False)
        cell = QVBoxLayout()
        cell.setSpacing(2)
        cell.addWidget(widget)
        cell.addWidget(error)
        form.addRow(label, cell)
        self.fields[key] = widget
        self.errors[key] = error

    def _line(self, form: QFormLayout, key: str, name: Text, hint: Text | None = None) -> QLineEdit:
        edit = QLineEdit(self._vm.text(key), self)
        if hint is not None:
            self._text(edit.setPlaceholderText, hint)
        edit.textEdited.connect(lambda text: self._vm.set_text(key, text))
        self._row(form, key, edit, name)
        return edit

    def _combo(self, form: QFormLayout, key: str, name: Text, choices: list[tuple[Any, Text]]) -> QComboBox:  # fmt: skip
        combo = QComboBox(self)
        current = self._vm.value(key)
        if current not in [value for value, _text in choices]:  # keep what the file says
            choices = [*choices, (current, lambda: str(current))]
        for value, _text in choices:
            combo.addItem("", value)
        self._combos.append((combo, [text for _value, text in choices]))
        combo.setCurrentIndex(combo.findData(current))
        combo.currentIndexChanged.connect(lambda _i: self._vm.set_value(key, combo.currentData()))
        self._row(form, key, combo, name)
        return combo

    def _plain(self, values: tuple[Any, ...]) -> list[tuple[Any, Text]]:
        """Choices shown as they are written (protocol names, sizes): nothing to translate."""
        return [(value, partial(str, value)) for value in values]

    def _kinds(self, form: QFormLayout, key: str, name: Text) -> None:
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        checks: dict[str, QCheckBox] = {}
        for kind in LABEL_KINDS:
            check = QCheckBox(box)
            self._text(check.setText, partial(label_kind_name, kind))  # words, not the code
            check.setMinimumHeight(TOUCH_TARGET_PX)
            check.setChecked(kind in self._vm.value(key))
            checks[kind] = check
            row.addWidget(check)
        for check in checks.values():
            check.toggled.connect(lambda _on: self._vm.set_value(
                key, tuple(k for k, c in checks.items() if c.isChecked())))  # fmt: skip
        row.addStretch(1)
        self._row(form, key, box, name)

    def _button(self, text: Text, parent: QWidget) -> QPushButton:
        button = QPushButton(parent)
        button.setMinimumHeight(TOUCH_TARGET_PX)
        self._text(button.setText, text)
        return button

    def _group(self, title: Text, parent: QWidget) -> tuple[QGroupBox, QFormLayout]:
        group = QGroupBox(parent)
        self._text(group.setTitle, title)
        return group, QFormLayout(group)

    # --- tabs ------------------------------------------------------------------------------

    def _devices_tab(self) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        note = QLabel(page)
        note.setWordWrap(True)
        self._text(note.setText, lambda: self.tr("Device changes take effect after a restart. Test checks the settings shown here."))  # fmt: skip
        column.addWidget(note)
        if self._vm.simulating:
            simulated_note = QLabel(page)
            simulated_note.setWordWrap(True)
            set_style_property(simulated_note, "state", "info")
            self._text(simulated_note.setText, lambda: self.tr("This bench was started with simulated devices (--simulate): the settings below apply when it starts without."))  # fmt: skip
            column.addWidget(simulated_note)
        none, simulated = (lambda: self.tr("None")), (lambda: self.tr("Simulated"))
        group, form = self._group(lambda: self.tr("Scanner"), page)
        self._line(form, "scanner.serial_port", lambda: self.tr("Serial port"),
                   lambda: self.tr("empty: keyboard scanner"))  # fmt: skip
        self._combo(form, "scanner.terminator", lambda: self.tr("Scan ends with"), [
            ("either", lambda: self.tr("Enter or Tab")), ("enter", lambda: self.tr("Enter")),
            ("tab", lambda: self.tr("Tab"))])  # fmt: skip
        self._test_row(form, "scanner", page)
        column.addWidget(group)
        group, form = self._group(lambda: self.tr("Scale"), page)
        self._combo(form, "scale.driver", lambda: self.tr("Driver"), [
            ("none", none), ("simulated", simulated), ("serial", lambda: self.tr("Serial port"))])  # fmt: skip
        self._line(form, "scale.port", lambda: self.tr("Port"),
                   lambda: self.tr("/dev/ttyUSB0, COM3, socket://host:port"))  # fmt: skip
        self._combo(form, "scale.protocol", lambda: self.tr("Protocol"), self._plain(PROTOCOLS))
        self._line(form, "scale.baudrate", lambda: self.tr("Baud rate"))
        self._line(form, "scale.timeout_s", lambda: self.tr("Timeout (s)"))
        self._line(form, "scale.capacity_g", lambda: self.tr("Capacity (g)"),
                   lambda: self.tr("the scale's range, from its data plate"))  # fmt: skip
        self._combo(form, "scale.stable_policy", lambda: self.tr("Stable when"), [
            ("either", lambda: self.tr("the scale says so, else 5 close readings")),
            ("scale", lambda: self.tr("the scale says so")),
            ("both", lambda: self.tr("the scale says so and 5 close readings")),
            ("consecutive", lambda: self.tr("5 close readings (never while moving)"))])  # fmt: skip
        self._test_row(form, "scale", page)
        column.addWidget(group)
        group, form = self._group(lambda: self.tr("Camera"), page)
        self._combo(form, "camera.driver", lambda: self.tr("Driver"), [
            ("none", none), ("simulated", simulated), ("opencv", lambda: self.tr("Camera (OpenCV)"))])  # fmt: skip
        self._line(form, "camera.source", lambda: self.tr("Source"),
                   lambda: self.tr("0, a video file, an image folder or an RTSP/HTTP URL"))  # fmt: skip
        self._test_row(form, "camera", page)
        self.thumbnail = QLabel(page)
        form.addRow(self.thumbnail)
        column.addWidget(group)
        group, form = self._group(lambda: self.tr("Printer"), page)
        self._combo(form, "printer.driver", lambda: self.tr("Driver"), [
            ("none", none), ("simulated", simulated),
            ("zpl-tcp", lambda: self.tr("Label printer on the network (ZPL)")),
            ("cups", lambda: self.tr("CUPS queue")), ("folder", lambda: self.tr("Folder (files)"))])  # fmt: skip
        self._line(form, "printer.address", lambda: self.tr("Address"), lambda: self.tr("host:port, e.g. 10.0.0.31:9100"))  # fmt: skip
        self._line(form, "printer.queue", lambda: self.tr("CUPS queue"))
        self._line(form, "printer.folder", lambda: self.tr("Folder"))
        self._line(form, "printer.timeout_s", lambda: self.tr("Timeout (s)"))
        self._test_row(form, "printer", page)
        column.addWidget(group)
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        return scroll

    def _test_row(self, form: QFormLayout, kind: str, parent: QWidget) -> None:
        button = self._button(lambda: self.tr("Test"), parent)
        result = QLabel(parent)
        result.setWordWrap(True)
        result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        button.clicked.connect(lambda: self._test(kind))
        form.addRow(button, result)
        self.test_buttons[kind] = button
        self.test_results[kind] = result

    def _labels_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self._combo(form, "labels.format", lambda: self.tr("Format"), [
            ("zpl", lambda: self.tr("ZPL (thermal label printer)")),
            ("pdf", lambda: self.tr("PDF (office printer, files)"))])  # fmt: skip
        self._combo(form, "labels.dpi", lambda: self.tr("Printer resolution (dpi)"), self._plain(LABEL_DPIS))  # fmt: skip
        sizes = self._plain(LABEL_SIZES)
        self._combo(form, "labels.lpn_size", lambda: self.tr("LPN label size"), sizes)
        self._combo(form, "labels.relabel_size", lambda: self.tr("Relabel size"), sizes)
        self._combo(form, "labels.route_size", lambda: self.tr("Route tag size"), sizes)
        self._combo(form, "labels.receipt_size", lambda: self.tr("Receipt label size"), sizes)
        self._kinds(form, "labels.on_finalize", lambda: self.tr("Print on finalize"))
        self._kinds(form, "labels.on_blind_receipt", lambda: self.tr("Print on blind receipt"))
        self._line(form, "labels.printer", lambda: self.tr("Printer name"),
                   lambda: self.tr("empty: the configured printer"))  # fmt: skip
        return page

    def _endpoints_tab(self) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        self.endpoint_table = QTableWidget(0, 2, page)
        self.endpoint_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.endpoint_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.endpoint_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.endpoint_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        column.addWidget(self.endpoint_table, 1)
        add_row = QHBoxLayout()
        self.endpoint_url = QLineEdit(page)
        self.endpoint_url.setMinimumHeight(TOUCH_TARGET_PX)
        self._text(self.endpoint_url.setPlaceholderText, lambda: self.tr("https://receiver.example/webhooks"))  # fmt: skip
        self.add_endpoint_button = self._button(lambda: self.tr("Add endpoint"), page)
        self.enable_button = self._button(lambda: self.tr("Enable"), page)
        self.disable_button = self._button(lambda: self.tr("Disable"), page)
        for widget in (self.endpoint_url, self.add_endpoint_button, self.enable_button, self.disable_button):  # fmt: skip
            add_row.addWidget(widget)
        column.addLayout(add_row)
        self.secret = QLineEdit(page)
        self.secret.setReadOnly(True)
        self.secret.setVisible(False)
        self.secret.setMinimumHeight(TOUCH_TARGET_PX)
        column.addWidget(self.secret)
        self.add_endpoint_button.clicked.connect(
            lambda: self._vm.add_endpoint(self.endpoint_url.text())
        )
        self.enable_button.clicked.connect(lambda: self._set_enabled(True))
        self.disable_button.clicked.connect(lambda: self._set_enabled(False))
        return page

    def _appearance_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        languages: list[tuple[Any, Text]] = [
            (code, partial(str, name)) for code, name in LANGUAGES.items()
        ]
        self.language = self._combo(form, "language", lambda: self.tr("Language"), languages)
        self._combo(form, "theme", lambda: self.tr("Theme"), [
            ("light", lambda: self.tr("Light")), ("dark", lambda: self.tr("Dark"))])  # fmt: skip
        sounds = QCheckBox(page)
        sounds.setChecked(bool(self._vm.value("sounds")))
        sounds.toggled.connect(lambda on: self._vm.set_value("sounds", on))
        self._text(sounds.setText, lambda: self.tr("Sounds for scans and verdicts"))
        self._row(form, "sounds", sounds, lambda: self.tr("Sounds"))
        return page

    def _data_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self._line(form, "station_name", lambda: self.tr("Bench name"),
                   lambda: self.tr("e.g. Bench 3 (on seller reports)"))  # fmt: skip
        self._line(form, "warehouse", lambda: self.tr("Warehouse"),
                   lambda: self.tr("e.g. LAX-1 Los Angeles"))  # fmt: skip
        self.data_dir = QLineEdit(self._vm.data_dir, page)
        self.data_dir.setReadOnly(True)
        self._row(form, "data_dir", self.data_dir, lambda: self.tr("Data folder"))
        note = QLabel(page)
        note.setWordWrap(True)
        self._text(note.setText, lambda: self.tr(
            "Changing the data folder needs a restart: start the station with --data-dir DIR, "
            "or set the environment variable STATION_DATA_DIR=DIR."))  # fmt: skip
        form.addRow(note)
        return page

    # --- actions and results -------------------------------------------------------------

    def _test(self, kind: str) -> None:
        self.test_buttons[kind].setEnabled(False)
        set_style_property(self.test_results[kind], "state", "info")
        self.test_results[kind].setText(self.tr("Testing…"))
        if kind == "camera":
            self.thumbnail.clear()
        self._vm.test_device(kind)

    def _show_test(self, kind: str, ok: bool, result: object) -> None:
        self.test_buttons[kind].setEnabled(True)
        label = self.test_results[kind]
        set_style_property(label, "state", "success" if ok else "error")
        if ok and isinstance(result, bytes):
            pixmap = QPixmap()
            pixmap.loadFromData(result)
            self.thumbnail.setPixmap(pixmap)
            label.setText(self.tr("Picture received ({width}x{height} shown)").format(
                width=pixmap.width(), height=pixmap.height()))  # fmt: skip
        else:
            label.setText(str(result))

    def _show_problems(self, problems: dict[str, str]) -> None:
        for key, label in self.errors.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)
        elsewhere = [f"{key}: {message}" for key, message in problems.items() if key not in self.errors]  # fmt: skip
        if elsewhere:
            self._show_message("error", self.tr("In settings.toml: {problems}").format(problems="; ".join(elsewhere)))  # fmt: skip

    def _show_message(self, level: str, text: str) -> None:
        set_style_property(self.message, "state", level)
        self.message.setText(text)
        if level == "error":
            self.buttons.setEnabled(True)

    def _save(self, *, close: bool) -> None:
        self._close_after_save = close
        if self._vm.save():
            self.buttons.setEnabled(False)

    def _after_save(self, _restart: bool) -> None:
        self.buttons.setEnabled(True)
        if self._close_after_save:
            self.accept()

    def _show_endpoints(self, views: list[EndpointView]) -> None:
        self._endpoints = views
        self.endpoint_table.setRowCount(len(views))
        for row, view in enumerate(views):
            state = self.tr("Enabled") if view.enabled else self.tr("Disabled: {reason}").format(
                reason=view.disabled_reason or "–")  # fmt: skip
            self.endpoint_table.setItem(row, 0, QTableWidgetItem(view.url))
            self.endpoint_table.setItem(row, 1, QTableWidgetItem(state))

    def _show_secret(self, secret: str) -> None:
        self.endpoint_url.clear()
        self.secret.setText(secret)
        self.secret.setVisible(True)
        self._show_message("info", self.tr("Endpoint added. Copy its secret for the receiver now: it is shown only once."))  # fmt: skip

    def selected_endpoint(self) -> uuid.UUID | None:
        rows = self.endpoint_table.selectionModel().selectedRows()
        return self._endpoints[rows[0].row()].id if rows else None

    def _set_enabled(self, enabled: bool) -> None:
        endpoint_id = self.selected_endpoint()
        if endpoint_id is None:
            self._show_message("error", self.tr("Select an endpoint first"))
            return
        self._vm.set_endpoint_enabled(endpoint_id, enabled)
