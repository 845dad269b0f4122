"""The mouse wheel scrolls the page; it never changes a dropdown's or a spin box's value.

Qt gives the wheel to the widget under the pointer, and a QComboBox or QSpinBox takes it as "next
value": a grader scrolling a long checklist with the pointer resting on the defect or photo-role
dropdown changes the choice without noticing (and, with Qt's default WheelFocus, the dropdown
takes the keyboard focus from the question too). The guard is an event filter on those widgets
only, not on the application: an application-wide Python filter costs a call into Python for
every event of every widget (see ``ui/wedge_filter.py``). It hands the wheel to the scroll area
the widget sits in, so the page scrolls as it would over any other part of the form.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)

log = logging.getLogger(__name__)

GUARDED = (QComboBox, QAbstractSpinBox)


class WheelGuard(QObject):
    """Install with ``guard(root)``; widgets created later under ``root`` need ``guard`` again
    (it is idempotent: Qt keeps one installation of a filter per object)."""

    def guard(self, root: QWidget) -> int:
        """Guard every dropdown and spin box under ``root`` (and ``root`` itself); returns how
        many there are."""
        widgets = [w for kind in GUARDED for w in root.findChildren(kind)]
        if isinstance(root, GUARDED):
            widgets.append(root)
        for widget in widgets:
            if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                # The wheel must not take the focus from the question being answered either.
                widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            widget.installEventFilter(self)
        return len(widgets)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        area = _scroll_area_of(watched)
        if area is not None:
            bar = (
                area.horizontalScrollBar()
                if event.angleDelta().y() == 0  # type: ignore[attr-defined]
                else area.verticalScrollBar()
            )
            QApplication.sendEvent(bar, event)
        # Handled here either way: without a scroll area the wheel does nothing, as over a label.
        event.accept()
        return True


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def guard_wheel(root: QWidget) -> WheelGuard:
    """Guard ``root``'s dropdowns and spin boxes with a guard owned by ``root``; for dialogs:
    ``guard_wheel(self)`` at the end of ``__init__``."""
    guard = WheelGuard(root)
    count = guard.guard(root)
    log.debug("wheel guard on %s: %d widgets", root.objectName() or type(root).__name__, count)
    return guard
