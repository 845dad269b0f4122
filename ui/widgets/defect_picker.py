"""Defects: pick one from the standard's catalogue, with zone, severity and a note; the list
of recorded defects, each with Remove."""

from __future__ import annotations

import html
import uuid
from collections.abc import Mapping

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station.i18n import N_, _
from station.views import DefectView, InspectionView
from ui.i18n import Retranslatable
from ui.theme import TOUCH_TARGET_PX, set_style_property, text_colour
from ui.viewmodels.bench import BenchViewModel
from ui.viewmodels.checklist import DefectOption
from ui.widgets.checklist.base import answer_button

SEVERITIES = ("minor", "major", "critical")
# The theme's state a severity is written in: readable on both themes' surfaces.
SEVERITY_LEVELS: Mapping[str, str] = {"minor": "warning", "major": "error", "critical": "error"}
SEVERITY_NAMES: Mapping[str, str] = {
    "minor": N_("minor"),
    "major": N_("major"),
    "critical": N_("critical"),
}


def severity_name(severity: str | None) -> str:
    """A defect severity in the language in force; an unknown one as the standard wrote it."""
    text = SEVERITY_NAMES.get(severity or "")
    return _(text) if text else (severity or "")


def _combo(name: str, parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setMinimumHeight(TOUCH_TARGET_PX)
    # Long catalogue names must not push the form wider than the window (the popup still
    # shows them in full).
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(10)
    # ... so the chosen entry may be cut short in the box: its tooltip says it whole.
    combo.currentTextChanged.connect(combo.setToolTip)
    return combo


class DefectRow(Retranslatable, QWidget):
    """One recorded defect and its Remove button."""

    def __init__(
        self, vm: BenchViewModel, defect: DefectView, text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._vm = vm
        self.defect = defect
        self.finding_id: uuid.UUID = defect.id
        self.code = defect.code
        self.setObjectName(f"defect_{defect.id}")
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.remove_button = QPushButton(self)
        self.remove_button.setMinimumHeight(TOUCH_TARGET_PX)
        self.remove_button.clicked.connect(self._remove)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.remove_button)
        self.retranslate()

    def retranslate(self) -> None:
        self.remove_button.setText(self.tr("Remove"))

    def _remove(self) -> None:
        self.remove_button.setEnabled(False)
        self._vm.remove_defect(self.finding_id)


class DefectPicker(Retranslatable, QGroupBox):
    def __init__(self, vm: BenchViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._built_for: object = None
        self._options: dict[str, DefectOption] = {}
        self.rows: list[DefectRow] = []

        self.code_combo = _combo("defectCode", self)
        self.code_combo.currentIndexChanged.connect(self._code_changed)
        self.zone_combo = _combo("defectZone", self)
        self.severity_group = QButtonGroup(self)
        self.severity_group.setExclusive(True)
        severity_row = QHBoxLayout()
        for severity in SEVERITIES:
            button = answer_button(severity, self)
            button.setMinimumHeight(TOUCH_TARGET_PX)
            button.setProperty("severity", severity)
            self.severity_group.addButton(button)
            severity_row.addWidget(button)
        self.note_field = QLineEdit(self)
        self.note_field.setObjectName("defectNote")
        self.note_field.setMinimumHeight(TOUCH_TARGET_PX)
        self.note_field.returnPressed.connect(self.add)
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("addDefect")
        self.add_button.setMinimumHeight(TOUCH_TARGET_PX)
        self.add_button.clicked.connect(self.add)
        self.none_label = QLabel(self)
        set_style_property(self.none_label, "state", "muted")
        self.none_label.setWordWrap(True)
        self.code_caption = QLabel(self)
        self.zone_caption = QLabel(self)
        self.severity_caption = QLabel(self)

        form = QGridLayout()
        form.addWidget(self.code_caption, 0, 0)
        form.addWidget(self.code_combo, 0, 1)
        form.addWidget(self.zone_caption, 0, 2)
        form.addWidget(self.zone_combo, 0, 3)
        form.addWidget(self.severity_caption, 1, 0)
        form.addLayout(severity_row, 1, 1, 1, 3)
        form.addWidget(self.note_field, 2, 0, 1, 3)
        form.addWidget(self.add_button, 2, 3)
        form.setColumnStretch(1, 3)
        form.setColumnStretch(3, 2)
        self.list_layout = QVBoxLayout()
        self.list_layout.addWidget(self.none_label)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(self.list_layout)

        vm.inspectionChanged.connect(self._show_inspection)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Defects"))
        self.code_caption.setText(self.tr("Defect"))
        self.zone_caption.setText(self.tr("Zone"))
        self.severity_caption.setText(self.tr("Severity"))
        for button in self.severity_group.buttons():
            name = severity_name(str(button.property("severity")))
            button.setText(name)
            button.setToolTip(name)  # the buttons share the row and may clip their text
        self.note_field.setPlaceholderText(self.tr("Note (optional)"))
        self.add_button.setText(self.tr("Add defect"))
        self.none_label.setText(self.tr("No defects recorded."))
        self._retranslate_choices()
        for row in self.rows:
            row.label.setText(self._describe(row.defect))

    def restyle(self) -> None:
        """The recorded defects' severities are coloured in rich text: in the new theme's."""
        for row in self.rows:
            row.label.setText(self._describe(row.defect))

    def _retranslate_choices(self) -> None:
        """The catalogue's names come from the standard in the language in force: read them
        again, then set the combo texts by code, keeping the choice."""
        if self._options:
            self._options = {option.code: option for option in self._vm.defect_options}
        for index in range(self.code_combo.count()):
            option = self._options.get(str(self.code_combo.itemData(index)))
            if option is not None:
                self.code_combo.setItemText(index, self._option_text(option))
        for index in range(self.zone_combo.count()):
            zone = self.zone_combo.itemData(index)
            self.zone_combo.setItemText(
                index, self._vm.zone_label(str(zone)) if zone is not None else self.tr("(no zone)")
            )
        for combo in (self.code_combo, self.zone_combo):
            combo.setToolTip(combo.currentText())

    # --- the picker ------------------------------------------------------------------------

    def current_severity(self) -> str | None:
        button = self.severity_group.checkedButton()
        return str(button.property("severity")) if button else None

    def select(self, code: str, zone: str | None = None, severity: str | None = None) -> None:
        """Choose a defect (and optionally zone and severity) as the grader would."""
        index = self.code_combo.findData(code)
        if index < 0:
            raise KeyError(code)
        self.code_combo.setCurrentIndex(index)
        if zone is not None:
            self.zone_combo.setCurrentIndex(self.zone_combo.findData(zone))
        if severity is not None:
            self._check_severity(severity)

    def add(self) -> None:
        code = self.code_combo.currentData()
        if not code:
            return
        self._vm.record_defect(
            str(code),
            zone=self.zone_combo.currentData() or None,
            severity=self.current_severity(),
            note=self.note_field.text().strip() or None,
        )
        self.note_field.clear()

    def _option_text(self, option: DefectOption) -> str:
        return self.tr("{defect} (default {severity})").format(
            defect=option.name, severity=severity_name(option.severity)
        )

    def _fill(self, options: tuple[DefectOption, ...]) -> None:
        self._options = {option.code: option for option in options}
        self.code_combo.blockSignals(True)
        self.code_combo.clear()
        for option in options:
            self.code_combo.addItem(self._option_text(option), option.code)
        self.code_combo.blockSignals(False)
        self.code_combo.setToolTip(self.code_combo.currentText())
        self._code_changed(self.code_combo.currentIndex())

    def _code_changed(self, _index: int) -> None:
        option = self._options.get(str(self.code_combo.currentData()))
        self.zone_combo.clear()
        if option is None:
            return
        if option.zones:
            for zone, label in option.zones:
                self.zone_combo.addItem(label, zone)
        else:
            self.zone_combo.addItem(self.tr("(no zone)"), None)
        self.zone_combo.setEnabled(bool(option.zones))
        self._check_severity(option.severity)

    def _check_severity(self, severity: str) -> None:
        for button in self.severity_group.buttons():
            button.setChecked(button.property("severity") == severity)

    # --- the recorded defects ----------------------------------------------------------------

    def _show_inspection(self, view: InspectionView | None) -> None:
        if view is None:
            self._built_for = None
            self._show_defects(())
            self.hide()
            return
        if self._built_for != view.id:
            self._built_for = view.id
            options = self._vm.defect_options
            self._fill(options)
            self.setVisible(bool(options))
        self._show_defects(view.defects)

    def _show_defects(self, defects: tuple[DefectView, ...]) -> None:
        for row in self.rows:
            self.list_layout.removeWidget(row)
            row.deleteLater()
        self.rows = []
        for defect in defects:
            row = DefectRow(self._vm, defect, self._describe(defect), self)
            self.rows.append(row)
            self.list_layout.addWidget(row)
        self.none_label.setVisible(not defects)

    def _describe(self, defect: DefectView) -> str:
        option = self._options.get(defect.code)
        name = option.name if option else defect.code
        zone = self._vm.zone_label(defect.zone)
        colour = text_colour(SEVERITY_LEVELS.get(defect.severity or "", "text"))
        severity = html.escape(severity_name(defect.severity))
        if zone:
            # TRANSLATORS: a recorded defect: its name, where on the item, and how bad.
            template = self.tr("{defect} · {zone} · {severity}")
        else:
            template = self.tr("{defect} · {severity}")
        text = template.format(
            defect=f"<b>{html.escape(name)}</b>",
            zone=html.escape(zone),
            severity=f"<span style='color:{colour}'>{severity}</span>",
        )
        return text + (f" — <i>{html.escape(defect.note)}</i>" if defect.note else "")
