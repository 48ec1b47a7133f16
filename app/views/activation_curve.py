"""An activation's f and f′ drawn beside its chooser: what the class should picture when it is picked."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt

from valley.app.theme import Theme, style_plot
from valley.core.activations import make_activation

Z_RANGE = 4.0  # z from −4 to 4: where every activation shows its shape (saturation, the kink)
POINTS = 401  # an odd count puts a sample on z = 0, where ReLU bends


class ActivationCurve(pg.PlotWidget):
    """f(z) solid and f′(z) dashed for the network's hidden activation with its knob."""

    def __init__(self, theme: Theme, parent=None):
        super().__init__(parent)
        self.setMinimumHeight(110)
        self.setMaximumHeight(150)
        self.plot = self.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(False, False)
        self.z = np.linspace(-Z_RANGE, Z_RANGE, POINTS)
        self.f_curve = self.plot.plot()
        self.df_curve = self.plot.plot()
        self.apply_theme(theme)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.setBackground(theme.background)
        # the axis says which line is which: a legend would sit on one of the curves
        style_plot(self.plot, theme, "z:  f(z) solid,  f′(z) dashed", "")
        self.f_curve.setPen(pg.mkPen(theme.accent, width=2.5))
        self.df_curve.setPen(pg.mkPen(theme.foreground, width=2, style=Qt.PenStyle.DashLine))

    def show_activation(self, name: str, **knobs) -> None:
        activation = make_activation(name, **knobs)
        f, df = activation.curve(self.z)
        self.f_curve.setData(self.z, f)
        self.df_curve.setData(self.z, df)
        low = min(float(f.min()), float(df.min()), -0.1)
        high = max(float(f.max()), float(df.max()), 1.1)
        self.plot.setRange(xRange=(-Z_RANGE, Z_RANGE), yRange=(low, high), padding=0.05)
