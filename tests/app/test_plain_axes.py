"""Every chart's axes show the real numbers, before, during and after presentation mode."""
import numpy as np
import pytest
from models import playground_model, race_model

from valley.app.theme import get_theme
from valley.app.views.decision_view import DecisionView
from valley.app.views.loss_chart import LossChart
from valley.app.views.training_chart import TrainingChart
from valley.core.scene import NetworkSpec, OptimizerSpec, Scene, SurfaceSpec


def shown_ticks(axis) -> list[tuple[float, float]]:
    """(value, the number its label says) for every tick the axis draws now, as paint() computes them."""
    low, high = axis.range
    length = axis.height() if axis.orientation in ("left", "right") else axis.width()
    pairs = []
    for spacing, values in axis.tickValues(low, high, max(length, 100)):
        strings = axis.tickStrings(values, axis.autoSIPrefixScale * axis.scale, spacing)
        pairs += [(v, float(s.replace("−", "-"))) for v, s in zip(values, strings)]
    return pairs


def assert_plain(plot, names=("left", "bottom")):
    for name in names:
        axis = plot.getAxis(name)
        assert axis.autoSIPrefixScale == 1.0, name
        assert "(x" not in axis.labelString(), name
        ticks = shown_ticks(axis)
        assert ticks, name
        for value, said in ticks:
            assert said == pytest.approx(value, rel=1e-6, abs=1e-9 * max(1.0, abs(value))), (name, ticks)


def through_presentation(qtbot, widget, plot, apply_theme):
    """Normal, presentation, normal again (F11 and back), checking the numbers each time."""
    widget.resize(500, 350)
    widget.show()
    qtbot.waitExposed(widget)
    for theme in (get_theme("dark"), get_theme("dark", presentation=True), get_theme("dark"),
                  get_theme("light", presentation=True), get_theme("light")):
        apply_theme(theme)
        qtbot.wait(10)
        assert_plain(plot)


def race_on(formula: str):
    return race_model(Scene(surface=SurfaceSpec(name="formula", formula=formula), start=(1.0, 1.0),
                            steps=60, optimizers=[OptimizerSpec(kind="sgd", hyperparameters={"lr": 0.1})]))


@pytest.mark.parametrize("formula, top", [("0.03*(x**2 + y**2)", 0.06), ("3000*(x**2 + y**2)", 6000)])
def test_loss_chart_shows_the_losses_themselves(qtbot, formula, top):
    race = race_on(formula)
    assert race.trajectories[0].losses[0] == pytest.approx(top)
    chart = LossChart(race, get_theme("dark"))
    qtbot.addWidget(chart)
    through_presentation(qtbot, chart, chart.plot, chart.apply_theme)
    left = chart.plot.getAxis("left")
    assert max(said for _, said in shown_ticks(left)) <= top * 1.1


def test_training_chart_shows_a_small_loss_as_itself_after_presentation(qtbot):
    playground = playground_model(NetworkSpec(dataset="xor_table", hidden=[2], loss="mse"), steps=30)
    losses = np.asarray(playground.history.train_loss, float)
    assert np.nanmax(losses) < 1.0  # the range pyqtgraph would have written as ×1000
    chart = TrainingChart(playground, theme=get_theme("dark"))
    qtbot.addWidget(chart)
    plot = chart.getPlotItem()
    through_presentation(qtbot, chart, plot, chart.apply_theme)
    assert max(said for _, said in shown_ticks(plot.getAxis("left"))) < 1.5


def test_training_chart_without_a_theme_has_plain_axes(qtbot):
    chart = TrainingChart(playground_model(NetworkSpec(dataset="xor_table", hidden=[2]), steps=20))
    qtbot.addWidget(chart)
    chart.resize(400, 300)
    chart.show()
    qtbot.waitExposed(chart)
    assert_plain(chart.getPlotItem())


def test_decision_view_axes_show_the_inputs(qtbot):
    playground = playground_model(NetworkSpec(dataset="xor_table", hidden=[2]), steps=10)
    view = DecisionView(playground, theme=get_theme("dark"))
    qtbot.addWidget(view)
    through_presentation(qtbot, view, view.getPlotItem(), view.apply_theme)
    low, high = view.getPlotItem().getAxis("bottom").range
    assert -3 < low < high < 3  # the boolean table's inputs, and the ticks said so above
