"""Sharpness over training and the Hessian's spectrum at the shown step.

Left: λmax of the training loss's Hessian over the steps (training records it), with 2/lr drawn:
gradient descent on a quadratic is stable only while λmax < 2/lr, and full-batch training of a
network typically climbs to that line and hovers on it (Cohen et al. 2021, "edge of stability").
Right: a histogram of every eigenvalue at the step shown (a SpectrumModel computes it);
negative ones, the directions in which the loss curves down, in their own colour.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from valley.app.theme import THEMES, readable_on, readable_text_on, style_plot
from valley.app.views.chart_key import packed_lines
from valley.core.critical import DEGENERATE_RTOL

SHARPNESS_COLOUR = "#56B4E9"
POSITIVE_COLOUR = "#56B4E9"
NEGATIVE_COLOUR = "#D55E00"
LIMIT_COLOUR = "#E69F00"
BINS = 40


def rounded_to_zero(eigenvalues: np.ndarray) -> np.ndarray:
    """The finite eigenvalues, those within rounding of 0 (as critical points count them) set to 0."""
    w = np.asarray(eigenvalues, float)
    w = w[np.isfinite(w)]
    scale = float(np.max(np.abs(w))) if w.size else 0.0
    return np.where(np.abs(w) <= DEGENERATE_RTOL * scale, 0.0, w)


def histogram(eigenvalues: np.ndarray, bins: int = BINS):
    """Bin centres, counts and the common width; 0 is always an edge, so no bin mixes signs."""
    w = rounded_to_zero(eigenvalues)
    if w.size == 0:
        return np.zeros(0), np.zeros(0), 1.0
    low, high = min(float(w.min()), 0.0), max(float(w.max()), 0.0)
    width = (high - low) / bins if high > low else 1.0
    below = int(np.ceil(-low / width)) if low < 0 else 0
    above = max(int(np.ceil(high / width)), 1)
    edges = width * np.arange(-below, above + 1)
    counts, _ = np.histogram(w, edges)
    return 0.5 * (edges[:-1] + edges[1:]), counts, width


def stability_limit(optimizer) -> float | None:
    """2/lr for an optimizer with a learning rate (its constant lr), None without one."""
    lr = optimizer.hyperparameters.get("lr")
    return 2.0 / float(lr) if lr else None


class SharpnessChart(pg.GraphicsLayoutWidget):
    """λmax over training with the 2/lr line and a cursor; beside it, the spectrum at the shown step.

    Side by side, not stacked: on the Network page the chart gets a wide, low strip, and in
    presentation two stacked plots leave no height for either.
    """

    def __init__(self, spectrum_model, parent=None, theme=None):
        super().__init__(parent)
        self.model = spectrum_model
        self.session = spectrum_model.playground
        self.theme = theme if theme is not None else THEMES["dark"]
        self.top = self.addPlot(row=0, col=0)
        self.bottom = self.addPlot(row=0, col=1)
        self.ci.layout.setColumnStretchFactor(0, 1)
        self.ci.layout.setColumnStretchFactor(1, 1)
        for plot in (self.top, self.bottom):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setPreferredWidth(1)  # the halves share the width, whatever their titles ask
        self.curve = self.top.plot()
        self.curve.setZValue(1)  # on the edge of stability it runs along the 2/lr line: keep it visible
        self.limit = pg.InfiniteLine(angle=0, movable=False)
        self.top.addItem(self.limit)
        self.cursor = pg.InfiniteLine(angle=90, movable=False)
        self.top.addItem(self.cursor)
        self.positive = pg.BarGraphItem(x=[], height=[], width=1.0)
        self.negative = pg.BarGraphItem(x=[], height=[], width=1.0)
        self.bottom.addItem(self.positive)
        self.bottom.addItem(self.negative)
        # Counts on a log scale: hundreds of eigenvalues crowd near 0, while λmax stands alone.
        self.bottom.getAxis("left").setTicks([[(float(np.log10(1 + c)), str(c)) for c in (1, 10, 100, 1000)]])
        self.apply_theme(self.theme)
        self.session.resultsChanged.connect(self.refresh)
        self.session.networkChanged.connect(self.refresh)
        self.session.specChanged.connect(self.refresh)
        self.session.timeline.stepChanged.connect(self.cursor.setValue)
        spectrum_model.resultChanged.connect(self.draw_spectrum)
        self.refresh()

    def apply_theme(self, theme) -> None:
        self.theme = theme
        self.setBackground(theme.background)
        style_plot(self.top, theme, "step", "λmax")
        style_plot(self.bottom, theme, self._spectrum_label(), "count (log)")
        for plot in (self.top, self.bottom):  # the titles name what is drawn: no room for more
            plot.getAxis("left").showLabel(False)
        background, width = theme.background, theme.line_width
        self.curve.setPen(pg.mkPen(readable_on(SHARPNESS_COLOUR, background), width=width))
        self.limit.setPen(pg.mkPen(readable_on(LIMIT_COLOUR, background), width=width,
                                   style=pg.QtCore.Qt.PenStyle.DashLine))
        self.cursor.setPen(pg.mkPen(theme.accent, width=2))
        self.positive.setOpts(brush=readable_on(POSITIVE_COLOUR, background), pen=None)
        self.negative.setOpts(brush=readable_on(NEGATIVE_COLOUR, background), pen=None)
        self.refresh()

    def refresh(self, *_) -> None:
        """The λmax curve and the 2/lr line of the current training."""
        steps, values = self.session.history.sharpness
        steps, values = np.asarray(steps, float), np.asarray(values, float)
        finite = np.isfinite(values)
        self.curve.setData(steps[finite], values[finite])
        limit = stability_limit(self.session.spec.optimizer)
        self.limit.setVisible(limit is not None)
        if limit is not None:
            self.limit.setValue(limit)
        self.cursor.setValue(self.session.step)
        theme = self.theme
        self._key = [("━ λmax", readable_text_on(SHARPNESS_COLOUR, theme.background))]
        if limit is not None:
            self._key.append((f"╍ 2/lr = {limit:.3g}", readable_text_on(LIMIT_COLOUR, theme.background)))
        if not finite.any():
            self._key.append(("(not recorded)", theme.muted))
        self._title_key()
        self.draw_spectrum()

    def _title_key(self) -> None:
        """The key over the λmax plot, in as many lines as its half of the width needs: on one
        line it ran into the spectrum's title on a projector's narrow column."""
        points = self.theme.axis_font_size
        width = self.width() / 2 - 12
        self.top.setTitle("<br>".join(packed_lines(self._key, points, width)), size=f"{points}pt")
        # pyqtgraph keeps a title's row 30 px high: a second line would hang over the plot. Both
        # halves take the taller title's height, so their plots start level.
        height = max(math.ceil(plot.titleLabel.item.boundingRect().height()) for plot in (self.top, self.bottom))
        for plot in (self.top, self.bottom):
            plot.titleLabel.setMaximumHeight(height)
            plot.layout.setRowFixedHeight(0, height)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if getattr(self, "_key", None):
            self._title_key()

    def _spectrum_label(self) -> str:
        step = self.model.step
        return "λ" if step is None else f"λ, step {step}"

    def draw_spectrum(self) -> None:
        """The histogram of the spectrum the model holds, with how many eigenvalues are negative."""
        theme = self.theme
        w = self.model.eigenvalues
        self.bottom.getAxis("bottom").setLabel(self._spectrum_label())
        if w is None:
            self.positive.setOpts(x=[], height=[])
            self.negative.setOpts(x=[], height=[])
            note = self.model.reason or "pause for the spectrum"
            self.bottom.setTitle(f"<span style='color:{theme.muted}'>{note}</span>",
                                 size=f"{theme.axis_font_size}pt")
            self.bottom.setToolTip(note)
            return
        centres, counts, width = histogram(w)
        below = centres < 0
        heights = np.log10(1 + counts)
        self.positive.setOpts(x=centres[~below], height=heights[~below], width=0.9 * width)
        self.negative.setOpts(x=centres[below], height=heights[below], width=0.9 * width)
        negative = int(np.count_nonzero(rounded_to_zero(w) < 0))
        negative_colour = readable_text_on(NEGATIVE_COLOUR, theme.background)
        self.bottom.setTitle(f"<span style='color:{negative_colour}'>{negative}/{len(w)} &lt; 0</span>",
                             size=f"{theme.axis_font_size}pt")
        self.bottom.setToolTip(f"The Hessian's {len(w)} eigenvalues at step {self.model.step}: "
                               f"{negative} negative, directions in which the loss curves down")
