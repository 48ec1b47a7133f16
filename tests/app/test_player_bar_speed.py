"""The player bar names its speed as a reader would say it."""
import pytest

from valley.app.model.timeline import Timeline
from valley.app.widgets.player_bar import PlayerBar


@pytest.mark.parametrize("speed, text", [(1, "1 step/s"), (2, "2 steps/s"), (30, "30 steps/s"), (500, "500 steps/s")])
def test_the_speed_label(qtbot, speed, text):
    timeline = Timeline()
    bar = PlayerBar(timeline)
    qtbot.addWidget(bar)
    timeline.set_speed(speed)
    assert bar.speed_label.text() == text
