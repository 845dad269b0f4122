"""Sign-in prompt (at start, after idle sign-out, Ctrl+U to switch user) and the badge that
shows who is signed in."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
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

from station.i18n import N_, _
from station.services.users import DemoSignIn, SignedIn
from ui.i18n import Retranslatable
from ui.theme import TOUCH_TARGET_PX, set_style_property
from ui.viewmodels.session import SessionViewModel
from ui.wedge_filter import OWN_KEYS_PROPERTY

# station.models.catalog.Role
ROLE_NAMES: Mapping[str, str] = {
    "grader": N_("grader"),
    "supervisor": N_("supervisor"),
    "admin": N_("admin"),
}


def role_name(role: str) -> str:
    text = ROLE_NAMES.get(str(role))
    return _(text) if text else str(role)


class SignInDialog(Retranslatable, QDialog):
    def __init__(self, vm: SessionViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.setMinimumWidth(360)
        self.username = QLineEdit(self)
        self.pin = QLineEdit(self)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.sign_in_button = QPushButton(self)
        # No default button: Enter in the user field only moves to the PIN (a dialog's default
        # button would also sign in with an empty PIN, spending one of the five attempts).
        self.sign_in_button.setAutoDefault(False)
        # A PIN typed fast is still a PIN, not a scan (ui.wedge_filter).
        self.setProperty(OWN_KEYS_PROPERTY, True)
        for widget in (self.username, self.pin, self.sign_in_button):
            widget.setMinimumHeight(TOUCH_TARGET_PX)
        self.user_label = QLabel(self)
        self.user_label.setBuddy(self.username)
        self.pin_label = QLabel(self)
        self.pin_label.setBuddy(self.pin)
        self.error = QLabel(self)
        self.error.setObjectName("signInError")
        set_style_property(self.error, "state", "error")  # the theme's: readable when dark
        self.error.setWordWrap(True)
        # A demo station says how to sign in (a real one never does: see demo_sign_ins).
        self.demo = QLabel(self)
        self.demo.setObjectName("demoSignIns")
        self.demo.setWordWrap(True)
        self.demo.setTextFormat(Qt.TextFormat.PlainText)
        self.demo.hide()
        form = QFormLayout()
        # Labels above the fields when a translation makes them too long to sit beside them.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.user_label, self.username)
        form.addRow(self.pin_label, self.pin)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.sign_in_button)
        layout.addWidget(self.error)
        layout.addWidget(self.demo)
        self.sign_in_button.clicked.connect(self._submit)
        self.pin.returnPressed.connect(self._submit)
        self.username.returnPressed.connect(self.pin.setFocus)
        vm.userChanged.connect(self._signed_in)
        vm.messageChanged.connect(self._refused)
        vm.demoSignInsChanged.connect(self._show_demo)
        if vm.user is not None:
            self.username.setText(vm.user.username)
            self.pin.setFocus()
        self.retranslate()
        vm.load_demo_sign_ins()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Sign in"))
        self.username.setPlaceholderText(self.tr("user name"))
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.user_label.setText(self.tr("User"))
        self.pin_label.setText(self.tr("PIN"))
        self.sign_in_button.setText(self.tr("Sign in"))
        self._show_demo(self._vm.demo_sign_ins)

    def _show_demo(self, sign_ins: list[DemoSignIn]) -> None:
        lines = [
            self.tr("{user} ({role}): PIN {pin}").format(
                user=entry.username, role=role_name(entry.role), pin=entry.pin
            )
            for entry in sign_ins
        ]
        self.demo.setText("\n".join([self.tr("Demo station: sign in as"), *lines]) if lines else "")
        self.demo.setVisible(bool(lines))

    def _submit(self) -> None:
        if not self.username.text().strip():
            self.username.setFocus()
            return
        if not self.pin.text():
            self.pin.setFocus()  # nothing to check yet: no attempt is spent
            return
        self.error.clear()
        self.sign_in_button.setEnabled(False)
        self._vm.sign_in(self.username.text(), self.pin.text())

    def _signed_in(self, user: SignedIn | None) -> None:
        if user is not None:
            self.accept()

    def _refused(self, message: str) -> None:
        self.sign_in_button.setEnabled(True)
        # The service's refusal, already in the user's language.
        self.error.setText(message)
        self.pin.clear()
        self.pin.setFocus()


class SessionBadge(Retranslatable, QWidget):
    """``Anna (supervisor)`` and a Switch user button, for the window's status bar."""

    def __init__(self, vm: SessionViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.label = QLabel(self)
        self.label.setObjectName("sessionUser")
        self.switch_button = QPushButton(self)
        self.sign_out_button = QPushButton(self)
        for button in (self.switch_button, self.sign_out_button):
            button.setMinimumHeight(TOUCH_TARGET_PX)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.switch_button, self.sign_out_button):
            layout.addWidget(widget)
        self.sign_out_button.clicked.connect(vm.sign_out)
        vm.userChanged.connect(self.show_user)
        self.retranslate()

    def retranslate(self) -> None:
        self.switch_button.setText(self.tr("Switch user (Ctrl+U)"))
        self.sign_out_button.setText(self.tr("Sign out"))
        self.show_user(self._vm.user)

    def show_user(self, user: SignedIn | None) -> None:
        if user is None:
            self.label.setText(self.tr("Nobody signed in"))
        else:
            self.label.setText(
                self.tr("{name} ({role})").format(name=user.display_name, role=role_name(user.role))
            )
        self.sign_out_button.setEnabled(user is not None)


__all__ = ["ROLE_NAMES", "SessionBadge", "SignInDialog", "role_name"]
