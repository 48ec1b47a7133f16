"""How a run stands at step t: nothing of later steps."""
import numpy as np

from valley.core.optimizers import make_optimizer
from valley.core.outcome import UNFINISHED, outcome_at, outcome_text
from valley.core.surfaces import get_surface
from valley.core.trajectory import run


def test_outcome_at_tells_nothing_before_the_stop():
    surface = get_surface("quadratic")
    traj = run(surface, make_optimizer("sgd", lr=0.1), np.array([1.0, 1.0]), 400)
    assert traj.status == "converged"
    stop = traj.stopped_at
    assert outcome_at(traj, surface, 0) == ("running", "running")
    assert outcome_at(traj, surface, stop - 1) == ("running", "running")
    assert outcome_at(traj, surface, stop) == ("minimum", outcome_text(traj, surface))
    assert outcome_at(traj, surface, stop + 50, "step ")[1] == f"converged at step {stop}"


def test_outcome_at_the_end_of_a_run_that_never_converged():
    surface = get_surface("rosenbrock")
    traj = run(surface, make_optimizer("sgd", lr=1e-4), np.array([-1.5, 2.0]), 25)
    assert traj.status == "running"
    assert outcome_at(traj, surface, 24)[0] == "running"
    assert outcome_at(traj, surface, 25) == (UNFINISHED, "not converged after 25 steps")
    assert outcome_at(None, surface, 3) == ("", "")


def test_outcome_at_a_divergence():
    surface = get_surface("quadratic")
    traj = run(surface, make_optimizer("sgd", lr=5.0), np.array([1.0, 1.0]), 100)
    assert traj.status == "diverged"
    assert outcome_at(traj, surface, traj.stopped_at - 1)[0] == "running"
    assert outcome_at(traj, surface, traj.stopped_at) == ("diverged", f"diverged at {traj.stopped_at}")


def test_the_short_phrase_drops_stopped():
    surface = get_surface("double_well")
    traj = run(surface, make_optimizer("newton", lr=1.0), np.array([-1.6, 0.0]), 50)
    assert traj.status == "converged"
    assert outcome_at(traj, surface, 50)[1] == f"stopped on a saddle at {traj.stopped_at}"
    assert outcome_at(traj, surface, 50, short=True) == ("saddle", f"on a saddle at {traj.stopped_at}")
