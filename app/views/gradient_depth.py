"""Gradients through depth: the norm of each layer's gradient over training, on a log scale.

One curve per weight layer (layer 1 is next to the inputs), from the training history's
gradients; a line marks the current step. Vanishing gradients show as the first layers' curves
lying orders of magnitude below the last's; exploding ones as the reverse.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from valley.app.theme import readable_numbers, readable_on, readable_text_on, style_plot
from valley.core.depth import layer_norms
from valley.core.training import TrainingHistory

# From the input side to the output side: the palette's colours in an order that reads as a ramp.
LAYER_COLOURS = ("#CC79A7", "#D55E00", "#E69F00", "#F0E442", "#009E73", "#56B4E9", "#0072B2")


class GradientDepthChart(pg.PlotWidget):
    """‖∂E/∂W‖ of every layer at every training step of the playground's history."""

    def __init__(self, session, parent=None, theme=None):
        super().__init__(parent)
        self.session = session
        self.theme = theme
        self.setMenuEnabled(False)
        self.hideButtons()
        plot = self.getPlotItem()
        plot.setLogMode(y=True)
        for name in ("left", "bottom", "right", "top"):
            readable_numbers(plot.getAxis(name))
        self.curves: list[pg.PlotDataItem] = []
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#ff5c8a", width=2))
        plot.addItem(self.cursor)
        self.norms = np.zeros((0, 0))
        if theme is not None:
            self.apply_theme(theme)
        session.resultsChanged.connect(self.refresh)
        session.networkChanged.connect(self.refresh)
        session.timeline.stepChanged.connect(self.cursor.setValue)
        self.refresh()

    def apply_theme(self, theme) -> None:
        self.theme = theme
        self.setBackground(theme.background)
        style_plot(self.getPlotItem(), theme, "step", "‖∂E/∂W‖")
        self.cursor.setPen(pg.mkPen(theme.accent, width=2))
        self._style_curves()

    def _style_curves(self) -> None:
        background = self.theme.background if self.theme is not None else "#15171c"
        width = self.theme.line_width if self.theme is not None else 2.5
        for k, curve in enumerate(self.curves):
            colour = LAYER_COLOURS[k % len(LAYER_COLOURS)]
            curve.setPen(pg.mkPen(readable_on(colour, background), width=width))
        # The key is the title (as the loss chart's): a legend would sit on some layer's curve.
        colours = [readable_text_on(LAYER_COLOURS[k % len(LAYER_COLOURS)], background) for k in range(len(self.curves))]
        keys = "&nbsp;".join(f"<span style='color:{c}'>━{k + 1}</span>" for k, c in enumerate(colours))
        points = self.theme.axis_font_size if self.theme is not None else 12
        self.getPlotItem().setTitle(f"layer {keys}", size=f"{points}pt")

    def refresh(self, *_) -> None:
        history, net = self.session.history, self.session.network
        # While a training runs (or after one was cancelled) the history is a one-step stand-in
        # without gradients: no curves then.
        recorded = isinstance(history, TrainingHistory)
        gradients = np.asarray(history.gradients, float) if recorded else np.zeros((0, 0))
        if gradients.ndim != 2 or gradients.shape[1] != net.n_params:
            gradients = np.zeros((0, net.n_params))
        self.norms = layer_norms(net, gradients) if len(gradients) else np.zeros((0, net.n_layers))
        layers = net.n_layers
        if len(self.curves) != layers:
            for curve in self.curves:
                self.getPlotItem().removeItem(curve)
            self.curves = [self.getPlotItem().plot() for _ in range(layers)]
            self._style_curves()
        steps = np.arange(len(self.norms))
        for k, curve in enumerate(self.curves):
            y = self.norms[:, k] if len(self.norms) else np.zeros(0)
            shown = np.isfinite(y) & (y > 0)  # a log axis has no place for 0 or inf
            curve.setData(steps[shown], y[shown])
        self.cursor.setValue(self.session.step)

    def drop(self) -> float:
        """How many times smaller the first layer's gradient is than the last's, at the current step."""
        if not len(self.norms):
            return float("nan")
        row = self.norms[min(self.session.step, len(self.norms) - 1)]
        return float(row[-1] / row[0]) if row[0] > 0 else float("inf")
