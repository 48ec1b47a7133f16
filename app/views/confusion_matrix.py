"""The confusion matrix of a classification at the shown step: true classes down, predicted across.

It sits beside the loss chart (a classification only), so the class sees which classes the
net mixes up while the accuracy curve says only how often. Each row's cells are shaded by
their share of that row; the row and column heads are the classes' own colours, as in the
data view.
"""
from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QRectF, QSize, Qt
from PyQt6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PyQt6.QtWidgets import QWidget

from valley.app.theme import THEMES, readable_text_on
from valley.app.views.diverging import CLASS_COLOURS
from valley.core.metrics import class_labels, confusion_matrix, is_classification


def _blend(a: QColor, b: QColor, t: float) -> QColor:
    return QColor.fromRgbF(*(x + (y - x) * t for x, y in zip(a.getRgbF()[:3], b.getRgbF()[:3])))


class ConfusionMatrixView(QWidget):
    """Counts of (true, predicted) classes of the test set at step t (the training set without one)."""

    def __init__(self, session, parent=None, theme=None):
        super().__init__(parent)
        self.session = session
        self.theme = theme or THEMES["dark"]
        self.counts: np.ndarray | None = None  # (C, C), rows true, columns predicted
        self.which = "test"
        for signal in (session.resultsChanged, session.networkChanged, session.timeline.stepChanged,
                       session.probeChanged):
            signal.connect(self.refresh)
        self.refresh()

    def apply_theme(self, theme) -> None:
        self.theme = theme
        self.updateGeometry()
        self.update()

    def refresh(self, *_) -> None:
        data = self.session.data
        test = len(data.X_test) > 0
        X, T = (data.X_test, data.T_test) if test else (data.X_train, data.T_train)
        output = self.session.network.output_activation.name
        if not is_classification(output, data.T_train) or len(X) == 0:
            self.counts = None
            self.setVisible(False)
            return
        self.which = "test" if test else "train"
        outputs = self.session.forward_at(X).a[-1]
        classes = 2 if T.shape[1] == 1 else T.shape[1]
        predicted = class_labels(np.nan_to_num(outputs, nan=-np.inf))
        self.counts = confusion_matrix(class_labels(T), predicted, classes)
        self.setToolTip(self._summary())
        self.setVisible(True)
        self.updateGeometry()
        self.update()

    def _summary(self) -> str:
        right = int(np.trace(self.counts))
        total = int(self.counts.sum())
        lines = [f"{self.which.capitalize()} samples at step {self.session.step}: {right} of {total} right. "
                 "Rows: the true class; columns: the class the net predicts."]
        for c, row in enumerate(self.counts):
            wrong = {int(k): int(n) for k, n in enumerate(row) if k != c and n}
            if wrong:
                lines.append(f"Class {c}: " + ", ".join(f"{n} taken for class {k}" for k, n in wrong.items()))
        return "\n".join(lines)

    # ----- drawing -----
    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSize(self.theme.axis_font_size)
        return font

    def _layout(self) -> tuple[float, float, float]:
        """(cell, swatch, line): a cell fits three digits, a swatch heads a row or a column."""
        metrics = QFontMetricsF(self._font())
        cell = max(1.3 * metrics.height(), metrics.horizontalAdvance("000") + 8)
        return cell, 0.5 * cell, metrics.height()

    def sizeHint(self) -> QSize:
        if self.counts is None:
            return QSize(0, 0)
        cell, swatch, line = self._layout()
        n = len(self.counts)
        title = QFontMetricsF(self._font()).horizontalAdvance(f"{self.which} 100%")
        width = max(line + swatch + n * cell, title) + 8
        return QSize(int(width), int(3 * line + swatch + n * cell + 10))

    def paintEvent(self, event) -> None:
        if self.counts is None:
            return
        theme = self.theme
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(theme.background))
        # Narrower than it would like (a laptop's or a projector's narrow column): drawn smaller, whole.
        hint = self.sizeHint()
        scale = min(1.0, self.width() / max(hint.width(), 1), self.height() / max(hint.height(), 1))
        painter.scale(scale, scale)
        width = self.width() / scale
        font = self._font()
        painter.setFont(font)
        cell, head, line = self._layout()
        counts = self.counts
        n = len(counts)
        total = max(int(counts.sum()), 1)
        right = int(np.trace(counts))
        painter.setPen(QColor(theme.foreground))
        painter.drawText(QRectF(0, 2, width, line), Qt.AlignmentFlag.AlignHCenter,
                         f"{self.which} {round(100 * right / total)}%")
        left = max((width - line - head - n * cell) / 2, 0) + line  # room for "true" at the left
        top = 2 + 2 * line + 4
        painter.setPen(QColor(theme.muted))
        painter.drawText(QRectF(left + head, top - line - 2, n * cell, line), Qt.AlignmentFlag.AlignHCenter,
                         "predicted")
        painter.save()
        painter.translate(left - 2, top + head + n * cell / 2)
        painter.rotate(-90)
        painter.drawText(QRectF(-n * cell / 2, -line, n * cell, line), Qt.AlignmentFlag.AlignHCenter, "true")
        painter.restore()
        rows = counts.sum(axis=1, keepdims=True)
        share = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)
        background = QColor(theme.background)
        for k in range(n):
            colour = QColor(CLASS_COLOURS[k % len(CLASS_COLOURS)])
            painter.fillRect(QRectF(left + head + k * cell + 2, top, cell - 4, head - 4), colour)
            painter.fillRect(QRectF(left, top + head + k * cell + 2, head - 4, cell - 4), colour)
        for i in range(n):
            for j in range(n):
                rect = QRectF(left + head + j * cell, top + head + i * cell, cell, cell)
                # toward the predicted class's colour as the row's share grows: where a class goes
                fill = _blend(background, QColor(CLASS_COLOURS[j % len(CLASS_COLOURS)]),
                              0.12 + 0.5 * float(share[i, j]))
                painter.fillRect(rect.adjusted(1, 1, -1, -1), fill)
                if i == j:
                    painter.setPen(QPen(QColor(theme.foreground), 1.5))
                    painter.drawRect(rect.adjusted(1.5, 1.5, -1.5, -1.5))
                text = theme.foreground if counts[i, j] else theme.muted
                painter.setPen(QColor(readable_text_on(text, fill.name())))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(int(counts[i, j])))
        painter.end()


class ChartWithMatrix(QWidget):
    """A chart and, when it shows, the confusion matrix at its right, given at most `share` of the width."""

    def __init__(self, chart: QWidget, matrix: ConfusionMatrixView, parent=None, share: float = 1 / 3):
        super().__init__(parent)
        self.chart, self.matrix, self.share = chart, matrix, share
        for child in (chart, matrix):
            child.setParent(self)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._lay_out()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._lay_out()

    def event(self, event) -> bool:
        if event.type() == event.Type.LayoutRequest:  # the matrix shown, hidden or resized
            self._lay_out()
        return super().event(event)

    def _lay_out(self) -> None:
        width, height = self.width(), self.height()
        matrix = 0
        if not self.matrix.isHidden():
            matrix = min(self.matrix.sizeHint().width(), round(self.share * width))
            # the chart comes first: the matrix yields where the chart's key would no longer fit
            # on one line (a projector's large font in a narrow column)
            if width - matrix < getattr(self.chart, "comfortable_width", lambda: 0)():
                matrix = 0
            self.matrix.setGeometry(width - matrix, 0, matrix, height)
        self.chart.setGeometry(0, 0, width - matrix, height)
