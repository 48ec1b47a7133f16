"""Backpropagation against central differences, for every activation × loss × depth."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from valley.core.activations import ACTIVATIONS
from valley.core.network import Network

HIDDEN = [a for a in ACTIVATIONS if a != "softmax"]
# The exact curvature is built for these (PReLU's slopes and maxout's pieces are refused:
# core.network.without_curvature).
CURVED = [a for a in HIDDEN if a not in ("prelu", "maxout")]
OUTPUTS = [a for a in CURVED if a != "step"]  # every activation an output layer may have
# Each loss with output activations it is meant for (BCE needs outputs in (0, 1)).
LOSS_OUTPUTS = [("mse", "linear"), ("mse", "sigmoid"), ("mae", "tanh"), ("bce", "sigmoid"),
                ("bce", "softmax"), ("cross_entropy", "softmax"), ("cross_entropy", "sigmoid")]


def numeric_gradient(obj, theta, h=1e-6):
    g = np.empty_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        g[i] = (obj.value(theta + e) - obj.value(theta - e)) / (2 * h)
    return g


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-12)


def away_from_kinks(net, X, T, margin=1e-3):
    """True when no pre-activation (and no MAE residual) lies within `margin` of a kink."""
    rec = net.forward(X)
    if any(np.min(np.abs(z)) < margin for z in rec.z[1:]):
        return False
    if net.pieces > 1:  # a maxout neuron's kink is where its two largest pieces tie
        for z in rec.z[1:-1]:
            top = np.sort(z.reshape(z.shape[0], -1, net.pieces), axis=-1)[..., -2:]
            if np.min(top[..., 1] - top[..., 0]) < margin:
                return False
    return net.loss_name != "mae" or np.min(np.abs(rec.output - T)) > margin


def make_case(sizes, hidden, loss, output, seed, regularization="none"):
    rng = np.random.default_rng(seed)
    # Maxout keeps each neuron's largest piece, so activations grow layer by layer: a smaller spread
    # keeps a saturating output off gradients of 1e-6, whose differences would lose their digits.
    scale = 0.4 if hidden == "maxout" else 0.8
    for attempt in range(50):
        net = Network(sizes, activation=hidden, output_activation=output, loss=loss,
                      init="gaussian", init_scale=scale, seed=seed + 1000 * attempt,
                      leaky_slope=0.1, elu_alpha=0.7, swish_beta=1.7, regularization=regularization, reg_rate=0.03)
        X = rng.normal(size=(5, sizes[0]))
        if loss in ("cross_entropy", "bce") and output == "softmax":
            T = np.eye(sizes[-1])[rng.integers(0, sizes[-1], 5)]
        elif loss in ("bce", "cross_entropy"):
            T = rng.integers(0, 2, (5, sizes[-1])).astype(float)
        else:
            T = rng.normal(size=(5, sizes[-1]))
        if away_from_kinks(net, X, T):
            return net, X, T
    raise AssertionError("could not find a point away from the kinks")


# Without hidden layers the hidden activation plays no part: depth 0 once per loss.
CASES = [(hidden, loss, output, depth) for hidden in HIDDEN for loss, output in LOSS_OUTPUTS
         for depth in range(4) if depth > 0 or hidden == "tanh"]


@pytest.mark.parametrize("hidden,loss,output,depth", CASES)
def test_backprop_matches_central_differences(hidden, loss, output, depth):
    n_out = 3 if output == "softmax" else 2
    sizes = [3] + [4] * depth + [n_out]
    net, X, T = make_case(sizes, hidden, loss, output, seed=depth)
    obj = net.objective(X, T)
    theta = net.get_params()
    grad = obj.gradient(theta)
    if hidden == "step" and depth > 0:
        # Only the last layer sees a gradient through a step; all earlier ones are exactly 0.
        assert np.all(grad[:net.param_index(depth, 0, 0)] == 0)
    assert relative_error(grad, numeric_gradient(obj, theta)) < 1e-6


@pytest.mark.parametrize("output", OUTPUTS)
def test_every_output_activation_with_mse(output):
    net, X, T = make_case([2, 3, 2], "tanh", "mse", output, seed=7)
    obj = net.objective(X, T)
    theta = net.get_params()
    assert relative_error(obj.gradient(theta), numeric_gradient(obj, theta)) < 1e-6


@pytest.mark.parametrize("regularization", ["l1", "l2"])
def test_regularization_gradient(regularization):
    net, X, T = make_case([2, 3, 3, 1], "sigmoid", "mse", "linear", seed=3,
                          regularization=regularization)
    obj = net.objective(X, T)
    theta = net.get_params()
    assert relative_error(obj.gradient(theta), numeric_gradient(obj, theta)) < 1e-6


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=5),
       hidden=st.sampled_from(["sigmoid", "tanh", "swish", "softplus", "elu"]),
       loss_output=st.sampled_from([("mse", "linear"), ("bce", "sigmoid"), ("mae", "linear")]),
       seed=st.integers(0, 10_000))
def test_random_shapes(sizes, hidden, loss_output, seed):
    loss, output = loss_output
    net, X, T = make_case(sizes, hidden, loss, output, seed)
    obj = net.objective(X, T)
    theta = net.get_params()
    assert relative_error(obj.gradient(theta), numeric_gradient(obj, theta)) < 1e-6
