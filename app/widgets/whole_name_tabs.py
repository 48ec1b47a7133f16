"""Tabs whose names are read whole: the type gives way before a name is cut.

On a projector at 1280 px the Network page's chart tabs ("Loss", "Plane", "Gradients", "λmax",
"(h₁, h₂)", "Inputs") do not fit at presentation size, and Qt cuts them to "Pla…", which the
class cannot read at all. A tab name a few points smaller is still read from the back row.
"""
from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QFont
from PyQt6.QtWidgets import QApplication, QStyleOptionTab, QTabBar, QTabWidget

SMALLEST_SHARE = 0.6  # of the application's font: tab names never shrink below this


class WholeNameTabBar(QTabBar):
    def drawn_text(self, index: int) -> str:
        """The name as the tab paints it: Qt elides it into its option when it does not fit."""
        option = QStyleOptionTab()
        self.initStyleOption(option, index)
        return option.text


class WholeNameTabs(QTabWidget):
    """A QTabWidget that shrinks its tab names' font, down to SMALLEST_SHARE of the application's,
    until every shown name fits whole; only below that floor does Qt elide them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTabBar(WholeNameTabBar(self))
        self.tabBar().setUsesScrollButtons(False)
        self.tabBar().setElideMode(Qt.TextElideMode.ElideRight)
        self._fitting = False

    def fit_names(self) -> None:
        """Largest font (the application's at most) at which the shown tabs fit the widget's width."""
        if self._fitting:
            return
        self._fitting = True
        try:
            bar = self.tabBar()
            base = QFont(QApplication.font(bar))
            points = base.pointSizeF()
            floor = points * SMALLEST_SHARE
            room = self.width()
            font = QFont(base)
            while True:
                bar.setFont(font)
                # sizeHint adds every tab at its whole name's width (the laid-out rects may be elided)
                if bar.sizeHint().width() <= room or font.pointSizeF() <= floor:
                    break
                font.setPointSizeF(max(floor, font.pointSizeF() - 0.5))
        finally:
            self._fitting = False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_names()

    def tabInserted(self, index: int) -> None:
        super().tabInserted(index)
        self.fit_names()

    def setTabVisible(self, index: int, visible: bool) -> None:
        super().setTabVisible(index, visible)
        self.fit_names()
