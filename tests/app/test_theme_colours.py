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
