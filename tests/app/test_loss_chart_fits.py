"""The loss chart's key and status fit its width; the confusion matrix yields before the key breaks."""
import re

import pytest
from PyQt6.QtGui import QFont, QFontMetricsF

from valley.app.model.document import Document
from valley.app.theme import get_theme
from valley.app.views.confusion_matrix import ChartWithMatrix, ConfusionMatrixView
from valley.app.views.training_chart import TrainingChart
from valley.core.scene_io import list_presets, load_scene


def preset(name):
    return Document(load_scene(next(p for p, _, _ in list_presets() if p.endswith(f"{name}.toml"))),
                    background=False)


def title_lines(chart):
    """The title's lines as plain text."""
    html = chart.getPlotItem().titleLabel.text
    return [re.sub(r"<[^>]+>", "", line).replace("&nbsp;", " ") for line in html.split("<br>")]


@pytest.mark.parametrize("width", [900, 420, 260])
def test_every_line_of_the_key_and_status_fits_the_chart(qtbot, width):
    document = preset("early_stopping_spiral")
    theme = get_theme("dark")
    chart = TrainingChart(document.playground, theme=theme)
    qtbot.addWidget(chart)
    chart.resize(width, 300)
    chart.show()
    qtbot.waitExposed(chart)
    lines = title_lines(chart)
    text = " ".join(lines)
    for words in ("train", "test", "validation", f"best at step {document.playground.history.best_step},",
                  "restored"):
        assert words in text
    bold = QFont()
    bold.setPointSize(theme.axis_font_size)
    bold.setBold(True)
    metrics = QFontMetricsF(bold)  # bold is the wider of the two fonts the title uses
    assert all(metrics.horizontalAdvance(line) <= width for line in lines), lines
    if width >= 900:
        assert len(lines) == 2  # the key on one line, the status on the next
    else:
        assert len(lines) >= 2
    document.shutdown()


def test_the_matrix_yields_when_the_chart_key_would_not_fit(qtbot):
    document = preset("early_stopping_spiral")
    playground = document.playground
    chart = TrainingChart(playground, theme=get_theme("dark"))
    matrix = ConfusionMatrixView(playground)
    both = ChartWithMatrix(chart, matrix)
    qtbot.addWidget(both)
    both.resize(1200, 300)
    both.show()
    qtbot.waitExposed(both)
    assert not matrix.isHidden() and matrix.width() > 0
    assert chart.width() + matrix.width() == both.width()
    narrow = chart.comfortable_width() + matrix.sizeHint().width() // 2
    both.resize(narrow, 300)
    qtbot.waitUntil(lambda: chart.width() == narrow)
    assert matrix.width() == 0  # the chart's key stays on one line instead
    document.shutdown()
