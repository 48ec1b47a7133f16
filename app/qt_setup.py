"""What must be set before the QApplication exists."""
from __future__ import annotations

import sys


def prepare_qt() -> None:
    """Share OpenGL resources through Qt's global context.

    pyqtgraph.opengl caches compiled shader programs process-wide; without a shared context a
    second 3-D view (an export beside the window's view, or a new window) would draw with
    program ids from a dead context and fail with GL 'invalid value'.
    """
    from PyQt6.QtCore import QCoreApplication, Qt

    if QCoreApplication.instance() is None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts, True)
    quiet_qt_messages()


def quiet_qt_messages() -> None:
    """Drop Qt's chatter that says nothing to a lecturer ("does not support propagateSizeHints")."""
    from PyQt6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind, context, message):
        if "propagateSizeHints" in message:
            return
        if kind != QtMsgType.QtDebugMsg:
            print(f"qt: {message}", file=sys.stderr)

    qInstallMessageHandler(handler)
