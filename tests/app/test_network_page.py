"""The network page: diagram follows the weights, hover shows core's numbers, slide 002 steps through."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from models import open_example, playground_model
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import QApplication

from valley.app.main_window import MainWindow
from valley.app.model.document import Document
from valley.app.model.jobs import BackgroundJob
from valley.app.views.diverging import NEGATIVE, POSITIVE
from valley.app.views.network_diagram import NetworkDiagram
from valley.core.scene import NetworkSpec, OptimizerSpec


def small_spec(**changes) -> NetworkSpec:
    spec = NetworkSpec(hidden=[3, 2], dataset="circles", samples=60, noise=0.1,
                       optimizer=OptimizerSpec(kind="adam", hyperparameters={"lr": 0.05}))
    for k, v in changes.items():
        setattr(spec, k, v)
    return spec


@pytest.fixture
def session(qtbot):
    return playground_model(small_spec(), seed=1, steps=40, background=False)


def _hue_sign(colour: QColor) -> int:
    """+1 for the positive (blue) edge colour, −1 for the negative (orange) one."""
    blue, orange = QColor(POSITIVE), QColor(NEGATIVE)
    d_blue = sum((a - b) ** 2 for a, b in zip(colour.getRgb()[:3], blue.getRgb()[:3]))
    d_orange = sum((a - b) ** 2 for a, b in zip(colour.getRgb()[:3], orange.getRgb()[:3]))
    return 1 if d_blue < d_orange else -1


def test_diagram_has_the_architecture_and_follows_the_weights(qtbot, session):
    diagram = NetworkDiagram(session)
    qtbot.addWidget(diagram)
    assert [len(column) for column in diagram.nodes] == [2, 3, 2, 1]
    assert [e.shape for e in diagram.edges] == [(3, 2), (2, 3), (1, 2)]

    def drawn():
        signs, widths = [], []
        for grid in diagram.edges:
            for edge in grid.ravel():
                signs.append(_hue_sign(edge.pen().color()))
                widths.append(edge.pen().widthF())
        return np.array(signs), np.array(widths)

    for t in (0, session.max_step):
        session.timeline.set_step(t)
        weights = np.concatenate([w.ravel() for w in session.network_at(t).weights])
        signs, widths = drawn()
        np.testing.assert_array_equal(signs, np.sign(weights))
        # Wider edge ⇔ larger |w| (ties aside): widths sort like the magnitudes.
        order = np.argsort(np.abs(weights))
        assert np.all(np.diff(widths[order]) >= -1e-9)
        if t == 0:
            before = widths.copy()
    assert not np.allclose(before, widths)  # training moved the weights, the drawing followed


def test_hovering_a_node_shows_cores_forward_and_backward_numbers(qtbot, session):
    diagram = NetworkDiagram(session)
    qtbot.addWidget(diagram)
    diagram.resize(900, 600)
    diagram.show()
    qtbot.waitExposed(diagram)
    session.timeline.set_step(25)
    session.set_sample(7)
    layer, j = 1, 2
    qtbot.mouseMove(diagram.viewport(), diagram.view_position(diagram.node_item(layer, j)))
    qtbot.waitUntil(lambda: diagram.hovered_node is diagram.node_item(layer, j), timeout=2000)

    net = session.network_at(25)
    X, T = session.data.X_train[7:8], session.data.T_train[7:8]
    rec = net.forward(X)
    back = net.backward(rec, T)
    info = diagram.node_info(layer, j)
    assert info["a"] == pytest.approx(rec.a[layer][0, j], rel=1e-12)
    assert info["z"] == pytest.approx(rec.z[layer][0, j], rel=1e-12)
    assert info["dE_dz"] == pytest.approx(back.delta[layer][0, j], rel=1e-12)
    assert info["delta"] == pytest.approx(-back.delta[layer][0, j], rel=1e-12)
    tip = diagram.node_item(layer, j).toolTip()
    from valley.app.views.diverging import fmt

    assert f"a = f(z) = {fmt(rec.a[layer][0, j])}" in tip
    assert f"∂E/∂z = {fmt(back.delta[layer][0, j])}" in tip
    assert diagram.magnifier.isVisible()


def test_slide_002_in_step_through_shows_the_output_delta_086(qtbot):
    window = MainWindow(Document(), show_3d=False, remember=False)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # shortcuts go to the active window
    window.open_example("backprop_example")
    page = window.network_page
    assert window.tabs.currentWidget() is page
    assert page.session.phase == 0 and page.step_through.isChecked()
    output = page.diagram.node_item(2, 0)
    hidden = page.diagram.node_item(1, 0)

    def right():  # the window's key, whichever widget has focus
        qtbot.keyClick(page.diagram, Qt.Key.Key_Right)

    right()  # forward: hidden layer
    assert hidden.label.text() == "0.55"
    assert output.label.text() == ""  # not computed yet
    right()  # forward: output
    assert output.label.text() == "0.552"
    right()  # output error
    assert "δ" not in output.label.text()
    assert "t − o = 0.348" in "\n".join(page.readout.lines()[1])
    right()  # backward: δ of the output
    assert page.session.current_phase.kind == "delta"
    assert output.label.text() == "δ 0.086"
    assert "= 0.086" in page.readout.lines()[1][0]
    right()  # backward: δ of the hidden layer
    assert hidden.label.text() == "δ 0.00213"  # the slide rounds to .002
    right()  # weight updates, with the correct sign (+): w = .1 + .0172
    assert output.label.text() == "Δb +0.0172"
    text = "\n".join(page.readout.lines()[1])
    assert "= 0.1 + 0.0172 = 0.1172" in text  # the slide's four decimals
    assert "0.1 + 0.00945 = " in text
    right()  # the next training step starts over at the inputs
    assert page.session.step == 1 and page.session.phase == 0
    page.shutdown()


def test_adding_a_layer_or_neuron_rebuilds_and_keeps_the_other_settings(qtbot, session):
    from valley.app.panels.network_panel import NetworkPanel

    diagram = NetworkDiagram(session)
    panel = NetworkPanel(session)
    qtbot.addWidget(diagram)
    qtbot.addWidget(panel)
    session.set_option("dataset", "xor")
    session.set_option("noise", 0.25)
    session.set_option("activation", "relu")
    session.set_option("features", ["x1", "x2", "x1x2"])
    session.set_optimizer("sgd", {"lr": 0.1})
    session.set_seed(3)
    before = (session.spec.dataset, session.spec.noise, session.spec.activation, session.spec.features,
              session.spec.optimizer, session.seed)
    points = session.data.points_train.copy()

    qtbot.mouseClick(panel.add_layer, Qt.MouseButton.LeftButton)
    assert session.spec.hidden == [3, 2, 2]
    assert session.sizes == [3, 3, 2, 2, 1]
    assert [len(c) for c in diagram.nodes] == [3, 3, 2, 2, 1]
    session.add_neuron(0)
    assert session.sizes == [3, 4, 2, 2, 1]
    assert [len(c) for c in diagram.nodes] == [3, 4, 2, 2, 1]
    assert [e.shape for e in diagram.edges] == [(4, 3), (2, 4), (2, 2), (1, 2)]
    after = (session.spec.dataset, session.spec.noise, session.spec.activation, session.spec.features,
             session.spec.optimizer, session.seed)
    assert after == before
    np.testing.assert_array_equal(session.data.points_train, points)  # same data, not regenerated
    assert panel.activation.currentData() == "relu" and panel.optimizer.currentData() == "sgd"
    assert session.network.activation == "relu" and session.max_step == session.steps
    with pytest.raises(ValueError, match="hidden layer 9"):
        session.add_neuron(8)


def test_the_panel_describes_a_loaded_example_and_a_dataset_leaves_it(qtbot, session):
    from valley.app.panels.network_panel import NetworkPanel

    panel = NetworkPanel(session)
    qtbot.addWidget(panel)
    assert panel.dataset.currentData() == "circles"
    open_example(session, "backprop_example")
    # The data controls describe the example (1 training sample, 2 test), not the last dataset.
    assert panel.dataset.currentData() == ""
    assert "Backprop" in panel.dataset.currentText() and "(1 sample, 2 test)" in panel.dataset.currentText()
    assert panel.samples.value() == 3 and not panel.samples.isEnabled()
    assert not panel.noise.isEnabled() and not panel.features_group.isEnabled()
    assert not any(box.isChecked() for box in panel.feature_boxes.values())
    assert panel.example_note.isVisibleTo(panel)
    assert panel.output.currentData() == ("sigmoid", "mse")
    assert panel.init.currentData() == "constant" and panel.optimizer.currentData() == "momentum"
    open_example(session, "softmax_cross_entropy")  # an output + loss the list does not offer
    assert panel.output.currentData() == ("softmax", "cross_entropy")
    assert "(1 sample)" in panel.dataset.currentText()

    # Choosing the dataset that was current before the example still leaves the example.
    panel.dataset.setCurrentIndex(panel.dataset.findData("circles"))
    assert session.example is None and session.spec.example == ""
    assert session.spec.features == ["x1", "x2"]  # the example's x3 is not a feature map
    assert len(session.data.X_train) == round(session.spec.samples * session.spec.train_fraction)
    assert panel.dataset.findData("") == -1 and panel.dataset.currentData() == "circles"
    assert panel.samples.isEnabled() and panel.features_group.isEnabled()
    assert [n for n, box in panel.feature_boxes.items() if box.isChecked()] == ["x1", "x2"]


def test_the_page_follows_the_windows_theme_presentation_and_show_network(qtbot):

    from valley.app.main_window import MainWindow
    from valley.app.theme import THEMES

    window = MainWindow(Document(), show_3d=False)
    qtbot.addWidget(window)
    page = window.network_page
    window.set_theme("light")
    light = QColor(THEMES["light"].background)
    assert page.diagram.backgroundBrush().color() == light
    assert page.diagram.headers[0].brush().color() == QColor(THEMES["light"].foreground)
    for plot in (page.decision, page.chart, page.landscape.plot):
        assert plot.backgroundBrush().color() == light
    assert page.chart.getPlotItem().getAxis("left").textPen().color() == QColor(THEMES["light"].foreground)
    window.set_theme("dark")
    assert page.diagram.backgroundBrush().color() == QColor(THEMES["dark"].background)
    assert page.chart.backgroundBrush().color() == QColor(THEMES["dark"].background)
    # Presentation: thicker curves, and the controls give their room to the views (as the docks do).
    window.set_presentation(True, fullscreen=False)
    assert page.chart.train_curve.opts["pen"].widthF() == pytest.approx(window.theme.line_width)
    assert not page.scroll.isVisibleTo(page)
    window.set_presentation(False)
    assert page.scroll.isVisibleTo(page)

    # A scene without the network hides the tab (one window per test file: see the report).
    tabs = window.tabs
    index = tabs.indexOf(page)
    assert tabs.isTabVisible(index)  # scenes show the network by default
    tabs.setCurrentWidget(page)
    window.race.scene.view.show_network = False
    window.apply_scene_view()
    assert not tabs.isTabVisible(index) and tabs.currentWidget() is window.landscape_page
    page.show_tab()  # what the Examples menu does before loading
    assert tabs.isTabVisible(index) and tabs.currentWidget() is page
    window.race.scene.view.show_network = True
    window.apply_scene_view()
    assert tabs.isTabVisible(index)
    window.close()


def test_edge_labels_of_the_slide_002_updates_do_not_overlap(qtbot):
    page_session = playground_model(small_spec(), steps=5, background=False)
    diagram = NetworkDiagram(page_session)
    qtbot.addWidget(diagram)
    open_example(page_session, "backprop_example")
    page_session.set_phase(len(page_session.phases()) - 1)  # the weight updates, labelled on the edges
    shown = [e for g in diagram.edges for e in g.ravel() if e.label.isVisible()]
    assert len(shown) == 6
    assert diagram.label_overlaps() == 0


def test_a_huge_learning_rate_diverges_into_a_status_and_the_page_keeps_working(qtbot):
    from valley.app.network_page import NetworkPage

    spec = small_spec(activation="relu", output_activation="linear", loss="mse", hidden=[8, 8])
    page = NetworkPage(playground_model(spec, steps=300, background=False).document)
    qtbot.addWidget(page)
    session = page.session
    session.set_optimizer("sgd", {"lr": 10.0})
    assert session.status == "diverged" and session.history.stopped_at is not None
    assert f"diverged at step {session.history.stopped_at}: {session.history.reason}" in page.status.text()
    assert session.history.reason  # the rule that called it: NaN, overflow, a loss far above its start
    title = page.chart.getPlotItem().titleLabel.text
    assert f"diverged at step {session.history.stopped_at}" in title  # beside the key, off the curves
    assert not [item for item in page.chart.getPlotItem().getViewBox().addedItems
                if isinstance(item, pg.TextItem)]
    session.timeline.set_step(session.max_step)  # the last recorded (finite) step still draws
    assert np.isfinite(page.diagram.values["weights"][0]).all()
    session.set_optimizer("adam", {"lr": 0.01})
    assert session.status != "diverged" and page.status.text() == ""


def test_retraining_after_scrubbing_starts_from_the_initial_weights_not_the_shown_step(session):
    initial = session.params_at(0).copy()
    session.timeline.set_step(session.max_step)  # the views move the network's parameters to this step
    session.set_optimizer("sgd", {"lr": 0.1})
    np.testing.assert_array_equal(session.params_at(0), initial)
    session.set_steps(41)
    np.testing.assert_array_equal(session.params_at(0), initial)


def test_a_long_training_shows_its_progress_and_can_be_cancelled(qtbot):
    window = MainWindow(Document(), show_3d=False, remember=False)
    qtbot.addWidget(window)
    window.show()
    page = window.network_page
    playground = window.document.playground
    window.tabs.setCurrentWidget(page)
    playground.set_options(samples=1000, hidden=[8, 8])
    playground.set_steps(50_000)  # minutes of work: a background job
    assert playground.busy and page.training_progress.isVisible() and page.cancel_training.isVisible()
    qtbot.waitUntil(lambda: page.training_progress.value() >= 1, timeout=20_000)
    assert "%" in page.training_progress.text()
    qtbot.mouseClick(page.cancel_training, Qt.MouseButton.LeftButton)
    assert not playground.busy and not page.training_progress.isVisible()
    assert "cancelled" in page.status.text()
    qtbot.waitUntil(lambda: not playground.jobs.findChildren(BackgroundJob), timeout=5_000)  # freed
    window.close()


@pytest.mark.parametrize("presentation", [True, False])
def test_the_chart_tabs_are_named_whole_on_a_1280_projector(qtbot, presentation):
    from PyQt6.QtWidgets import QStyleOptionTab

    from valley.app.widgets.fitted_tabs import LEAST_SHARE

    def drawn_text(bar, index):  # Qt elides a name into the option it paints from
        option = QStyleOptionTab()
        bar.initStyleOption(option, index)
        return option.text

    document = Document()
    document.open_preset("vanishing_gradients")
    window = MainWindow(document, show_3d=False, remember=False)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.set_presentation(presentation, fullscreen=False)
    qtbot.waitUntil(lambda: window.resize(1280, 720) or window.width() == 1280)
    window.tabs.setCurrentWidget(window.network_page)
    tabs = window.network_page.lower_tabs
    for i in range(tabs.count()):  # the most a net can offer: all six charts at once
        tabs.setTabVisible(i, True)
    qtbot.wait(20)
    bar = tabs.tabBar()
    assert bar.count() == 6
    for i in range(bar.count()):  # no tab's name cut: what the tab paints is its whole name
        assert drawn_text(bar, i) == bar.tabText(i)
    assert bar.tabRect(bar.count() - 1).right() <= bar.width()
    # still large type: at least LEAST_SHARE of the mode's
    assert bar.font().pointSizeF() >= LEAST_SHARE * window.network_page.theme.font_size
    window.close()


def test_a_divergence_is_named_above_the_loss_chart_and_the_chart_stays_in_its_widget(qtbot):
    document = Document()
    document.open_preset("exploding_gradients")
    window = MainWindow(document, show_3d=False, remember=False)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.set_presentation(True, fullscreen=False)
    qtbot.waitUntil(lambda: window.resize(1280, 720) or window.width() == 1280)
    window.tabs.setCurrentWidget(window.network_page)
    chart = window.network_page.chart
    qtbot.waitUntil(lambda: window.network_page.session.history.status == "diverged", timeout=20_000)
    qtbot.wait(20)
    plot = chart.getPlotItem()
    assert f"diverged at step {window.network_page.session.history.stopped_at}" in plot.titleLabel.text
    widget = chart.rect().toRectF()
    for item in (plot.titleLabel.item, plot.getAxis("bottom"), plot.getViewBox()):
        drawn = chart.mapFromScene(item.sceneBoundingRect()).boundingRect().toRectF()
        assert widget.adjusted(-1, -1, 1, 1).contains(drawn), item
    # the key and the status above the curves, not over them
    text = plot.titleLabel.item.sceneBoundingRect()
    assert text.bottom() <= plot.getViewBox().sceneBoundingRect().top() + 1
    window.close()
