"""The exact network Hessian assembled from the layers' structure, against H·I and differences."""
import numpy as np
import pytest
from test_curvature import finite_difference_hessian
from test_gradcheck import CURVED, LOSS_OUTPUTS, make_case, relative_error

import valley.core.hessian_vector as hessian_vector
from valley.core.curvature import spectrum


def products_hessian(obj, theta):
    """H·I: one exact R-operator product per unit vector, the reference the blocks must equal."""
    H = obj.curvature(theta).hvp(np.eye(theta.size))
    return 0.5 * (H + H.T)


@pytest.mark.parametrize("hidden", CURVED)
@pytest.mark.parametrize("loss,output", LOSS_OUTPUTS)
def test_hessian_equals_products_and_differences_for_every_activation_and_loss(hidden, loss, output):
    sizes = [2, 4, 3, 3, 3 if output == "softmax" else 2]  # three hidden layers: every kind of block
    for regularization in ("none", "l1", "l2"):
        net, X, T = make_case(sizes, hidden, loss, output, seed=5, regularization=regularization)
        obj = net.objective(X, T)
        theta = net.get_params()
        H = obj.hessian(theta)
        assert np.array_equal(H, H.T)
        assert relative_error(H, products_hessian(obj, theta)) < 1e-12, regularization
        assert relative_error(H, finite_difference_hessian(obj, theta)) < 1e-8, regularization


@pytest.mark.parametrize("sizes", [[3, 2], [3, 5, 2], [7, 1, 4], [2, 6, 1, 5, 3, 4]])
def test_hessian_for_any_depth_and_width(sizes):
    net, X, T = make_case(sizes, "softplus", "cross_entropy", "softmax", seed=2)
    obj = net.objective(X, T)
    theta = net.get_params()
    assert relative_error(obj.hessian(theta), products_hessian(obj, theta)) < 1e-12


def test_hessian_of_samples_taken_in_chunks_equals_all_at_once(monkeypatch):
    net, X, T = make_case([3, 4, 3, 2], "tanh", "bce", "sigmoid", seed=9, regularization="l2")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    T = rng.integers(0, 2, (40, 2)).astype(float)
    obj = net.objective(X, T)
    theta = net.get_params()
    whole = obj.hessian(theta)
    monkeypatch.setattr(hessian_vector, "_BLOCK_ELEMENTS", 1)  # one sample per chunk
    assert relative_error(obj.hessian(theta), whole) < 1e-13
    assert relative_error(whole, products_hessian(obj, theta)) < 1e-12


def test_hessian_in_the_flat_parameter_order():
    """The entry for two named parameters is their mixed second derivative, by differences."""
    net, X, T = make_case([2, 3, 2], "sigmoid", "mse", "linear", seed=4)
    obj = net.objective(X, T)
    theta = net.get_params()
    H = obj.hessian(theta)
    pairs = [(net.param_index(1, 1, 2), net.param_index(0, 2, 0)), (net.param_index(0, 1), net.param_index(1, 0)),
             (net.param_index(1, 0, 1), net.param_index(1, 1, 1))]
    h = 1e-4
    for p, q in pairs:
        def f(dp, dq):
            t = theta.copy()
            t[p] += dp
            t[q] += dq
            return obj.value(t)
        mixed = (f(h, h) - f(h, -h) - f(-h, h) + f(-h, -h)) / (4 * h * h)
        assert np.isclose(H[p, q], mixed, rtol=1e-6, atol=1e-6)  # differences of values: ε/h² noise


def test_a_diverged_theta_gives_what_the_products_give_not_an_error():
    net, X, T = make_case([2, 3, 1], "tanh", "mse", "linear", seed=1)
    obj = net.objective(X, T)
    theta = net.get_params()
    theta[0] = np.nan
    H = obj.hessian(theta)  # RuntimeWarnings are errors in the tests
    assert not np.isfinite(H).all()
    assert np.isnan(spectrum(obj, theta)).all()  # the spectrum says so rather than guessing
    with pytest.raises(ValueError, match=r"one theta of shape \(13,\)"):
        obj.hessian(np.stack([theta, theta]))
