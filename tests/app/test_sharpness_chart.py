"""The Sharpness tab: λmax over training with 2/lr, and the Hessian's spectrum at the shown step."""
import numpy as np
import pytest
from models import playground_model

from valley.app.views.sharpness_chart import SharpnessChart, histogram, stability_limit
from valley.core.network import Network
from valley.core.scene import NetworkSpec, OptimizerSpec


@pytest.fixture
def chart(qtbot):
    spec = NetworkSpec(hidden=[5], samples=40, activation="tanh", output_activation="linear",
                       loss="mse", dataset="bump", noise=0.0,
                       optimizer=OptimizerSpec(kind="sgd", label="GD", hyperparameters={"lr": 0.25}))
    playground = playground_model(spec, steps=60)
    view = SharpnessChart(playground.document.spectrum)
    qtbot.addWidget(view)
    yield playground, view
    playground.document.shutdown()


def exact_spectrum(playground, t):
    net: Network = playground.network.copy()
    obj = net.objective(playground.data.X_train, playground.data.T_train)
    return np.linalg.eigvalsh(obj.hessian(np.asarray(playground.history.params[t], float)))


def test_the_chart_draws_recorded_sharpness_and_the_stability_line(chart):
    playground, view = chart
    steps, values = playground.history.sharpness
    assert steps.tolist() == list(range(0, 60, 10))  # on by default in the playground
    x, y = view.curve.getData()
    assert np.array_equal(x, steps) and np.array_equal(y, values)
    for k, value in zip(steps, values):  # each is λmax of the exact Hessian at that step
        assert value == pytest.approx(exact_spectrum(playground, k)[-1], rel=1e-3)
    assert view.limit.isVisible() and view.limit.value() == pytest.approx(2 / 0.25)
    assert "2/lr = 8" in view.top.titleLabel.text


def test_the_spectrum_follows_the_shown_step_with_negatives_in_their_own_bars(chart):
    playground, view = chart
    model = playground.document.spectrum
    playground.timeline.set_step(30)
    assert model.wait() and model.step == 30
    expected = exact_spectrum(playground, 30)
    assert np.allclose(model.eigenvalues, expected, atol=1e-10 * np.abs(expected).max())
    negative_heights = view.negative.opts["height"]
    positive_heights = view.positive.opts["height"]
    counts = np.round(10 ** np.concatenate([negative_heights, positive_heights]) - 1)
    assert counts.sum() == playground.network.n_params
    assert np.all(np.asarray(view.negative.opts["x"]) < 0) and np.all(np.asarray(view.positive.opts["x"]) > 0)
    assert "step 30" in view.bottom.getAxis("bottom").labelText


def test_histogram_never_mixes_signs_and_counts_every_eigenvalue():
    w = np.array([-2.0, -0.01, 0.0, 1e-12, 0.3, 5.0, np.nan])
    centres, counts, width = histogram(w, bins=10)
    assert counts.sum() == 6
    edges = np.concatenate([centres - width / 2, centres + width / 2])
    assert np.any(np.isclose(edges, 0.0, atol=1e-12))
    assert counts[centres < 0].sum() == 2  # 1e-12 is rounding of 0, not a negative curvature


def test_stability_limit_needs_a_learning_rate():
    assert stability_limit(OptimizerSpec(kind="sgd", hyperparameters={"lr": 0.5})) == 4.0
    assert stability_limit(OptimizerSpec(kind="sgd", hyperparameters={})) is None


def test_the_loss_chart_says_the_time_per_step(chart, qtbot):
    from valley.app.views.training_chart import TrainingChart

    playground, _ = chart
    loss_chart = TrainingChart(playground)
    qtbot.addWidget(loss_chart)
    history = playground.history
    per_step = history.step_seconds / (len(history.params) - 1)
    assert history.step_seconds > 0
    assert f"{per_step * 1000:.2g} ms/step" in loss_chart.getPlotItem().titleLabel.text


def test_mini_batch_training_records_sharpness_per_epochs_not_per_updates():
    # λmax is of the whole training loss: measured every 10 updates, it would cost a mini-batch run
    # far more than its own steps, so it is measured every 10 epochs' worth of updates.
    spec = NetworkSpec(hidden=[3], samples=40, batch_size=10, train_fraction=0.7)
    playground = playground_model(spec, steps=100)
    try:
        steps, values = playground.history.sharpness
        assert steps.tolist() == [0, 30, 60, 90]  # 28 training samples: 3 updates per epoch
        assert np.isfinite(values).all()
    finally:
        playground.document.shutdown()
