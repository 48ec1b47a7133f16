"""Batch normalization: exact gradients through the batch statistics, running averages, γ and β trained."""
import numpy as np
import pytest

from valley.core.datasets import make_dataset
from valley.core.network import Network, NetworkError
from valley.core.optimizers import make_optimizer
from valley.core.training import TrainingError, train


def numeric_gradient(obj, theta, h=1e-6):
    return np.array([(obj.value(theta + h * e) - obj.value(theta - h * e)) / (2 * h) for e in np.eye(theta.size)])


def perturbed_net(activation="tanh", output="linear", loss="mse", sizes=(2, 4, 3, 1), **options):
    rng = np.random.default_rng(0)
    net = Network(list(sizes), activation=activation, output_activation=output, loss=loss, batch_norm=True,
                  init="gaussian", init_scale=0.8, seed=1, **options)
    theta = net.get_params() + 0.3 * rng.normal(size=net.n_params)  # γ ≠ 1, β ≠ 0
    net.set_params(theta)
    hidden = sizes[1:-1]
    net.running = ([rng.normal(size=n) for n in hidden], [rng.uniform(0.5, 2.0, n) for n in hidden])
    X = rng.normal(size=(7, sizes[0]))
    n_out = sizes[-1]
    T = np.eye(n_out)[rng.integers(0, n_out, 7)] if output == "softmax" else rng.normal(size=(7, n_out))
    if loss == "bce":
        T = (T > 0).astype(float)
    return net, X, T, theta


@pytest.mark.parametrize("mode", ["training", "predicting"])
@pytest.mark.parametrize("activation, output, loss, sizes", [
    ("tanh", "linear", "mse", (2, 4, 3, 1)), ("sigmoid", "sigmoid", "bce", (3, 5, 1)),
    ("relu", "softmax", "cross_entropy", (2, 4, 4, 3)), ("swish", "linear", "mae", (2, 3, 2))])
def test_the_gradient_equals_central_differences(mode, activation, output, loss, sizes):
    net, X, T, theta = perturbed_net(activation, output, loss, sizes, regularization="l2", reg_rate=0.01)
    obj = net.objective(X, T)
    if mode == "training":
        obj = obj.training()
    gradient = obj.gradient(theta)
    numeric = numeric_gradient(obj, theta)
    assert np.linalg.norm(gradient - numeric) < 1e-6 * max(1.0, np.linalg.norm(numeric))
    # γ and β have gradients, and the bias before a batch-normalized layer has none in training
    names = net.param_names()
    assert any(abs(gradient[i]) > 1e-6 for i, n in enumerate(names) if n.startswith(("γ", "β")))
    if mode == "training":
        first_biases = [i for i, n in enumerate(names) if n.startswith("b0[")]
        assert np.allclose(gradient[first_biases], 0, atol=1e-12)


def test_with_dropout_masks_too():
    net, X, T, theta = perturbed_net(dropout=0.3)
    obj = net.objective(X, T).training().with_masks(net.draw_masks(7, np.random.default_rng(2)))
    numeric = numeric_gradient(obj, theta)
    assert np.linalg.norm(obj.gradient(theta) - numeric) < 1e-6 * max(1.0, np.linalg.norm(numeric))


def test_training_mode_normalizes_each_neuron_over_the_batch():
    net, X, T, theta = perturbed_net()
    record = net.forward(X, train=True)
    for layer in (1, 2):
        u_hat = record.norm[layer].u_hat
        assert np.allclose(u_hat.mean(axis=0), 0, atol=1e-12)
        assert np.allclose(u_hat.var(axis=0), 1, atol=1e-3)  # ε = 1e-5 under the square root
    # predicting uses the running statistics instead: another output
    assert not np.allclose(net.forward(X).output, record.output)


def test_the_running_statistics_converge_to_the_datas():
    data = make_dataset("circles", samples=120, noise=0.1, train_fraction=0.5, seed=0)
    net = Network([2, 5, 1], activation="tanh", batch_norm=True, seed=0)
    X = np.asarray(data.X_train, float)
    u = X @ net.weights[0].T + net.biases[0]  # the net input of hidden layer 1 (lr 0: it never changes)
    history = train(net, data, make_optimizer("sgd", lr=1e-300), steps=300)
    means, variances = history.statistics[-1]
    assert means[0] == pytest.approx(u.mean(axis=0), abs=1e-10)
    assert variances[0] == pytest.approx(u.var(axis=0, ddof=1), rel=1e-10)
    assert history.statistics[0][0][0] == pytest.approx(np.zeros(5))  # the start: zeros and ones
    # the curves are of the net as it predicts at each step: with that step's statistics
    k = 7
    twin = history.network_at(net, k)
    assert history.train_loss[k] == pytest.approx(twin.loss(X, np.asarray(data.T_train, float).reshape(-1, 1)),
                                                  rel=1e-12)


def test_batch_norm_lets_a_deep_sigmoid_net_train():
    data = make_dataset("xor", samples=200, noise=0.1, train_fraction=0.7, seed=0)
    losses = {}
    for on in (False, True):
        net = Network([2, 8, 8, 8, 8, 8, 1], activation="sigmoid", loss="bce", batch_norm=on, seed=0)
        losses[on] = train(net, data, make_optimizer("sgd", lr=0.5), steps=400).train_loss[-1]
    assert losses[False] > 0.6 and losses[True] < 0.3


def test_curvature_is_refused_with_a_reason():
    net, X, T, theta = perturbed_net(sizes=(2, 3, 1))
    with pytest.raises(NetworkError, match="batch normalization"):
        net.objective(X, T).hessian(theta)
    data = make_dataset("xor", samples=40, noise=0.1, train_fraction=0.7, seed=0)
    with pytest.raises(TrainingError, match="batch norm"):
        train(Network([2, 3, 1], batch_norm=True), data, make_optimizer("newton"), steps=2)
    with pytest.raises(TrainingError, match="sharpness"):
        train(Network([2, 3, 1], batch_norm=True), data, make_optimizer("sgd"), steps=2, sharpness_every=1)


def test_parameters_round_trip_and_are_named():
    net = Network([2, 4, 3, 1], batch_norm=True, seed=3)
    assert net.n_params == (2 * 4 + 4) + (4 * 3 + 3) + (3 + 1) + 2 * (4 + 3)
    names = net.param_names()
    assert len(names) == net.n_params and names[-1] == "β2[2]" and "γ1[0]" in names
    theta = np.arange(net.n_params, dtype=float)
    net.set_params(theta)
    assert np.array_equal(net.get_params(), theta)
    assert not net.weight_mask()[-14:].any()  # γ and β are not weights: no L1/L2 on them


def test_with_early_stopping_and_jitter_the_statistics_follow_the_step():
    data = make_dataset("circles", samples=160, noise=0.2, train_fraction=0.7, seed=0)
    net = Network([2, 6, 6, 1], activation="tanh", loss="bce", batch_norm=True, seed=0)
    history = train(net, data, make_optimizer("adam", lr=0.05), steps=400, early_stopping=20, jitter=0.05,
                    rng=np.random.default_rng(0))
    best = history.best_step
    assert history.restored and best is not None
    means, variances = history.statistics[best]
    assert all(np.array_equal(a, b) for a, b in zip(net.running[0], means))
    # the validation curve is of the net as it predicts at each step: params and statistics of that step
    held_out = history.validation_indices
    X, T = np.asarray(data.X_train, float)[held_out], np.asarray(data.T_train, float).reshape(-1, 1)[held_out]
    assert history.validation_loss[best] == pytest.approx(history.network_at(net, best).loss(X, T), rel=1e-10)


def test_a_plane_of_a_batch_normalized_loss_equals_its_points():
    net, X, T, theta = perturbed_net(sizes=(2, 4, 3, 1))
    obj = net.objective(X, T)
    rng = np.random.default_rng(4)
    d1, d2 = rng.normal(size=(2, net.n_params))
    alpha, beta = np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-0.5, 0.5, 3))
    grid = obj.plane_values(theta, d1, d2, alpha, beta)
    pointwise = [[obj.value(theta + a * d1 + b * d2) for a, b in zip(ra, rb)] for ra, rb in zip(alpha, beta)]
    assert grid == pytest.approx(np.array(pointwise), rel=1e-12)
