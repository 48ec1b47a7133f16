"""Loss versus step for every racer, and the results table (loss and status at step t)."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QIcon, QPainter, QPixmap
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGraphicsItem,
    QHeaderView,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from valley.app.model.race import OUTCOME_COLOURS
from valley.app.theme import THEMES, Theme, readable_on, readable_text_on, style_plot
from valley.app.views.names import elide_apart, keeps_for
from valley.core.optimizers import OPTIMIZERS
from valley.core.outcome import outcome_at

# Curves and axes change only when results, the range or the theme do; every frame moves
# just the step line. Cached as pixmaps, they are blitted instead of redrawn under it.
STATIC_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache



def format_loss(value: float) -> str:
    if not np.isfinite(value):
        return "∞" if value > 0 else "NaN" if np.isnan(value) else "−∞"
    return f"{value:.4g}"


def chart_losses(losses: np.ndarray, floor: float | None, log_y: bool) -> np.ndarray:
    """What the chart plots: the losses, or log10(loss − floor) so negative losses work too."""
    values = np.asarray(losses, float)
    if not log_y:
        return values
    with np.errstate(all="ignore"):
        shifted = values - (floor if floor is not None else 0.0)
        return np.log10(np.maximum(shifted, 1e-16))


class LossChart(QWidget):
    """Loss of each optimizer against step, with a line at the current step t."""

    def __init__(self, session, theme: Theme | None = None, parent=None):
        super().__init__(parent)
        self.session = session
        self.theme = theme or THEMES[session.scene.view.theme]
        self.log_y = False
        self.plot_widget = pg.PlotWidget(self)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.getViewBox().setMouseEnabled(False, False)
        for name in ("left", "bottom"):  # with the grid on, each axis spans the whole plot
            self.plot.getAxis(name).setCacheMode(STATIC_CACHE)
        self.now_line = pg.InfiniteLine(angle=90, movable=False)
        self.now_line.setZValue(20)
        self.plot.addItem(self.now_line)
        self.curves: list[pg.PlotCurveItem] = []
        # over the plot's top right corner, where falling losses leave room: a row of its own
        # took a results-table row's height from a 720-px projector
        self.log_box = QCheckBox("log y", self.plot_widget)
        self.log_box.setToolTip("Plot log10(loss − lowest loss seen) to see the last digits move")
        self.log_box.toggled.connect(self.set_log_y)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.plot_widget, 1)
        session.optimizersChanged.connect(self.redraw)
        session.resultsChanged.connect(lambda _: self.redraw())
        session.sceneChanged.connect(self.redraw)
        session.timeline.stepChanged.connect(self.update_step)
        session.selectionChanged.connect(lambda _: self.redraw())
        self.apply_theme(self.theme)

    def height_for_plot(self, plot: int) -> int:
        """The chart's height that leaves its plotting area `plot` px tall."""
        frame = self.height() - self.plot.getViewBox().height()
        if self.height() <= 0 or frame <= 0:  # not laid out yet: the axes as the fonts make them
            frame = self.plot.getAxis("bottom").height() + 20
        return math.ceil(frame + plot)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_log_box()

    def _place_log_box(self) -> None:
        self.log_box.adjustSize()
        self.log_box.move(self.plot_widget.width() - self.log_box.width() - 8, 4)
        self.log_box.raise_()

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.plot_widget.setBackground(theme.background)
        style_plot(self.plot, theme, "step", "log₁₀(loss − min)" if self.log_y else "loss")
        self.now_line.setPen(pg.mkPen(theme.accent, width=2, style=Qt.PenStyle.DashLine))
        self._place_log_box()
        self.redraw()

    def set_log_y(self, on: bool) -> None:
        if on == self.log_y:
            return
        self.log_y = on
        self.log_box.setChecked(on)
        style_plot(self.plot, self.theme, "step", "log₁₀(loss − min)" if on else "loss")
        self.redraw()

    def redraw(self) -> None:
        """Set whole loss curves (they change only when results change)."""
        session = self.session
        specs, trajectories = session.scene.optimizers, session.trajectories
        while len(self.curves) > len(specs):
            self.plot.removeItem(self.curves.pop())
        while len(self.curves) < len(specs):
            curve = pg.PlotCurveItem(connect="finite")
            curve.setCacheMode(STATIC_CACHE)
            self.plot.addItem(curve)
            self.curves.append(curve)
        finite = [t.losses[np.isfinite(t.losses)] for t in trajectories if t is not None]
        finite = [f for f in finite if len(f)]
        floor = min(float(f.min()) for f in finite) if finite else 0.0
        # a diverging run would squash everyone else: cap the view at the worst start value
        starts = [float(t.losses[0]) for t in trajectories if t is not None and np.isfinite(t.losses[0])]
        cap = max(starts) if starts else 1.0
        low_all, high_all = [], []
        for i, (curve, spec, traj) in enumerate(zip(self.curves, specs, trajectories)):
            width = self.theme.line_width * (1.4 if i == session.selected else 0.9)
            curve.setPen(pg.mkPen(readable_on(spec.color, self.theme.background), width=width))
            curve.setVisible(spec.visible)
            if traj is None:
                continue
            y = chart_losses(traj.losses, floor, self.log_y)
            x = np.arange(len(y), dtype=float)
            curve.setData(x, y)
            ok = np.isfinite(y)
            if ok.any():
                low_all.append(float(y[ok].min()))
                capped = chart_losses(np.array([cap]), floor, self.log_y)[0]
                high_all.append(float(min(y[ok].max(), capped)) if np.isfinite(capped) else float(y[ok].max()))
        top = max(session.max_step, 1)
        self.plot.setXRange(0, top, padding=0.02)
        if low_all:
            low, high = min(low_all), max(high_all)
            if high <= low:
                high = low + 1.0
            self.plot.setYRange(low, high, padding=0.05)
        self.update_step(session.step)

    def update_step(self, t: int) -> None:
        self.now_line.setValue(t)


def swatch_icon(color: str, outline: str, size: int = 14) -> QIcon:
    """A racer's colour as a square with an outline, so a yellow swatch still shows on white."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    painter = QPainter(pixmap)
    painter.setPen(QColor(outline))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)


NAME_SHARE = 0.4  # of the row at least, for a racer's name when name and status do not both fit
NAME_CELL_MARGINS = 18  # px beside a name in its cell: the swatch's gap and the cell's margins


class ResultsTable(QTableWidget):
    """Per optimizer at the current step t: its loss and how it stands (no spoilers).

    Until a run stops, its status is "running"; from the step it converged or diverged at,
    that outcome; at its last step a run that never converged says so.
    """

    COLUMNS = ("optimizer", "loss", "status")

    def __init__(self, session, theme: Theme | None = None, parent=None):
        super().__init__(0, len(self.COLUMNS), parent)
        self.session = session
        self.theme = theme or THEMES[session.scene.view.theme]
        self.setHorizontalHeaderLabels(self.COLUMNS)
        self.horizontalHeaderItem(1).setToolTip("the loss at the current step")
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWordWrap(False)  # one line per racer: long labels elide, their tooltips have them whole
        # racers named by where they start differ at the end: "GD from (-0.8, -0.4)" and
        # "GD from (-0.8, -1.4)" cut at the end would read alike
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        # Names whole and the loss whole; the status gives way (elided, whole in its tooltip,
        # its colour says the gist).
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)  # set by _fit_columns
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.itemSelectionChanged.connect(self._row_selected)
        session.optimizersChanged.connect(self.refresh)
        session.resultsChanged.connect(lambda _: self.refresh())
        session.sceneChanged.connect(self.refresh)
        session.selectionChanged.connect(self._sync_selection)
        session.timeline.stepChanged.connect(self.update_step)
        self.refresh()

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.refresh()

    def _item_font(self) -> QFont:
        font = QFont(self.font())
        # presentation fonts are large already: the status ("stopped on a saddle at 3") must
        # leave the optimizer's name some room in the side column
        font.setPointSize(round(self.theme.font_size * 0.85) if self.theme.presentation
                          else self.theme.font_size)
        return font

    def _fit_columns(self) -> None:
        """Names whole when the row has room; otherwise the name and the status share what the
        loss leaves, the name at least NAME_SHARE of it, so "converged at 186" never leaves the
        table. Cut names stay apart (tooltips have them whole)."""
        room = self.viewport().width()
        if room <= 0 or self.rowCount() == 0:
            return
        labels = [spec.display_label() for spec in self.session.scene.optimizers]
        metrics = QFontMetricsF(self._item_font())
        widths = [metrics.horizontalAdvance(label) for label in labels]
        icon = self.iconSize().width()
        if icon <= 0:  # not set: the style's small icon, as the cell draws the swatch
            icon = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self)
        extra = icon + NAME_CELL_MARGINS
        name = math.ceil(max(widths, default=0.0)) + extra
        status = max(self.sizeHintForColumn(2), self.horizontalHeader().sectionSizeHint(2))
        rest = room - self.columnWidth(1)
        if name + status > rest:
            name = max(round(NAME_SHARE * rest), rest - status)
        self.setColumnWidth(0, max(40, min(name, rest - 40)))
        text_room = self.columnWidth(0) - extra
        shown = elide_apart(labels, keeps_for(labels, widths, text_room if max(widths) > text_room else None))
        for r, text in enumerate(shown[:self.rowCount()]):
            item = self.item(r, 0)
            if item is not None and item.text() != text:
                item.setText(text)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def needed_height(self) -> int:
        """The height that shows the header and every row without a scroll bar."""
        return (self.horizontalHeader().sizeHint().height() + self.verticalHeader().length()
                + 2 * self.frameWidth())

    def states(self, t: int | None = None) -> list[tuple[str, str]]:
        """(kind, status text) of each racer at step t (default: the current step)."""
        t = self.session.step if t is None else t
        return [outcome_at(traj, self.session.surface, t, short=True) for traj in self.session.trajectories]

    def rows(self, t: int | None = None) -> list[tuple[str, str, str]]:
        """The table's text at step t (default: the current step), row by row."""
        t = self.session.step if t is None else t
        out = []
        for spec, traj, (_, status) in zip(self.session.scene.optimizers, self.session.trajectories,
                                           self.states(t)):
            label = spec.display_label()
            if traj is None:
                out.append((label, "", ""))
                continue
            loss = float(traj.losses[min(t, len(traj.losses) - 1)])
            out.append((label, format_loss(loss), status))
        return out

    def refresh(self) -> None:
        """Rebuild the rows (racers, results or theme changed), then fill them for step t."""
        specs = self.session.scene.optimizers
        self.setRowCount(len(specs))
        font = self._item_font()
        for r, spec in enumerate(specs):
            for c in range(len(self.COLUMNS)):
                item = QTableWidgetItem()
                item.setFont(font)
                if c == 0:
                    item.setIcon(swatch_icon(spec.color, self.theme.foreground))
                    kind = OPTIMIZERS.get(spec.kind)
                    title = kind.title if kind is not None else spec.kind
                    label = spec.display_label()
                    item.setToolTip(label if label == title else f"{label} ({title})")
                else:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(r, c, item)
        self.update_step(self.session.step)
        self._sync_selection(self.session.selected)

    def update_step(self, t: int) -> None:
        """Texts and status colours at step t, in the items `refresh` made."""
        for r, ((kind, _), row) in enumerate(zip(self.states(t), self.rows(t))):
            if r >= self.rowCount():
                break
            for c, text in enumerate(row):
                item = self.item(r, c)
                if c > 0:  # the name is _fit_columns' to cut
                    item.setText(text)
                if c == 2:  # a narrow dock elides it: the tooltip has it whole, in words
                    item.setToolTip(outcome_at(self.session.trajectories[r], self.session.surface, t)[1])
                    colour = OUTCOME_COLOURS.get(kind)
                    item.setForeground(QBrush(QColor(readable_text_on(colour, self.theme.background)
                                                     if colour else self.theme.foreground)))
        self.resizeRowsToContents()
        self._fit_columns()

    def _sync_selection(self, index: int) -> None:
        self.blockSignals(True)
        try:
            self.clearSelection()
            if 0 <= index < self.rowCount():
                self.selectRow(index)
        finally:
            self.blockSignals(False)

    def _row_selected(self) -> None:
        rows = {i.row() for i in self.selectedIndexes()}
        if len(rows) == 1:
            self.session.set_selected(rows.pop())
