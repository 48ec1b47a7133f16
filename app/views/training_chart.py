"""Train and test loss over the training steps, with a line at the current step."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

TRAIN_COLOUR = "#56B4E9"
TEST_COLOUR = "#E69F00"


class TrainingChart(pg.PlotWidget):
    def __init__(self, session, parent=None, theme=None):
        super().__init__(parent)
        self.session = session
        self.setMenuEnabled(False)
        self.hideButtons()
        plot = self.getPlotItem()
        if theme is not None:
            from app.theme import style_plot

            style_plot(plot, theme, "step", "loss")
        else:
            plot.setLabel("bottom", "step")
            plot.setLabel("left", "loss")
        plot.getAxis("left").enableAutoSIPrefix(False)
        legend = plot.addLegend(offset=(-10, 10), labelTextSize="12pt")
        width = theme.line_width if theme is not None else 2.5
        self.train_curve = plot.plot(pen=pg.mkPen(TRAIN_COLOUR, width=width), name="train loss")
        self.test_curve = plot.plot(pen=pg.mkPen(TEST_COLOUR, width=width, style=pg.QtCore.Qt.PenStyle.DashLine),
                                    name="test loss")
        accent = theme.accent if theme is not None else "#ff5c8a"
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen(accent, width=2))
        plot.addItem(self.cursor)
        self.status = pg.TextItem(anchor=(0, 0), color=accent)
        plot.addItem(self.status)
        self.log_y = False
        session.resultsChanged.connect(self.refresh)
        session.networkChanged.connect(self.refresh)
        session.stepChanged.connect(self._move_cursor)
        self.refresh()

    def set_log_y(self, on: bool) -> None:
        self.log_y = bool(on)
        self.getPlotItem().setLogMode(y=self.log_y)
        self.refresh()

    def refresh(self, *_) -> None:
        history = self.session.history
        train = np.asarray(history.train_loss, float)
        test = np.asarray(history.test_loss, float)
        steps = np.arange(len(train))
        finite = np.isfinite(train)
        self.train_curve.setData(steps[finite], train[finite])
        finite_test = np.isfinite(test)
        self.test_curve.setData(steps[finite_test], test[finite_test])
        status = str(getattr(history, "status", "") or "")
        stopped = getattr(history, "stopped_at", None)
        text = ""
        if self.session.busy:
            text = "training…"
        elif status in ("diverged",):
            text = f"diverged at step {stopped}" if stopped is not None else "diverged"
        self.status.setText(text)
        if finite.any():
            self.status.setPos(0, float(np.nanmax(train[finite])))
        self._move_cursor(self.session.step)

    def _move_cursor(self, t: int) -> None:
        self.cursor.setValue(t)
