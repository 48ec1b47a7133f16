"""Train and test loss over the training steps, with a line at the current step; for a
classification, the accuracies too, thinner, on their own axis at the right (0 to 1)."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from valley.app.theme import THEMES, readable_numbers, readable_on, readable_text_on, style_plot
from valley.app.views.chart_key import one_line_width, packed_lines

TRAIN_COLOUR = "#56B4E9"
TEST_COLOUR = "#E69F00"
VALIDATION_COLOUR = "#009E73"  # early stopping's held-out samples


class TrainingChart(pg.PlotWidget):
    def __init__(self, session, parent=None, theme=None):
        super().__init__(parent)
        self.session = session
        self.setMenuEnabled(False)
        self.hideButtons()
        # "training…" or "diverged at step 12": in the title, under the key; on the plot it sat
        # over the first steps' curves, where the loss is highest
        self.status_text = ""
        self.status_is_best = False  # the status is early stopping's best step, in its line's colour
        self._accent = THEMES["dark"].accent
        plot = self.getPlotItem()
        plot.setLabel("bottom", "step")
        plot.setLabel("left", "loss")
        for name in ("left", "bottom", "right", "top"):
            readable_numbers(plot.getAxis(name))
        # The key is the title, not a legend: wherever a legend sits, some run's curve passes under it.
        self.train_curve = plot.plot(pen=pg.mkPen(TRAIN_COLOUR, width=2.5))
        self.test_curve = plot.plot(pen=pg.mkPen(TEST_COLOUR, width=2.5, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.validation_curve = plot.plot(pen=pg.mkPen(VALIDATION_COLOUR, width=2.5,
                                                       style=pg.QtCore.Qt.PenStyle.DotLine))
        # early stopping's best step: where the weights came back from. Its words are on the
        # status line under the key, in the line's colour: a label on the line covered the
        # curves, and a narrow chart cut it off at its edge.
        self.best = pg.InfiniteLine(angle=90, pen=pg.mkPen(VALIDATION_COLOUR, width=2,
                                                             style=pg.QtCore.Qt.PenStyle.DashLine))
        self.best.setVisible(False)
        plot.addItem(self.best)
        self._title(12, THEMES["dark"].background)
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#ff5c8a", width=2))
        plot.addItem(self.cursor)
        # The key spans the axes' columns too, so on a narrow projector layout it is not what
        # keeps the plot wider than its tab.
        plot.layout.removeItem(plot.titleLabel)
        plot.layout.addItem(plot.titleLabel, 0, 0, 1, 3)
        # Accuracy shares the steps, not the loss's scale: a second view box behind the right axis.
        self.accuracy_box = pg.ViewBox(enableMouse=False)
        plot.scene().addItem(self.accuracy_box)
        # above the loss's box, which paints the theme's background over anything behind it
        self.accuracy_box.setZValue(plot.zValue() + 1)
        plot.getAxis("right").linkToView(self.accuracy_box)
        self.accuracy_box.setXLink(plot.getViewBox())
        self.accuracy_box.setYRange(0.0, 1.0, padding=0.02)
        self.train_accuracy = pg.PlotDataItem(pen=pg.mkPen(TRAIN_COLOUR, width=1.5))
        self.test_accuracy = pg.PlotDataItem(pen=pg.mkPen(TEST_COLOUR, width=1.5,
                                                          style=pg.QtCore.Qt.PenStyle.DashLine))
        for curve in (self.train_accuracy, self.test_accuracy):
            self.accuracy_box.addItem(curve)
        plot.getViewBox().sigResized.connect(self._fit_accuracy_box)
        if theme is not None:
            self.apply_theme(theme)
        self.log_y = False
        session.resultsChanged.connect(self.refresh)
        session.networkChanged.connect(self.refresh)
        session.timeline.stepChanged.connect(self._move_cursor)
        self.refresh()

    def _fit_accuracy_box(self, *_) -> None:
        self.accuracy_box.setGeometry(self.getPlotItem().getViewBox().sceneBoundingRect())

    def apply_theme(self, theme) -> None:
        self.setBackground(theme.background)
        style_plot(self.getPlotItem(), theme, "step", "loss")
        right = self.getPlotItem().getAxis("right")
        left = self.getPlotItem().getAxis("left")
        right.setPen(left.pen())
        right.setTextPen(left.textPen())
        right.setTickFont(left.style["tickFont"])
        # thick curves fall (the loss, left axis), thin ones rise (the accuracy, right axis)
        right.setLabel("accuracy (thin)", **left.labelStyle)
        width, background = theme.line_width, theme.background
        self.train_curve.setPen(pg.mkPen(readable_on(TRAIN_COLOUR, background), width=width))
        self.test_curve.setPen(pg.mkPen(readable_on(TEST_COLOUR, background), width=width,
                                        style=pg.QtCore.Qt.PenStyle.DashLine))
        validation = readable_on(VALIDATION_COLOUR, background)
        self.validation_curve.setPen(pg.mkPen(validation, width=width, style=pg.QtCore.Qt.PenStyle.DotLine))
        self.best.setPen(pg.mkPen(validation, width=2, style=pg.QtCore.Qt.PenStyle.DashLine))
        thin = max(1.0, 0.6 * width)
        self.train_accuracy.setPen(pg.mkPen(readable_on(TRAIN_COLOUR, background), width=thin))
        self.test_accuracy.setPen(pg.mkPen(readable_on(TEST_COLOUR, background), width=thin,
                                           style=pg.QtCore.Qt.PenStyle.DashLine))
        self.cursor.setPen(pg.mkPen(theme.accent, width=2))
        self._accent = readable_text_on(theme.accent, background)
        self._title(theme.axis_font_size, background)

    def _title(self, points: int, background: str) -> None:
        self._title_style = (points, background)
        train, test = readable_text_on(TRAIN_COLOUR, background), readable_text_on(TEST_COLOUR, background)
        # Time per update: what second-order methods cost per step (Newton-CG against Adam).
        # It shares the key's line, so the key then says just "train" and "test".
        history = self.session.history
        updates = len(history.params) - 1
        seconds = history.step_seconds / updates if updates > 0 and history.step_seconds > 0 else None
        validating = len(getattr(history, "validation_loss", ())) > 0
        classifying = self.classifying
        loss = "" if seconds is not None or validating or classifying else " loss"
        # with a third curve the time per step gives way (it is of interest when racing
        # second-order methods, not when watching overfitting)
        entries = [(f"━ train{loss}", train), (f"╍ test{loss}", test)]
        if validating:
            entries.append(("┈ validation", readable_text_on(VALIDATION_COLOUR, background)))
        elif seconds is not None and not classifying:
            entries.append((f"{seconds * 1000:.2g} ms/step", None))
        status_colour = readable_text_on(VALIDATION_COLOUR, background) if self.status_is_best else self._accent
        self._key_width = one_line_width(entries, points)
        lines = packed_lines(entries, points, self.width() - 8)
        # the status on a line of its own: beside the key it made the title wider than a
        # projector's chart, and the plot under it grew past the widget's edge
        if self.status_text:
            lines += [f"<span style='color:{status_colour};font-weight:bold'>{line}</span>"
                      for line in packed_lines([(part, None) for part in _status_parts(self.status_text)],
                                          points, self.width() - 8, bold=True, plain=True)]
        self.getPlotItem().setTitle("<br>".join(lines), size=f"{points}pt")
        # pyqtgraph fixes the title's row at 30 px: a presentation font, or the status's second
        # line, would hang over the plot's top
        plot = self.getPlotItem()
        height = math.ceil(plot.titleLabel.item.boundingRect().height())
        plot.titleLabel.setMaximumHeight(height)
        plot.layout.setRowFixedHeight(0, height)

    def comfortable_width(self) -> int:
        """The width at which the key fits on one line."""
        return math.ceil(getattr(self, "_key_width", 0.0)) + 24

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # the key's lines follow the chart's width (not after close(): pyqtgraph drops the plot)
        if hasattr(self, "_title_style") and self.getPlotItem() is not None:
            self._title(*self._title_style)

    @property
    def classifying(self) -> bool:
        """The training records accuracies: a classification (core.metrics' rule)."""
        return len(getattr(self.session.history, "train_accuracy", ())) > 0

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
        validation = np.asarray(getattr(history, "validation_loss", ()), float)
        finite_validation = np.isfinite(validation)
        self.validation_curve.setData(steps[:len(validation)][finite_validation], validation[finite_validation])
        self._draw_accuracy(history, steps)
        best = getattr(history, "best_step", None)
        marked = best is not None and len(validation) > 0
        self.best.setVisible(marked)
        if marked:
            self.best.setValue(best)
        stopped = history.stopped_at
        text, self.status_is_best = "", False
        if self.session.busy:
            text = "training…"
        elif history.status == "diverged":
            text = f"diverged at step {stopped}" if stopped is not None else "diverged"
        elif marked:  # where it stopped is where the curves end
            text = f"best at step {best}{', restored' if getattr(history, 'restored', False) else ''}"
            self.status_is_best = True
        self.status_text = text
        self._title(*self._title_style)
        self._move_cursor(self.session.step)

    def _draw_accuracy(self, history, steps: np.ndarray) -> None:
        classifying = self.classifying
        self.getPlotItem().showAxis("right", classifying)
        for curve, values in ((self.train_accuracy, getattr(history, "train_accuracy", ())),
                              (self.test_accuracy, getattr(history, "test_accuracy", ()))):
            values = np.asarray(values, float)
            finite = np.isfinite(values)
            curve.setData(steps[:len(values)][finite], values[finite])
            curve.setVisible(classifying)
        self._fit_accuracy_box()

    def _move_cursor(self, t: int) -> None:
        self.cursor.setValue(t)


def _status_parts(text: str) -> list[str]:
    """A status cut where it may wrap: "best at step 573," | "restored"."""
    parts = text.split(", ")
    return [part + ("," if k < len(parts) - 1 else "") for k, part in enumerate(parts)]

