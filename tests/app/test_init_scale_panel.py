"""The initialization's scale as a knob: ±a for uniform, σ for Gaussian, a factor for the others."""
import numpy as np
import pytest

from valley.app.model.document import Document
from valley.app.panels.network_panel import NetworkPanel
from valley.core.scene import NetworkSpec, Scene


@pytest.fixture
def panel(qtbot):
    document = Document(Scene(kind="network", steps=5, network=NetworkSpec(dataset="xor", samples=60,
                                                                            hidden=[16, 16])),
                        background=False)
    widget = NetworkPanel(document.playground)
    qtbot.addWidget(widget)
    yield widget
    document.shutdown()


def initial_weights(panel):
    net = panel.session.network_at(0)
    return np.concatenate([w.ravel() for w in net.weights])


def test_gaussian_sigma_and_uniform_bound_reach_the_initial_weights(panel):
    panel.init.setCurrentIndex(panel.init.findData("gaussian"))
    assert panel.init_scale_label.text() == "σ" and panel.init_scale.value() == pytest.approx(0.5)
    panel.init_scale.setValue(2.0)
    weights = initial_weights(panel)
    assert panel.session.spec.init_scale == 2.0
    assert np.std(weights) == pytest.approx(2.0, rel=0.15)  # 336 draws of N(0, 2²)
    panel.init.setCurrentIndex(panel.init.findData("uniform"))
    assert panel.session.spec.init_scale is None  # each init's scale means its own thing
    assert panel.init_scale_label.text() == "± a" and panel.init_scale.value() == pytest.approx(0.5)
    panel.init_scale.setValue(3.0)
    weights = initial_weights(panel)
    assert np.abs(weights).max() <= 3.0 and np.abs(weights).max() > 2.7


def test_a_factor_scales_xavier_and_undo_takes_it_back(panel):
    base = initial_weights(panel)
    panel.init_scale.setValue(0.25)
    np.testing.assert_allclose(initial_weights(panel), 0.25 * base)  # same draws, a quarter as wide
    panel.session.document.undo_stack.undo()
    np.testing.assert_allclose(initial_weights(panel), base)
    assert panel.init_scale.value() == pytest.approx(1.0)
