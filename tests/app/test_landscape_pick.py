"""Clicking the network's loss plane puts that point's weights into the network."""
import numpy as np
import pytest
from models import playground_model
from PyQt6.QtCore import QPoint, QPointF, Qt

from valley.app.views.network_landscape import NetworkLandscapeView
from valley.core.scene import NetworkSpec


@pytest.fixture
def plane(qtbot):
    playground = playground_model(NetworkSpec(hidden=[3], samples=40), steps=20)
    model = playground.document.network_landscape
    assert model.wait() and model.result is not None
    view = NetworkLandscapeView(model)
    view.resize(500, 400)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    yield playground, model, view
    playground.document.shutdown()


def click_at(qtbot, view, alpha, beta):
    vb = view.plot.getPlotItem().vb
    scene_point = vb.mapViewToScene(QPointF(alpha, beta))
    widget_point = view.plot.mapFromScene(scene_point)
    qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(round(widget_point.x()),
                                                                                  round(widget_point.y())))


def test_a_click_puts_the_weights_of_that_point_into_the_network(plane, qtbot):
    playground, model, view = plane
    result = model.result
    e = result["extent"]
    alpha, beta = 0.4 * e, -0.3 * e
    click_at(qtbot, view, alpha, beta)
    probe = playground.probe
    assert probe is not None
    expected = result["centre"] + alpha * result["d1"] + beta * result["d2"]
    # the click lands within a pixel of the aimed point
    assert np.linalg.norm(probe - expected) < 0.02 * e * (np.linalg.norm(result["d1"]) + np.linalg.norm(result["d2"]))
    # the diagram, decision boundary and step-through read the shown parameters: those
    assert np.array_equal(playground.params_at(), probe)
    net = playground.network.copy()
    net.set_params(probe)
    record = playground.pass_record()
    assert np.allclose(record.a[-1], net.forward(record.X).a[-1])
    assert record.update_weights is None  # off the training path there is no next update
    assert "picked" in view.status.text() and f"{net.loss(playground.data.X_train, playground.data.T_train):.4g}" \
        in view.status.text()
    assert view.picked.isVisible()
    # a step goes back to the training path
    playground.timeline.set_step(3)
    assert playground.probe is None
    assert np.array_equal(playground.params_at(), playground.history.params[3])
    assert not view.picked.isVisible()


def test_a_click_off_the_plane_changes_nothing(plane):
    playground, model, _ = plane
    e = model.result["extent"]
    assert not model.pick(2 * e, 0.0)
    assert playground.probe is None
    with pytest.raises(ValueError, match="finite numbers"):
        playground.set_probe(np.full(playground.network.n_params, np.nan))
