"""Racer colours as text read on both themes (Newton's yellow on white), same hue."""
import re

import pytest
from models import playground_model
from PyQt6.QtGui import QColor

from valley.app.theme import TEXT_CONTRAST, THEMES, contrast_ratio, get_theme, readable_text_on
from valley.app.views.training_chart import TrainingChart
from valley.core.scene import KIND_COLOURS, PALETTE, NetworkSpec


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_every_palette_colour_as_text_reads_and_keeps_its_hue(theme):
    background = THEMES[theme].background
    for colour in PALETTE:
        shown = readable_text_on(colour, background)
        assert contrast_ratio(shown, background) >= TEXT_CONTRAST, colour
        assert QColor(shown).hue() == pytest.approx(QColor(colour).hue(), abs=4), colour


def test_newtons_yellow_on_white_is_darkened_for_text():
    yellow, white = KIND_COLOURS["newton"], THEMES["light"].background
    assert contrast_ratio(yellow, white) < 1.5
    assert contrast_ratio(readable_text_on(yellow, white), white) >= TEXT_CONTRAST


def test_training_chart_key_reads_on_the_light_theme(qtbot):
    chart = TrainingChart(playground_model(NetworkSpec(dataset="xor_table", hidden=[2]), steps=10),
                          theme=get_theme("light"))
    qtbot.addWidget(chart)
    title = chart.getPlotItem().titleLabel.text
    colours = re.findall(r"color:\s*(#[0-9A-Fa-f]{6})", title)
    assert len(colours) == 2
    for colour in colours:
        assert contrast_ratio(colour, THEMES["light"].background) >= TEXT_CONTRAST


@pytest.mark.parametrize("kind", ["check", "radio"])
@pytest.mark.parametrize("presentation", [False, True])
def test_an_unticked_box_is_outlined_and_as_tall_as_its_text_on_the_dark_theme(qtbot, kind, presentation):
    from PyQt6.QtWidgets import QCheckBox, QRadioButton, QStyle, QStyleOptionButton

    from valley.app.theme import apply_to_application

    theme = get_theme("dark", presentation)
    apply_to_application(theme)
    box = QCheckBox("log y") if kind == "check" else QRadioButton("all")
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    option = QStyleOptionButton()
    box.initStyleOption(option)
    element = (QStyle.SubElement.SE_CheckBoxIndicator if kind == "check"
               else QStyle.SubElement.SE_RadioButtonIndicator)
    rect = box.style().subElementRect(element, option, box)
    assert rect.height() >= 0.7 * box.fontMetrics().height()
    image = box.grab().toImage()
    ring = [image.pixelColor(x, rect.center().y()) for x in range(rect.left(), rect.left() + 3)]
    ring += [image.pixelColor(rect.center().x(), y) for y in range(rect.top(), rect.top() + 3)]
    # its edge stands out from the panel as text does
    assert max(contrast_ratio(c.name(), theme.panel) for c in ring) >= 3.0
