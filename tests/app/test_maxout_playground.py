"""Maxout in the playground: its pieces knob, the diagram's shown piece, what it declines."""
import numpy as np
import pytest

from valley.app.model.document import Document
from valley.app.panels.network_panel import NetworkPanel
from valley.app.views.network_diagram import NetworkDiagram
from valley.core.scene import NetworkSpec, Scene
from valley.core.scene_io import dumps_scene, loads_scene


def network_document(**fields):
    spec = NetworkSpec(**{"dataset": "xor", "samples": 60, "hidden": [3, 3], **fields})
    return Document(Scene(kind="network", steps=40, network=spec), background=False)


def test_the_panel_sets_maxout_and_its_pieces_and_the_scene_keeps_them(qtbot):
    document = network_document()
    panel = NetworkPanel(document.playground)
    qtbot.addWidget(panel)
    panel.activation.setCurrentIndex(panel.activation.findData("maxout"))
    assert panel.shape.isVisibleTo(panel) and panel.shape_label.text() == "Pieces" and panel.shape.decimals() == 0
    panel.shape.setValue(4)
    playground = document.playground
    assert playground.network.pieces == 4 and playground.network.weights[0].shape == (12, 2)
    assert playground.sizes == [2, 3, 3, 1]  # neurons, not pieces
    again = loads_scene(dumps_scene(document.scene))
    assert (again.network.activation, again.network.maxout_pieces) == ("maxout", 4)
    document.shutdown()


def test_the_diagram_draws_each_neurons_winning_piece(qtbot):
    document = network_document(activation="maxout", maxout_pieces=3)
    playground = document.playground
    playground.set_sample(2)
    diagram = NetworkDiagram(playground)
    qtbot.addWidget(diagram)
    playground.timeline.set_step(playground.max_step)
    net = playground.network_at(playground.max_step)
    x = playground.data.X_train[2:3]
    z1 = x @ net.weights[0].T + net.biases[0]  # (1, 9): three pieces of three neurons
    won = np.argmax(z1.reshape(3, 3), axis=1)
    record = diagram.values["record"]
    np.testing.assert_array_equal(record.pieces[1], won)
    for j in range(3):
        row = 3 * j + won[j]
        np.testing.assert_allclose(diagram.values["weights"][0][j], net.weights[0][row])
        assert diagram.values["z"][1][j] == pytest.approx(z1[0, row])
        assert diagram.values["activations"][1][j] == pytest.approx(z1[0, row])  # a = the winner's z
    assert f"piece {won[0] + 1} won" in diagram.node_tooltip(1, 0)
    assert f"(piece {won[1] + 1} of 3)" in diagram.edge_tooltip(0, 1, 0)
    document.shutdown()


def test_step_through_and_typing_a_piece_are_declined_with_the_reason(qtbot):
    from valley.app.views.step_readout import StepReadout

    document = network_document(activation="maxout")
    playground = document.playground
    readout = StepReadout(playground)
    qtbot.addWidget(readout)
    assert "a maxout neuron has one per piece" in readout.toPlainText()
    playground.set_step_through(True)
    assert playground.phase == -1 and "maxout" in playground.last_error
    with pytest.raises(ValueError, match="pieces"):
        playground.set_weight(0, 0, 0, 1.5)
    with pytest.raises(ValueError, match="batch norm"):
        playground.set_option("batch_norm", True)
    document.shutdown()
