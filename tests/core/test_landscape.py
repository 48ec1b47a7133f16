"""Slices of a network's loss: values, derivatives, directions, projection, PCA."""
import numpy as np
import pytest

from valley.core.landscape import (
    LandscapeError,
    Slice,
    filter_normalized_direction,
    fit_bounds,
    parameter_axes,
    pca_directions,
    project,
    start_to_end_directions,
)
from valley.core.network import Network
from valley.core.objective import Objective, Surface


@pytest.fixture
def setup():
    rng = np.random.default_rng(0)
    net = Network([2, 5, 3, 1], activation="tanh", output_activation="sigmoid", loss="bce", seed=2)
    X = rng.normal(size=(30, 2))
    T = (X[:, :1] * X[:, 1:] > 0).astype(float)
    obj = net.objective(X, T)
    d1 = filter_normalized_direction(net, rng)
    d2 = filter_normalized_direction(net, rng)
    return net, obj, Slice(obj, net.get_params(), d1, d2, bounds=((-2, 2), (-1, 3)))


def test_slice_is_a_surface_whose_values_are_the_objective(setup):
    net, obj, plane = setup
    assert isinstance(plane, Surface) and plane.name == "landscape"
    assert plane.bounds == ((-2, 2), (-1, 3)) and plane.minima == [] and plane.saddles == []
    A, B = np.meshgrid(np.linspace(-2, 2, 7), np.linspace(-1, 3, 5))
    expected = np.array([[obj.value(net.get_params() + a * plane.d1 + b * plane.d2)
                          for a, b in zip(ra, rb)] for ra, rb in zip(A, B)])
    assert np.allclose(plane.value(np.stack([A, B], -1)), expected, rtol=1e-13)
    assert np.allclose(plane.evaluate(A, B), expected, rtol=2e-5)  # float32 picture
    plane.grid_dtype = np.dtype(np.float64)
    assert np.allclose(plane.evaluate(A, B), expected, rtol=1e-13)
    assert plane.value([0.0, 0.0]) == pytest.approx(net.loss(obj.X, obj.T), rel=1e-14)
    assert Slice(obj, net.get_params(), plane.d1, plane.d2).bounds == ((-1, 1), (-1, 1))


def test_slice_gradient_and_hessian_match_central_differences(setup):
    _, _, plane = setup
    points = np.array([[0.3, -0.2], [-1.1, 0.7], [0.0, 2.0]])
    h = 1e-5
    ex, ey = np.array([h, 0]), np.array([0, h])
    g = plane.gradient(points)
    for p, gp in zip(points, g):
        numeric = [(plane.value(p + ex) - plane.value(p - ex)) / (2 * h),
                   (plane.value(p + ey) - plane.value(p - ey)) / (2 * h)]
        assert np.allclose(gp, numeric, rtol=1e-6, atol=1e-9)
    H = plane.hessian(points)
    assert H.shape == (3, 2, 2) and np.allclose(H, np.swapaxes(H, -1, -2))
    h = 1e-4
    for p, Hp in zip(points, H):
        numeric = np.column_stack([(plane.gradient(p + [h, 0]) - plane.gradient(p - [h, 0])) / (2 * h),
                                   (plane.gradient(p + [0, h]) - plane.gradient(p - [0, h])) / (2 * h)])
        assert np.allclose(Hp, numeric, rtol=1e-5, atol=1e-7)


class Quadratic(Objective):
    """½θᵀAθ: exact Hessian, no batched methods (the generic path)."""

    def __init__(self, A):
        self.A, self.dim = A, A.shape[0]

    def value(self, theta):
        return 0.5 * theta @ self.A @ theta

    def gradient(self, theta):
        return self.A @ theta

    def hessian(self, theta):
        return self.A


def test_slice_of_a_plain_objective_uses_the_exact_hessian():
    rng = np.random.default_rng(1)
    M = rng.normal(size=(4, 4))
    A = M @ M.T
    d1, d2 = rng.normal(size=4), rng.normal(size=4)
    theta0 = rng.normal(size=4)
    plane = Slice(Quadratic(A), theta0, d1, d2)
    H = plane.hessian([0.2, 0.1])
    assert np.allclose(H, [[d1 @ A @ d1, d1 @ A @ d2], [d1 @ A @ d2, d2 @ A @ d2]])
    assert plane.evaluate(0.5, -0.5) == pytest.approx(
        Quadratic(A).value(theta0 + 0.5 * d1 - 0.5 * d2))


def test_filter_normalization_matches_each_neurons_norm(setup):
    net = setup[0]
    d = filter_normalized_direction(net, np.random.default_rng(3))
    W, b = net.unflatten(d)
    for Wd, Wn, bd in zip(W, net.weights, b):
        assert np.allclose(np.linalg.norm(Wd, axis=1), np.linalg.norm(Wn, axis=1))
        assert np.all(bd == 0)
    kept = filter_normalized_direction(net, np.random.default_rng(3), keep_biases=True)
    _, b_kept = net.unflatten(kept)
    assert all(np.array_equal(bk, bn) for bk, bn in zip(b_kept, net.biases))
    assert not np.allclose(d, filter_normalized_direction(net, np.random.default_rng(4)))


def test_projection_recovers_coefficients_of_non_orthogonal_directions():
    rng = np.random.default_rng(5)
    theta0 = rng.normal(size=6)
    d1 = rng.normal(size=6)
    d2 = d1 + 0.3 * rng.normal(size=6)  # far from orthogonal
    coefficients = rng.normal(size=(10, 2))
    path = theta0 + coefficients[:, :1] * d1 + coefficients[:, 1:] * d2
    assert np.allclose(project(path, theta0, d1, d2), coefficients, atol=1e-10)
    # A naive dot-product projection would be wrong here.
    naive = (path - theta0) @ d1 / (d1 @ d1)
    assert not np.allclose(naive, coefficients[:, 0], atol=1e-3)


def test_pca_directions_and_explained_variance():
    rng = np.random.default_rng(6)
    Q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    u1, u2 = Q[:, 0], Q[:, 1]
    t = np.linspace(-1, 1, 41)
    s = np.cos(3 * np.pi * t)  # even, so uncorrelated with the odd t
    s -= s.mean()
    path = 3.0 * np.outer(t, u1) + 1.0 * np.outer(s, u2) + 2.0
    d1, d2, ratio = pca_directions(path)
    var1, var2 = np.var(3 * t), np.var(s)
    assert np.allclose(ratio, [var1 / (var1 + var2), var2 / (var1 + var2)], rtol=1e-10)
    assert abs(d1 @ u1) == pytest.approx(1.0) and abs(d2 @ u2) == pytest.approx(1.0)
    coords = project(path, path[-1], d1, d2)
    assert np.allclose(path[-1] + coords[:, :1] * d1 + coords[:, 1:] * d2, path)


def test_start_to_end_and_parameter_axes(setup):
    net = setup[0]
    rng = np.random.default_rng(7)
    start, end = rng.normal(size=5), rng.normal(size=5)
    d1, d2 = start_to_end_directions(start, end, rng)
    assert np.allclose(d1, end - start) and d1 @ d2 == pytest.approx(0, abs=1e-12)
    assert np.linalg.norm(d2) == pytest.approx(np.linalg.norm(d1))
    assert np.allclose(project(end, start, d1, d2), [[1.0, 0.0]])
    i, j = net.param_index(0, 1, 0), net.param_index(2, 0)
    a1, a2 = parameter_axes(net.n_params, i, j)
    theta = net.get_params()
    obj = setup[1]
    plane = Slice(obj, theta, a1, a2)
    moved = theta.copy()
    moved[i] += 0.5
    moved[j] -= 0.25
    assert plane.value([0.5, -0.25]) == pytest.approx(obj.value(moved), rel=1e-13)
    assert fit_bounds([[0, 0], [1, 2]], margin=0.5) == ((-0.5, 1.5), (-1.0, 3.0))


def test_bad_input(setup):
    net, obj, plane = setup
    with pytest.raises(LandscapeError, match="d1"):
        Slice(obj, net.get_params(), np.ones(3), plane.d2)
    with pytest.raises(LandscapeError, match="non-zero"):
        Slice(obj, net.get_params(), np.zeros(net.n_params), plane.d2)
    with pytest.raises(LandscapeError, match="bounds"):
        Slice(obj, net.get_params(), plane.d1, plane.d2, bounds=((1, -1), (0, 1)))
    with pytest.raises(LandscapeError, match="two different"):
        parameter_axes(5, 2, 2)
    with pytest.raises(LandscapeError, match="same point"):
        start_to_end_directions(np.ones(3), np.ones(3), np.random.default_rng(0))
    with pytest.raises(LandscapeError, match="two dimensions"):
        pca_directions(np.outer(np.arange(5.0), np.ones(3)))


def test_race_critical_points_and_basins_work_on_a_slice_unchanged():
    """Issue 3: a slice is a Surface, so run, critical_points and basin_map take it as is.

    A linear unit with MSE on t = 2x − 0.5 has the single minimum w = 2, b = −0.5 (loss 0).
    With θ₀ = (0.5, 0), d₁ = (1, 0), d₂ = (1, 1) (not orthogonal), w = 0.5 + α + β and b = β,
    so the slice's minimum is (α, β) = (2, −0.5), and its Hessian is Dᵀ·mean([x;1][x;1]ᵀ)·D.
    """
    from valley.core.basins import basin_map
    from valley.core.critical import critical_points
    from valley.core.optimizers import make_optimizer
    from valley.core.trajectory import run

    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    net = Network([1, 1], activation="linear", output_activation="linear", loss="mse",
                  init="constant", init_scale=0.0)
    obj = net.objective(X, 2 * X - 0.5)
    D = np.array([[1.0, 1.0], [0.0, 1.0]])  # columns d₁, d₂ in (w, b) order
    plane = Slice(obj, [0.5, 0.0], D[:, 0], D[:, 1], bounds=((-1.0, 4.0), (-3.0, 2.0)))
    Xa = np.hstack([X, np.ones((4, 1))])
    H = D.T @ (Xa.T @ Xa / 4) @ D

    (found,) = critical_points(plane, resolution=6)
    assert found.kind == "minimum" and found.value == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(found.point, [2.0, -0.5], atol=1e-8)
    np.testing.assert_allclose(found.eigenvalues, np.linalg.eigvalsh(H), rtol=1e-6)

    tr = run(plane, make_optimizer("newton"), (-0.5, 1.5), 10, tol=1e-7)
    assert tr.status == "converged" and tr.stopped_at <= 3
    np.testing.assert_allclose(tr.final_point, [2.0, -0.5], atol=1e-7)
    descent = run(plane, make_optimizer("sgd", lr=0.1), (-0.5, 1.5), 300)
    assert descent.losses[-1] < 1e-3 * descent.losses[0]

    bm = basin_map(plane, make_optimizer("newton"), resolution=5, steps=5)
    assert bm.counts() == {0: 25} and np.all(bm.steps <= 2)


def test_filter_normalization_follows_the_scale_of_each_neuron(setup):
    """Li et al.'s point: rescaling a neuron's weights (which ReLU/BN nets don't notice)
    rescales its part of the direction by the same factor, so plots stay comparable."""
    net = setup[0]
    scaled = net.copy()
    scaled.weights[0][1] *= 10.0      # one neuron of the first layer
    scaled.weights[1] *= 0.5           # a whole layer
    scaled.weights[2][:] = 0.0         # a dead layer: no direction there
    d = filter_normalized_direction(net, np.random.default_rng(11))
    ds = filter_normalized_direction(scaled, np.random.default_rng(11))
    W, _ = net.unflatten(d)
    Ws, _ = net.unflatten(ds)
    factor = np.ones(W[0].shape[0])
    factor[1] = 10.0
    np.testing.assert_allclose(Ws[0], W[0] * factor[:, None], rtol=1e-12)
    np.testing.assert_allclose(Ws[1], 0.5 * W[1], rtol=1e-12)
    assert np.all(Ws[2] == 0)
