"""Trajectories: convergence and divergence are statuses, never exceptions or warnings."""
import warnings

import numpy as np
import pytest
from reference_surfaces import Bowl

from valley.core.objective import Objective
from valley.core.optimizers import OPTIMIZERS, make_optimizer
from valley.core.trajectory import Trajectory, run


class ArrayOnly(Bowl):
    """Formulas that need real arrays (item assignment): run must fall back, not fail."""

    def _f(self, x, y):
        out = np.asarray(x * x + 10 * y * y, dtype=float).copy()
        out[...] = x * x + 10 * y * y
        return out

    def _grad(self, x, y):
        gx = np.asarray(2 * x, dtype=float).copy()
        gx[...] = 2 * x
        return gx, 20 * y


class Exploding(Objective):
    """An n-D objective without bounds whose value overflows far from 0."""

    dim = 3

    def value(self, theta):
        return float(np.exp(np.sum(theta * theta)))

    def gradient(self, theta):
        return 2 * theta * np.exp(np.sum(theta * theta))

    def hessian(self, theta):
        e = np.exp(np.sum(theta * theta))
        return e * (2 * np.eye(3) + 4 * np.outer(theta, theta))


def test_newton_converges_and_stops_there():
    tr = run(Bowl(), make_optimizer("newton"), (1.0, 1.0), 50)
    assert isinstance(tr, Trajectory)
    # step 1 lands on the minimum (step length √2), step 2 is a zero step
    assert tr.status == "converged" and tr.stopped_at == 2
    assert tr.points.shape == (3, 2) and tr.losses.shape == (3,) and tr.gradients.shape == (3, 2)
    assert len(tr.states) == 2
    np.testing.assert_allclose(tr.points[-1], 0.0, atol=1e-15)
    assert tr.losses[0] == 11.0 and tr.losses[-1] < 1e-30
    np.testing.assert_allclose(tr.gradients[0], [2.0, 20.0])


def test_sgd_path_matches_the_closed_form_and_keeps_running():
    tr = run(Bowl(), make_optimizer("sgd", lr=0.01), (1.0, 1.0), 30)
    k = np.arange(31)
    np.testing.assert_allclose(tr.points, np.stack([0.98 ** k, 0.8 ** k], -1), rtol=1e-12)
    np.testing.assert_allclose(tr.losses, 0.98 ** (2 * k) + 10 * 0.8 ** (2 * k), rtol=1e-12)
    assert tr.status == "running" and tr.stopped_at is None and tr.steps == 30
    # states[k] is the step from points[k] to points[k+1]
    np.testing.assert_allclose(tr.states[4]["delta"], tr.points[5] - tr.points[4])
    assert tr.states[4]["t"] == 5


def test_too_large_lr_leaves_the_view_and_is_diverged():
    tr = run(Bowl(), make_optimizer("sgd", lr=1.5), (1.0, 1.0), 100)
    # y ← y − 1.5·20y = −29y: beyond 10 view-widths (|y| > 42) after 2 steps
    assert tr.status == "diverged" and tr.stopped_at == 2
    assert "view" in tr.reason
    assert tr.points[-1][1] == pytest.approx(29.0 ** 2)


def test_without_bounds_only_non_finite_numbers_diverge():
    tr = run(Exploding(), make_optimizer("sgd", lr=0.5), np.full(3, 0.5), 100)
    assert tr.status == "diverged" and "overflowed" in tr.reason
    assert np.isfinite(tr.points[:-1]).all()
    assert tr.points.shape[1] == 3


def test_a_non_finite_start_is_diverged_at_step_0():
    tr = run(Bowl(), make_optimizer("adam"), (np.inf, 0.0), 10)
    assert tr.status == "diverged" and tr.stopped_at == 0 and len(tr.points) == 1


def test_same_seed_same_result_and_noise_matters():
    def go(seed):
        return run(Bowl(), make_optimizer("adam", lr=0.05, noise=1.0), (1.0, 1.0), 100,
                   rng=np.random.default_rng(seed))

    np.testing.assert_array_equal(go(1).points, go(1).points)
    assert not np.array_equal(go(1).points, go(2).points)
    # without a generator the optimizer's own (seeded) one is used: still reproducible
    a = run(Bowl(), make_optimizer("sgd", lr=0.01, noise=1.0), (1.0, 1.0), 20)
    b = run(Bowl(), make_optimizer("sgd", lr=0.01, noise=1.0), (1.0, 1.0), 20)
    np.testing.assert_array_equal(a.points, b.points)


def test_fast_path_and_array_only_surfaces_agree():
    a = run(Bowl(), make_optimizer("adam", lr=0.05), (1.0, 1.0), 200)
    b = run(ArrayOnly(), make_optimizer("adam", lr=0.05), (1.0, 1.0), 200)
    np.testing.assert_allclose(a.points, b.points, rtol=1e-13, atol=1e-15)
    assert a.status == b.status


def test_bad_arguments_are_value_errors():
    with pytest.raises(ValueError, match="start"):
        run(Bowl(), make_optimizer("sgd"), [[0, 0]], 10)
    with pytest.raises(ValueError, match="steps"):
        run(Bowl(), make_optimizer("sgd"), (0, 0), -1)


def catalogue():
    from valley.core import surfaces

    return [surfaces.get_surface(name) for name in surfaces.SURFACES]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_huge_lr_on_every_surface_ends_with_a_status_and_no_warning(name):
    for surface in catalogue() + [Bowl()]:
        (x0, x1), (y0, y1) = surface.bounds
        start = (x0 + 0.3 * (x1 - x0), y0 + 0.6 * (y1 - y0))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tr = run(surface, make_optimizer(name, lr=1e6), start, 100)
        assert tr.status in ("converged", "diverged", "running")
        if tr.status != "running":
            assert tr.stopped_at == tr.steps and tr.reason
        assert np.isfinite(tr.points[:-1]).all()
