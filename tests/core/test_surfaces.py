"""The catalogue: exact derivatives, published minima, batching and parameter validation."""
import math

import numpy as np
import pytest

from valley.core.objective import Surface
from valley.core.surfaces import SURFACES, get_surface

NAMES = sorted(SURFACES)


def random_points(surface, n, seed):
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = surface.bounds
    return np.stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)], -1)


def central_gradient(surface, p, h=1e-6):
    return np.array([(surface.value(p + h * e) - surface.value(p - h * e)) / (2 * h)
                     for e in np.eye(2)])


def central_hessian(surface, p, h=1e-6):
    return np.array([(surface.gradient(p + h * e) - surface.gradient(p - h * e)) / (2 * h)
                     for e in np.eye(2)])


def test_catalogue_has_exactly_the_promised_names():
    assert set(SURFACES) == {
        "quadratic", "rosenbrock", "beale", "himmelblau", "booth", "goldstein_price",
        "rastrigin", "ackley", "six_hump_camel", "saddle", "monkey_saddle", "double_well",
        "plateau_cliff"}
    for name in NAMES:
        s = get_surface(name)
        assert isinstance(s, Surface) and s.name == name and s.title and s.formula
        assert set(s.param_ranges) == set(s.params)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_and_hessian_match_central_differences(name):
    s = get_surface(name)
    for p in random_points(s, 40, seed=hash(name) % 1000):
        g, H = s.gradient(p), s.hessian(p)
        assert np.allclose(g, central_gradient(s, p), rtol=1e-6, atol=1e-6 * (1 + abs(g).max()))
        assert np.allclose(H, central_hessian(s, p), rtol=1e-6, atol=1e-6 * (1 + abs(H).max()))
        assert H[0, 1] == H[1, 0]


@pytest.mark.parametrize("name, params", [
    ("quadratic", {"condition": 50.0, "angle": 30.0}), ("rosenbrock", {"a": -0.5, "b": 5.0}),
    ("ackley", {"a": 5.0, "b": 1.0, "c": 3.0}), ("rastrigin", {"A": 2.5}),
    ("plateau_cliff", {"cliff": 20.0, "sharpness": 30.0}), ("saddle", {"a": 2.0, "b": 0.5}),
    ("double_well", {"a": 3.0})])
def test_derivatives_hold_for_other_parameters(name, params):
    s = get_surface(name, **params)
    for p in random_points(s, 20, seed=7):
        assert np.allclose(s.gradient(p), central_gradient(s, p), rtol=1e-6, atol=1e-6)
        assert np.allclose(s.hessian(p), central_hessian(s, p), rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("name, point, value", [
    ("rosenbrock", (1, 1), 0.0), ("beale", (3, 0.5), 0.0), ("booth", (1, 3), 0.0),
    ("goldstein_price", (0, -1), 3.0), ("goldstein_price", (-0.6, -0.4), 30.0),
    ("goldstein_price", (1.8, 0.2), 84.0), ("goldstein_price", (1.2, 0.8), 840.0),
    ("himmelblau", (3, 2), 0.0), ("rastrigin", (0, 0), 0.0), ("ackley", (0, 0), 0.0),
    ("quadratic", (0, 0), 0.0), ("double_well", (0, 1), 0.0), ("double_well", (0, 0), 1.0),
    ("saddle", (0, 0), 0.0), ("monkey_saddle", (0, 0), 0.0),
    # hand-computed points away from the minima
    ("beale", (1, 1), 1.5 ** 2 + 2.25 ** 2 + 2.625 ** 2), ("rosenbrock", (0, 1), 1 + 100),
    ("himmelblau", (0, 0), 121 + 49), ("goldstein_price", (0, 0), 600.0),
    ("six_hump_camel", (1, 1), 4 - 2.1 + 1 / 3 + 1 + 0), ("monkey_saddle", (1, 1), -2.0),
    ("ackley", (1, 0), -20 * math.exp(-0.2 * math.sqrt(0.5)) - math.e + 20 + math.e)])
def test_values_match_published_and_hand_computed(name, point, value):
    assert get_surface(name).value(np.array(point, float)) == pytest.approx(value, abs=1e-12)


def test_published_minima_are_listed():
    def has(points, q, tol):
        return any(math.dist(p, q) < tol for p in points)

    s = get_surface("himmelblau")
    for q in [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]:
        assert has(s.minima, q, 1e-5)
    assert len(s.minima) == 4 and len(s.saddles) == 4
    camel = get_surface("six_hump_camel")
    for q in [(0.0898, -0.7126), (-0.0898, 0.7126)]:
        assert has(camel.minima, q, 1e-4)
        assert camel.value(np.array(q)) == pytest.approx(-1.0316, abs=1e-4)
    assert min(camel.value(np.array(p)) for p in camel.minima) == pytest.approx(-1.031628, abs=1e-6)
    assert get_surface("rosenbrock", a=1.5).minima == [(1.5, 2.25)]
    assert has(get_surface("beale").minima, (3, 0.5), 1e-12)
    assert has(get_surface("goldstein_price").minima, (0, -1), 1e-12)
    assert get_surface("double_well").minima == [(0.0, -1.0), (0.0, 1.0)]
    assert get_surface("double_well").saddles == [(0.0, 0.0)]
    # Rastrigin's lattice: 11 × 11 minima in [−5.12, 5.12]², the global one at the origin.
    r = get_surface("rastrigin")
    assert len(r.minima) == 121 and has(r.minima, (0, 0), 1e-12)
    assert min(r.value(np.array(p)) for p in r.minima) == 0.0


@pytest.mark.parametrize("name", NAMES)
def test_listed_critical_points_are_critical_and_of_their_kind(name):
    s = get_surface(name)
    for kind, points in (("min", s.minima), ("saddle", s.saddles)):
        for p in points:
            p = np.array(p)
            assert s.contains(p)
            assert np.linalg.norm(s.gradient(p)) < 1e-7 * (1 + abs(s.hessian(p)).max())
            lo, hi = np.linalg.eigvalsh(s.hessian(p))
            if kind == "min":
                assert lo > 0 or name == "ackley" and not p.any()
            elif name != "monkey_saddle":
                assert lo < 0 < hi
    if s.minima:
        best = min(s.value(np.array(p)) for p in s.minima)
        grid = s.evaluate(*np.meshgrid(np.linspace(*s.bounds[0], 301), np.linspace(*s.bounds[1], 301)))
        assert best <= grid.min() + 1e-9


def test_ackley_tip_has_zero_gradient_and_finite_hessian():
    s = get_surface("ackley")
    assert np.array_equal(s.gradient(np.zeros(2)), np.zeros(2))
    assert np.all(np.isfinite(s.hessian(np.zeros(2))))
    g = s.gradient(np.array([1e-9, 0.0]))
    assert g[0] > 1.0  # the cone's slope a·b/√2 ≈ 2.83 right next to the tip


@pytest.mark.parametrize("name", NAMES)
def test_grid_equals_pointwise_and_batches_have_the_right_shapes(name):
    s = get_surface(name)
    X, Y = np.meshgrid(np.linspace(*s.bounds[0], 33), np.linspace(*s.bounds[1], 17))
    Z = s.evaluate(X, Y)
    assert Z.shape == (17, 33)
    pointwise = np.array([[s.value(np.array([x, y])) for x, y in zip(xr, yr)] for xr, yr in zip(X, Y)])
    assert np.allclose(Z, pointwise, rtol=1e-13, atol=1e-12)
    assert np.allclose(s.evaluate(X.T, Y.T), Z.T, rtol=1e-13, atol=1e-12)
    theta = np.stack([X, Y], -1)
    G, H = s.gradient(theta), s.hessian(theta)
    assert G.shape == (17, 33, 2) and H.shape == (17, 33, 2, 2)
    assert np.allclose(G[3, 5], s.gradient(theta[3, 5])) and np.allclose(H[3, 5], s.hessian(theta[3, 5]))
    assert np.array_equal(H[..., 0, 1], H[..., 1, 0])


@pytest.mark.parametrize("name", [n for n in NAMES if SURFACES[n].defaults])
def test_every_parameter_changes_the_function(name):
    base = get_surface(name)
    # plus points on the plateau-cliff corners, where only `sharpness` shows
    pts = np.concatenate([random_points(base, 50, seed=3), [[0.2, 0.0], [-0.8, 0.5]]])
    for key, (lo, hi) in base.param_ranges.items():
        other = get_surface(name, **{key: lo + 0.37 * (hi - lo)})
        assert other.params[key] != base.params[key]
        assert not np.allclose(other.value(pts), base.value(pts)), key


def test_quadratic_condition_is_the_hessian_eigenvalue_ratio():
    for angle in (0.0, 30.0, -75.0):
        H = get_surface("quadratic", condition=25.0, angle=angle).hessian(np.array([0.3, -0.2]))
        lo, hi = np.linalg.eigvalsh(H)
        assert hi / lo == pytest.approx(25.0)


def test_bad_names_and_parameters_raise_helpful_errors():
    with pytest.raises(ValueError, match="unknown surface 'banana'.*rosenbrock"):
        get_surface("banana")
    with pytest.raises(ValueError, match="no parameter 'c'.*valid parameters: a, b"):
        get_surface("rosenbrock", c=1)
    with pytest.raises(ValueError, match="no parameter 'a'.*none"):
        get_surface("beale", a=1)
    for bad in (float("nan"), float("inf"), "3", True, -1.0, 1e9):
        with pytest.raises(ValueError, match="'condition' of surface 'quadratic'"):
            get_surface("quadratic", condition=bad)


def gradient_descent(surface, start, lr, steps, clip_norm=None):
    theta, leftmost = np.array(start, float), start[0]
    for _ in range(steps):
        g = surface.gradient(theta)
        if clip_norm is not None and np.linalg.norm(g) > clip_norm:
            g = g * clip_norm / np.linalg.norm(g)
        theta = theta - lr * g
        leftmost = min(leftmost, theta[0])
    return theta, leftmost


def test_plateau_cliff_throws_plain_descent_but_not_clipped_descent():
    s = get_surface("plateau_cliff")
    minimum = np.array(s.minima[0])
    assert np.allclose(minimum, (-1.5, 0.0)) and s.value(minimum) == pytest.approx(0.0, abs=1e-12)
    starts = [(x, y) for x in np.linspace(0.8, 2.9, 12) for y in (-1.2, 0.0, 1.2)]
    thrown = 0
    for start in starts:
        _, leftmost = gradient_descent(s, start, lr=0.1, steps=250)
        thrown += leftmost < s.bounds[0][0] - 3.0
        end, leftmost = gradient_descent(s, start, lr=0.1, steps=250, clip_norm=1.0)
        assert leftmost > s.bounds[0][0] and np.linalg.norm(end - minimum) < 1e-4
    assert thrown >= 0.6 * len(starts)
    # the cliff's gradient dwarfs the plateau's
    assert s.gradient(np.array([0.0, 0.0]))[0] > 50 * s.gradient(np.array([1.5, 0.0]))[0]


def test_no_warnings_on_extreme_inputs():
    big = np.array([[1e200, -1e200], [np.nan, 0.0], [np.inf, 1.0]])
    for name in NAMES:
        s = get_surface(name)
        s.value(big), s.gradient(big), s.hessian(big)  # RuntimeWarnings are errors in pytest


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_the_scalar_point_path_agrees_with_the_broadcast_one(name):
    surface = get_surface(name)
    (x0, x1), (y0, y1) = surface.bounds
    rng = np.random.default_rng(11)
    for theta in np.column_stack([rng.uniform(x0, x1, 5), rng.uniform(y0, y1, 5)]):
        assert surface.point_value(theta) == pytest.approx(surface.value(theta), rel=1e-12, abs=1e-12)
        assert np.allclose(surface.point_gradient(theta), surface.gradient(theta), rtol=1e-12, atol=1e-12)
        assert np.allclose(surface.point_hessian(theta), surface.hessian(theta), rtol=1e-12, atol=1e-12)
