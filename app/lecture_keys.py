"""The keys a lecturer presses, whatever widget has focus.

Space, Left, Right, Home, End, + and −, PageUp and PageDown (a presenter's clicker) and Esc act
on the window's tab in front of the class, even when a drop-down, the diagram or a slider
has focus; only a text field being edited keeps them (a formula, a number being typed).
One application-wide event filter sees each key press before the widget under focus.
"""
from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt
from PyQt6.QtGui import QKeyEvent
from PyQt6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QPlainTextEdit, QTextEdit, QWidget


def editing_text(widget: QWidget | None) -> bool:
    """True for a widget in which these keys type or move a cursor."""
    if isinstance(widget, (QLineEdit, QAbstractSpinBox)):
        return True
    if isinstance(widget, (QTextEdit, QPlainTextEdit)):
        return not widget.isReadOnly()
    return False


class LectureKeys(QObject):
    """Routes the lecturer's keys of `window` to `actions[key]()`."""

    def __init__(self, window: QWidget, actions: dict):
        super().__init__(window)
        self.window = window
        self.actions = actions

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self.window:
            return False
        key = event.key() if isinstance(event, QKeyEvent) else None
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key not in self.actions or modifiers not in (Qt.KeyboardModifier.NoModifier,
                                                        Qt.KeyboardModifier.ShiftModifier):
            return False
        if QApplication.activePopupWidget() is not None or editing_text(QApplication.focusWidget()):
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            return False  # no shortcut has these keys; the key press that follows is ours
        if not event.isAutoRepeat() or key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.actions[key]()
        return True


def install_lecture_keys(window: QWidget, actions: dict) -> LectureKeys:
    """The filter is the window's child: Qt drops it from the application when the window goes."""
    keys = LectureKeys(window, actions)
    QApplication.instance().installEventFilter(keys)
    return keys
