"""The mouse wheel changes a control only when that control has focus.

A lecturer scrolling the side panel with the wheel must scroll the panel: a combo box or spin
box that happens to pass under the pointer must not change (and retrain the network). The
guard is one application-wide event filter; an unfocused control hands the wheel to its
parent, so the scroll area around it scrolls.
"""
from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt
from PyQt6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox, QAbstractSlider)


def guarded(widget: QObject) -> bool:
    """A control whose value the wheel changes (a scroll bar scrolls: that is what the wheel is for)."""
    return isinstance(widget, GUARDED) and not isinstance(widget, QScrollBar)


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and guarded(watched) and not watched.hasFocus():
            parent = _outside(watched)
            if parent is not None:
                QApplication.sendEvent(parent, event.clone())
            return True
        if event.type() == QEvent.Type.Polish and guarded(watched):
            # The default (wheel focus) would let the wheel take focus, and then the value.
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return False


def _outside(control: QWidget) -> QWidget | None:
    """Where the wheel goes instead: the viewport of the scroll area around the control, if any."""
    parent = control.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent.viewport()
        parent = parent.parentWidget()
    return None


_guard: WheelGuard | None = None


def install_wheel_guard(app: QApplication) -> None:
    """Once per application."""
    global _guard
    if _guard is None:
        _guard = WheelGuard(app)
        app.installEventFilter(_guard)
