"""Exact Hessian-vector products of networks (the R-operator), Lanczos, spectra and slices."""
import numpy as np
import pytest
from test_gradcheck import CURVED, LOSS_OUTPUTS, OUTPUTS, make_case, relative_error

from valley.core.curvature import CurvatureError, slice_hessian, spectrum, top_eigenvalues
from valley.core.landscape import Slice
from valley.core.network import Network


def gradient_differences(obj, theta, v, h=1e-5):
    """Central differences of the exact gradient along v: H·v to O(h²)."""
    return (obj.gradient(theta + h * v) - obj.gradient(theta - h * v)) / (2 * h)


def finite_difference_hessian(obj, theta, h=1e-5):
    H = np.array([gradient_differences(obj, theta, e, h) for e in np.eye(theta.size)])
    return 0.5 * (H + H.T)


@pytest.mark.parametrize("hidden", CURVED)
@pytest.mark.parametrize("loss,output", LOSS_OUTPUTS)
def test_hvp_matches_gradient_differences_for_every_activation_and_loss(hidden, loss, output):
    sizes = [3, 4, 4, 3 if output == "softmax" else 2]
    net, X, T = make_case(sizes, hidden, loss, output, seed=5)
    obj = net.objective(X, T)
    theta = net.get_params()
    v = np.random.default_rng(1).normal(size=theta.size)
    assert relative_error(obj.hvp(theta, v), gradient_differences(obj, theta, v)) < 1e-6


@pytest.mark.parametrize("output", OUTPUTS + ["softmax"])
def test_hvp_through_every_output_activation(output):
    net, X, T = make_case([2, 3, 2], "tanh", "mse", output, seed=7)
    obj = net.objective(X, T)
    theta = net.get_params()
    v = np.random.default_rng(2).normal(size=theta.size)
    assert relative_error(obj.hvp(theta, v), gradient_differences(obj, theta, v)) < 1e-6


@pytest.mark.parametrize("regularization", ["l1", "l2"])
def test_hvp_with_regularization(regularization):
    net, X, T = make_case([2, 3, 3, 1], "sigmoid", "mse", "linear", seed=3,
                          regularization=regularization)
    obj = net.objective(X, T)
    theta = net.get_params()
    v = np.random.default_rng(3).normal(size=theta.size)
    assert relative_error(obj.hvp(theta, v), gradient_differences(obj, theta, v)) < 1e-6
    if regularization == "l2":  # λ/2·Σw² adds λ on the weights' diagonal, nothing on the biases
        plain = Network(net.layer_sizes, activation="sigmoid", output_activation="linear", loss="mse")
        plain.set_params(theta)
        extra = obj.hvp(theta, v) - plain.objective(X, T).hvp(theta, v)
        assert np.allclose(extra, net.reg_rate * v * net.weight_mask(), atol=1e-12)


def test_exact_hessian_is_symmetric_and_equals_the_finite_difference_one():
    net, X, T = make_case([2, 4, 3, 2], "tanh", "bce", "sigmoid", seed=11, regularization="l2")
    obj = net.objective(X, T)
    theta = net.get_params()
    H = obj.hessian(theta)
    assert np.array_equal(H, H.T)
    assert relative_error(H, finite_difference_hessian(obj, theta)) < 1e-6
    # the Hessian and the products are one operator
    V = np.random.default_rng(4).normal(size=(3, theta.size))
    assert np.allclose(obj.hvp(theta, V), V @ H, atol=1e-12 * np.abs(H).max())


def test_batched_thetas_and_directions_broadcast():
    net, X, T = make_case([2, 3, 1], "softplus", "mse", "linear", seed=2)
    obj = net.objective(X, T)
    rng = np.random.default_rng(5)
    thetas = net.get_params() + 0.3 * rng.normal(size=(4, net.n_params))
    D = rng.normal(size=(2, net.n_params))
    both = obj.hvp(thetas[:, None, :], D)
    assert both.shape == (4, 2, net.n_params)
    for p in range(4):
        for i in range(2):
            assert np.allclose(both[p, i], obj.hvp(thetas[p], D[i]), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("k", [1, 3, 10])
def test_top_eigenvalues_equal_numpy_eigh_of_the_exact_hessian(k):
    net, X, T = make_case([2, 5, 4, 1], "tanh", "mse", "linear", seed=8)
    obj = net.objective(X, T)
    theta = net.get_params()
    expected = np.linalg.eigh(obj.hessian(theta))[0][::-1][:k]
    found = top_eigenvalues(obj, theta, k=k, rng=np.random.default_rng(0))
    assert np.all(np.diff(found) <= 0)  # descending
    assert np.allclose(found, expected, rtol=1e-8, atol=1e-10 * abs(expected[0]))
    again = top_eigenvalues(obj, theta, k=k, rng=np.random.default_rng(0))
    assert np.array_equal(found, again)  # seeded: the same start, the same answer


def test_top_eigenvectors_satisfy_the_eigen_equation():
    net, X, T = make_case([2, 4, 1], "sigmoid", "bce", "sigmoid", seed=9)
    obj = net.objective(X, T)
    theta = net.get_params()
    pairs = top_eigenvalues(obj, theta, k=2, rng=np.random.default_rng(1), return_vectors=True)
    for value, vector in zip(pairs.values, pairs.vectors):
        assert np.isclose(np.linalg.norm(vector), 1.0)
        assert np.linalg.norm(obj.hvp(theta, vector) - value * vector) < 1e-7 * abs(pairs.values[0])


def test_lanczos_survives_an_invariant_subspace():
    # A linear least-squares net: H = mean [x;1][x;1]ᵀ has rank 3 of 4 with these inputs.
    net = Network([3, 1], output_activation="linear", loss="mse", seed=0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 3))
    X[:, 2] = X[:, 0] + X[:, 1]
    obj = net.objective(X, rng.normal(size=(12, 1)))
    theta = net.get_params()
    expected = np.linalg.eigvalsh(obj.hessian(theta))[::-1]
    assert np.allclose(top_eigenvalues(obj, theta, k=4), expected, atol=1e-10)


def test_spectrum_and_bad_requests():
    net, X, T = make_case([2, 3, 1], "tanh", "mse", "linear", seed=1)
    obj = net.objective(X, T)
    theta = net.get_params()
    assert np.allclose(spectrum(obj, theta), np.linalg.eigvalsh(obj.hessian(theta)))
    with pytest.raises(CurvatureError, match="k must be between 1 and 10"):
        top_eigenvalues(obj, theta, k=11)
    with pytest.raises(CurvatureError, match="one θ"):
        top_eigenvalues(obj, np.stack([theta, theta]))


def test_slice_hessian_is_d_transpose_h_d_and_the_slice_uses_it():
    net, X, T = make_case([2, 4, 1], "tanh", "mse", "linear", seed=4)
    obj = net.objective(X, T)
    theta = net.get_params()
    rng = np.random.default_rng(6)
    d1, d2 = rng.normal(size=(2, theta.size))
    D = np.column_stack([d1, d2])
    H = obj.hessian(theta)
    assert np.allclose(slice_hessian(obj, theta, d1, d2), D.T @ H @ D, rtol=1e-12, atol=1e-12)
    plane = Slice(obj, theta, d1, d2)
    points = np.array([[0.0, 0.0], [0.3, -0.2], [-0.5, 0.4]])
    for (a, b), Hs in zip(points, plane.hessian(points)):
        at = theta + a * d1 + b * d2
        assert np.allclose(Hs, D.T @ obj.hessian(at) @ D, rtol=1e-10, atol=1e-12)


def test_generic_objectives_get_hvp_from_their_hessian():
    from reference_surfaces import Himmelblau

    f = Himmelblau()
    p = np.array([0.3, -1.2])
    v = np.array([0.7, 0.4])
    assert np.allclose(f.hvp(p, v), f.hessian(p) @ v)
    assert np.allclose(top_eigenvalues(f, p, k=2), np.linalg.eigvalsh(f.hessian(p))[::-1])
