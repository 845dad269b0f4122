"""A photo step: the role, whether it has been taken, and how to take it.

"Take photo" uses the bench camera when the station has one; "Add file…" picks an image file
(the fallback until capture arrives with the devices issue).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.i18n import Retranslatable
from ui.icons import themed_icon
from ui.theme import set_style_property
from ui.viewmodels.bench import BenchViewModel
from ui.viewmodels.checklist import ItemModel
from ui.widgets.checklist.base import TOUCH_HEIGHT, ItemWidget


def choose_photo_file(parent: QWidget) -> Path | None:
    """Ask for an image file (a function of its own so tests can stand in for the dialog)."""
    path, _filter = QFileDialog.getOpenFileName(
        parent,
        parent.tr("Add photo"),
        "",
        parent.tr("Images (*.png *.jpg *.jpeg)"),
    )
    return Path(path) if path else None


class PhotoRow(Retranslatable, QWidget):
    """Role, taken/missing state, "Take photo" and "Add file…" for one photo role.

    The role's name comes from the view-model in the current language, so it follows a
    language switch; ``label`` is only the first text (an empty role has no name to look up).
    """

    def __init__(
        self, vm: BenchViewModel, role: str, label: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._vm = vm
        self.role = role
        self.taken, self.required = False, True
        self.setObjectName(f"photo_{role}")
        self.label = QLabel(label, self)
        self.label.setWordWrap(True)
        self.state_label = QLabel(self)
        self.state_label.setObjectName(f"photoState_{role}")
        self.take_button = QPushButton(self)
        self.take_button.setMinimumHeight(TOUCH_HEIGHT)
        self.take_button.setEnabled(vm.has_camera)
        self.take_button.clicked.connect(self._take)
        self.file_button = QPushButton(self)
        self.file_button.setMinimumHeight(TOUCH_HEIGHT)
        self.file_button.clicked.connect(self._add_file)
        self.row_layout = QHBoxLayout(self)
        self.row_layout.setContentsMargins(0, 0, 0, 0)
        self.row_layout.addWidget(self.label, 1)
        self.row_layout.addWidget(self.state_label)
        self.row_layout.addWidget(self.take_button)
        self.row_layout.addWidget(self.file_button)
        self.retranslate()
        self.restyle()

    def restyle(self) -> None:
        self.take_button.setIcon(themed_icon(self, "camera"))

    def retranslate(self) -> None:
        if self.role:
            self.label.setText(self._vm.photo_role_label(self.role))
        self.take_button.setText(self.tr("Take photo"))
        self.file_button.setText(self.tr("Add file…"))
        if not self._vm.has_camera:
            self.take_button.setToolTip(self.tr("No camera at this bench: add a file instead"))
        self.show_state(taken=self.taken, required=self.required)

    def show_state(self, *, taken: bool, required: bool) -> None:
        self.taken, self.required = taken, required
        if taken:
            self.state_label.setText(self.tr("✓ taken"))
            set_style_property(self.state_label, "state", "success")
        elif required:
            self.state_label.setText(self.tr("✗ missing"))
            set_style_property(self.state_label, "state", "error")
        else:
            self.state_label.setText(self.tr("optional"))
            set_style_property(self.state_label, "state", None)

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
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.row)

    def show_facts(self) -> None:
        view = self._vm.inspection
        taken = view is not None and self.row.role in view.photo_roles
        self.row.show_state(taken=taken, required=self.item.required)

    def focus_target(self) -> QWidget:
        return self.row.take_button if self.row.take_button.isEnabled() else self.row.file_button
