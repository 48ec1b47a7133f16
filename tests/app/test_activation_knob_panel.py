"""The activation's knob beside its chooser, and its f and f′ drawn there."""
import numpy as np
import pytest
from models import playground_model

from valley.app.panels.network_panel import NetworkPanel
from valley.core.activations import make_activation
from valley.core.scene import NetworkSpec


@pytest.fixture
def panel(qtbot):
    widget = NetworkPanel(playground_model(NetworkSpec(dataset="moons", hidden=[3]), steps=20))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def choose(panel, title):
    panel.activation.setCurrentIndex(panel.activation.findText(title))


def drawn(curve):
    return curve.getData()


def test_the_knob_shows_only_for_shaped_activations_with_their_own_label(panel):
    assert panel.activation.currentData() == "tanh" and not panel.shape.isVisible()
    for title, label, value in (("Leaky ReLU", "Slope", 0.01), ("ELU", "α", 1.0), ("Swish", "β", 1.0)):
        choose(panel, title)
        assert panel.shape.isVisible() and panel.shape_label.text() == label
        assert panel.shape.value() == pytest.approx(value)
    choose(panel, "Hard tanh")
    assert not panel.shape.isVisible()


def test_turning_the_knob_edits_the_network_and_redraws_f_and_its_derivative(panel):
    session = panel.session
    choose(panel, "Leaky ReLU")
    panel.shape.setValue(0.1)  # slide 000's slope
    assert session.spec.leaky_slope == pytest.approx(0.1)
    assert session.network.hidden_activation.slope == pytest.approx(0.1)
    z, f = drawn(panel.curve.f_curve)
    _, df = drawn(panel.curve.df_curve)
    leaky = make_activation("leaky_relu", slope=0.1)
    assert f == pytest.approx(leaky.f(z)) and df == pytest.approx(leaky.df(z, leaky.f(z)))
    assert df.min() == pytest.approx(0.1)
    session.document.undo_stack.undo()
    assert session.spec.leaky_slope == pytest.approx(0.01) and panel.shape.value() == pytest.approx(0.01)


def test_the_curve_follows_the_chooser(panel):
    choose(panel, "Hard tanh")
    z, f = drawn(panel.curve.f_curve)
    assert f == pytest.approx(np.clip(z, -1, 1))
    choose(panel, "Swish")
    panel.shape.setValue(4.0)
    z, f = drawn(panel.curve.f_curve)
    assert f == pytest.approx(z / (1 + np.exp(-4.0 * z)))
