"""The data view: the dataset's points over the network's output, with the decision boundary."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF
from PyQt6.QtGui import QFont, QFontMetricsF

from valley.app.theme import plain_numbers, style_plot
from valley.app.views.diverging import NEGATIVE, POSITIVE, VALUE_LUT, class_brushes, normalizer

HEATMAP = 100  # grid points per side


def _lut_rgba(lut: np.ndarray) -> np.ndarray:
    """pyqtgraph wants an (n, 4) uint8 lookup table."""
    return np.column_stack([(lut >> 16) & 255, (lut >> 8) & 255, lut & 255,
                            np.full(len(lut), 255)]).astype(np.uint8)


class DecisionView(pg.PlotWidget):
    """Heatmap of the output (first output, or the argmax class) and the data on top."""

    def __init__(self, session, parent=None, theme=None):
        super().__init__(parent)
        self.session = session
        self.discretize = False
        self.show_test = True
        self.setMenuEnabled(False)
        self.setAspectLocked(True)
        self.hideButtons()
        plot = self.getPlotItem()
        plot.setLabel("bottom", "x₁")
        plot.setLabel("left", "x₂")
        for name in ("left", "bottom", "right", "top"):
            plain_numbers(plot.getAxis(name))
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(_lut_rgba(VALUE_LUT))
        self.image.setOpacity(0.9)
        self.addItem(self.image)
        self.boundary = pg.IsocurveItem(level=0.0, pen=pg.mkPen("#111111", width=2.5))
        self.boundary.setParentItem(self.image)
        self.boundary.setZValue(5)
        outline = theme.marker_edge if theme is not None else "#000000"
        self.train_points = pg.ScatterPlotItem(size=9, pen=pg.mkPen("#ffffff", width=1.3))
        self.test_points = pg.ScatterPlotItem(size=9, pen=pg.mkPen(outline, width=2.0), symbol="s")
        self.selected = pg.ScatterPlotItem(size=20, pen=pg.mkPen("#ff5c8a", width=3), brush=None)
        for item in (self.train_points, self.test_points, self.selected):
            item.setZValue(10)
            self.addItem(item)
        self.values = None  # the last heatmap, in [-1, 1]
        if theme is not None:
            self.apply_theme(theme)
        session.networkChanged.connect(self.rebuild)
        session.sampleChanged.connect(self._sync_selection)
        for signal in (session.resultsChanged, session.timeline.stepChanged, session.probeChanged):
            signal.connect(self.refresh)
        self.rebuild()

    def apply_theme(self, theme) -> None:
        self.setBackground(theme.background)
        plot = self.getPlotItem()
        style_plot(plot, theme, "x₁", "x₂")
        # the top and right tick labels are centred on the plot's edges: leave them half a line
        half_line = math.ceil(QFontMetricsF(plot.getAxis("left").style["tickFont"] or QFont()).height() / 2) + 2
        plot.layout.setContentsMargins(1, half_line, half_line, 1)
        self.test_points.setPen(pg.mkPen(theme.marker_edge, width=2.0))

    def set_discretize(self, on: bool) -> None:
        self.discretize = bool(on)
        self.refresh()

    def set_show_test(self, on: bool) -> None:
        self.show_test = bool(on)
        self.test_points.setVisible(self.show_test)

    @staticmethod
    def _brushes(T: np.ndarray):
        if T.shape[1] > 1:
            from valley.core.scene import PALETTE

            return class_brushes(np.argmax(T, 1) % len(PALETTE), list(PALETTE))
        lo, hi = float(np.min(T, initial=0.0)), float(np.max(T, initial=1.0))
        middle = (lo + hi) / 2
        return class_brushes(T[:, 0] > middle, [NEGATIVE, POSITIVE])

    def rebuild(self) -> None:
        data = self.session.data
        self.train_points.setData(pos=data.points_train, brush=self._brushes(data.T_train))
        self.test_points.setData(pos=data.points_test, brush=self._brushes(data.T_test))
        (x0, x1), (y0, y1) = data.bounds
        self.setXRange(x0, x1, padding=0)
        self.setYRange(y0, y1, padding=0)
        self._sync_selection()
        self.refresh()

    def _sync_selection(self, *_):
        s = self.session.sample
        pts = self.session.data.points_train
        self.selected.setData(pos=pts[s:s + 1] if 0 <= s < len(pts) else np.zeros((0, 2)))

    def refresh(self, *_) -> None:
        points, inputs = self.session.plane_grid(HEATMAP)
        if inputs is None:
            self.image.clear()
            return
        out = self.session.forward_at(inputs).a[-1]
        name = self.session.network.output_activation.name
        if out.shape[1] > 1:
            winner = np.argmax(out, 1)
            values = np.where(winner % 2 == 0, -1.0, 1.0) * (np.max(out, 1) if not self.discretize else 1.0)
            level = None
        else:
            values = normalizer(name, out[:, 0])(out[:, 0])
            level = 0.0
            T = self.session.data.T_train
            if name not in ("sigmoid", "tanh", "softmax", "step") and T.size:
                # Regression or unbounded outputs: the boundary is halfway between the targets.
                lo, hi = float(T.min()), float(T.max())
                values = np.clip((out[:, 0] - (lo + hi) / 2) / max((hi - lo) / 2, 1e-12), -1, 1)
            if self.discretize:
                values = np.where(values > 0, 1.0, -1.0)
        values = np.nan_to_num(values.reshape(HEATMAP, HEATMAP))
        self.values = values
        self.image.setImage(values, levels=(-1.0, 1.0), autoLevels=False)
        (x0, x1), (y0, y1) = self.session.data.bounds
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))  # after setImage: it needs the shape
        if level is None or values.min() >= 0 or values.max() <= 0:
            self.boundary.setVisible(False)
        else:
            self.boundary.setVisible(True)
            # IsocurveItem draws in pixel units of its parent image: row-major data, x = column.
            self.boundary.setData(values.T, level)
