"""Photos: every role the standard requires now with its taken/missing state, a capture row
for required roles that no checklist item asks for (e.g. a close-up required for grade D),
and a row for any extra photo.

Roles are kept by their code (``front``, ``defect_closeup``); only what is shown is
translated. The extra photo's row is named "Other photo:" whatever role its combo holds: a
language switch must not rename it after that role.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QComboBox, QGroupBox, QLabel, QVBoxLayout, QWidget

from inspection_rules import Evaluation
from station.views import InspectionView
from ui.i18n import Retranslatable
from ui.theme import TOUCH_TARGET_PX, text_colour
from ui.viewmodels.bench import BenchViewModel
from ui.viewmodels.checklist import PhotoRequirement
from ui.viewmodels.inspection_readout import PHOTO_ROLES
from ui.widgets.checklist.photo import PhotoRow


class ExtraPhotoRow(PhotoRow):
    """The capture row for a photo the standard does not ask for: its role is chosen in the
    panel's combo, so its caption is the row's purpose, not the role's name (a plain
    ``PhotoRow`` names itself after its role on every language switch)."""

    def retranslate(self) -> None:
        super().retranslate()
        self.label.setText(self.tr("Other photo:"))


class PhotoPanel(Retranslatable, QGroupBox):
    def __init__(self, vm: BenchViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.requirements: list[PhotoRequirement] = []
        self.rows: dict[str, PhotoRow] = {}
        self.summary = QLabel(self)
        self.summary.setObjectName("photoSummary")
        self.summary.setWordWrap(True)
        self.rows_layout = QVBoxLayout()
        self.extra_role = QComboBox(self)
        self.extra_role.setObjectName("extraPhotoRole")
        self.extra_role.setMinimumHeight(TOUCH_TARGET_PX)
        self.extra_role.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.extra_role.setMinimumContentsLength(8)
        for role in PHOTO_ROLES:
            self.extra_role.addItem(role, role)
        self.extra_row = ExtraPhotoRow(vm, "", "", self)
        self.extra_row.label.setWordWrap(True)
        self.extra_row.state_label.hide()
        self.extra_row.row_layout.insertWidget(1, self.extra_role)
        self.extra_role.currentIndexChanged.connect(self._extra_role_changed)
        self._extra_role_changed(0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(self.rows_layout)
        layout.addWidget(self.extra_row)
        vm.inspectionChanged.connect(self._show_inspection)
        vm.evaluationChanged.connect(self._show_evaluation)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Photos"))
        for index in range(self.extra_role.count()):
            role = str(self.extra_role.itemData(index))
            self.extra_role.setItemText(index, self._vm.photo_role_label(role))
        self._refresh()

    def restyle(self) -> None:
        """The summary's marks are coloured in rich text: in the new theme's colours."""
        self._refresh()

    def current_extra_role(self) -> str:
        return str(self.extra_role.currentData())

    def next_role(self) -> str:
        """The role F7 takes: the first required photo still missing, else the extra role."""
        missing = [r.role for r in self.requirements if r.required and not r.taken]
        return missing[0] if missing else self.current_extra_role()

    def _extra_role_changed(self, _index: int) -> None:
        self.extra_row.role = self.current_extra_role()

    def _show_inspection(self, view: InspectionView | None) -> None:
        self._refresh()

    def _show_evaluation(self, evaluation: Evaluation | None) -> None:
        self._refresh()

    def _refresh(self) -> None:
        self.requirements = self._vm.photo_requirements()
        taken = set(self._vm.inspection.photo_roles) if self._vm.inspection else set()
        marks = []
        for requirement in self.requirements:
            mark = "✓" if requirement.taken else ("✗" if requirement.required else "○")
            colour = text_colour(
                "success"
                if requirement.taken
                else ("error" if requirement.required else "muted_text")
            )
            marks.append(
                f"<span style='color:{colour}'>{mark} {html.escape(requirement.label)}</span>"
            )
        extras = sorted(taken - {r.role for r in self.requirements})
        if extras:
            marks.append(
                html.escape(
                    self.tr("also taken: {roles}").format(
                        roles=", ".join(self._vm.photo_role_label(role) for role in extras)
                    )
                )
            )
        self.summary.setText(
            self.tr("Required now: {photos}").format(photos=" · ".join(marks))
            if marks
            else self.tr("No photo required so far.")
        )
        # Capture rows for required roles no checklist item shows (those have their own row).
        wanted = {r.role: r for r in self.requirements if r.item_code is None}
        for role in list(self.rows):
            if role not in wanted:
                gone = self.rows.pop(role)
                self.rows_layout.removeWidget(gone)
                gone.deleteLater()
        for role, requirement in wanted.items():
            row = self.rows.get(role)
            if row is None:
                row = PhotoRow(self._vm, role, requirement.label, self)
                row.label.setWordWrap(True)
                self.rows[role] = row
                self.rows_layout.addWidget(row)
            row.label.setText(requirement.label)  # the role's name, in the language in force
            row.show_state(taken=requirement.taken, required=requirement.required)
