"""A photo step: the role, whether it has been taken, and how to take it.

"Take photo" uses the bench camera when the station has one; "Add file…" picks an image file
(the fallback until capture arrives with the devices issue).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.viewmodels.bench import BenchViewModel
from ui.viewmodels.checklist import ItemModel
from ui.widgets.checklist.base import ItemWidget

TAKEN_STYLE = "color:#1e7b34; font-weight:bold;"
MISSING_STYLE = "color:#b00020; font-weight:bold;"
OPTIONAL_STYLE = "color:#666666;"


def choose_photo_file(parent: QWidget) -> Path | None:
    """Ask for an image file (a function of its own so tests can stand in for the dialog)."""
    path, _filter = QFileDialog.getOpenFileName(
        parent,
        parent.tr("Add photo"),
        "",
        parent.tr("Images (*.png *.jpg *.jpeg)"),
    )
    return Path(path) if path else None


class PhotoRow(QWidget):
    """Role, taken/missing state, "Take photo" and "Add file…" for one photo role."""

    def __init__(
        self, vm: BenchViewModel, role: str, label: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._vm = vm
        self.role = role
        self.setObjectName(f"photo_{role}")
        self.label = QLabel(label, self)
        self.state_label = QLabel(self)
        self.state_label.setObjectName(f"photoState_{role}")
        self.take_button = QPushButton(self.tr("Take photo"), self)
        self.take_button.setMinimumHeight(36)
        self.take_button.setEnabled(vm.has_camera)
        if not vm.has_camera:
            self.take_button.setToolTip(self.tr("No camera at this bench: add a file instead"))
        self.take_button.clicked.connect(self._take)
        self.file_button = QPushButton(self.tr("Add file…"), self)
        self.file_button.setMinimumHeight(36)
        self.file_button.clicked.connect(self._add_file)
        self.row_layout = QHBoxLayout(self)
        self.row_layout.setContentsMargins(0, 0, 0, 0)
        self.row_layout.addWidget(self.label, 1)
        self.row_layout.addWidget(self.state_label)
        self.row_layout.addWidget(self.take_button)
        self.row_layout.addWidget(self.file_button)
        self.show_state(taken=False, required=True)

    def show_state(self, *, taken: bool, required: bool) -> None:
        self.taken = taken
        if taken:
            self.state_label.setText("✓ " + self.tr("taken"))
            self.state_label.setStyleSheet(TAKEN_STYLE)
        elif required:
            self.state_label.setText("✗ " + self.tr("missing"))
            self.state_label.setStyleSheet(MISSING_STYLE)
        else:
            self.state_label.setText(self.tr("optional"))
            self.state_label.setStyleSheet(OPTIONAL_STYLE)

    def _take(self) -> None:
        self._vm.take_photo(self.role)

    def _add_file(self) -> None:
        path = choose_photo_file(self)
        if path is not None:
            self._vm.add_photo_file(path, self.role)


class PhotoItem(ItemWidget):
    def __init__(self, vm: BenchViewModel, item: ItemModel, parent: QWidget | None = None) -> None:
        super().__init__(vm, item, parent)
        role = item.photo_role or item.code
        self.row = PhotoRow(vm, role, vm.photo_role_label(role), self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.row)

    def show_facts(self) -> None:
        view = self._vm.inspection
        taken = view is not None and self.row.role in view.photo_roles
        self.row.show_state(taken=taken, required=self.item.required)

    def focus_target(self) -> QWidget:
        return self.row.take_button if self.row.take_button.isEnabled() else self.row.file_button
