"""The samples where the last hidden layer puts them: (h₁, h₂) at step t, for a net whose last
hidden layer has two neurons. XOR, not linearly separable in (x₁, x₂), becomes separable here:
the output neuron draws a line in this plane.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from valley.app.theme import style_plot
from valley.app.views.diverging import NEGATIVE, POSITIVE, class_brushes


class HiddenSpaceView(pg.PlotWidget):
    """Training samples at their last hidden layer's activations (two neurons), coloured by target."""

    def __init__(self, session, parent=None, theme=None):
        super().__init__(parent)
        self.session = session
        self.theme = theme
        self.setMenuEnabled(False)
        self.hideButtons()
        self.points = pg.ScatterPlotItem(size=11, pen=pg.mkPen("#ffffff", width=1.3))
        self.addItem(self.points)
        self.note = pg.TextItem(anchor=(0.5, 0.5))
        self.addItem(self.note)
        self.positions = np.zeros((0, 2))
        if theme is not None:
            self.apply_theme(theme)
        for signal in (session.resultsChanged, session.networkChanged, session.timeline.stepChanged):
            signal.connect(self.refresh)
        self.refresh()

    def apply_theme(self, theme) -> None:
        self.theme = theme
        self.setBackground(theme.background)
        style_plot(self.getPlotItem(), theme, "h₁ (last hidden layer)", "h₂")
        self.note.setColor(theme.foreground)
        self.points.setPen(pg.mkPen(theme.marker_edge, width=1.3))

    @property
    def available(self) -> bool:
        """Only a net whose last hidden layer has exactly two neurons has this plane."""
        sizes = self.session.sizes
        return len(sizes) >= 3 and sizes[-2] == 2

    def refresh(self, *_) -> None:
        if not self.available:
            self.positions = np.zeros((0, 2))
            self.points.setData([], [])
            self.note.setText("for a net whose last hidden layer has two neurons")
            self.note.setPos(0.5, 0.5)
            return
        X, T = self.session.data.X_train, self.session.data.T_train
        record = self.session.forward_at(X)
        self.positions = np.asarray(record.a[-2], float)
        middle = (float(np.min(T, initial=0.0)) + float(np.max(T, initial=1.0))) / 2  # as the data view
        brushes = class_brushes(T[:, 0] > middle, [NEGATIVE, POSITIVE])
        finite = np.all(np.isfinite(self.positions), axis=1)
        self.points.setData(self.positions[finite, 0], self.positions[finite, 1],
                            brush=[b for b, keep in zip(brushes, finite) if keep])
        self.note.setText("")
