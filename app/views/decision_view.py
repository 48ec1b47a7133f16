"""The data view: the dataset's points over the network's output, with the decision boundary."""
from __future__ import annotations

import math

import contourpy
import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QFont, QFontMetricsF, QPainterPath
from PyQt6.QtWidgets import QGraphicsItem

from valley.app.theme import readable_numbers, style_plot
from valley.app.views.diverging import CLASS_COLOURS, MIDDLE, VALUE_LUT, normalizer, target_brushes

HEATMAP = 100  # grid points per side


def _lut_rgba(lut: np.ndarray) -> np.ndarray:
    """pyqtgraph wants an (n, 4) uint8 lookup table."""
    return np.column_stack([(lut >> 16) & 255, (lut >> 8) & 255, lut & 255,
                            np.full(len(lut), 255)]).astype(np.uint8)


class BoundaryCurve(pg.IsocurveItem):
    """pyqtgraph's isocurve item with the marching squares done by contourpy (pyqtgraph's own
    runs in Python: the slowest part of a playing frame). The same curve: value k at the centre
    k + 0.5 of its image pixel, reaching the image's edges as pyqtgraph's
    `isocurve(extendToEdge=True)` does, which pads the data with its edge values and clips to
    [0, n] on each axis."""

    def generatePath(self):
        self.path = QPainterPath()
        if self.data is None:
            return
        data = self.data.T if self.axisOrder == "row-major" else self.data
        padded = np.pad(np.asarray(data, float), 1, mode="edge")
        # contourpy's z has rows along y; the path's x is the data's first index
        generator = contourpy.contour_generator(np.arange(-0.5, data.shape[0] + 1), np.arange(-0.5, data.shape[1] + 1),
                                                padded.T, line_type=contourpy.LineType.Separate)
        lines = [line for line in generator.lines(self.level) if len(line)]
        if not lines:
            return
        points = np.concatenate(lines)
        # one path for every line, built in one call: a line's last point does not join the next line
        connect = np.ones(len(points), dtype=np.int32)
        connect[np.cumsum([len(line) for line in lines]) - 1] = 0
        self.path = pg.arrayToQPath(np.clip(points[:, 0], 0, data.shape[0]), np.clip(points[:, 1], 0, data.shape[1]),
                                    connect=connect, finiteCheck=False)


_VALUE_RGBA = _lut_rgba(VALUE_LUT)
CLICK_REACH_PX = 12  # a right-click this close to a point removes it


def class_for(modifiers) -> int:
    """The class a click adds: 0 plain, 1 with Shift, 2 with Ctrl, 3 with Ctrl+Shift, 4 with Alt."""
    mod = Qt.KeyboardModifier
    if modifiers & mod.AltModifier:
        return 4
    shift, ctrl = bool(modifiers & mod.ShiftModifier), bool(modifiers & mod.ControlModifier)
    return {(False, False): 0, (True, False): 1, (False, True): 2, (True, True): 3}[(shift, ctrl)]
_CLASS_RGB = np.array([pg.mkColor(c).getRgb()[:3] for c in CLASS_COLOURS], float)
_MIDDLE_RGB = np.array(pg.mkColor(MIDDLE).getRgb()[:3], float)


class DecisionView(pg.PlotWidget):
    """Heatmap of the output (first output, or the argmax class) and the data on top."""

    def __init__(self, session, parent=None, theme=None):
        super().__init__(parent)
        self.session = session
        self.discretize = False
        self.show_test = True
        self.setMenuEnabled(False)
        self.setToolTip("Click to add a training point of class 0; with Shift class 1, Ctrl 2, Ctrl+Shift 3, "
                        "Alt 4. Right-click a point to remove it.")
        self.setAspectLocked(True)
        self.hideButtons()
        plot = self.getPlotItem()
        plot.setLabel("bottom", "x₁")
        plot.setLabel("left", "x₂")
        for name in ("left", "bottom", "right", "top"):
            readable_numbers(plot.getAxis(name))
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(_VALUE_RGBA)
        self.image.setOpacity(0.9)
        self.addItem(self.image)
        self.boundary = BoundaryCurve(level=0.0, pen=pg.mkPen("#111111", width=2.5))
        self.boundary.setParentItem(self.image)
        self.boundary.setZValue(5)
        outline = theme.marker_edge if theme is not None else "#000000"
        self.train_points = pg.ScatterPlotItem(size=9, pen=pg.mkPen("#ffffff", width=1.3))
        self.test_points = pg.ScatterPlotItem(size=9, pen=pg.mkPen(outline, width=2.0), symbol="s")
        self.selected = pg.ScatterPlotItem(size=20, pen=pg.mkPen("#ff5c8a", width=3), brush=None)
        for item in (self.train_points, self.test_points, self.selected):
            item.setZValue(10)
            self.addItem(item)
        for item in (self.train_points, self.test_points):
            # The data stay put while the heatmap under them changes every step: drawn once
            # into a pixmap (again when the view moves), not point by point every frame.
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.values = None  # the last heatmap, in [-1, 1] (one output)
        self.classes = None  # the last heatmap's winning class per point (several outputs)
        self._boundaries = [self.boundary]
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

    def mousePressEvent(self, event) -> None:
        """Click: a training point of class 0 here (Shift: 1, Ctrl: 2, Ctrl+Shift: 3, Alt: 4);
        right-click a point to remove it. The data becomes your own points (undoable, saved)."""
        box = self.getPlotItem().getViewBox()
        scene_pos = self.mapToScene(event.position().toPoint())
        button = event.button()
        if button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton) \
                or not box.sceneBoundingRect().contains(scene_pos):
            super().mousePressEvent(event)
            return
        where = box.mapSceneToView(scene_pos)
        try:
            if button == Qt.MouseButton.LeftButton:
                self.session.add_point(where.x(), where.y(), class_for(event.modifiers()))
            else:
                reach = CLICK_REACH_PX * max(abs(v) for v in box.viewPixelSize())
                index = self.session.point_near(where.x(), where.y(), reach)
                if index is not None:
                    self.session.remove_point(index)
        except ValueError as error:
            self.session.report(str(error))
        event.accept()

    def set_discretize(self, on: bool) -> None:
        self.discretize = bool(on)
        self.refresh()

    def set_show_test(self, on: bool) -> None:
        self.show_test = bool(on)
        self.test_points.setVisible(self.show_test)

    def rebuild(self) -> None:
        data = self.session.data
        self.train_points.setData(pos=data.points_train, brush=target_brushes(data.T_train))
        self.test_points.setData(pos=data.points_test, brush=target_brushes(data.T_test))
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
        out = self.session.picture_at(inputs).a[-1]
        name = self.session.network.output_activation.name
        if out.shape[1] > 1:
            self._show_classes(np.nan_to_num(out))
            return
        values = normalizer(name, out[:, 0])(out[:, 0])
        T = self.session.data.T_train
        if name not in ("sigmoid", "tanh", "softmax", "step") and T.size:
            # Regression or unbounded outputs: the boundary is halfway between the targets.
            lo, hi = float(T.min()), float(T.max())
            values = np.clip((out[:, 0] - (lo + hi) / 2) / max((hi - lo) / 2, 1e-12), -1, 1)
        if self.discretize:
            values = np.where(values > 0, 1.0, -1.0)
        values = np.nan_to_num(values.reshape(HEATMAP, HEATMAP))
        self.values = values
        self.classes = None
        self.image.setLookupTable(_VALUE_RGBA)
        self.image.setImage(values, levels=(-1.0, 1.0), autoLevels=False)
        self._fit_image()
        self._draw_boundaries([values] if values.min() < 0 < values.max() else [])

    def _show_classes(self, out: np.ndarray) -> None:
        """Several outputs: each point of the plane in its winning class's colour, paler where the
        net is less sure (the winner's probability near 1/C), with the boundaries between classes."""
        count = out.shape[1]
        winner = np.argmax(out, 1)
        if self.discretize:
            sureness = np.ones(len(out))
        else:  # the winner's share above chance, 0 (a tie of every class) to 1 (certain)
            sureness = np.clip((np.max(out, 1) - 1.0 / count) / (1.0 - 1.0 / count), 0.0, 1.0)
        colours = _CLASS_RGB[winner % len(_CLASS_RGB)]
        weight = (0.25 + 0.75 * sureness)[:, None]
        rgb = (_MIDDLE_RGB + (colours - _MIDDLE_RGB) * weight).round().astype(np.uint8)
        self.classes = winner.reshape(HEATMAP, HEATMAP)
        self.values = None
        self.image.setLookupTable(None)
        self.image.setImage(rgb.reshape(HEATMAP, HEATMAP, 3), levels=(0, 255), autoLevels=False)
        self._fit_image()
        # where class c's output meets the best of the others: its boundary, one curve per class
        margins = [(out[:, c] - np.max(np.delete(out, c, axis=1), axis=1)).reshape(HEATMAP, HEATMAP)
                   for c in range(count)]
        self._draw_boundaries([m for m in margins if m.min() < 0 < m.max()])

    def _fit_image(self) -> None:
        (x0, x1), (y0, y1) = self.session.data.bounds
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))  # after setImage: it needs the shape

    def _draw_boundaries(self, fields: list) -> None:
        """Level-0 curves of each field (the first in self.boundary, more as the classes need)."""
        while len(self._boundaries) < len(fields):
            curve = BoundaryCurve(level=0.0, pen=self.boundary.pen)
            curve.setParentItem(self.image)
            curve.setZValue(5)
            self._boundaries.append(curve)
        for curve, field in zip(self._boundaries, fields):
            curve.setVisible(True)
            # IsocurveItem draws in pixel units of its parent image: row-major data, x = column.
            curve.setData(field.T, 0.0)
        for curve in self._boundaries[len(fields):]:
            curve.setVisible(False)
