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
    assert chart.drop() > 5e3  # the first layer's gradient is about 10⁴ times smaller than the last's (as said)
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


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_every_charts_name_is_whole_on_a_projector(qtbot, monkeypatch, size):
    import valley.app.file_actions as fa
    from valley.app.main_window import MainWindow
    from valley.app.widgets.fitted_tabs import LEAST_SHARE

    monkeypatch.setattr(fa, "ask_unsaved", lambda parent, title: "discard")
    document = Document(background=False)
    document.open_preset("xor_hand_set_weights")  # six charts: the (h₁, h₂) one is offered
    settle(document.playground)
    window = MainWindow(document, show_3d=False, remember=False)
    qtbot.addWidget(window)
    window.network_page.show_tab()
    window.show()
    window.set_presentation(True, fullscreen=False)
    window.resize(*size)
    qtbot.waitUntil(lambda: window.network_page.lower_tabs.width() < size[0] / 2 + 50)
    bar = window.network_page.lower_tabs.tabBar()
    visible = [i for i in range(bar.count()) if bar.isTabVisible(i)]
    assert "(h₁, h₂)" in [bar.tabText(i) for i in visible]
    for i in visible:  # each tab as wide as its whole name needs: nothing elided
        assert bar.tabRect(i).width() >= bar.tabSizeHint(i).width(), bar.tabText(i)
    assert bar.font().pointSize() >= LEAST_SHARE * window.network_page.theme.font_size
    view = window.network_page.hidden_space
    window.network_page.lower_tabs.setCurrentWidget(view)

    def inside() -> bool:  # every sample well inside the plot, none on its frame (once it has ranged)
        (x0, x1), (y0, y1) = view.getViewBox().viewRange()
        dx, dy = 0.08 * (x1 - x0), 0.08 * (y1 - y0)
        return all(x0 + dx < h1 < x1 - dx and y0 + dy < h2 < y1 - dy for h1, h2 in view.positions)
    qtbot.waitUntil(inside, timeout=3000)
    window.resize(1920, 1080)  # room again: the names take the theme's size back
    qtbot.waitUntil(lambda: bar.font().pointSize() == window.network_page.theme.font_size, timeout=3000)
    assert view.getPlotItem().sceneBoundingRect().width() <= view.width() + 1  # no title pushes it wider
    window.set_presentation(False, fullscreen=False)
    document.shutdown()
