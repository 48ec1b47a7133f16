"""Issue 7: every optimizer × every catalogue surface × lr in {1e-8, 1e3, 1e8} ends with a status."""
import warnings

import numpy as np
import pytest

from valley.core import surfaces
from valley.core.optimizers import OPTIMIZERS, make_optimizer
from valley.core.trajectory import run


@pytest.mark.parametrize("lr", [1e-8, 1e3, 1e8])
@pytest.mark.parametrize("surface_name", list(surfaces.SURFACES))
def test_every_optimizer_ends_with_a_status(surface_name, lr):
    surface = surfaces.get_surface(surface_name)
    (x0, x1), (y0, y1) = surface.bounds
    start = (x0 + 0.37 * (x1 - x0), y0 + 0.71 * (y1 - y0))
    for name in OPTIMIZERS:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tr = run(surface, make_optimizer(name, lr=lr), start, 50)
        assert tr.status in ("converged", "diverged", "running"), name
        assert len(tr.points) == len(tr.losses) == len(tr.gradients) == len(tr.states) + 1
        assert np.isfinite(tr.points[:-1]).all(), name
        if lr == 1e-8 and name not in ("adadelta",) and "newton" not in name:
            # a tiny lr barely moves a first-order method: nothing to diverge from
            assert tr.status != "diverged", name
            if name == "sgd":  # exact bound: 50 steps of lr·|g|
                bound = 50 * lr * np.abs(tr.gradients).max()
                assert np.abs(tr.points[-1] - start).max() <= bound, name
        if tr.status == "diverged":
            assert tr.reason and tr.stopped_at == len(tr.points) - 1


@pytest.mark.parametrize("name", ["newton", "damped_newton", "saddle_free_newton"])
@pytest.mark.parametrize("surface_name, point", [
    ("monkey_saddle", (0.0, 0.0)),     # H = 0: singular
    ("saddle", (0.3, 0.2)),            # indefinite
    ("plateau_cliff", (2.5, 1.5)),     # flat: near-singular
])
def test_second_order_methods_on_singular_and_indefinite_hessians(name, surface_name, point):
    surface = surfaces.get_surface(surface_name)
    opt = make_optimizer(name, damping=0.0) if name != "newton" else make_optimizer(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = run(surface, opt, point, 20)
        flags = {f for state in tr.states for f in state["flags"]}
    assert tr.status in ("converged", "diverged", "running")
    assert np.isfinite(tr.points[:-1]).all()
    w = np.linalg.eigvalsh(surface.hessian(np.asarray(point, float)))
    if np.abs(w).min() == 0 and tr.states:
        assert "singular" in flags
    if w.min() < 0 < w.max():
        assert "indefinite" in flags
