"""Batch norm in the playground: the preset's claim, the diagram's marks, the panel's switch, what it refuses."""
import pytest

from valley.app.model.document import Document
from valley.app.panels.network_panel import NetworkPanel
from valley.app.views.network_diagram import NetworkDiagram
from valley.core.scene_io import list_presets, load_scene


def preset_document():
    path = next(p for p, _, _ in list_presets() if p.endswith("batch_norm_deep_sigmoid.toml"))
    return Document(load_scene(path), background=False)


def test_batch_norm_trains_the_deep_sigmoid_net_that_does_not_train_without_it():
    document = preset_document()
    playground = document.playground
    with_norm = float(playground.history.train_loss[-1])
    accuracy = playground.network_at(playground.history.steps).accuracy(playground.data.X_test, playground.data.T_test)
    playground.set_option("batch_norm", False)
    without = float(playground.history.train_loss[-1])
    assert with_norm < 0.2 and without > 0.6
    assert accuracy > 0.9
    document.shutdown()


def test_the_diagram_marks_the_layers_and_explains_a_neuron(qtbot):
    document = preset_document()
    playground = document.playground
    diagram = NetworkDiagram(playground)
    qtbot.addWidget(diagram)
    playground.timeline.set_step(500)
    assert all(h.text().endswith("· BN") for h in diagram.headers[1:-1])
    assert not diagram.headers[-1].text().endswith("· BN")
    # the layers' names, five of them marked, stay apart at any size of the view
    for size in ((1200, 700), (500, 300)):
        diagram.resize(*size)
        diagram.fitted()
        rects = [h.sceneBoundingRect() for h in diagram.headers]
        assert not any(a.intersects(b) for k, a in enumerate(rects) for b in rects[k + 1:])
    tip = diagram.node_tooltip(2, 3)
    assert "batch norm (running)" in tip and "γ" in tip and "δ = −∂E/∂u" in tip
    # the running statistics of step 500 are the ones shown
    mean = playground.history.statistics[500][0][1][3]
    record = playground.pass_record()
    assert record.norm[2].mean.reshape(-1)[3] == pytest.approx(mean)
    playground.set_option("batch_norm", False)
    assert not any(h.text().endswith("· BN") for h in diagram.headers)
    assert "batch norm" not in diagram.node_tooltip(2, 3)
    document.shutdown()


def test_the_panel_switch_and_what_batch_norm_refuses(qtbot):
    document = preset_document()
    playground = document.playground
    panel = NetworkPanel(playground)
    qtbot.addWidget(panel)
    assert panel.batch_norm.isChecked()
    assert document.spectrum.eigenvalues is None and "batch norm" in document.spectrum.reason
    panel.optimizer.setCurrentIndex(panel.optimizer.findData("newton_cg"))
    assert "batch norm" in panel.error.text() and playground.spec.optimizer.kind == "sgd"
    panel.batch_norm.setChecked(False)
    assert not playground.spec.batch_norm
    document.undo_stack.undo()
    assert playground.spec.batch_norm and panel.batch_norm.isChecked()
    document.shutdown()
