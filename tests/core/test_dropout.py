"""Inverted dropout: masks from the seeded generator, exact gradients through a fixed mask, nothing at test time."""
import numpy as np
import pytest

from valley.core.datasets import make_dataset
from valley.core.network import Network, NetworkError
from valley.core.optimizers import make_optimizer
from valley.core.training import TrainingError, train


def numeric_gradient(obj, theta, h=1e-6):
    return np.array([(obj.value(theta + h * e) - obj.value(theta - h * e)) / (2 * h) for e in np.eye(theta.size)])


@pytest.mark.parametrize("activation, loss, output", [("tanh", "mse", "linear"), ("relu", "bce", "sigmoid"),
                                                      ("swish", "cross_entropy", "softmax")])
def test_the_gradient_through_a_fixed_mask_equals_central_differences(activation, loss, output):
    rng = np.random.default_rng(3)
    n_out = 3 if output == "softmax" else 1
    net = Network([2, 5, 4, n_out], activation=activation, output_activation=output, loss=loss,
                  dropout=[0.3, 0.5], init="gaussian", init_scale=0.7, seed=2)
    X = rng.normal(size=(9, 2))
    T = np.eye(3)[rng.integers(0, 3, 9)] if n_out == 3 else rng.integers(0, 2, (9, 1)).astype(float)
    masks = net.draw_masks(9, np.random.default_rng(5))
    obj = net.objective(X, T).with_masks(masks)
    theta = net.get_params()
    value, gradient = obj.value_and_gradient(theta)
    numeric = numeric_gradient(obj, theta)
    assert np.linalg.norm(gradient - numeric) < 1e-6 * max(1.0, np.linalg.norm(numeric))
    # the mask matters: without it the loss is another one
    assert value != pytest.approx(net.objective(X, T).value(theta))
    # a dropped neuron neither sends nor receives: its incoming weights get no gradient from
    # the samples that dropped it
    rec = net.propagate(net.weights, net.biases, X, masks=masks)
    back = net.backpropagate(net.weights, rec, T)
    assert np.all(back.delta[1][masks[1] == 0] == 0)


def test_masks_drop_at_the_rate_and_scale_the_kept_units():
    net = Network([2, 16, 1], dropout=0.25, seed=0)
    (mask,) = [m for m in net.draw_masks(20000, np.random.default_rng(0)) if m is not None]
    assert np.mean(mask == 0) == pytest.approx(0.25, abs=0.01)
    assert set(np.unique(mask)) == {0.0, 1 / 0.75}
    assert mask.mean() == pytest.approx(1.0, abs=0.01)


def test_the_expected_output_with_dropout_is_the_output_without():
    """Inverted dropout: with a linear layer after the dropped one, E[output] is the test-time output."""
    net = Network([2, 8, 1], activation="tanh", output_activation="linear", dropout=0.5, seed=4)
    X = np.random.default_rng(0).normal(size=(3, 2))
    rng = np.random.default_rng(11)
    outputs = np.array([net.forward(X, train=True, rng=rng).output for _ in range(20000)])
    plain = net.forward(X).output
    spread = outputs.std(axis=0) / np.sqrt(len(outputs))
    assert np.all(np.abs(outputs.mean(axis=0) - plain) < 4 * spread)
    assert np.all(outputs.std(axis=0) > 0)  # the masks did something


def test_test_time_and_no_dropout_are_the_same_network():
    X = np.random.default_rng(0).normal(size=(4, 2))
    with_rate = Network([2, 6, 1], dropout=0.4, seed=1)
    without = Network([2, 6, 1], seed=1)
    assert np.array_equal(with_rate.forward(X).output, without.forward(X).output)
    assert with_rate.forward(X).masks is None
    with pytest.raises(NetworkError, match="needs rng"):
        with_rate.forward(X, train=True)


def test_training_replays_its_masks_and_the_curves_are_of_the_net_as_it_predicts():
    data = make_dataset("spiral", samples=120, noise=0.1, train_fraction=0.7, seed=0)
    net = Network([2, 8, 8, 1], activation="relu", output_activation="sigmoid", loss="bce", dropout=0.3, seed=0)
    start = net.copy()
    history = train(net, data, make_optimizer("adam", lr=0.02), steps=30, batch_size=16,
                    rng=np.random.default_rng(7))
    X, T = np.asarray(data.X_train, float), np.asarray(data.T_train, float).reshape(-1, 1)
    objective = start.objective(X, T)
    for k in (0, 13, 29):
        masks = history.masks_at(start, k, len(X))
        batch = objective.with_masks(masks).subset(history.batches[k])
        assert np.array_equal(batch.gradient(history.params[k]), history.gradients[k])
    assert history.masks_at(start, 30, len(X)) is None
    assert history.train_loss[5] == pytest.approx(objective.value(history.params[5]), rel=1e-5)
    again = train(start.copy(), data, make_optimizer("adam", lr=0.02), steps=30, batch_size=16,
                  rng=np.random.default_rng(7))
    assert np.array_equal(again.params, history.params)  # seeded: the same run twice


@pytest.mark.parametrize("kind", ["newton", "newton_cg"])
def test_curvature_methods_refuse_dropout_with_a_reason(kind):
    data = make_dataset("xor", samples=40, noise=0.1, train_fraction=0.7, seed=0)
    net = Network([2, 3, 1], dropout=0.2)
    with pytest.raises(TrainingError, match="dropout draws a new network each step"):
        train(net, data, make_optimizer(kind), steps=3)


@pytest.mark.parametrize("rate", [-0.1, 0.95, True, "0.2"])
def test_a_rate_outside_its_range_is_refused(rate):
    with pytest.raises(NetworkError, match="dropout of hidden layer 1"):
        Network([2, 4, 1], dropout=rate)
    with pytest.raises(NetworkError, match="one rate per hidden layer"):
        Network([2, 4, 4, 1], dropout=[0.1])


@pytest.mark.parametrize("options", [{"dropout": 0.3}, {}], ids=["dropout", "jitter"])
def test_recording_sharpness_leaves_each_steps_random_loss_its_own(options):
    data = make_dataset("circles", samples=60, noise=0.1, train_fraction=0.7, seed=0)
    jitter = 0.0 if options else 0.2
    runs = []
    for every in (0, 1):
        net = Network([2, 5, 1], activation="tanh", seed=0, **options)
        runs.append(train(net, data, make_optimizer("sgd", lr=0.1), steps=6, sharpness_every=every, jitter=jitter,
                          rng=np.random.default_rng(3)))
    assert np.array_equal(runs[0].gradients, runs[1].gradients)
    assert len(runs[1].sharpness[0]) == 6
