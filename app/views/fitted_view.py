"""A drawing that always shows its whole scene: the network diagram, the computational graph."""
from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QGraphicsView


class FittedView(QGraphicsView):
    """Fits its scene into the view on every resize and show, zoomed in at most `most_zoom`:
    a small scene blown up to fill a projector reads worse than a moderate one."""

    most_zoom = 1.6

    def fit_scene(self) -> None:
        rect = self.scene().sceneRect()
        if rect.isValid() and self.viewport().width() > 10:
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
            if self.transform().m11() > self.most_zoom:
                self.resetTransform()
                self.scale(self.most_zoom, self.most_zoom)
        self.fitted()

    def fitted(self) -> None:
        """Called after every fit: text that keeps its size on screen follows the zoom here."""

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_scene()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.fit_scene()
