"""Sign-in prompt (at start, after idle sign-out, Ctrl+U to switch user) and the badge that
shows who is signed in."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station.services.users import SignedIn
from ui.viewmodels.session import SessionViewModel


class SignInDialog(QDialog):
    def __init__(self, vm: SessionViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.setWindowTitle(self.tr("Sign in"))
        self.username = QLineEdit(self)
        self.username.setPlaceholderText(self.tr("user name"))
        self.pin = QLineEdit(self)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.sign_in_button = QPushButton(self.tr("Sign in"), self)
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setMinimumHeight(44)
        self.error = QLabel(self)
        self.error.setObjectName("signInError")
        self.error.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("User"), self.username)
        form.addRow(self.tr("PIN"), self.pin)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.sign_in_button)
        layout.addWidget(self.error)
        self.sign_in_button.clicked.connect(self._submit)
        self.pin.returnPressed.connect(self._submit)
        self.username.returnPressed.connect(self.pin.setFocus)
        vm.userChanged.connect(self._signed_in)
        vm.messageChanged.connect(self._refused)
        if vm.user is not None:
            self.username.setText(vm.user.username)
            self.pin.setFocus()

    def _submit(self) -> None:
        self.error.clear()
        self.sign_in_button.setEnabled(False)
        self._vm.sign_in(self.username.text(), self.pin.text())

    def _signed_in(self, user: SignedIn | None) -> None:
        if user is not None:
            self.accept()

    def _refused(self, message: str) -> None:
        self.sign_in_button.setEnabled(True)
        self.error.setText(message)
        self.pin.clear()
        self.pin.setFocus()


class SessionBadge(QWidget):
    """``Anna (supervisor)`` and a Switch user button, for the window's status bar."""

    def __init__(self, vm: SessionViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.switch_button = QPushButton(self.tr("Switch user (Ctrl+U)"), self)
        self.sign_out_button = QPushButton(self.tr("Sign out"), self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.switch_button, self.sign_out_button):
            layout.addWidget(widget)
        self.sign_out_button.clicked.connect(vm.sign_out)
        vm.userChanged.connect(self.show_user)
        self.show_user(vm.user)

    def show_user(self, user: SignedIn | None) -> None:
        if user is None:
            self.label.setText(self.tr("Nobody signed in"))
        else:
            self.label.setText(f"{user.display_name} ({user.role})")
        self.sign_out_button.setEnabled(user is not None)


class ActivityFilter(QObject):
    """Any key or click anywhere in the application counts as the user being there."""

    def __init__(self, vm: SessionViewModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._vm = vm

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress):
            self._vm.touch()
        return False


__all__ = ["ActivityFilter", "SessionBadge", "SignInDialog"]
