"""Weights you can type: a double click on an edge or a bias of the diagram types its initial value;
it reaches core, training re-runs from it, it is undoable and survives save and load."""
import numpy as np
import pytest
from PyQt6.QtCore import QPoint, Qt

import valley.app.network_page as network_page
from valley.app.export.render import settle
from valley.app.model.document import Document
from valley.app.model.playground import NetworkSpecError
from valley.app.network_page import NetworkPage
from valley.core.scene_io import load_scene, loads_scene
from valley.core.scene_schema import SceneError


@pytest.fixture
def page(qtbot, monkeypatch):
    document = Document(background=False)
    document.open_preset("xor_hidden_layer")
    settle(document.playground)
    typed = []
    monkeypatch.setattr(network_page, "ask_number", lambda *args: (typed.pop(0), True) if typed else (0.0, False))
    page = NetworkPage(document)
    page.typed = typed
    qtbot.addWidget(page)
    page.resize(1400, 800)
    page.show()
    qtbot.waitExposed(page)
    yield page
    # After QTest's double click, the next test's first mouse move is taken as part of it (no
    # hover): one plain click in a blank corner ends it.
    qtbot.mouseClick(page.diagram.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    page.shutdown()


def test_a_click_on_an_edge_types_its_initial_weight(page, qtbot, tmp_path):
    session, document = page.session, page.document
    edge = page.diagram.edge_item(0, 1, 0)
    page.typed.append(2.5)
    qtbot.mouseClick(page.diagram.viewport(), Qt.MouseButton.LeftButton, pos=page.diagram.view_position(edge))
    assert page.typed == [2.5]  # one click only focuses: a lecturer's click opens no dialog
    qtbot.mouseDClick(page.diagram.viewport(), Qt.MouseButton.LeftButton, pos=page.diagram.view_position(edge))
    qtbot.waitUntil(lambda: session.spec.typed_weights == [[0, 1, 0, 2.5]])
    settle(session)
    assert session.network_at(0).weights[0][1, 0] == 2.5  # core trains from it
    assert session.history.params[0][session.network.param_index(0, 1, 0)] == 2.5
    assert document.modified
    path = document.save(tmp_path / "typed.toml")
    assert load_scene(path).network.typed_weights == [[0, 1, 0, 2.5]]
    document.undo_stack.undo()
    settle(session)
    assert session.spec.typed_weights == [] and session.network_at(0).weights[0][1, 0] != 2.5
    other = Document(background=False)
    other.open(path)
    settle(other.playground)
    assert other.playground.network_at(0).weights[0][1, 0] == 2.5


def test_a_click_on_a_bias_square_types_the_bias(page, qtbot, tmp_path):
    session = page.session
    node = page.diagram.node_item(1, 0)
    page.typed.append(-1.25)
    centre = node.mapToScene(node.bias.rect().center())
    qtbot.mouseDClick(page.diagram.viewport(), Qt.MouseButton.LeftButton, pos=page.diagram.mapFromScene(centre))
    qtbot.waitUntil(lambda: session.spec.typed_weights == [[0, 0, -1, -1.25]])
    settle(session)
    assert session.network_at(0).biases[0][0] == -1.25
    path = page.document.save(tmp_path / "bias.toml")  # saved with the scene, as an edge's weight
    other = Document(background=False)
    other.open(path)
    settle(other.playground)
    assert other.playground.network_at(0).biases[0][0] == -1.25
    other.shutdown()
    page.document.undo_stack.undo()  # one edit, one undo
    settle(session)
    assert session.spec.typed_weights == [] and session.network_at(0).biases[0][0] != -1.25


def test_bad_typed_weights_are_refused(page):
    with pytest.raises(NetworkSpecError):
        page.session.set_weight(5, 0, 0, 1.0)
    with pytest.raises(NetworkSpecError):
        page.session.set_weight(0, 0, 0, np.inf)
    text = ('version = 1\nkind = "network"\n[network]\nhidden = [2]\n'
            'typed_weights = [[0, 1, 0, 2.5], [1, 0, -1, 0.5]]\n')
    assert loads_scene(text, "t.toml").network.typed_weights == [[0, 1, 0, 2.5], [1, 0, -1, 0.5]]
    with pytest.raises(SceneError, match=r"t.toml:5: network.typed_weights\[0\]: expected a weight of the 2-2-1"):
        loads_scene(text.replace("[0, 1, 0, 2.5]", "[0, 9, 0, 2.5]"), "t.toml")
    with pytest.raises(SceneError, match=r"network.typed_weights\[1\]\[3\]: expected a finite number"):
        loads_scene(text.replace("0.5]]", "5000.0]]"), "t.toml")


def test_changing_the_architecture_drops_the_typed_weights(page):
    session = page.session
    session.set_weight(0, 0, 0, 3.0)
    settle(session)
    session.add_neuron(0)
    settle(session)
    assert session.spec.typed_weights == []


@pytest.mark.parametrize("name, outputs", [("perceptron_a_and_not_b", [0, 0, 1, 0]),
                                           ("xor_hand_set_weights", [0, 1, 1, 0])])
def test_the_slides_exercises_by_hand(qapp, name, outputs):
    document = Document(background=False)
    document.open_preset(name)
    settle(document.playground)
    playground = document.playground
    network = playground.network_at(0)
    assert playground.spec.typed_weights  # the preset's weights are typed ones
    assert network.predict(playground.data.X_train).ravel().tolist() == outputs
    assert playground.data.T_train.ravel().tolist() == outputs and playground.history.train_loss[0] == 0
    document.shutdown()


def test_xor_is_linearly_separable_in_the_hidden_layers_plane(qtbot):
    document = Document(background=False)
    document.open_preset("xor_hand_set_weights")
    settle(document.playground)
    page = NetworkPage(document)
    qtbot.addWidget(page)
    view = page.hidden_space
    assert page.lower_tabs.tabText(page.lower_tabs.indexOf(view)) == "(h₁, h₂)" and view.available
    # h = relu(x1 + x2 + (0, −1)) for the rows (0,0), (0,1), (1,0), (1,1)
    assert view.positions.tolist() == [[0, 0], [1, 0], [1, 0], [2, 1]]
    network = document.playground.network_at(0)
    scores = view.positions @ network.weights[1][0] + network.biases[1][0]
    assert ((scores > 0.5) == (document.playground.data.T_train[:, 0] > 0.5)).all()  # one line separates
    document.open_preset("vanishing_gradients")
    settle(document.playground)
    assert not view.available and view.positions.shape == (0, 2) and view.note.textItem.toPlainText()
    assert not page.lower_tabs.isTabVisible(page.lower_tabs.indexOf(view))  # offered only where it applies
    page.shutdown()


def test_the_hidden_plane_draws_the_output_neurons_line(qtbot):
    import math

    from valley.app.views.hidden_space import output_crossing

    document = Document(background=False)
    document.open_preset("xor_hand_set_weights")
    settle(document.playground)
    page = NetworkPage(document)
    qtbot.addWidget(page)
    view = page.hidden_space
    line = view.boundary
    assert line.isVisible() and "output = 0.5" in view.getPlotItem().titleLabel.text
    network = document.playground.network_at(0)
    w, b = network.weights[1][0], network.biases[1][0]  # output = h1 − 2·h2 (linear)
    start = np.array([line.pos().x(), line.pos().y()])
    along = np.array([math.cos(math.radians(line.angle)), math.sin(math.radians(line.angle))])
    for point in (start, start + 3 * along):  # on the line the output is the targets' middle, 0.5
        assert network.output_activation.f(np.array([[w @ point + b]]))[0, 0] == pytest.approx(0.5)
    side = (view.positions - start) @ np.array([-along[1], along[0]])
    targets = document.playground.data.T_train[:, 0] > 0.5
    assert len(set(zip(side > 0, targets))) == 2  # every sample on its class's side
    # a sigmoid output crosses ½ at z = 0; a step at its jump; a level it never reaches has no line
    from valley.core.activations import make_activation

    assert output_crossing(make_activation("sigmoid"), 0.5) == pytest.approx(0.0, abs=1e-9)
    assert output_crossing(make_activation("step"), 0.5) == pytest.approx(0.0, abs=1e-9)
    assert output_crossing(make_activation("sigmoid"), 1.5) is None
    document.open_preset("vanishing_gradients")
    settle(document.playground)
    assert not line.isVisible()
    page.shutdown()
