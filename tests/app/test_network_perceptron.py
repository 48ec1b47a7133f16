"""A step-output perceptron on the network page learns by Rosenblatt's rule, as slide 003's table."""
from __future__ import annotations

import numpy as np
import pytest
from models import open_example, playground_model, scene_playground

from valley.app.panels.network_panel import PERCEPTRON_RULE, NetworkPanel
from valley.app.views.step_readout import StepReadout
from valley.core.examples import PERCEPTRON_OR_TABLE


def slide_params(row) -> list[float]:
    """A table row's new weights (w0, w1, w2) in get_params order (w1, w2, then the bias w0)."""
    w0, w1, w2 = row[-3:]
    return [w1, w2, w0]


@pytest.fixture
def session(qtbot):
    s = playground_model(seed=0, steps=50, background=False)
    open_example(s, "perceptron_or")
    return s


def test_perceptron_or_trains_to_every_sample_correct(session):
    h = session.history
    assert h.status == "converged" and "epoch 4" in h.reason and session.max_step == 16
    assert np.array_equal(h.params[0], [1.0, -1.0, 0.0])  # slide: w0, w1, w2 = 0, 1, −1
    assert not np.array_equal(h.params[-1], h.params[0])
    for k, row in enumerate(PERCEPTRON_OR_TABLE, start=1):  # the first ten updates are the slide's rows
        assert list(h.params[k]) == slide_params(row), f"step {k}"
    assert h.train_loss[0] == 0.25 and h.train_loss[-1] == 0.0
    net = session.network_at(session.max_step)
    assert net.accuracy(session.data.X_train, session.data.T_train) == 1.0


def test_step_through_shows_the_rule_with_the_slides_numbers(qtbot, session):
    readout = StepReadout(session)
    qtbot.addWidget(readout)
    assert [p.kind for p in session.phases()] == ["forward", "forward", "error", "update"]
    assert session.phase == 0 and session.sample == 0

    def at(kind, layer=None):
        index = next(i for i, p in enumerate(session.phases())
                     if p.kind == kind and (layer is None or p.layer == layer))
        session.set_phase(index)
        return "\n".join(readout.lines()[1])

    # Row 1: w = (0, 1, −1), input 100, s = 0, o = 0, t = 0: no change.
    assert "x = (x0, x1, x2) = (1, 0, 0)" in at("forward", 0)
    assert "s = w·x = 0·1 + 1·0 + (-1)·0 = 0" in at("forward", 1)
    assert "t − o = 0 − 0 = 0" in at("error")
    update = at("update")
    assert "Δw = α(t − o)x = 1·(0 − 0)·(1, 0, 0) = (0, 0, 0)" in update
    assert "w ← w + Δw = (0, 1, -1) + (0, 0, 0) = (0, 1, -1)" in update
    assert "update 1 (epoch 1): sample 1, x = (1, 0, 0), α = 1" in update
    assert "δ" not in update  # no backprop deltas for a perceptron

    # Right from the update goes to row 2, which presents sample 2 (input 101): s = −1, o = 0, t = 1.
    session.next_phase()
    assert session.step == 1 and session.phase == 0 and session.sample == 1
    assert "s = w·x = 0·1 + 1·0 + (-1)·1 = -1" in at("forward", 1)
    assert "o = step(s) = step(-1) = 0" in at("forward", 1)
    assert "t − o = 1 − 0 = 1" in at("error")
    assert "w ← w + Δw = (0, 1, -1) + (1, 0, 1) = (1, 1, 0)" in at("update")
    assert "Δw = α(t − o)x = 1·(1 − 0)·(1, 0, 1) = (1, 0, 1)" in at("update")
    session.timeline.set_step(session.max_step)
    assert "no update follows" in at("update") and "epoch 4" in at("update")


def test_backprop_example_keeps_its_delta_phases(session):
    open_example(session, "backprop_example")
    assert not session.perceptron and "delta" in [p.kind for p in session.phases()]


def test_panel_shows_the_rule_instead_of_an_optimizer_and_lr_is_alpha(qtbot, session):
    panel = NetworkPanel(session)
    qtbot.addWidget(panel)
    assert panel.optimizer.currentText() == PERCEPTRON_RULE and not panel.optimizer.isEnabled()
    assert not panel.batch.isEnabled() and panel.batch.value() == 1  # online: one sample per update
    assert panel.hyper_widgets["lr"].value() == 1.0
    panel.hyper_widgets["lr"].setValue(0.5)  # α = .5: row 2 moves the weights by .5·(1, 0, 1)
    assert session.history.states[1]["lr"] == 0.5
    assert list(session.history.params[2]) == [1.0, -0.5, 0.5]
    open_example(session, "backprop_example")
    assert panel.optimizer.isEnabled() and panel.optimizer.findText(PERCEPTRON_RULE) < 0
    assert panel.optimizer.currentData() == session.spec.optimizer.kind


def test_the_lecture_preset_shows_learning(qtbot):
    from valley.core.scene_io import list_presets, load_scene

    path = next(p for p, _, _ in list_presets() if p.endswith("10_perceptron_or.toml"))
    model = scene_playground(load_scene(path))
    h = model.history
    assert h.status == "converged" and h.train_loss[0] == 0.25 and h.train_loss[-1] == 0.0
    assert len({tuple(p) for p in h.params}) > 1  # the weights change (they stayed [1, −1, 0] before)


def test_edge_hover_shows_rosenblatts_update_not_a_zero_gradient(qtbot, session):
    from valley.app.views.network_diagram import NetworkDiagram

    diagram = NetworkDiagram(session)
    qtbot.addWidget(diagram)
    session.timeline.set_step(1)  # the slide's second row: x = (1, 0, 1), t − o = 1 − 0, α = 1
    to_x2 = diagram.edge_tooltip(0, 0, 1)
    assert "Rosenblatt" in to_x2 and "Δw = α(t − o)x = 1·1·1 = 1" in to_x2
    assert diagram.edge_tooltip(0, 0, 0).endswith("1·1·0 = 0")  # X₁ was 0: its weight stays
    assert "∂E/∂w" not in to_x2
