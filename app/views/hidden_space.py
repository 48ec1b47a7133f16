"""The samples where the last hidden layer puts them: (h₁, h₂) at step t, for a net whose last
hidden layer has two neurons. XOR, not linearly separable in (x₁, x₂), becomes separable here:
the output neuron draws a line in this plane, and the view draws it (dashed) where the output
crosses the middle of the targets.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt

from valley.app.theme import style_plot
from valley.app.views.diverging import target_brushes, target_middle

POINT_SIZE = 0.9  # a sample's marker against the theme's head size: readable from the back row
PADDING = 0.12  # of the samples' extent, around them: none sits on the plot's frame


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
        self.getViewBox().setDefaultPadding(PADDING)
        # The output neuron's boundary: w·h + b = z*, where its activation crosses the targets' middle.
        self.boundary = pg.InfiniteLine(pen=pg.mkPen("#ff5c8a", width=2.5, style=Qt.PenStyle.DashLine))
        self.boundary.setVisible(False)
        self.addItem(self.boundary, ignoreBounds=True)
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
        self.points.setSize(round(POINT_SIZE * theme.head_size))
        self.boundary.setPen(pg.mkPen(theme.accent, width=theme.line_width, style=Qt.PenStyle.DashLine))
        self.refresh()  # the title's size is the theme's

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
            self.boundary.setVisible(False)
            self.getPlotItem().setTitle(None)
            return
        X, T = self.session.data.X_train, self.session.data.T_train
        record = self.session.forward_at(X)
        self.positions = np.asarray(record.a[-2], float)
        brushes = target_brushes(T)
        finite = np.all(np.isfinite(self.positions), axis=1)
        self.points.setData(self.positions[finite, 0], self.positions[finite, 1],
                            brush=[b for b, keep in zip(brushes, finite) if keep])
        self.note.setText("")
        self._draw_boundary(target_middle(T))

    def _draw_boundary(self, middle: float) -> None:
        """The line where the output neuron's activation is `middle` (none for several outputs, or
        an output that never reaches it)."""
        network = self.session.network_at()
        weights, bias = network.weights[-1], network.biases[-1]
        z = output_crossing(network.output_activation, middle) if weights.shape[0] == 1 else None
        w = np.asarray(weights[0] if weights.shape[0] == 1 else [0.0, 0.0], float)
        norm = float(w @ w)
        shown = z is not None and norm > 0 and math.isfinite(norm)
        self.boundary.setVisible(shown)
        if not shown:
            self.getPlotItem().setTitle(None)
            return
        offset = (z - float(bias[0])) / norm
        self.boundary.setPos(pg.Point(offset * w[0], offset * w[1]))
        self.boundary.setAngle(math.degrees(math.atan2(w[0], -w[1])))
        points = self.theme.axis_font_size if self.theme is not None else 12
        self.getPlotItem().setTitle(f"dashed: output = {middle:.3g}", size=f"{points}pt")


def output_crossing(activation, level: float) -> float | None:
    """The input z at which a monotone output activation reaches `level` (None if it never does)."""
    def f(z: float) -> float:
        return float(np.asarray(activation.f(np.array([[z]])), float).ravel()[0])

    low, high = -60.0, 60.0
    if not (f(low) <= level <= f(high)):
        return None
    for _ in range(80):
        mid = (low + high) / 2
        if f(mid) < level:
            low = mid
        else:
            high = mid
    return (low + high) / 2
