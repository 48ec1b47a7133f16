"""Extreme inputs to core's public functions: answers (inf/NaN where due) or our own
ValueErrors, and no warning of any class escaping (pytest only makes RuntimeWarning an error;
here every class is)."""
import warnings

import numpy as np
import pytest

from valley.core.datasets import FEATURES, apply_features
from valley.core.expression import parse_formula
from valley.core.landscape import (
    LandscapeError,
    Slice,
    filter_normalized_direction,
    fit_bounds,
    pca_directions,
    project,
    start_to_end_directions,
)
from valley.core.network import Network
from valley.core.surfaces import SURFACES, get_surface

EXTREME = np.array([[1e200, -1e200], [1e308, 1e308], [-1e-320, 5e-324], [np.nan, 0.0],
                    [np.inf, 1.0], [-np.inf, -np.inf], [710.0, -745.0]])


@pytest.fixture(autouse=True)
def every_warning_is_an_error():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_surfaces_at_extreme_points(name):
    s = get_surface(name)
    values, gradients, hessians = s.value(EXTREME), s.gradient(EXTREME), s.hessian(EXTREME)
    assert values.shape == (7,) and gradients.shape == (7, 2) and hessians.shape == (7, 2, 2)
    for point in EXTREME:  # the scalar path a trajectory takes
        s.value(point), s.gradient(point), s.hessian(point)
    s.evaluate(EXTREME[:, :1], EXTREME[:, 1:].T)


@pytest.mark.parametrize("text", ["x**y", "exp(exp(x)) - y", "2**x * 3**(-y)", "log(x) * sqrt(y)",
                                  "1/(x*y)", "x**100 + y**-3", "arcsin(x) + tan(y)",
                                  "sigmoid(x*1e5) + softplus(y)", "abs(x)**0.5 * cosh(y)"])
def test_formulas_at_extreme_points(text):
    s = parse_formula(text)
    s.value(EXTREME), s.gradient(EXTREME), s.hessian(EXTREME)
    for point in EXTREME:
        s.value(point), s.gradient(point), s.hessian(point)


def network_and_data():
    rng = np.random.default_rng(0)
    net = Network([2, 4, 3, 1], activation="relu", output_activation="sigmoid", loss="bce", seed=0)
    X = rng.normal(size=(8, 2)) * 1e3
    return net, X, rng.integers(0, 2, (8, 1)).astype(float)


def test_network_objective_on_huge_and_non_finite_parameters():
    net, X, T = network_and_data()
    obj = net.objective(X, T)
    theta = net.get_params()
    thetas = np.stack([theta, theta * 1e200, np.full_like(theta, 1e308), theta * np.nan,
                       np.where(np.arange(theta.size) == 0, np.inf, theta)])
    for dtype in (np.float64, np.float32):
        obj.values(thetas, dtype=dtype)
    obj.gradients(thetas)
    for t in thetas:
        obj.value(t), obj.gradient(t)
    obj.hessian(thetas[1])
    big = net.copy()
    big.set_params(thetas[1])
    big.loss(X, T), big.backward(big.forward(X), T), big.accuracy(X, T)


def test_landscape_directions_of_a_network_with_huge_weights_are_still_filter_normalized():
    net, X, T = network_and_data()
    big = net.copy()
    big.set_params(net.get_params() * 1e300)  # squares of these overflow float64
    d = filter_normalized_direction(big, np.random.default_rng(1))
    W, _ = big.unflatten(d)
    for Wd, Wn in zip(W, big.weights):
        np.testing.assert_allclose(np.linalg.norm(Wd / 1e300, axis=1),
                                   np.linalg.norm(Wn / 1e300, axis=1), rtol=1e-12)
    plane = Slice(net.objective(X, T), big.get_params(), d, d[::-1].copy())
    plane.evaluate(np.zeros((2, 2)), np.ones((2, 2)))
    plane.value([0.1, 0.2]), plane.gradient([0.1, 0.2]), plane.hessian([0.1, 0.2])


def test_paths_from_diverged_runs():
    rng = np.random.default_rng(2)
    u, v = np.linalg.qr(rng.normal(size=(6, 2)))[0].T
    t = np.linspace(-1, 1, 9)
    path = 1e300 * (np.outer(3 * t, u) + np.outer(np.cos(3 * t) - np.cos(3 * t).mean(), v))
    d1, d2, ratio = pca_directions(path)  # huge but finite: still the right plane
    assert abs(d1 @ u) == pytest.approx(1.0) and abs(d2 @ v) == pytest.approx(1.0)
    assert ratio.sum() == pytest.approx(1.0)
    diverged = path / 1e300
    diverged[-1] = np.nan
    with pytest.raises(LandscapeError, match="row 8"):
        pca_directions(diverged)
    coords = project(diverged, np.zeros(6), u, v)  # the NaN row spoils only itself
    assert np.isnan(coords[-1]).all()
    np.testing.assert_allclose(coords[:-1, 0], 3 * t[:-1], atol=1e-12)
    with pytest.raises(LandscapeError, match="finite"):
        start_to_end_directions(diverged[0], diverged[-1], rng)
    with pytest.raises(LandscapeError, match="finite"):
        project(diverged, np.zeros(6), u * np.inf, v)
    d1, d2 = start_to_end_directions(np.zeros(6), np.full(6, 1e300), rng)
    assert (d1 / 1e300) @ (d2 / 1e300) == pytest.approx(0.0, abs=1e-12)
    assert np.linalg.norm(d2 / 1e300) == pytest.approx(np.linalg.norm(d1 / 1e300))
    fit_bounds([[1e308, -1e308], [-1e308, 1e308]])


def test_feature_maps_of_extreme_points():
    F = apply_features(EXTREME[:, ::-1], list(FEATURES))
    assert F.shape == (7, len(FEATURES)) and F[0, 2] == np.inf  # (1e200)² overflows quietly
