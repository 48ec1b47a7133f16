"""PReLU in the playground: chosen in the panel, its learned slopes on the diagram, curvature declined."""
import numpy as np
import pytest

from valley.app.model.document import Document
from valley.app.panels.network_panel import NetworkPanel
from valley.app.views.diverging import fmt
from valley.app.views.network_diagram import NetworkDiagram
from valley.core.optimizers import OPTIMIZERS
from valley.core.scene import NetworkSpec, Scene


def network_document(**fields):
    spec = NetworkSpec(**{"dataset": "xor", "samples": 60, "hidden": [3], **fields})
    return Document(Scene(kind="network", steps=40, network=spec), background=False)


def test_the_panel_offers_prelu_and_the_network_learns_its_slopes(qtbot):
    document = network_document()
    panel = NetworkPanel(document.playground)
    qtbot.addWidget(panel)
    index = panel.activation.findData("prelu")
    assert panel.activation.itemText(index) == "PReLU (learned slope)"
    panel.activation.setCurrentIndex(index)
    playground = document.playground
    assert playground.spec.activation == "prelu" and playground.network.learns_slopes
    first, last = (playground.network.slopes_of(playground.params_at(t))[0] for t in (0, playground.max_step))
    np.testing.assert_allclose(first, 0.25)
    assert not np.allclose(last, 0.25)
    assert playground.history.sharpness[0].size == 0  # λmax is not recorded through the slopes
    document.shutdown()


def test_the_diagram_tells_a_neurons_learned_slope(qtbot):
    document = network_document(activation="prelu")
    playground = document.playground
    diagram = NetworkDiagram(playground)
    qtbot.addWidget(diagram)
    playground.timeline.set_step(playground.max_step)
    slope = float(playground.network_at(playground.max_step).slopes[0][1])
    tip = diagram.node_tooltip(1, 1)
    assert f"PReLU: a = z for z > 0, {fmt(slope)}·z below" in tip
    document.shutdown()


@pytest.mark.parametrize("kind", [k for k, cls in OPTIMIZERS.items() if cls.uses_curvature][:2])
def test_a_curvature_optimizer_is_refused_with_prelu_and_nothing_changes(kind):
    document = network_document()
    playground = document.playground
    playground.set_optimizer(kind)
    before = playground.spec
    with pytest.raises(ValueError, match="PReLU's learnable slopes"):
        playground.set_option("activation", "prelu")
    assert playground.spec == before
    document.shutdown()
