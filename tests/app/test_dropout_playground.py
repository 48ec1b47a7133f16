"""Dropout in the playground: the preset's claim, the diagram's dropped neurons, the panel's control."""
import numpy as np
import pytest

from valley.app.model.document import Document
from valley.app.panels.network_panel import NetworkPanel
from valley.app.views.network_diagram import NetworkDiagram
from valley.core.scene_io import list_presets, load_scene


def preset_document():
    path = next(p for p, _, _ in list_presets() if p.endswith("dropout_spiral.toml"))
    return Document(load_scene(path), background=False)


def final_losses(playground):
    history = playground.history
    return float(history.train_loss[-1]), float(history.test_loss[-1])


def test_dropout_keeps_the_test_loss_down_where_the_same_net_without_it_overfits():
    document = preset_document()
    playground = document.playground
    assert playground.spec.dropout == pytest.approx(0.2)
    train_with, test_with = final_losses(playground)
    playground.set_option("dropout", 0.0)
    train_without, test_without = final_losses(playground)
    assert test_with < 0.5 * test_without  # same seed, same data, same steps
    assert test_with - train_with < 0.5 * (test_without - train_without)
    assert train_without < train_with  # without dropout it fits the training points closer: memorising
    document.shutdown()


def test_the_diagram_greys_the_neurons_the_shown_step_dropped(qtbot):
    document = preset_document()
    playground = document.playground
    playground.set_sample(3)
    diagram = NetworkDiagram(playground)
    qtbot.addWidget(diagram)
    playground.timeline.set_step(10)
    record = playground.pass_record()
    dropped = [record.dropped(layer) for layer in (1, 2)]
    assert all(d is not None and d.any() and not d.all() for d in dropped)
    # the masks are the ones training drew at that step, for that sample
    masks = playground.history.masks_at(playground.network, 10, len(playground.data.X_train))
    assert np.array_equal(dropped[0], masks[1][3] == 0)
    for layer, d in zip((1, 2), dropped):
        for j, node in enumerate(diagram.nodes[layer]):
            assert (node.label.text() == "dropped") == bool(d[j])
            if d[j]:
                assert np.all(record.delta[layer][0, j] == 0)
    playground.set_option("dropout", 0.0)
    assert playground.pass_record().dropped(1) is None
    assert not any(node.label.text() == "dropped" for node in diagram.nodes[1])
    document.shutdown()


def test_the_panel_sets_the_rate_and_refuses_it_with_newton(qtbot):
    document = preset_document()
    playground = document.playground
    panel = NetworkPanel(playground)
    qtbot.addWidget(panel)
    assert panel.dropout.value() == pytest.approx(0.2)
    panel.dropout.setValue(0.35)
    assert playground.spec.dropout == pytest.approx(0.35)
    document.undo_stack.undo()
    assert playground.spec.dropout == pytest.approx(0.2) and panel.dropout.value() == pytest.approx(0.2)
    playground.set_option("hidden", [3])  # small enough for Newton
    panel.optimizer.setCurrentIndex(panel.optimizer.findData("newton"))
    assert "dropout draws a new network each step" in panel.error.text()
    assert playground.spec.optimizer.kind == "adam"
    document.shutdown()
