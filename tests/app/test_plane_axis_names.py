"""The network plane's axes say their whole names where they fit, and the letter where not."""
from models import playground_model

from valley.app.theme import get_theme
from valley.app.views.network_landscape import AXIS_NAMES, NetworkLandscapeView
from valley.core.scene import NetworkSpec


def test_a_short_plot_names_its_vertical_axis_by_the_letter(qtbot):
    playground = playground_model(NetworkSpec(hidden=[3], samples=40), steps=20, background=False)
    model = playground.document.network_landscape
    theme = get_theme("dark")
    view = NetworkLandscapeView(model, theme=theme)
    qtbot.addWidget(view)
    left = view.plot.getPlotItem().getAxis("left")
    view.resize(700, 700)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: left.labelText == AXIS_NAMES["left"][0])  # tall: "β (direction 2)"
    view.resize(700, 190)
    qtbot.waitUntil(lambda: left.labelText == AXIS_NAMES["left"][1])  # short: "β"
    assert left.height() < 120
    view.resize(700, 700)
    qtbot.waitUntil(lambda: left.labelText == AXIS_NAMES["left"][0])
    model.shutdown()
