"""Critical points: found by Newton on ∇f = 0, classified by the Hessian."""
import numpy as np
import pytest
from reference_surfaces import Himmelblau, Monkey, SaddleXY

from valley.core.critical import _newton_on_gradient, critical_points
from valley.core.objective import Surface

# Published: four minima with value 0 and the local maximum at (−0.270845, −0.923039).
HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                     (3.584428, -1.848126)]


def kinds(points):
    return sorted(c.kind for c in points)


def test_himmelblau_has_four_minima_one_maximum_four_saddles():
    found = critical_points(Himmelblau())
    assert kinds(found) == ["maximum"] + ["minimum"] * 4 + ["saddle"] * 4
    minima = np.array([c.point for c in found if c.kind == "minimum"])
    for m in HIMMELBLAU_MINIMA:
        assert np.min(np.hypot(*(minima - m).T)) < 1e-5
    for c in found:
        np.testing.assert_allclose(Himmelblau().gradient(c.point), 0.0, atol=1e-8)
        np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(Himmelblau().hessian(c.point))),
                                   c.eigenvalues, rtol=1e-9, atol=1e-9)
        if c.kind == "minimum":
            assert c.value == pytest.approx(0.0, abs=1e-12)
    (maximum,) = [c for c in found if c.kind == "maximum"]
    np.testing.assert_allclose(maximum.point, (-0.270845, -0.923039), atol=1e-5)
    assert maximum.value == pytest.approx(181.617, abs=1e-3)
    saddles = [c for c in found if c.kind == "saddle"]
    assert all(c.eigenvalues[0] < 0 < c.eigenvalues[1] for c in saddles)


def test_saddle_and_monkey_saddle():
    (saddle,) = critical_points(SaddleXY())
    assert saddle.kind == "saddle"
    np.testing.assert_allclose(saddle.point, 0.0, atol=1e-12)
    np.testing.assert_allclose(saddle.eigenvalues, [-2.0, 2.0])
    (monkey,) = critical_points(Monkey())
    assert monkey.kind == "degenerate"
    np.testing.assert_allclose(monkey.point, 0.0, atol=1e-6)


def test_bounds_restrict_the_search():
    found = critical_points(Himmelblau(), bounds=((0.0, 5.0), (0.0, 5.0)))
    assert kinds(found) == ["minimum", "saddle", "saddle"]  # (3, 2) and two saddles near the axes


def test_bad_resolution_is_a_value_error():
    with pytest.raises(ValueError, match="resolution"):
        critical_points(SaddleXY(), resolution=1)


def test_catalogue_himmelblau_monkey_and_camel():
    from valley.core import surfaces

    assert kinds(critical_points(surfaces.get_surface("himmelblau"))) == \
        ["maximum"] + ["minimum"] * 4 + ["saddle"] * 4
    assert kinds(critical_points(surfaces.get_surface("monkey_saddle"))) == ["degenerate"]
    # six-hump camel: 2 global + 4 local minima, 2 maxima, 7 saddles (15 in all)
    assert kinds(critical_points(surfaces.get_surface("six_hump_camel"))) == \
        ["maximum"] * 2 + ["minimum"] * 6 + ["saddle"] * 7


def test_a_surface_flat_over_a_region_keeps_one_degenerate_point_per_patch():
    """x⁴⁰y⁴⁰ is flat to rounding over most of the view: seeds stop all over it, and the finder
    keeps one point per patch of 1.5 grid spacings (merged in arrays, not point by point)."""
    from valley.core.expression import parse_formula

    surface = parse_formula("x**40*y**40")
    resolution = 32
    found = critical_points(surface, resolution=resolution)
    (x0, x1), (y0, y1) = surface.bounds
    spacing = max(x1 - x0, y1 - y0) / (resolution - 1)
    points = np.array([c.point for c in found])
    assert {c.kind for c in found} == {"degenerate"} and len(found) > 10
    gaps = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    assert np.all(gaps[~np.eye(len(points), dtype=bool)] > 1.5 * spacing)


class NewtonTwoCycle(Surface):
    """f = x⁴/4 − x² + 2x + y²: Newton on f′ = x³ − 2x + 2 bounces 0 → 1 → 0 … forever.

    The only critical point is the minimum where x³ − 2x + 2 = 0, x ≈ −1.7693.
    """

    bounds = ((-3.0, 3.0), (-3.0, 3.0))

    def _f(self, x, y):
        return x ** 4 / 4 - x * x + 2 * x + y * y

    def _grad(self, x, y):
        return x ** 3 - 2 * x + 2, 2 * y

    def _hess(self, x, y):
        return 3 * x * x - 2, 0 * x, 2 + 0 * x


def test_a_row_that_newton_bounces_between_two_points_stops_and_the_rest_still_converge():
    surface = NewtonTwoCycle()
    calls = []

    def counted(theta, real=surface.gradient_and_hessian):
        calls.append(len(theta))
        return real(theta)
    surface.gradient_and_hessian = counted
    seeds = np.array([[0.0, 0.0], [-2.0, 0.5]])
    end = _newton_on_gradient(surface, seeds.copy(), max_step=2.0, iterations=100, bounds=surface.bounds)
    np.testing.assert_allclose(end[0], [0.0, 0.0], atol=1e-12)  # 0 → 1 → back to 0: seen there, stopped
    assert calls[:2] == [2, 2] and calls[2:] and all(n == 1 for n in calls[2:]) and len(calls) < 12
    assert abs(end[1, 0] ** 3 - 2 * end[1, 0] + 2) < 1e-12 and end[1, 1] == 0.0
    (minimum,) = critical_points(NewtonTwoCycle(), resolution=7)  # the seed at x = 0 bounces too
    assert minimum.kind == "minimum"
    np.testing.assert_allclose(minimum.point, [-1.76929235, 0.0], atol=1e-8)
