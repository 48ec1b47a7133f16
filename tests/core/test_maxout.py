"""Maxout: each hidden neuron the largest of k lines of its inputs, against central differences."""
import numpy as np
import pytest

from valley.core.activations import ActivationError, make_activation
from valley.core.datasets import make_dataset
from valley.core.network import Network, NetworkError
from valley.core.optimizers import make_optimizer
from valley.core.training import TrainingError, train


def _data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)), (rng.random((n, 1)) > 0.5).astype(float)


def _central_gradient(objective, theta, h=1e-6):
    eye = np.eye(len(theta))
    return np.array([(objective.value(theta + h * e) - objective.value(theta - h * e)) / (2 * h) for e in eye])


def test_by_hand_the_largest_piece_wins_and_takes_the_error():
    maxout = make_activation("maxout", pieces=3)
    z = np.array([[1.0, -2.0, 0.5, -1.0, -3.0, -0.5]])  # neuron 0: pieces 1, −2, .5; neuron 1: −1, −3, −.5
    np.testing.assert_array_equal(maxout.f(z), [[1.0, -0.5]])
    np.testing.assert_array_equal(maxout.backprop(z, maxout.f(z), np.array([[2.0, 5.0]])),
                                  [[2.0, 0, 0, 0, 0, 5.0]])


@pytest.mark.parametrize("pieces", [2, 3, 5])
@pytest.mark.parametrize("options", [{}, {"regularization": "l2", "reg_rate": 0.01}])
def test_the_gradient_of_every_piece_equals_central_differences(pieces, options):
    net = Network([2, 3, 4, 1], activation="maxout", maxout_pieces=pieces, output_activation="sigmoid",
                  loss="bce", seed=1, **options)
    assert net.shapes[:2] == [(3 * pieces, 2), (4 * pieces, 3)] and net.shapes[2] == (1, 4)
    X, T = _data()
    objective = net.objective(X, T)
    theta = net.get_params() + np.random.default_rng(2).normal(0, 0.3, net.n_params)
    np.testing.assert_allclose(objective.gradient(theta), _central_gradient(objective, theta), atol=1e-7)


def test_with_a_dropout_mask():
    net = Network([2, 5, 1], activation="maxout", output_activation="linear", loss="mse", dropout=0.4, seed=3)
    X, T = _data()
    objective = net.objective(X, T).with_masks(net.draw_masks(len(X), np.random.default_rng(4)))
    theta = net.get_params()
    np.testing.assert_allclose(objective.gradient(theta), _central_gradient(objective, theta), atol=1e-7)


def test_it_learns_xor_and_names_its_pieces():
    net = Network([2, 3, 1], activation="maxout", maxout_pieces=2, output_activation="sigmoid", loss="bce", seed=0)
    assert net.param_names()[:3] == ["w0[0:0,0]", "w0[0:0,1]", "w0[0:1,0]"]
    data = make_dataset("xor", samples=200, noise=0.0, seed=0)
    history = train(net, data, make_optimizer("adam", lr=0.05), steps=400)
    assert history.train_accuracy[-1] > 0.9  # a line cannot; two pieces per neuron bend it


def test_what_maxout_refuses_says_why():
    X, T = _data()
    net = Network([2, 3, 1], activation="maxout", seed=0)
    with pytest.raises(NetworkError, match="maxout's pieces"):
        net.objective(X, T).hvp(net.get_params(), np.ones(net.n_params))
    with pytest.raises(TrainingError, match="maxout's pieces"):
        train(net, (X, T, None, None), make_optimizer("newton"), steps=2)
    with pytest.raises(NetworkError, match="batch norm"):
        Network([2, 3, 1], activation="maxout", batch_norm=True)
    with pytest.raises(NetworkError, match="hidden activation"):
        Network([2, 3, 1], output_activation="maxout")
    with pytest.raises(ActivationError, match="pieces"):
        make_activation("maxout", pieces=7)
