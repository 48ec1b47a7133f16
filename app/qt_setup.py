"""What must be set before the QApplication exists."""
from __future__ import annotations

import ctypes
import os
import platform
import sys

# glibc's mallopt parameters (malloc.h) and what Valley sets them to: numpy's temporaries of a
# frame (a 100×100 heatmap's layers are 1-2 MB each) are otherwise handed back to the system on
# free and faulted in again, page by page, on the next frame.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
KEEP_FREED_BYTES = 256 << 20
MMAP_ABOVE_BYTES = 32 << 20
# With this few cores Qt's painting threads compete with the main thread instead of helping it.
FEW_CORES = 2


def prepare_qt() -> None:
    """Share OpenGL resources through Qt's global context.

    pyqtgraph.opengl caches compiled shader programs process-wide; without a shared context a
    second 3-D view (an export beside the window's view, or a new window) would draw with
    program ids from a dead context and fail with GL 'invalid value'.
    """
    from PyQt6.QtCore import QCoreApplication, Qt

    if QCoreApplication.instance() is None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts, True)
        if (os.cpu_count() or 1) <= FEW_CORES:
            # Qt splits large fills and image conversions over a thread pool; on two cores the
            # hand-offs to threads that must wait for a core cost more than they save.
            os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
    keep_freed_memory()
    quiet_qt_messages()


def keep_freed_memory() -> bool:
    """Let glibc keep freed memory for the next frame's arrays (True when it was set).

    A playing playground allocates the same few megabytes of arrays every frame; returned to
    the system each time, they cost a page fault per 4 KB when reused (about a third of a
    frame's forward passes). Other C libraries manage memory their own way: nothing to set.
    """
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        return bool(libc.mallopt(_M_TRIM_THRESHOLD, KEEP_FREED_BYTES)
                    and libc.mallopt(_M_MMAP_THRESHOLD, MMAP_ABOVE_BYTES))
    except (OSError, AttributeError):
        return False


def quiet_qt_messages() -> None:
    """Drop Qt's chatter that says nothing to a lecturer ("does not support propagateSizeHints")."""
    from PyQt6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind, context, message):
        if "propagateSizeHints" in message:
            return
        if kind != QtMsgType.QtDebugMsg:
            print(f"qt: {message}", file=sys.stderr)

    qInstallMessageHandler(handler)
