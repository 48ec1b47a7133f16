"""The 2-D landscape: heatmap, contours, critical points, and every optimizer's trail and head."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PyQt6 import sip
from PyQt6.QtCore import QPointF, QRectF, Qt, QTimer
from PyQt6.QtGui import QFont, QFontMetricsF, QImage, QPainter
from PyQt6.QtWidgets import QGraphicsItem, QSizePolicy

from valley.app.model.basins import BasinModel
from valley.app.theme import THEMES, Theme, readable_numbers, style_plot
from valley.app.views.annotation_layer import AnnotationLayer, Place
from valley.app.views.basin_colours import basin_rgba
from valley.app.views.names import elide_apart, keeps_for

CONTOUR_LEVELS = 14
FIELD_GRID = 17  # arrows per side of the optional gradient field
MAX_ASPECT_DISTORTION = 4.0  # lock x:y at 1:1 unless the bounds are longer than this
DRAG_THROTTLE_MS = 40  # re-run the race at most ~25 times a second while a start is dragged
HEADS_Z = 20
CRITICAL_Z = 13  # above trails (10), below arrows (15) and heads (20)
CRITICAL_SIZE = 2.2  # marker size in head sizes: its outline rings a head sitting on it
BASINS_Z = -7  # above the heatmap (-10), below contours (-5), trails and heads
START_MARGIN = 0.08  # a start outside the bounds shows this share of the span inside the edge
HEATMAP_DELAY_MS = 60  # repaint the heatmap once a resize has settled, not at every step of it
LEGEND_SWATCH = 48  # px a legend entry needs besides its text: the sample line and spacing
COLOURBAR_EDGE = 10  # px between the colour bar's title and the widget's right edge
LEGEND_ROWS = 3  # the legend above the map takes at most this many rows of its height
LEGEND_MAY_SHRINK_MAP = 0.1  # more rows, for whole names, may cost the surface this share of its size

TRAIL_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache
NO_CACHE = QGraphicsItem.CacheMode.NoCache

# One symbol per kind of critical point, so the kind reads without colour.
CRITICAL_SYMBOLS = {"minimum": "star", "maximum": "t1", "saddle": "d", "degenerate": "s"}
CRITICAL_TITLES = {"minimum": "☆ minimum", "maximum": "△ maximum", "saddle": "◇ saddle",
                   "degenerate": "□ degenerate"}
CRITICAL_SHORT_TITLES = {"minimum": "☆ min", "maximum": "△ max", "saddle": "◇ saddle",
                         "degenerate": "□ degen."}  # when the legend is short of room
# The markers' key while their search runs in the background (whole, short): the map says why
# it shows none yet where it names them once found.
CRITICAL_SEARCHING = ("finding critical points…", "finding…")
ARROW_TITLES = {"gradient": "−∇f (downhill)", "velocity": "velocity", "step": "next step Δθ"}
# A step or velocity shorter than this many head sizes on screen is drawn this long (same
# direction): a true-scale arrow of a small step would hide under its head. Longer ones are
# drawn to scale; the readout has the exact numbers.
MIN_ARROW_HEADS = 1.6


def display_values(Z: np.ndarray, log_colour: bool, name: str = "f(x, y)",
                   inside: np.ndarray | None = None) -> tuple[np.ndarray, str]:
    """What the heatmap shows: f, or log(f − min + 1) for surfaces with a huge range.

    `inside` marks the grid points within the scene's bounds: the minimum is taken there, so
    a map drawn wider than the bounds (to fill the view) keeps the colours of the bounds.
    """
    finite = np.isfinite(Z)
    counted = finite if inside is None else finite & inside
    if not counted.any():
        counted = finite
    if not counted.any():
        return np.zeros_like(Z), name
    low, high = float(Z[counted].min()), float(Z[finite].max())
    Z = np.where(finite, Z, high)  # a pole or overflow shows as the highest colour
    if log_colour:
        return np.log1p(np.maximum(Z - low, 0.0)), f"log({name.split('(')[0]} − min + 1)"
    return Z, name


def contour_paths(x: np.ndarray, y: np.ndarray, Z: np.ndarray, levels) -> tuple[np.ndarray, np.ndarray]:
    """All contour lines as one NaN-separated polyline (one plot item draws them all)."""
    xs, ys = [], []
    try:
        import contourpy

        generator = contourpy.contour_generator(x, y, Z, line_type=contourpy.LineType.ChunkCombinedNan)
        for level in levels:
            for chunk in generator.lines(level)[0]:
                if chunk is not None and len(chunk):
                    xs += [chunk[:, 0], [np.nan]]
                    ys += [chunk[:, 1], [np.nan]]
    except ImportError:  # pyqtgraph's own isocurve is pure Python: use a coarser grid
        step = max(1, len(x) // 96)
        xs_, ys_, Zs = x[::step], y[::step], Z[::step, ::step]
        for level in levels:
            for line in pg.isocurve(Zs.T, level, connected=True):
                line = np.asarray(line)
                xs += [np.interp(line[:, 0], np.arange(len(xs_)), xs_), [np.nan]]
                ys += [np.interp(line[:, 1], np.arange(len(ys_)), ys_), [np.nan]]
    if not xs:
        return np.array([np.nan]), np.array([np.nan])
    return np.concatenate(xs), np.concatenate(ys)


class HeadSpot:
    """One racer's head: its spot in the view's single head scatter.

    All heads are painted by one ScatterPlotItem (six scatter items cost six times the
    per-item work of one, every frame); this keeps each racer's position and style.
    """

    def __init__(self):
        self.position: tuple[float, float] | None = None
        self.visible = True
        self.size = 10.0
        self.pen = pg.mkPen("#000000")
        self.brush = pg.mkBrush("#ffffff")

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) arrays as ScatterPlotItem.getData gives them: one point, or none."""
        if self.position is None or not self.visible:
            return np.empty(0), np.empty(0)
        return np.array([self.position[0]]), np.array([self.position[1]])


class Racer:
    """The plot items of one optimizer: trail, head, start handle, arrow, diverged marker."""

    def __init__(self, view: Landscape2DView, index: int):
        self.index = index
        plot = view.plot
        self.trail = pg.PlotCurveItem(connect="finite")
        self.head = HeadSpot()
        # what update_step drew last: (trajectory, (k, diverged, arrows)); None redraws
        self.shown: tuple | None = None
        self.start = pg.TargetItem(pos=(0, 0), size=16, symbol="o", movable=True)
        self.start.setZValue(30)
        self.arrow_shaft = pg.PlotCurveItem()
        self.arrow_tip = pg.ArrowItem(headLen=14, tipAngle=35, brush=None)
        self.diverged = pg.ScatterPlotItem(symbol="x", pxMode=True)
        self.diverged_text = pg.TextItem(anchor=(0, 1.2))
        self.trail.setZValue(10)
        self.arrow_shaft.setZValue(15)
        self.arrow_tip.setZValue(16)
        self.diverged.setZValue(25)
        self.diverged_text.setZValue(26)
        for item in (self.trail, self.arrow_shaft, self.arrow_tip, self.diverged,
                     self.diverged_text, self.start):
            plot.addItem(item)
        self.start.sigPositionChanged.connect(lambda _: view._start_dragged(self.index, False))
        self.start.sigPositionChangeFinished.connect(lambda _: view._start_dragged(self.index, True))

    def remove(self, plot) -> None:
        for item in (self.trail, self.arrow_shaft, self.arrow_tip, self.diverged,
                     self.diverged_text, self.start):
            plot.removeItem(item)


def _xy(point: QPointF) -> tuple[float, float]:
    return (point.x(), point.y())


class Landscape2DView(pg.PlotWidget):
    """Draws the session's surface and 'the race at step t'; a click sets the start.

    With a BasinModel its map is painted over the heatmap whenever the model holds one.
    """

    def __init__(self, session, theme: Theme | None = None, parent=None,
                 basins: BasinModel | None = None):
        super().__init__(parent)
        self.session = session
        self.basins = basins
        self.theme = theme or THEMES[session.scene.view.theme]
        self.racers: list[Racer] = []
        self._surface_theme: Theme | None = None  # the theme the surface was last drawn in
        self._pending_drag: tuple[int, tuple[float, float]] | None = None
        self._drag_timer = QTimer(self)
        self._drag_timer.setSingleShot(True)
        self._drag_timer.setInterval(DRAG_THROTTLE_MS)
        self._drag_timer.timeout.connect(self._apply_drag)
        self._syncing_handles = False
        self._legend_texts: dict[int, str] = {}
        self._critical_key: tuple[str, str] | None = None  # the markers' key, whole and short
        self._shown_markers: list[dict] = []  # the critical points drawn now
        self._markers_pending = False  # their search runs in the background: none drawn yet
        self._legend_widths: dict[int, float] = {}
        self._heatmap_timer = QTimer(self)
        self._heatmap_timer.setSingleShot(True)
        self._heatmap_timer.setInterval(HEATMAP_DELAY_MS)
        self._heatmap_timer.timeout.connect(self._draw_heatmap)
        self._values_grid = (None, None)  # (surface, (xs, ys, Z)) of the last heatmap

        self.plot = self.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.vb = self.plot.getViewBox()
        self.vb.setMouseEnabled(False, False)  # clicks and drags belong to the starts
        self.vb.disableAutoRange()

        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        # The heatmap, like the contours below, changes only with the surface: blit, don't rescale.
        self.image.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(self.image)
        self.basin_image = pg.ImageItem(axisOrder="row-major")
        self.basin_image.setZValue(BASINS_Z)
        self.basin_image.setVisible(False)
        self.plot.addItem(self.basin_image, ignoreBounds=True)
        self.contours = pg.PlotCurveItem(connect="finite")
        self.contours.setZValue(-5)
        # Contours never change during play: paint them once into a pixmap cache.
        self.contours.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(self.contours)
        self.field = pg.PlotCurveItem(connect="pairs")
        self.field.setZValue(-4)
        self.field.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(self.field)
        # Critical points are hollow outlines over the trails and under the heads, about twice
        # a head's size: a head parked on a saddle or a minimum shows ringed by the marker
        # instead of hiding it. A dark halo under the light outline reads on any map colour.
        self.critical_halo = pg.ScatterPlotItem(pxMode=True)
        self.critical_halo.setZValue(CRITICAL_Z - 1)
        self.critical_halo.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(self.critical_halo)
        self.critical = pg.ScatterPlotItem(pxMode=True, hoverable=True, tip=self._critical_tip)
        self.critical.setZValue(CRITICAL_Z)
        self.critical.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(self.critical)
        self.heads = pg.ScatterPlotItem(symbol="o", pxMode=True)
        self.heads.setZValue(HEADS_Z)
        self.plot.addItem(self.heads)
        self.colorbar = pg.ColorBarItem(colorMap=self.theme.colormap, interactive=False, width=18)
        # which labels pyqtgraph draws depends on the bar's length: measure them again when it changes
        self._colorbar_length = 0.0
        self.colorbar.getAxis("right").geometryChanged.connect(self._colorbar_resized)
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        # pyqtgraph nudges a right axis' title 5 px past the axis: keep room for it at the edge
        self.plot.layout.setContentsMargins(1, 1, COLOURBAR_EDGE, 1)
        # The legend sits in a row above the plot: on the plot it would hide paths or minima.
        self.legend = pg.LegendItem(labelTextSize=f"{self.theme.font_size}pt", frame=False,
                                    colCount=3, horSpacing=18)
        self.plot.titleLabel.setMaximumHeight(0)
        self.plot.layout.removeItem(self.plot.titleLabel)
        # removeItem hands the label to Python while it stays a child in the scene: give it back
        # to the plot so Qt alone deletes it with the plot.
        sip.transferto(self.plot.titleLabel, self.plot)
        self.plot.titleLabel.setVisible(False)
        # across the plot and the colour bar; its wish never sets a column's width (the colour
        # bar would be pushed out of the widget)
        self.plot.layout.addItem(self.legend, 0, 1, 1, 5)
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.legend_corner = "above"

        self.vb.sigRangeChanged.connect(self._range_changed)
        # the legend's room is the plot's width beside the y axis: when the axis changes width (its
        # font, its tick labels) the legend is fitted again, as on a resize
        self.plot.getAxis("left").geometryChanged.connect(self._refit_legend)
        # and when the plot's box changes shape: its spare height is where longer legends go
        self.vb.sigResized.connect(self._refit_legend)
        self.scene().sigMouseClicked.connect(self._clicked)
        self.annotations = AnnotationLayer(session.document.annotations, Place(
            name="map", to_scene=lambda p: self.vb.mapViewToScene(QPointF(*p)),
            from_scene=lambda s: _xy(self.vb.mapSceneToView(s)), add_item=self.scene().addItem,
            pixels_per_unit=lambda: 1.0, area=self.vb.sceneBoundingRect), self.theme, self)
        self.vb.sigRangeChanged.connect(self.annotations.reshape)
        self.vb.sigResized.connect(self.annotations.reshape)
        session.sceneChanged.connect(self.redraw_surface)
        session.optimizersChanged.connect(self._rebuild_racers)
        session.resultsChanged.connect(self._results_changed)
        session.timeline.stepChanged.connect(self.update_step)
        session.selectionChanged.connect(lambda _: self._restyle_racers())
        session.viewChanged.connect(self._view_option_changed)
        session.critical.found_changed.connect(self._critical_points_found)
        if basins is not None:
            basins.resultChanged.connect(self._draw_basins)
            basins.settingsChanged.connect(self._draw_basins)
        self.apply_theme(self.theme)
        self._draw_basins()

    # ----- public helpers -----
    def data_to_widget(self, point) -> QPointF:
        """Widget (pixel) coordinates of a data point: what a test clicks."""
        scene_pos = self.vb.mapViewToScene(QPointF(float(point[0]), float(point[1])))
        return self.mapFromScene(scene_pos).toPointF()

    def widget_to_data(self, pos: QPointF) -> np.ndarray:
        view = self.vb.mapSceneToView(self.mapToScene(pos.toPoint()))
        return np.array([view.x(), view.y()])

    def resizeEvent(self, event) -> None:
        if "legend" in self.__dict__:  # the base class resizes before our items exist
            # before the plot takes the new size: a legend still laid out for a wider view
            # would hold the plot wider than the widget and push the colour bar out of sight
            self._fit_legend_columns(event.size().width())
        super().resizeEvent(event)

    def _refit_legend(self) -> None:
        if "legend" in self.__dict__:
            self._fit_legend_columns()

    def _fit_legend_columns(self, width: int | None = None) -> None:
        """Lay the legend out above the map in at most LEGEND_ROWS rows, never wider than the plot.

        As many columns as the measured labels fit; when even LEGEND_ROWS rows need more columns
        than fit, the longest labels lose their middle to "…" (the results table has every name
        whole): a tall legend would take the map's height, a wide one would widen the window.
        """
        if sip.isdeleted(self.legend):  # a late resize while the widget is torn down
            return
        entries = self.legend.items
        if not entries:
            return
        if any(id(label) not in self._legend_widths for _, label in entries):
            self._remember_legend_labels()
        full = [self._legend_texts[id(label)] for _, label in entries]
        widths = [self._legend_widths[id(label)] for _, label in entries]
        width = self.width() if width is None else width
        room = max(120.0, width - self.plot.getAxis("left").width() - 16)
        spacing = self.legend.layout.horizontalSpacing()
        least = math.ceil(len(entries) / self._legend_rows_allowed(len(entries)))

        def columns_for(widths) -> tuple[int, bool]:
            for count in range(len(entries), least - 1, -1):
                need = sum(max(widths[i::count]) + LEGEND_SWATCH for i in range(count))
                if need + spacing * (count - 1) <= room:
                    return count, True
            return least, False

        columns, fits = columns_for(widths)
        key = self._critical_key
        if not fits and key is not None and full[-1] == key[0]:
            # the key of the markers in its short words ("△ max") before any name is cut: cut
            # at its end it lost the kind the lesson is about ("☆ minimum ◇ saddl…")
            full[-1], widths[-1] = key[1], widths[-1] * len(key[1]) / len(key[0])
            columns, fits = columns_for(widths)
        if columns != self.legend.columnCount:
            self.legend.setColumnCount(columns)
        text_room = (room - spacing * (columns - 1)) / columns - LEGEND_SWATCH
        for _ in range(4):  # the legend's own grid decides its width: measure, then shorten more
            keeps = keeps_for(full, widths, None if fits else text_room)
            for (_, label), shown in zip(entries, elide_apart(full, keeps)):
                if label.text != shown:
                    label.setText(shown)
                    whole = self._legend_texts[id(label)]
                    label.setToolTip(whole if shown != whole else "")
            self.legend.layout.invalidate()
            excess = self.legend.layout.effectiveSizeHint(Qt.SizeHint.MinimumSize).width() - room
            if excess <= 0:
                break
            fits = False
            text_room -= excess / columns + 2
        self.legend.updateSize()

    def _legend_rows_allowed(self, count: int) -> int:
        """LEGEND_ROWS, or more where the map's height is not what limits the surface.

        With equal scales a narrow map (the 3-D view beside it) shows the surface as wide as the
        plot and has height to spare above and below it: there, rows of whole names cost the
        surface little or nothing (LEGEND_MAY_SHRINK_MAP at most), where three rows of two
        columns cut five long names to "GD…-0.4)", two of them alike.
        """
        if count <= LEGEND_ROWS or not self.vb.state["aspectLocked"]:
            return LEGEND_ROWS
        (x0, x1), (y0, y1) = self.shown_range()
        box = self.vb.geometry()
        if box.width() <= 0 or x1 <= x0:
            return LEGEND_ROWS
        rows_now = math.ceil(len(self.legend.items) / max(1, self.legend.columnCount))
        row = max(label.item.boundingRect().height() for _, label in self.legend.items)
        row += self.legend.layout.verticalSpacing()
        surface = box.width() * (y1 - y0) / (x1 - x0)  # its height at the plot's width
        spare = box.height() + rows_now * row - (1 - LEGEND_MAY_SHRINK_MAP) * surface
        return max(LEGEND_ROWS, min(count, int(spare // row)))

    def _remember_legend_labels(self) -> None:
        """Each label's whole text and width, before any is shortened to fit."""
        self._legend_texts = {id(label): label.text for _, label in self.legend.items}
        self._legend_widths = {id(label): label.item.boundingRect().width()
                               for _, label in self.legend.items}

    # ----- theme -----
    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.setBackground(theme.background)
        style_plot(self.plot, theme, *self.session.surface.axis_labels)
        self.colorbar.setColorMap(pg.colormap.get(theme.colormap))
        axis = self.colorbar.getAxis("right")
        font = QFont()
        font.setPointSize(theme.axis_font_size)
        axis.setTickFont(font)
        axis.setTextPen(pg.mkPen(theme.foreground))
        axis.setPen(pg.mkPen(theme.foreground))
        axis.setLabel(axis.labelText, color=theme.foreground, **{"font-size": f"{theme.axis_font_size + 2}pt"})
        readable_numbers(axis)
        # pyqtgraph sizes the axis for its default font: make room for ours and the label
        self._fit_colorbar_axis()
        self.legend.setLabelTextSize(f"{theme.font_size}pt")
        self.legend.setLabelTextColor(theme.foreground)
        # the labels' widths were measured in the old font: whole names again, measured in the new one
        for _, label in self.legend.items:
            whole = self._legend_texts.get(id(label))
            if whole is not None and label.text != whole:
                label.setText(whole)
        if self.legend.items:
            self._remember_legend_labels()
        if "annotations" in self.__dict__:  # the first theme is applied before the layer exists
            self.annotations.apply_theme(theme)
        if theme == self._surface_theme:
            # The window applies its theme once more after building its views: the surface
            # already wears it, and redrawing it (grid, contours, critical points) cost
            # ~0.15 s of start-up. Racers restyle for the legend's new size.
            self._rebuild_racers()
            return
        self.redraw_surface()

    # ----- surface -----
    def shown_range(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The range the map opens on: the scene's bounds and every racer's start, with a margin.

        A start outside the bounds would otherwise sit off-screen, and a click could never reach it.
        """
        (x0, x1), (y0, y1) = self.session.bounds
        starts = np.array([self.session.scene.start_of(spec) for spec in self.session.scene.optimizers],
                          dtype=float).reshape(-1, 2)
        starts = starts[np.isfinite(starts).all(axis=1)]
        mx, my = START_MARGIN * (x1 - x0), START_MARGIN * (y1 - y0)
        outside_x = starts[(starts[:, 0] < x0) | (starts[:, 0] > x1), 0]
        outside_y = starts[(starts[:, 1] < y0) | (starts[:, 1] > y1), 1]
        if len(outside_x):
            x0, x1 = min(x0, outside_x.min() - mx), max(x1, outside_x.max() + mx)
        if len(outside_y):
            y0, y1 = min(y0, outside_y.min() - my), max(y1, outside_y.max() + my)
        return (float(x0), float(x1)), (float(y0), float(y1))

    def redraw_surface(self) -> None:
        session = self.session
        if self.plot.getAxis("bottom").labelText != session.surface.axis_labels[0]:
            style_plot(self.plot, self.theme, *session.surface.axis_labels)  # e.g. α, β on a network plane
        (x0, x1), (y0, y1) = session.bounds
        # Equal scales keep the gradient visibly perpendicular to the contours; surfaces
        # whose view is very long in one direction get the room instead.
        ratio = (x1 - x0) / (y1 - y0)
        self.vb.setAspectLocked(1 / MAX_ASPECT_DISTORTION <= ratio <= MAX_ASPECT_DISTORTION, ratio=1.0)
        (sx0, sx1), (sy0, sy1) = self.shown_range()
        self.vb.setRange(xRange=(sx0, sx1), yRange=(sy0, sy1), padding=0)
        self._draw_heatmap()
        self._surface_theme = self.theme
        self._draw_gradient_field()
        self._draw_critical_points()
        self._rebuild_racers()

    def _heatmap_extent(self) -> tuple[float, float, float, float]:
        """What the heatmap covers: the bounds and all the view shows.

        With x:y locked the view box fills its widget and shows more than the bounds in one
        direction; painting the surface there too leaves no empty bands beside the map.
        """
        (x0, x1), (y0, y1) = self.session.bounds
        (vx0, vx1), (vy0, vy1) = self.vb.viewRange()
        return min(x0, vx0), max(x1, vx1), min(y0, vy0), max(y1, vy1)

    def _draw_heatmap(self) -> None:
        if sip.isdeleted(self.colorbar):  # the delayed repaint of a view being torn down
            return
        session, view_spec = self.session, self.session.scene.view
        (bx0, bx1), (by0, by1) = session.bounds
        x0, x1, y0, y1 = self._heatmap_extent()
        n = int(view_spec.resolution)
        # the bounds keep their resolution; the margins around them get as many points per unit
        nx = int(min(2 * n, max(n, round(n * (x1 - x0) / (bx1 - bx0)))))
        ny = int(min(2 * n, max(n, round(n * (y1 - y0) / (by1 - by0)))))
        nx, ny = session.surface.grid_shape(nx, ny)  # a long formula: fewer points, not minutes
        x, y = np.linspace(x0, x1, nx), np.linspace(y0, y1, ny)
        Z = session.surface.evaluate(x[None, :], y[:, None])
        inside = ((x[None, :] >= bx0) & (x[None, :] <= bx1)) & ((y[:, None] >= by0) & (y[:, None] <= by1))
        shown, label = display_values(Z, view_spec.log_colour, session.surface.value_label, inside)
        self.grid = (x, y, shown)
        self._values_grid = (session.surface, (x, y, Z))  # the critical points' seeds, on this surface
        self._heatmap_rect = (x0, x1, y0, y1)
        within = shown[inside] if inside.any() else shown
        low, high = float(within.min()), float(within.max())
        if high <= low:
            high = low + 1.0
        self.image.setImage(shown, levels=(low, high))
        # pixel centres sit on the grid points
        dx, dy = (x1 - x0) / (nx - 1), (y1 - y0) / (ny - 1)
        self.image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy))
        self._drop_cached_pixmap(self.image)
        self.colorbar.setLevels((low, high))
        axis = self.colorbar.getAxis("right")
        axis.setLabel(label, color=self.theme.foreground, **{"font-size": f"{self.theme.axis_font_size + 2}pt"})
        readable_numbers(axis)
        self._fit_colorbar_axis()
        if view_spec.contours:
            levels = np.linspace(low, high, CONTOUR_LEVELS + 2)[1:-1]
            cx, cy = contour_paths(x, y, shown, levels)
            self.contours.setData(cx, cy)
            self._drop_cached_pixmap(self.contours)
        self.contours.setVisible(view_spec.contours)
        self.contours.setPen(pg.mkPen(self.theme.contour + "60", width=1))

    @staticmethod
    def _drop_cached_pixmap(item) -> None:
        """Redrawn over a new extent, an item's cached pixmap kept showing part of the old one."""
        mode = item.cacheMode()
        item.setCacheMode(NO_CACHE)
        item.setCacheMode(mode)

    def _range_changed(self, *_) -> None:
        """The view shows more than the heatmap covers (a resize): repaint it once settled."""
        drawn = self.__dict__.get("_heatmap_rect")
        if drawn is None:
            return
        (vx0, vx1), (vy0, vy1) = self.vb.viewRange()
        x0, x1, y0, y1 = drawn
        tx, ty = 1e-3 * (x1 - x0), 1e-3 * (y1 - y0)
        if vx0 < x0 - tx or vx1 > x1 + tx or vy0 < y0 - ty or vy1 > y1 + ty:
            self._heatmap_timer.start()

    def _colorbar_resized(self) -> None:
        length = self.colorbar.getAxis("right").geometry().height()
        if length != self._colorbar_length:
            self._colorbar_length = length
            self._fit_colorbar_axis()

    def _fit_colorbar_axis(self) -> None:
        """Make the colour bar's axis as wide as the tick labels it draws and its title need.

        A fixed width cut labels such as 4.5 down to "4" on some surfaces and fonts; measuring
        every level's labels (12.5 among 5, 10, 15) set the title apart from the numbers.
        """
        axis = self.colorbar.getAxis("right")
        title = axis.label.boundingRect().height() if axis.label.isVisible() else 0.0
        image = QImage(1, 1, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        try:
            specs = axis.generateDrawSpecs(painter)  # the labels pyqtgraph will draw, placed
        finally:
            painter.end()
        drawn = [rect.right() for rect, _, _ in specs[2]] if specs else []
        if drawn:
            axis.setWidth(math.ceil(max(drawn) + title + 2))
            return
        low, high = self.colorbar.levels()
        metrics = QFontMetricsF(axis.style["tickFont"] or QFont())
        widest = 0.0
        for spacing, values in axis.tickValues(low, high, max(100.0, axis.geometry().height())):
            strings = axis.tickStrings(values, axis.autoSIPrefixScale * axis.scale, spacing)
            widest = max([widest] + [metrics.horizontalAdvance(text) for text in strings])
        tick = max(0, axis.style["tickLength"])
        axis.setWidth(math.ceil(widest + tick + axis.style["tickTextOffset"][0] + title + 8))

    def _draw_gradient_field(self) -> None:
        visible = bool(self.session.scene.view.gradient_field)
        self.field.setVisible(visible)
        if not visible:
            return
        (x0, x1), (y0, y1) = self.session.bounds
        margin = 0.5 / FIELD_GRID
        gx = np.linspace(x0 + margin * (x1 - x0), x1 - margin * (x1 - x0), FIELD_GRID)
        gy = np.linspace(y0 + margin * (y1 - y0), y1 - margin * (y1 - y0), FIELD_GRID)
        X, Y = np.meshgrid(gx, gy)
        U, V = self.session.surface.gradient_grid(X, Y)
        U, V = -U, -V  # downhill, the way gradient descent moves
        # Arrows of equal length (direction only) in screen-ish units: scale each axis by its cell.
        cell_x, cell_y = (x1 - x0) / FIELD_GRID, (y1 - y0) / FIELD_GRID
        with np.errstate(all="ignore"):
            un, vn = U / cell_x, V / cell_y
            norm = np.hypot(un, vn)
            ok = np.isfinite(norm) & (norm > 0)
            un, vn = np.where(ok, un / np.where(ok, norm, 1), 0), np.where(ok, vn / np.where(ok, norm, 1), 0)
        length = 0.4
        tips_x, tips_y = X + length * un * cell_x, Y + length * vn * cell_y
        tails_x, tails_y = X - length * un * cell_x, Y - length * vn * cell_y
        # two barbs per arrow, rotated ±150° from the direction
        segs_x, segs_y = [tails_x, tips_x], [tails_y, tips_y]
        for angle in (math.radians(150), math.radians(-150)):
            bu = un * math.cos(angle) - vn * math.sin(angle)
            bv = un * math.sin(angle) + vn * math.cos(angle)
            segs_x += [tips_x, tips_x + 0.3 * bu * cell_x]
            segs_y += [tips_y, tips_y + 0.3 * bv * cell_y]
        xs = np.stack(segs_x, -1)[ok].reshape(-1)
        ys = np.stack(segs_y, -1)[ok].reshape(-1)
        self.field.setData(xs, ys)
        self.field.setPen(pg.mkPen(self.theme.contour + "90", width=1.2))

    def _draw_basins(self) -> None:
        result = None if self.basins is None else self.basins.result
        self.basin_image.setVisible(result is not None)
        if result is None:
            self.basin_image.clear()
            return
        x0, x1, y0, y1 = result.extent
        n = result.label.shape[0]
        dx, dy = (x1 - x0) / (n - 1), (y1 - y0) / (n - 1)
        self.basin_image.setImage(basin_rgba(result.label, self.basins.opacity), autoLevels=False,
                                  levels=(0, 255))
        # pixel centres on the grid points, like the heatmap underneath
        self.basin_image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy))

    def _draw_critical_points(self) -> None:
        """The markers of the race's critical points; none, and the key says so, while their
        search runs in the background (`_critical_points_found` draws them when it ends)."""
        show = bool(self.session.scene.view.critical_points)
        self.critical.setVisible(show)
        self.critical_halo.setVisible(show)
        markers = self._markers() if show else []
        self._markers_pending = markers is None
        self._shown_markers = markers or []
        if not self._shown_markers:
            self.critical.setData([])
            self.critical_halo.setData([])
            return
        size = self.theme.head_size * CRITICAL_SIZE
        outline = max(2.5, self.theme.line_width)
        points, halo = [], []
        for cp in self._shown_markers:
            kind, (px, py) = cp["kind"], cp["point"]
            symbol = CRITICAL_SYMBOLS.get(kind, "s")
            points.append(dict(pos=(px, py), symbol=symbol, size=size, brush=pg.mkBrush(None),
                               pen=pg.mkPen("#ffffff", width=outline), data=cp["tip"]))
            halo.append(dict(pos=(px, py), symbol=symbol, size=size, brush=pg.mkBrush(None),
                             pen=pg.mkPen(self.theme.marker_edge, width=outline + 3)))
        self.critical_halo.setData(halo)
        self.critical.setData(points)

    def _markers(self) -> list[dict] | None:
        """The race's critical points in view, each with its kind and a hover text; None while
        their search runs in the background."""
        surface, grid = self._values_grid
        found = self.session.critical.in_view(grid if surface is self.session.surface else None,
                                              wait=False)
        if found is None:
            return None
        markers = []
        for cp in found:
            eig = ", ".join(f"{e:.4g}" for e in np.atleast_1d(cp.eigenvalues))
            tip = (f"{cp.kind} at ({cp.point[0]:.4g}, {cp.point[1]:.4g})\n"
                   f"f = {cp.value:.5g}\nHessian eigenvalues: {eig}")
            markers.append(dict(point=cp.point, kind=cp.kind, tip=tip))
        return markers

    @staticmethod
    def _critical_tip(x, y, data):
        return data

    def _critical_points_found(self) -> None:
        """The search the map waits for has ended: its markers and their key appear, the race
        plays on."""
        if any(sip.isdeleted(item) for item in (self.critical, self.legend, self.legend.layout)):
            return  # the search outlived a view being torn down
        if self._markers_pending:
            self._draw_critical_points()
            self._restyle_racers()

    def settle_markers(self) -> bool:
        """Draw the critical points now, waiting for their search (exports); True when the map
        changed."""
        if not self._markers_pending:
            return False
        surface, grid = self._values_grid
        self.session.critical.found(grid if surface is self.session.surface else None)
        self._critical_points_found()  # when they were held already: no signal came
        return True

    # ----- racers -----
    def _rebuild_racers(self) -> None:
        """Create items only when the number of racers changes; otherwise restyle."""
        specs = self.session.scene.optimizers
        self._forget_drawn_steps()
        while len(self.racers) > len(specs):
            self.racers.pop().remove(self.plot)
        while len(self.racers) < len(specs):
            self.racers.append(Racer(self, len(self.racers)))
        self._restyle_racers()
        self._sync_handles()
        self.update_step(self.session.step)

    def _restyle_racers(self) -> None:
        theme, specs = self.theme, self.session.scene.optimizers
        self.legend.clear()
        for racer, spec in zip(self.racers, specs):
            selected = racer.index == self.session.selected
            width = theme.line_width * (1.5 if selected else 1.0)
            racer.trail.setPen(pg.mkPen(spec.color, width=width))
            racer.head.size = theme.head_size * (1.2 if selected else 1.0)
            racer.head.pen = pg.mkPen(theme.marker_edge, width=2)
            racer.head.brush = pg.mkBrush(spec.color)
            racer.head.visible = spec.visible
            racer.start.setPen(pg.mkPen(spec.color, width=2.5))
            racer.start.setBrush(pg.mkBrush(None))
            racer.arrow_shaft.setPen(pg.mkPen(spec.color, width=max(2.0, theme.line_width)))
            racer.arrow_tip.setStyle(pen=pg.mkPen(theme.marker_edge, width=1),
                                     brush=pg.mkBrush(spec.color))
            racer.diverged.setSize(theme.head_size * 1.6)
            racer.diverged.setPen(pg.mkPen(spec.color, width=4))
            racer.diverged.setBrush(pg.mkBrush(spec.color))
            racer.diverged_text.setColor(theme.foreground)
            font = QFont()
            font.setPointSize(theme.font_size + 1)
            font.setBold(True)
            racer.diverged_text.setFont(font)
            for item in (racer.trail, racer.start):
                item.setVisible(spec.visible)
            if not spec.visible:  # shown again by _draw_arrow when there is an arrow to draw
                racer.arrow_shaft.setVisible(False)
                racer.arrow_tip.setVisible(False)
            if spec.visible:
                self.legend.addItem(racer.trail, spec.display_label())
        kinds = {m["kind"] for m in self._shown_markers}
        titles = [CRITICAL_TITLES[kind] for kind in ("minimum", "saddle", "maximum", "degenerate")
                  if kind in kinds]
        self._critical_key = None
        if self._markers_pending:
            self._critical_key = CRITICAL_SEARCHING
            self.legend.addItem(pg.PlotDataItem(pen=None), self._critical_key[0])  # a blank sample
        elif titles:
            # One entry for all kinds (each title carries its symbol): one legend cell, not
            # four, so the racers' names keep room to be read whole.
            self._critical_key = ("  ".join(titles), " ".join(
                CRITICAL_SHORT_TITLES[kind] for kind in ("minimum", "saddle", "maximum", "degenerate")
                if kind in kinds))
            self.legend.addItem(pg.PlotDataItem(pen=None), self._critical_key[0])  # a blank sample
        self._remember_legend_labels()
        self._fit_legend_columns()
        self._draw_heads()

    def _forget_drawn_steps(self) -> None:
        """Bounds, styles or runs changed: the next update_step redraws every racer."""
        for racer in self.racers:
            racer.shown = None

    def _results_changed(self, index: int) -> None:
        self._forget_drawn_steps()
        self._sync_handles()
        self.update_step(self.session.step)

    def _sync_handles(self) -> None:
        self._syncing_handles = True
        try:
            for racer, spec in zip(self.racers, self.session.scene.optimizers):
                start = self.session.scene.start_of(spec)
                racer.start.setPos(float(start[0]), float(start[1]))
        finally:
            self._syncing_handles = False

    def update_step(self, t: int) -> None:
        """Draw every racer at step t: setData on items we own, nothing created."""
        session = self.session
        arrows = session.scene.view.arrows
        changed = False
        for racer, traj in zip(self.racers, session.trajectories):
            if traj is None:
                continue
            last = len(traj.points) - 1
            k = min(t, last)
            shown = (k, traj.stopped_at is not None and t >= traj.stopped_at, arrows)
            if racer.shown is not None and racer.shown[0] is traj and racer.shown[1] == shown:
                # A run that has ended looks the same at every later step: its trail is
                # blitted from a pixmap while the others, drawn over it, keep moving.
                if racer.trail.cacheMode() != TRAIL_CACHE:
                    racer.trail.setCacheMode(TRAIL_CACHE)
                continue
            racer.shown = (traj, shown)
            changed = True
            if racer.trail.cacheMode() != NO_CACHE:
                racer.trail.setCacheMode(NO_CACHE)  # a growing trail would re-cache every frame
            trail = traj.points[: k + 1]
            finite = np.isfinite(trail).all(axis=1)
            racer.trail.setData(trail[finite, 0], trail[finite, 1])
            head = traj.points[k]
            racer.head.position = (float(head[0]), float(head[1])) if np.isfinite(head).all() else None
            diverged = traj.status == "diverged" and traj.stopped_at is not None and t >= traj.stopped_at
            if diverged:
                where = self._last_finite_visible(trail)
                racer.diverged.setData([where[0]], [where[1]])
                racer.diverged_text.setText(f"diverged at step {traj.stopped_at}")
                racer.diverged_text.setPos(float(where[0]), float(where[1]))
                # the words lean into the map, away from the edge the run left by
                (x0, x1), (y0, y1) = self.vb.viewRange()
                racer.diverged_text.setAnchor((1.0 if where[0] > (x0 + x1) / 2 else 0.0,
                                               -0.2 if where[1] > (y0 + y1) / 2 else 1.2))
            elif racer.diverged.isVisible():
                racer.diverged.setData([], [])
                racer.diverged_text.setText("")
            # hidden items cost nothing to paint; most racers never diverge
            racer.diverged.setVisible(diverged)
            racer.diverged_text.setVisible(diverged)
            self._draw_arrow(racer, traj, k, arrows)
        if changed:
            self._draw_heads()

    def _draw_heads(self) -> None:
        """Every visible head in one setData, in racer order (later racers on top)."""
        shown = [r.head for r in self.racers if r.head.visible and r.head.position is not None]
        if not shown:
            self.heads.setData([])
            return
        self.heads.setData(x=[h.position[0] for h in shown], y=[h.position[1] for h in shown],
                           size=[h.size for h in shown], pen=[h.pen for h in shown],
                           brush=[h.brush for h in shown])

    def _last_finite_visible(self, trail: np.ndarray) -> np.ndarray:
        """Where to put the ✕: the last point of the run, clamped into the view."""
        (x0, x1), (y0, y1) = self.session.bounds
        finite = trail[np.isfinite(trail).all(axis=1)]
        point = finite[-1] if len(finite) else np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        return np.array([np.clip(point[0], x0, x1), np.clip(point[1], y0, y1)])

    def _draw_arrow(self, racer: Racer, traj, k: int, mode: str) -> None:
        vector = None
        head = traj.points[k]
        if mode != "none" and np.isfinite(head).all():
            state = traj.states[k] if k < len(traj.states) else None
            if mode == "gradient":
                g = np.asarray(traj.gradients[k], float)
                norm = np.linalg.norm(g)
                if np.isfinite(norm) and norm > 0:
                    (x0, x1), (y0, y1) = self.session.bounds
                    # direction only: a fixed length, the size is in the readout
                    vector = -g / norm * 0.12 * min(x1 - x0, y1 - y0)
            elif state is not None:
                key = "v" if mode == "velocity" and "v" in state else "delta"
                if key in state:
                    vector = np.asarray(state[key], float).reshape(-1)[:2]
        spec = self.session.scene.optimizers[racer.index]
        if (vector is None or not spec.visible or not np.isfinite(vector).all()
                or not np.any(vector)):
            # hidden, not emptied: an empty curve still costs a paint call every frame
            racer.arrow_shaft.setVisible(False)
            racer.arrow_tip.setVisible(False)
            return
        tip = head + vector
        # ArrowItem angles are in screen pixels: map the direction through the view.
        a = self.vb.mapViewToScene(QPointF(*head))
        b = self.vb.mapViewToScene(QPointF(*tip))
        pixels = math.hypot(b.x() - a.x(), b.y() - a.y())
        shortest = MIN_ARROW_HEADS * self.theme.head_size
        if 0 < pixels < shortest:
            tip = head + vector * (shortest / pixels)
            b = self.vb.mapViewToScene(QPointF(*tip))
        racer.arrow_shaft.setData([head[0], tip[0]], [head[1], tip[1]])
        racer.arrow_shaft.setVisible(True)
        angle = math.degrees(math.atan2(b.y() - a.y(), b.x() - a.x()))
        racer.arrow_tip.setStyle(angle=180 + angle)
        racer.arrow_tip.setPos(float(tip[0]), float(tip[1]))
        racer.arrow_tip.setVisible(True)

    def _view_option_changed(self, name: str) -> None:
        if name in ("contours", "log_colour", "resolution", "gradient_field", "critical_points"):
            self.redraw_surface()
        elif name == "arrows":
            self.update_step(self.session.step)

    def keyPressEvent(self, event) -> None:
        if not self.annotations.delete_key(event):
            super().keyPressEvent(event)

    # ----- mouse -----
    def _clicked(self, event) -> None:
        if event.button() == Qt.MouseButton.RightButton and self.vb.sceneBoundingRect().contains(event.scenePos()):
            event.accept()
            self.annotations.show_menu(None, event.screenPos(), _xy(self.vb.mapSceneToView(event.scenePos())))
            return
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        if event.isAccepted() and event.currentItem is not None and isinstance(
                event.currentItem, pg.TargetItem):
            return
        scene_pos = event.scenePos()
        if not self.vb.sceneBoundingRect().contains(scene_pos):
            return
        point = self.vb.mapSceneToView(scene_pos)
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        mode = self.session.click_moves
        only_selected = (shift or mode == "selected") and self.session.selected >= 0
        self.session.set_start((point.x(), point.y()), self.session.selected if only_selected else None)

    def _start_dragged(self, index: int, finished: bool) -> None:
        if self._syncing_handles:
            return
        pos = self.racers[index].start.pos()
        self._pending_drag = (index, (pos.x(), pos.y()))
        if finished:
            self._drag_timer.stop()
            self._apply_drag()
        elif not self._drag_timer.isActive():
            self._drag_timer.start()

    def _apply_drag(self) -> None:
        if self._pending_drag is None:
            return
        index, point = self._pending_drag
        self._pending_drag = None
        spec = self.session.scene.optimizers[index]
        # A racer on the shared start drags everyone who shares it; its own start drags it alone.
        self.session.set_start(point, None if spec.start is None else index)

    def shutdown(self) -> None:
        self._drag_timer.stop()
        self._heatmap_timer.stop()
