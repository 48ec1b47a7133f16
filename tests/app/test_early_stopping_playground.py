"""Early stopping and input noise in the playground: the preset's claim, the chart's mark, the panel."""
import numpy as np
import pytest

from valley.app.model.document import Document
from valley.app.panels.network_panel import NetworkPanel
from valley.app.views.training_chart import TrainingChart
from valley.core.scene_io import list_presets, load_scene


def preset_document():
    path = next(p for p, _, _ in list_presets() if p.endswith("early_stopping_spiral.toml"))
    return Document(load_scene(path), background=False)


def test_early_stopping_quits_near_the_low_test_loss_and_restores_it(qtbot):
    document = preset_document()
    playground = document.playground
    history = playground.history
    assert history.status == "stopped_early" and history.restored
    best, stopped = history.best_step, history.stopped_at
    assert best < stopped == best + 300
    assert history.validation_loss[stopped] > history.validation_loss[best]
    chart = TrainingChart(playground)
    qtbot.addWidget(chart)
    assert chart.best.isVisible() and chart.best.value() == best
    assert chart.status_text == f"best at step {best}, restored"
    assert f"best at step {best}, restored" in chart.getPlotItem().titleLabel.text
    assert len(chart.validation_curve.getData()[0]) == stopped + 1
    at_best = history.test_loss[best]
    playground.set_option("early_stopping", 0)
    unstopped = playground.history
    assert unstopped.status == "running" and len(unstopped.validation_loss) == 0
    assert at_best < 0.5 * unstopped.test_loss[-1]  # the test loss climbed where it was not stopped
    assert not chart.best.isVisible()
    document.shutdown()


def test_the_panel_edits_the_regularization_settings_as_undoable_edits(qtbot):
    document = preset_document()
    playground = document.playground
    panel = NetworkPanel(playground)
    qtbot.addWidget(panel)
    assert panel.patience.value() == 300 and panel.validation.value() == 25 and panel.restore_best.isChecked()
    panel.restore_best.setChecked(False)
    assert not playground.spec.restore_best and not playground.history.restored
    panel.jitter.setValue(0.1)
    assert playground.spec.jitter == pytest.approx(0.1) and playground.history.jitter == pytest.approx(0.1)
    panel.patience.setValue(0)
    assert playground.spec.early_stopping == 0 and not panel.validation.isEnabled()
    for _ in range(3):
        document.undo_stack.undo()
    assert playground.spec.early_stopping == 300 and playground.spec.restore_best and playground.spec.jitter == 0
    document.shutdown()


def test_dropped_neurons_are_those_of_the_trained_rows_when_samples_are_held_out():
    document = preset_document()
    playground = document.playground
    playground.set_option("dropout", 0.3)
    history = playground.history
    held = history.validation_indices
    n = len(playground.data.X_train)
    kept = np.setdiff1d(np.arange(n), held)
    playground.timeline.set_step(5)
    playground.set_sample(int(held[0]))
    assert not playground.pass_record().dropped(1).any()  # held out: never dropped from
    playground.set_sample(int(kept[4]))
    masks = history.masks_at(playground.network, 5, len(kept))
    assert np.array_equal(playground.pass_record().dropped(1), masks[1][4] == 0)
    document.shutdown()
