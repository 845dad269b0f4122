"""The checklist of the inspection's standard, weight and photos, and Finalize.

The form is generated from the standard's checklist, so a new standard needs no new widgets.
Answers are sent as they are given; the preview below shows what is missing or what the
verdict would be, so the grader is never surprised by a refusal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inspection_rules import ChecklistItem, Evaluation, ItemType
from station.views import InspectionView
from ui.viewmodels.bench import BenchState, BenchViewModel

ANSWER_STYLE = "QPushButton:checked { background: #0b5394; color: white; font-weight: bold; }"
PHOTO_ROLES = ("front", "back", "label", "defect_closeup", "packaging", "serial_plate")


class InspectionForm(QWidget):
    def __init__(self, vm: BenchViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._groups: dict[str, QButtonGroup] = {}
        self._texts: dict[str, QLineEdit] = {}
        self._built_for: str | None = None

        self.checklist_box = QGroupBox(self.tr("Checklist"), self)
        self.checklist_layout = QVBoxLayout(self.checklist_box)

        self.weight_label = QLabel(self.tr("No weight yet"), self)
        self.weight_label.setObjectName("weightLabel")
        self.weigh_button = QPushButton(self.tr("Weigh (F6)"), self)
        self.weigh_button.setObjectName("weighButton")
        self.weigh_button.clicked.connect(vm.weigh)
        self.weight_input = QDoubleSpinBox(self)
        self.weight_input.setRange(0, 100_000)
        self.weight_input.setSuffix(" g")
        self.weight_input.setDecimals(1)
        self.use_weight_button = QPushButton(self.tr("Use typed weight"), self)
        self.use_weight_button.clicked.connect(lambda: vm.enter_weight(self.weight_input.value()))

        self.photo_role = QComboBox(self)
        for role in PHOTO_ROLES:
            self.photo_role.addItem(role.replace("_", " "), role)
        self.photo_button = QPushButton(self.tr("Take photo (F7)"), self)
        self.photo_button.setObjectName("photoButton")
        self.photo_button.clicked.connect(lambda: vm.take_photo(self.current_photo_role()))
        self.photo_file_button = QPushButton(self.tr("Add photo file…"), self)
        self.photo_file_button.clicked.connect(self._add_photo_file)
        self.photos_label = QLabel(self)

        devices = QFormLayout()
        weight_row = QHBoxLayout()
        for widget in (
            self.weight_label,
            self.weigh_button,
            self.weight_input,
            self.use_weight_button,
        ):
            weight_row.addWidget(widget)
        photo_row = QHBoxLayout()
        for photo_widget in (self.photo_role, self.photo_button, self.photo_file_button):
            photo_row.addWidget(photo_widget)
        devices.addRow(self.tr("Weight"), weight_row)
        devices.addRow(self.tr("Photos"), photo_row)
        devices.addRow("", self.photos_label)

        self.preview = QLabel(self)
        self.preview.setObjectName("preview")
        self.preview.setWordWrap(True)
        self.finalize_button = QPushButton(self.tr("Finalize (F12)"), self)
        self.finalize_button.setObjectName("finalizeButton")
        self.finalize_button.setMinimumHeight(48)
        self.finalize_button.clicked.connect(vm.finalize)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # A long checklist scrolls instead of squeezing its rows until they cannot be clicked.
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.checklist_box)
        layout.addWidget(scroll, 1)
        layout.addLayout(devices)
        layout.addWidget(self.preview)
        layout.addWidget(self.finalize_button)

        for key, slot in (
            ("F6", vm.weigh),
            ("F12", vm.finalize),
            ("Ctrl+Return", vm.finalize),
            ("F7", lambda: vm.take_photo(self.current_photo_role())),
        ):
            QShortcut(QKeySequence(key), self).activated.connect(slot)

        vm.inspectionChanged.connect(self._show_inspection)
        vm.evaluationChanged.connect(self._show_evaluation)
        vm.stateChanged.connect(self._show_state)
        self.setEnabled(False)

    def _show_state(self, state: str) -> None:
        self.setEnabled(state == BenchState.INSPECTING)

    def current_photo_role(self) -> str:
        return str(self.photo_role.currentData())

    def answer_widgets(self, item_code: str) -> list[QAbstractButton]:
        group = self._groups.get(item_code)
        return group.buttons() if group else []

    # --- building ----------------------------------------------------------------------------

    def _build(self, checklist: tuple[ChecklistItem, ...]) -> None:
        while self.checklist_layout.count():
            layout_item = self.checklist_layout.takeAt(0)
            widget = layout_item.widget() if layout_item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._groups.clear()
        self._texts.clear()
        language = self._vm.language
        for item in checklist:
            if item.type in (ItemType.YES_NO, ItemType.SINGLE_CHOICE):
                self.checklist_layout.addWidget(self._choice_row(item, language))
            elif item.type is ItemType.TEXT:
                field = QLineEdit(self.checklist_box)
                field.setPlaceholderText(item.label_in(language))
                field.editingFinished.connect(
                    lambda code=item.code, f=field: self._vm.set_answer(code, f.text() or None)
                )
                self._texts[item.code] = field
                self.checklist_layout.addWidget(field)

    def _choice_row(self, item: ChecklistItem, language: str) -> QGroupBox:
        box = QGroupBox(
            item.label_in(language) + (" *" if item.required else ""), self.checklist_box
        )
        box.setObjectName(f"item_{item.code}")
        row = QHBoxLayout(box)
        group = QButtonGroup(box)
        options: list[tuple[str, Any]] = (
            [(self.tr("Yes"), True), (self.tr("No"), False)]
            if item.type is ItemType.YES_NO
            else [(c.label.get(language) or c.label["en"], c.code) for c in item.choices]
        )
        group.setExclusive(True)
        for label, value in options:
            # Checkable push buttons: the whole button is the target (a radio only takes
            # clicks on its dot and text), big enough for a gloved hand or a touch screen.
            button = QPushButton(label, box)
            button.setCheckable(True)
            button.setProperty("answer", value)
            button.setMinimumHeight(40)
            button.setStyleSheet(ANSWER_STYLE)
            group.addButton(button)
            row.addWidget(button)
        group.buttonClicked.connect(
            lambda button, code=item.code: self._vm.set_answer(code, button.property("answer"))
        )
        self._groups[item.code] = group
        return box

    # --- showing ---------------------------------------------------------------------------

    def _show_inspection(self, view: InspectionView | None) -> None:
        if view is None:
            self._built_for = None
            self._build(())
            self.weight_label.setText(self.tr("No weight yet"))
            self.photos_label.setText("")
            self.preview.setText("")
            return
        if self._built_for != str(view.id):
            self._build(self._vm.checklist)
            self._built_for = str(view.id)
            self.weight_input.setValue(view.expected_weight_g or 0)
        expected = (
            self.tr(" (expected {g:.0f} g)").format(g=view.expected_weight_g)
            if view.expected_weight_g
            else ""
        )
        if view.weight_g is None:
            self.weight_label.setText(self.tr("No weight yet") + expected)
        else:
            stable = "" if view.weight_stable else self.tr(" UNSTABLE")
            self.weight_label.setText(f"<b>{view.weight_g:.1f} g</b>{stable}{expected}")
        self.photos_label.setText(
            self.tr("Taken: {roles}").format(roles=", ".join(view.photo_roles))
            if view.photo_roles
            else self.tr("No photos yet")
        )

    def _show_evaluation(self, evaluation: Evaluation | None) -> None:
        if evaluation is None:
            self.preview.setText("")
            return
        if evaluation.missing:
            items = "".join(f"<li>{m.message}</li>" for m in evaluation.missing)
            self.preview.setText(f"<b>{self.tr('Still needed:')}</b><ul>{items}</ul>")
            return
        refund = evaluation.refund
        self.preview.setText(
            self.tr(
                "Will record grade <b>{grade}</b> → {disposition}, refund {kind} {pct}%"
            ).format(
                grade=evaluation.grade,
                disposition=evaluation.disposition,
                kind=refund.kind if refund else "",
                pct=refund.percent if refund else "",
            )
        )

    def _add_photo_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Add photo"), "", self.tr("Images (*.png *.jpg *.jpeg)")
        )
        if path:
            self._vm.add_photo_file(Path(path), self.current_photo_role())
