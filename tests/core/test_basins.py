"""Basin maps: vectorized across starts, and equal to a plain loop over starts."""
import numpy as np
import pytest
from reference_surfaces import Himmelblau

from valley.core.basins import DIVERGED, NOT_YET, basin_map
from valley.core.optimizers import make_optimizer

HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                     (3.584428, -1.848126)]


def per_start_reference(surface, optimizer_name, resolution, steps, tol, attractors, **hp):
    """One start at a time with the public step(): the slow, obvious version."""
    (x0, x1), (y0, y1) = surface.bounds
    diagonal = np.hypot(x1 - x0, y1 - y0)
    centres = np.array([a.point for a in attractors])
    labels = np.full((resolution, resolution), NOT_YET)
    for iy, y in enumerate(np.linspace(y0, y1, resolution)):
        for ix, x in enumerate(np.linspace(x0, x1, resolution)):
            opt, theta = make_optimizer(optimizer_name, **hp), np.array([x, y])
            for _ in range(steps):
                new = opt.step(theta, surface)
                step, theta = np.hypot(*(new - theta)), new
                if not (np.isfinite(step) and np.isfinite(surface.gradient(theta)).all()
                        and x0 - 10 * (x1 - x0) <= theta[0] <= x1 + 10 * (x1 - x0)
                        and y0 - 10 * (y1 - y0) <= theta[1] <= y1 + 10 * (y1 - y0)):
                    labels[iy, ix] = DIVERGED
                    break
                distance = np.hypot(*(centres - theta).T)
                if step < tol * diagonal and distance.min() < tol * diagonal:
                    labels[iy, ix] = int(np.argmin(distance))
                    break
    return labels


def test_newton_on_himmelblau_finds_all_four_minima_and_matches_a_loop():
    surface = Himmelblau()
    bm = basin_map(surface, make_optimizer("newton"), resolution=15, steps=60)
    kinds = [a.kind for a in bm.minima]
    assert sorted(kinds) == ["maximum"] + ["minimum"] * 4 + ["saddle"] * 4
    minima_labels = {i for i, k in enumerate(kinds) if k == "minimum"}
    assert minima_labels <= set(np.unique(bm.label))  # Newton reaches every minimum somewhere
    assert bm.label.shape == bm.steps.shape == (15, 15) and bm.final.shape == (15, 15, 2)
    assert bm.extent == (-5.0, 5.0, -5.0, 5.0)
    reference = per_start_reference(surface, "newton", 15, 60, 1e-3, bm.minima)
    np.testing.assert_array_equal(bm.label, reference)
    # settled starts really are at their attractor
    for iy, ix in zip(*np.nonzero(bm.label >= 0)):
        assert np.hypot(*(bm.final[iy, ix] - bm.minima[bm.label[iy, ix]].point)) < 1e-2
        assert bm.steps[iy, ix] >= 1


def test_adam_on_himmelblau_settles_only_on_minima_and_matches_a_loop():
    surface = Himmelblau()
    bm = basin_map(surface, make_optimizer("adam", lr=0.1), resolution=9, steps=150)
    reference = per_start_reference(surface, "adam", 9, 150, 1e-3, bm.minima, lr=0.1)
    np.testing.assert_array_equal(bm.label, reference)
    settled = bm.label[bm.label >= 0]
    assert settled.size > 40
    assert {bm.minima[i].kind for i in settled} == {"minimum"}
    # the start at (3, 2)'s grid neighbour (3.75, 2.5) rolls into (3, 2)
    found = bm.minima[bm.label[6, 7]].point
    assert np.hypot(*(found - HIMMELBLAU_MINIMA[0])) < 1e-4


def test_huge_lr_diverges_and_tiny_lr_is_not_yet():
    surface = Himmelblau()
    bm = basin_map(surface, make_optimizer("sgd", lr=10.0), resolution=8, steps=20)
    assert (bm.label == DIVERGED).mean() > 0.9
    bm = basin_map(surface, make_optimizer("sgd", lr=1e-9), resolution=8, steps=20)
    assert (bm.label == NOT_YET).mean() > 0.9 and (bm.steps[bm.label == NOT_YET] == -1).all()


def test_progress_and_cancel():
    calls = []
    basin_map(Himmelblau(), make_optimizer("adam", lr=0.1), resolution=8, steps=50,
              progress=calls.append)
    assert calls == sorted(calls) and calls[-1] == 1.0 and len(calls) >= 5
    polls = []

    def cancel():
        polls.append(1)
        return len(polls) >= 2

    bm = basin_map(Himmelblau(), make_optimizer("adam", lr=0.1), resolution=8, steps=200,
                   cancel=cancel)
    assert bm.cancelled and len(polls) == 2


def test_the_callers_optimizer_is_left_alone():
    opt = make_optimizer("momentum", lr=0.01)
    opt.step(np.array([1.0, 1.0]), Himmelblau())
    before = dict(opt.state)
    basin_map(Himmelblau(), opt, resolution=4, steps=5)
    assert opt.state["t"] == before["t"] and np.array_equal(opt.state["v"], before["v"])


def test_bad_arguments():
    with pytest.raises(ValueError, match="resolution"):
        basin_map(Himmelblau(), make_optimizer("sgd"), resolution=0)
    with pytest.raises(ValueError, match="steps"):
        basin_map(Himmelblau(), make_optimizer("sgd"), steps=-3)
