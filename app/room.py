"""What the lecturer's room remembers, and pictures for the slides.

The window's size and docks, the theme, the 3-D view on or off and the copy resolution are
the room's, not the scene's: they are kept in QSettings between runs (never by headless runs)
and changing them is no unsaved change. Copy image puts the view in front of the class, or
the whole window, on the clipboard, at the screen's resolution or twice it, for a slide.
"""
from __future__ import annotations

from PyQt6.QtCore import QByteArray, QSettings
from PyQt6.QtGui import QImage
from PyQt6.QtWidgets import QApplication, QWidget

from valley.app.export.render import MAX_SIZE, render_image

GEOMETRY, DOCKS, THEME, SHOW_3D, COPY_SCALE = ("window/geometry", "window/docks", "view/theme",
                                               "view/show3d", "copy/scale")


def _bool(value) -> bool:
    return value in (True, "true", "1", 1)  # an INI file gives strings back


class Room:
    """Reads and writes the room's preferences for one window."""

    def __init__(self, settings: QSettings):
        self.settings = settings

    def theme(self, default: str) -> str:
        value = self.settings.value(THEME, default)
        return value if value in ("dark", "light") else default

    def show_3d(self) -> bool | None:
        """The last choice of the View menu, or None when none was made."""
        value = self.settings.value(SHOW_3D, None)
        return None if value is None else _bool(value)

    def copy_scale(self) -> int:
        return 2 if str(self.settings.value(COPY_SCALE, 1)) == "2" else 1

    def restore_window(self, window) -> bool:
        """Size, place and docks as they were; False when nothing was kept."""
        geometry = self.settings.value(GEOMETRY, None)
        if not isinstance(geometry, QByteArray) or not window.restoreGeometry(geometry):
            return False
        docks = self.settings.value(DOCKS, None)
        if isinstance(docks, QByteArray):
            window.restoreState(docks)
        return True

    def save(self, window) -> None:
        self.settings.setValue(GEOMETRY, window.saveGeometry())
        if not window.presentation:  # presentation hides the docks: keep the layout the lecturer made
            self.settings.setValue(DOCKS, window.saveState())
        self.settings.setValue(THEME, window.theme_name)
        if window.surface3d_choice is not None:
            self.settings.setValue(SHOW_3D, window.surface3d_choice)
        self.settings.setValue(COPY_SCALE, window.copy_scale)
        self.settings.sync()


def copy_image(widget: QWidget, scale: int) -> QImage:
    """`widget` as it looks now, `scale` times the screen's pixels, put on the clipboard."""
    ratio = widget.devicePixelRatioF() * scale
    ratio = min(ratio, MAX_SIZE[0] / max(widget.width(), 1), MAX_SIZE[1] / max(widget.height(), 1))
    size = (max(1, round(widget.width() * ratio)), max(1, round(widget.height() * ratio)))
    image = render_image(widget, size)
    QApplication.clipboard().setImage(image)
    return image
