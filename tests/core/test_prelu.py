"""PReLU: a leaky ReLU whose slope each hidden neuron learns, checked against central differences."""
import numpy as np
import pytest

from valley.core.datasets import make_dataset
from valley.core.network import Network, NetworkError
from valley.core.optimizers import make_optimizer
from valley.core.training import TrainingError, train


def _data(n=24, outputs=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    T = (rng.random((n, outputs)) > 0.5).astype(float)
    return X, T


def _central_gradient(objective, theta, h=1e-6):
    eye = np.eye(len(theta))
    return np.array([(objective.value(theta + h * e) - objective.value(theta - h * e)) / (2 * h) for e in eye])


@pytest.mark.parametrize("options", [{}, {"batch_norm": True}, {"regularization": "l2", "reg_rate": 0.01}])
def test_the_gradient_of_weights_and_slopes_equals_central_differences(options):
    net = Network([2, 4, 3, 1], activation="prelu", output_activation="sigmoid", loss="bce", seed=1, **options)
    X, T = _data()
    objective = net.objective(X, T)
    objective = objective.training() if options.get("batch_norm") else objective
    theta = net.get_params() + np.random.default_rng(2).normal(0, 0.4, net.n_params)
    gradient = objective.gradient(theta)
    np.testing.assert_allclose(gradient, _central_gradient(objective, theta), atol=1e-7)
    slopes = [k for k, name in enumerate(net.param_names()) if name.startswith("slope")]
    assert len(slopes) == 7 and np.abs(gradient[slopes]).max() > 1e-3  # the slopes do get a gradient


def test_with_dropout_the_slopes_gradient_follows_the_mask():
    net = Network([2, 5, 1], activation="prelu", output_activation="linear", loss="mse", dropout=0.4, seed=3)
    X, T = _data(outputs=1)
    masks = net.draw_masks(len(X), np.random.default_rng(4))
    objective = net.objective(X, T).with_masks(masks)
    theta = net.get_params() + np.random.default_rng(5).normal(0, 0.4, net.n_params)
    np.testing.assert_allclose(objective.gradient(theta), _central_gradient(objective, theta), atol=1e-7)


def test_it_starts_as_a_leaky_relu_of_slope_one_quarter_and_learns_its_slopes():
    X, T = _data()
    prelu = Network([2, 4, 1], activation="prelu", seed=0)
    leaky = Network([2, 4, 1], activation="leaky_relu", leaky_slope=0.25, seed=0)
    np.testing.assert_allclose(prelu.predict(X), leaky.predict(X))
    data = make_dataset("xor", samples=120, seed=0)
    history = train(prelu, data, make_optimizer("adam", lr=0.05), steps=60)
    learned = np.concatenate(prelu.slopes)
    assert not np.allclose(learned, 0.25)  # every optimizer trains them with the weights
    np.testing.assert_array_equal(prelu.get_params(), history.params[-1])


@pytest.mark.parametrize("shape", [{"activation": "prelu"}, {"activation": "maxout", "maxout_pieces": 3}], ids=str)
def test_batched_values_and_the_plane_agree_with_one_at_a_time(shape):
    """Both leave the plane's fast path (slopes and pieces are not affine in the plane's coordinates)."""
    net = Network([2, 4, 4, 1], output_activation="sigmoid", loss="bce", seed=0, **shape)
    X, T = _data()
    objective = net.objective(X, T)
    rng = np.random.default_rng(6)
    thetas = net.get_params() + rng.normal(0, 0.5, (5, net.n_params))
    np.testing.assert_allclose(objective.values(thetas), [objective.value(t) for t in thetas], rtol=1e-12)
    d1, d2 = rng.normal(size=(2, net.n_params))
    alpha, beta = np.meshgrid(np.linspace(-1, 1, 3), np.linspace(-1, 1, 3))
    plane = objective.plane_values(thetas[0], d1, d2, alpha, beta)
    expected = [objective.value(thetas[0] + a * d1 + b * d2) for a, b in zip(alpha.ravel(), beta.ravel())]
    np.testing.assert_allclose(plane.ravel(), expected, rtol=1e-12)


def test_curvature_is_refused_with_its_reason():
    net = Network([2, 3, 1], activation="prelu", seed=0)
    X, T = _data()
    with pytest.raises(NetworkError, match="PReLU's learnable slopes"):
        net.objective(X, T).hessian(net.get_params())
    with pytest.raises(TrainingError, match="PReLU's learnable slopes"):
        train(net, (X, T, None, None), make_optimizer("newton"), steps=3)
    with pytest.raises(TrainingError, match="sharpness"):
        train(net, (X, T, None, None), make_optimizer("sgd", lr=0.1), steps=3, sharpness_every=1)


def test_prelu_is_a_hidden_activation_only():
    with pytest.raises(NetworkError, match="prelu is a hidden activation"):
        Network([2, 3, 1], activation="tanh", output_activation="prelu")
