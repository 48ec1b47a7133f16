"""The core engine's speed targets, numpy only, no peer:

- a 1024×1024 grid evaluation of every catalogue surface: under 50 ms;
- re-running one optimizer for 1,000 steps on Rosenbrock: under 20 ms;
- 1,000 full-batch Adam steps of a 2-16-16-1 tanh network on 500 samples, history kept: under 0.5 s.
"""
from __future__ import annotations

import numpy as np

from bench.common import make_row, median_time
from valley.core.network import Network
from valley.core.optimizers import OPTIMIZERS, make_optimizer
from valley.core.surfaces import SURFACES, get_surface
from valley.core.training import train
from valley.core.trajectory import run as run_trajectory

GRID = 1024
# Hyperparameters that keep each optimizer on Rosenbrock for the whole 1,000 steps (tol=0).
ROSENBROCK_HYPERPARAMETERS = {
    "sgd": {"lr": 1e-3}, "momentum": {"lr": 1e-4}, "nesterov": {"lr": 1e-4},
    "adagrad": {"lr": 0.5}, "rmsprop": {"lr": 1e-2}, "adadelta": {"lr": 1.0},
    "adam": {"lr": 0.05}, "amsgrad": {"lr": 0.05}, "newton": {"lr": 0.5},
    "damped_newton": {"lr": 1.0, "damping": 1.0}, "saddle_free_newton": {"lr": 0.5},
}


def network_case(samples: int = 500, seed: int = 0):
    """The issue's network (2-16-16-1 tanh, sigmoid output, MSE) and 500 seeded samples."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (samples, 2))
    T = (X[:, :1] * X[:, 1:] > 0).astype(float)  # XOR of the signs
    net = Network([2, 16, 16, 1], activation="tanh", output_activation="sigmoid", loss="mse",
                  init="xavier", seed=seed)
    return net, X, T


def grid_rows(quick: bool) -> list[dict]:
    runs = 3 if quick else 7
    names = ["rosenbrock", "goldstein_price", "ackley"] if quick else list(SURFACES)
    rows = []
    for name in names:
        if name not in SURFACES:
            continue
        surface = get_surface(name)
        (x0, x1), (y0, y1) = surface.bounds
        X, Y = np.meshgrid(np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID))
        ms = median_time(lambda: surface.evaluate(X, Y), runs=runs)
        rows.append(make_row(f"grid {GRID}x{GRID}: {name}", ms, None, "ms", runs=runs,
                             target=50.0))
    return rows


def rerun_rows(quick: bool) -> list[dict]:
    runs = 5 if quick else 9
    names = ["sgd", "adam", "newton"] if quick else list(OPTIMIZERS)
    surface = get_surface("rosenbrock")
    rows = []
    for name in names:
        optimizer = make_optimizer(name, **ROSENBROCK_HYPERPARAMETERS.get(name, {}))
        trajectory = run_trajectory(surface, optimizer, (-1.5, 2.0), 1000, tol=0.0)
        ms = median_time(lambda: run_trajectory(surface, optimizer, (-1.5, 2.0), 1000, tol=0.0),
                         runs=runs)
        note = "" if trajectory.steps == 1000 else (f"stopped at step {trajectory.steps}: "
                                                    f"{trajectory.status}; ")
        default = run_trajectory(surface, optimizer, (-1.5, 2.0), 1000)
        if default.status == "converged":
            default_ms = median_time(lambda: run_trajectory(surface, optimizer, (-1.5, 2.0), 1000),
                                     runs=runs)
            note += (f"with run()'s default tol it converges at step {default.steps} in "
                     f"{default_ms:.3g} ms")
        rows.append(make_row(f"re-run {name}, 1,000 steps on Rosenbrock", ms, None, "ms",
                             runs=runs, target=20.0, note=note))
    return rows


def training_rows(quick: bool) -> list[dict]:
    runs = 3 if quick else 5
    net, X, T = network_case()
    theta0 = net.get_params()

    def train_once():
        net.set_params(theta0)
        return train(net, (X, T), make_optimizer("adam", lr=0.01), 1000)

    history = train_once()
    s = median_time(train_once, runs=runs, unit="s")
    return [make_row("train 2-16-16-1 tanh, 500 samples: 1,000 full-batch Adam steps", s, None,
                     "s", runs=runs, target=0.5,
                     note=f"history kept ({len(history.params)} parameter vectors); "
                          f"loss {history.train_loss[0]:.4f} -> {history.train_loss[-1]:.4f}")]


def critical_rows(quick: bool) -> list[dict]:
    """A formula as long as the parser takes, flat along both axes: Newton's seeds end on
    hundreds of distinct degenerate points, which the finder and the map then merge."""
    from valley.core.critical import critical_points
    from valley.core.expression import parse_formula

    surface = parse_formula("*".join("xy"[k % 2] for k in range(150)))
    found: list = []
    s = median_time(lambda: found.append(len(critical_points(surface))), runs=1, warmup=0, unit="s")
    return [make_row("critical points of x·y·x·y… (150 factors, flat along both axes)", s, None, "s",
                     note=f"{found[-1]} points; the merges took 9 s of 15 before they were vectorized")]


def run(quick: bool) -> list[dict]:
    rows = grid_rows(quick) + rerun_rows(quick) + training_rows(quick)
    return rows if quick else rows + critical_rows(quick)
