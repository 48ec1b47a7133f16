"""The network's first two inputs before and after preprocessing, each cloud with its 2σ ellipse:
whitening makes a long, tilted cloud round (and the loss bowl of a linear model with it)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from valley.app.theme import style_plot
from valley.app.views.diverging import target_brushes
from valley.app.views.network_diagram import feature_label
from valley.core.preprocessing import covariance_ellipse

TITLES = {"none": "as they are", "standardize": "standardized", "min_max": "min-max",
          "pca": "PCA", "zca": "ZCA"}  # short: two titles share a third of the window on a projector


class InputPreprocessingView(pg.GraphicsLayoutWidget):
    """Two scatters side by side, on equal axes so that round looks round."""

    def __init__(self, session, parent=None, theme=None):
        super().__init__(parent)
        self.session = session
        self.plots, self.points, self.ellipses = [], [], []
        for column in range(2):
            plot = self.addPlot(row=0, col=column)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setAspectLocked(True)
            plot.setMouseEnabled(False, False)
            points = pg.ScatterPlotItem(size=7)
            ellipse = pg.PlotCurveItem()
            plot.addItem(points)
            plot.addItem(ellipse)
            self.plots.append(plot)
            self.points.append(points)
            self.ellipses.append(ellipse)
        self.theme = theme
        if theme is not None:
            self.apply_theme(theme)
        for signal in (session.networkChanged, session.resultsChanged):
            signal.connect(self.refresh)
        self.refresh()

    def apply_theme(self, theme) -> None:
        self.theme = theme
        self.setBackground(theme.background)
        for plot, points, ellipse in zip(self.plots, self.points, self.ellipses):
            style_plot(plot, theme, "", "")
            points.setPen(pg.mkPen(theme.marker_edge, width=0.8))
            ellipse.setPen(pg.mkPen(theme.accent, width=max(2.0, theme.line_width)))
        self.refresh()

    def clouds(self) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] | None:
        """(title, points (n, 2), mean, covariance) before and after; None without two inputs."""
        data = self.session.data
        if data.transform is None or data.X_train.shape[1] < 2 or data.features_train is None:
            return None
        before = np.asarray(data.features_train[:, :2], float)
        after = np.asarray(data.X_train[:, :2], float)
        names = [feature_label(name) for name in self.session.input_names[:2]]
        kind = data.transform.kind
        return [(f"before: {', '.join(names)}", before, before.mean(axis=0), np.cov(before.T, bias=True)),
                (f"after: {TITLES.get(kind, kind)}", after, after.mean(axis=0), np.cov(after.T, bias=True))]

    def refresh(self, *_) -> None:
        clouds = self.clouds()
        size = f"{self.theme.axis_font_size}pt" if self.theme is not None else "11pt"
        if clouds is None:
            for plot, points, ellipse in zip(self.plots, self.points, self.ellipses):
                points.setData([], [])
                ellipse.setData([], [])
                plot.setTitle("")
            self.plots[0].setTitle("for a network with two or more inputs", size=size)
            return
        brushes = target_brushes(self.session.data.T_train)
        for (title, cloud, mean, covariance), plot, points, ellipse in zip(clouds, self.plots, self.points,
                                                                           self.ellipses):
            points.setData(cloud[:, 0], cloud[:, 1], brush=brushes)
            outline = covariance_ellipse(mean, covariance)
            ellipse.setData(outline[:, 0], outline[:, 1])
            plot.setTitle(title, size=size, color=self.theme.foreground if self.theme is not None else None)
            plot.autoRange()
