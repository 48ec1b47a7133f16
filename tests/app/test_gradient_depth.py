"""The Network tab's gradients through depth: the per-layer chart and one colour scale for all layers."""
import numpy as np
import pytest
from PyQt6.QtGui import QColor

from valley.app.export.render import settle
from valley.app.model.document import Document
from valley.app.network_page import NetworkPage
from valley.app.views.diverging import DELTA_LUT, colour


@pytest.fixture
def page(qtbot):
    document = Document(background=False)
    document.open_preset("vanishing_gradients")
    settle(document.playground)
    page = NetworkPage(document)
    qtbot.addWidget(page)
    page.resize(1400, 800)
    page.show()
    yield page
    page.shutdown()


def test_the_chart_has_a_curve_per_layer_and_shows_the_drop(page):
    chart = page.depth_chart
    assert page.lower_tabs.tabText(page.lower_tabs.indexOf(chart)) == "Gradients"
    assert len(chart.curves) == 7 and chart.getPlotItem().ctrl.logYCheck.isChecked()
    assert chart.norms.shape == (page.session.history.steps, 7)
    assert chart.drop() > 1e3  # the first layer's gradient is thousands of times smaller than the last's
    x, y = chart.curves[0].getData()  # in log mode: log10 of the norms
    assert len(x) == len(chart.norms) and np.allclose(10 ** y, chart.norms[:, 0])


def test_relu_with_he_keeps_the_layers_level(qtbot):
    document = Document(background=False)
    document.open_preset("relu_he_initialization")
    settle(document.playground)
    page = NetworkPage(document)
    qtbot.addWidget(page)
    assert page.depth_chart.drop() < 100
    page.shutdown()


def distance_from_neutral(node) -> float:
    a, b = node.brush().color(), QColor(colour(0.0, DELTA_LUT))
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


def test_one_colour_scale_greys_out_the_vanishing_first_layer(page, qtbot):
    session, diagram = page.session, page.diagram
    session.set_step_through(True)
    phases = session.phases()
    session.set_phase(next(i for i, p in enumerate(phases) if p.kind == "delta" and p.layer == 1))
    per_layer = [distance_from_neutral(n) for n in diagram.nodes[1]]
    qtbot.mouseClick(page.shared_scale, pg_left())
    assert diagram.shared_delta_scale
    shared = [distance_from_neutral(n) for n in diagram.nodes[1]]
    assert max(shared) < 0.2 * max(per_layer)
    output = [distance_from_neutral(n) for n in diagram.nodes[-1]]
    assert max(output) > 5 * max(shared)


def pg_left():
    from PyQt6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_large_initial_weights_explode_and_clipping_tames_them(qtbot):
    runs = {}
    for name in ("exploding_gradients", "exploding_gradients_clipped"):
        document = Document(background=False)
        document.open_preset(name)
        settle(document.playground)
        page = NetworkPage(document)
        qtbot.addWidget(page)
        assert document.playground.network.init_scale == 1.8
        history = document.playground.history
        runs[name] = (page.depth_chart.norms.copy(), history.train_loss.copy(), history.status)
        page.shutdown()
    norms, loss, status = runs["exploding_gradients"]
    assert np.nanmax(norms[:, 0]) > 1e6 and status == "diverged" and len(loss) < 10
    norms, loss, status = runs["exploding_gradients_clipped"]
    assert np.nanmax(norms[:, 0]) < 1e4 and status != "diverged" and loss[-1] < 0.5
