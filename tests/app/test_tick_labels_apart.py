"""A horizontal axis' tick labels never run into each other, however narrow the chart."""
import pyqtgraph as pg
import pytest
from PyQt6.QtGui import QFont, QImage, QPainter

from valley.app.theme import readable_numbers


def drawn_labels(axis):
    """The rectangles and texts the axis paints now (pyqtgraph's own layout of its labels)."""
    picture = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(picture)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(rect, text) for rect, _, text in specs[2]] if specs else []


def touching(labels):
    ordered = sorted(labels, key=lambda pair: pair[0].left())
    return [(a[1], b[1]) for a, b in zip(ordered, ordered[1:]) if a[0].right() > b[0].left()]


@pytest.mark.parametrize("width, high, points", [(160, 873, 14), (220, 20000, 16), (120, 1.0, 12), (400, 5000, 24)])
def test_tick_labels_never_touch(qtbot, width, high, points):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    axis = plot.getPlotItem().getAxis("bottom")
    font = QFont()
    font.setPointSize(points)
    axis.setTickFont(font)
    readable_numbers(axis)
    plot.setXRange(0, high, padding=0)
    plot.resize(width, 200)
    plot.show()
    qtbot.waitExposed(plot)
    (major, values), *_ = axis.tickValues(0, high, axis.width())
    assert len(values) >= 2, values  # still a scale to read
    assert not touching(drawn_labels(axis))


def test_without_the_rule_a_narrow_axis_ran_its_labels_together(qtbot):
    """The case the rule is for: pyqtgraph picks the step from the axis' length alone."""
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    axis = plot.getPlotItem().getAxis("bottom")
    font = QFont()
    font.setPointSize(14)
    axis.setTickFont(font)
    plot.setXRange(0, 873, padding=0)
    plot.resize(160, 200)
    plot.show()
    qtbot.waitExposed(plot)
    assert touching(drawn_labels(axis))
    readable_numbers(axis)
    assert not touching(drawn_labels(axis))
