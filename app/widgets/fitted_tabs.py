"""A tab bar that keeps every name whole: its font steps down before any name is shortened."""
from __future__ import annotations

from PyQt6.QtCore import QEvent
from PyQt6.QtGui import QFont, QResizeEvent
from PyQt6.QtWidgets import QApplication, QTabBar

LEAST_SHARE = 0.7  # the smallest font, against the theme's, before names are elided after all
FRAME_ROOM = 4  # pixels of the tab widget's width its frame keeps from the bar


class FittedTabBar(QTabBar):
    """Tabs whose names shrink their font (down to LEAST_SHARE of `points`) to fit the bar's
    widget; only past that are they elided. On a projector six chart names did not fit at 720 px."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.points = self.font().pointSize()
        self._fitting = False
        if parent is not None:  # a wider tab widget may give the names their size back
            parent.installEventFilter(self)

    def set_points(self, points: int) -> None:
        """The theme's font size: the names' size when they fit."""
        self.points = int(points)
        self.fit()

    def needed_width(self) -> int:
        return sum(self.tabSizeHint(i).width() for i in range(self.count()) if self.isTabVisible(i))

    def fit(self) -> None:
        holder = self.parentWidget()
        if self._fitting or holder is None or holder.width() <= 0:
            return
        self._fitting = True
        try:
            before = self.font().pointSize()
            font = QFont(self.font())
            least = max(6, round(self.points * LEAST_SHARE))
            for size in range(self.points, least - 1, -1):
                font.setPointSize(size)
                self.setFont(font)
                if self.needed_width() <= holder.width() - FRAME_ROOM:
                    break
            if self.font().pointSize() != before:
                # The tab widget sizes its bar only when it is resized itself: tell it.
                QApplication.sendEvent(holder, QResizeEvent(holder.size(), holder.size()))
        finally:
            self._fitting = False

    def eventFilter(self, watched, event) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    def tabLayoutChange(self) -> None:
        super().tabLayoutChange()
        self.fit()
