"""Valley's optimizers against torch.optim (CPU, float64) on the same surfaces, starts and
hyperparameters: time for 1,000 steps, and the largest difference between the trajectories.

Each surface is written a second time in torch (autograd gives the gradient), the way a
lecturer would write it without Valley. Where the update rules agree the trajectories must
agree to rounding; where a convention differs (Nesterov's variable, RMSProp's eps) the row
says how, and for Nesterov the comparison maps one variable onto the other.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from bench.common import make_row, median_time
from valley.core.optimizers import make_optimizer
from valley.core.surfaces import get_surface
from valley.core.trajectory import run as run_trajectory

STEPS = 1000

# torch's thread pool only adds overhead to 2-element tensors: give it its best case.
torch.set_num_threads(1)


# -- the surfaces again, in torch ------------------------------------------------------

def torch_rosenbrock(p, a=1.0, b=100.0):
    x, y = p[0], p[1]
    return (a - x) ** 2 + b * (y - x * x) ** 2


def torch_beale(p):
    x, y = p[0], p[1]
    return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
            + (2.625 - x + x * y ** 3) ** 2)


def torch_quadratic(p, condition=10.0, angle=30.0):
    # ½(u² + κv²) with (u, v) = the axes rotated by `angle` degrees (as core.surfaces.Quadratic).
    phi = math.radians(angle)
    c, s = math.cos(phi), math.sin(phi)
    u = c * p[0] + s * p[1]
    v = -s * p[0] + c * p[1]
    return 0.5 * (u * u + condition * v * v)


def torch_himmelblau(p):
    x, y = p[0], p[1]
    return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2


# name, Valley parameters, torch function, start, per-optimizer hyperparameters
SURFACE_CASES = {
    "rosenbrock": ({}, torch_rosenbrock, (-1.5, 2.0), {
        "sgd": {"lr": 1e-3}, "momentum": {"lr": 1e-4, "momentum": 0.9},
        "nesterov": {"lr": 1e-4, "momentum": 0.9}, "adagrad": {"lr": 0.5},
        "rmsprop": {"lr": 1e-2}, "adadelta": {"lr": 1.0}, "adam": {"lr": 0.05},
        "amsgrad": {"lr": 0.05}}),
    "beale": ({}, torch_beale, (1.0, 1.5), {
        "sgd": {"lr": 1e-3}, "momentum": {"lr": 1e-3, "momentum": 0.9},
        "nesterov": {"lr": 1e-3, "momentum": 0.9}, "adagrad": {"lr": 0.1},
        "rmsprop": {"lr": 1e-2}, "adadelta": {"lr": 1.0}, "adam": {"lr": 0.01},
        "amsgrad": {"lr": 0.01}}),
    "quadratic": ({"condition": 10.0, "angle": 30.0}, torch_quadratic, (1.5, 1.5), {
        "sgd": {"lr": 0.05}, "momentum": {"lr": 0.02, "momentum": 0.9},
        "nesterov": {"lr": 0.02, "momentum": 0.9}, "adagrad": {"lr": 0.3},
        "rmsprop": {"lr": 1e-2}, "adadelta": {"lr": 1.0}, "adam": {"lr": 0.05},
        "amsgrad": {"lr": 0.05}}),
    "himmelblau": ({}, torch_himmelblau, (0.5, -0.5), {
        "sgd": {"lr": 5e-3}, "momentum": {"lr": 2e-3, "momentum": 0.9},
        "nesterov": {"lr": 2e-3, "momentum": 0.9}, "adagrad": {"lr": 0.5},
        "rmsprop": {"lr": 1e-2}, "adadelta": {"lr": 1.0}, "adam": {"lr": 0.05},
        "amsgrad": {"lr": 0.05}}),
}

# What to say about each optimizer's conventions next to its trajectory difference.
CONVENTIONS = {
    "sgd": "same rule",
    "momentum": ("torch keeps b = μb + g and steps θ -= lr·b; Valley v = μv - lr·g, θ += v: "
                 "v = -lr·b, identical while lr is constant"),
    "nesterov": ("torch (Sutskever/Bengio form) iterates the look-ahead point φ = θ + μv, not θ; "
                 "compared as torch φ_k against Valley θ_k + μ(θ_k - θ_(k-1)); "
                 "raw max |Δθ| (torch φ vs Valley θ) = {raw}"),
    "adagrad": "torch: eps outside the sqrt, accumulator starts at 0 (both as Valley); "
               "torch's default eps 1e-10 set to Valley's 1e-7",
    "rmsprop": ("eps differs: torch divides by sqrt(r) + eps, Valley by sqrt(r + eps) "
                "(eps = 1e-6 in both); the gap grows where r is small (near a minimum); "
                "with eps = 1e-16 in both max |Δθ| = {tiny}"),
    "adadelta": "same rule (Zeiler 2012; torch's defaults lr 1, ρ 0.9, eps 1e-6 = Valley's)",
    "adam": "same rule; torch folds the bias corrections into step size and denominator",
    "amsgrad": ("same rule: torch keeps the running max of the raw second moment r (not of r̂) "
                "and bias-corrects the max, as Valley"),
}

TORCH_OPTIMIZER = {
    "sgd": lambda p, h: torch.optim.SGD([p], lr=h["lr"], foreach=False),
    "momentum": lambda p, h: torch.optim.SGD([p], lr=h["lr"], momentum=h["momentum"],
                                             foreach=False),
    "nesterov": lambda p, h: torch.optim.SGD([p], lr=h["lr"], momentum=h["momentum"],
                                             nesterov=True, foreach=False),
    "adagrad": lambda p, h: torch.optim.Adagrad([p], lr=h["lr"], eps=h["eps"],
                                                initial_accumulator_value=0.0, foreach=False),
    "rmsprop": lambda p, h: torch.optim.RMSprop([p], lr=h["lr"], alpha=h["rho"], eps=h["eps"],
                                                foreach=False),
    "adadelta": lambda p, h: torch.optim.Adadelta([p], lr=h["lr"], rho=h["rho"], eps=h["eps"],
                                                  foreach=False),
    "adam": lambda p, h: torch.optim.Adam([p], lr=h["lr"], betas=(h["beta1"], h["beta2"]),
                                          eps=h["eps"], foreach=False),
    "amsgrad": lambda p, h: torch.optim.Adam([p], lr=h["lr"], betas=(h["beta1"], h["beta2"]),
                                             eps=h["eps"], amsgrad=True, foreach=False),
}


def valley_trajectory(surface, name, hyper, start, steps=STEPS) -> np.ndarray:
    # tol=0: run every step, as torch does, so the two are compared over the same length.
    optimizer = make_optimizer(name, **hyper)
    return run_trajectory(surface, optimizer, start, steps, tol=0.0).points


def torch_trajectory(function, name, hyper, start, steps=STEPS) -> np.ndarray:
    """The loop a torch user writes: zero_grad, loss, backward, step; every point kept."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = TORCH_OPTIMIZER[name](p, hyper)
    points = [p.detach().clone()]
    for _ in range(steps):
        optimizer.zero_grad()
        loss = function(p)
        loss.backward()
        optimizer.step()
        points.append(p.detach().clone())
        if not torch.isfinite(p).all():
            break
    return torch.stack(points).numpy()


def full_hyperparameters(name, hyper) -> dict:
    """Valley's defaults filled in, so torch gets exactly the numbers Valley uses."""
    values = make_optimizer(name, **hyper).hyperparameter_values()
    return {k: v for k, v in values.items() if k in ("lr", "momentum", "rho", "beta1", "beta2",
                                                     "eps")}


def max_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Largest |Δθ| over the steps both trajectories have (NaN where both diverged is skipped)."""
    n = min(len(a), len(b))
    with np.errstate(invalid="ignore"):
        d = np.abs(a[:n] - b[:n])
    d = d[np.isfinite(d)]
    return float(d.max()) if d.size else math.nan


def agreeing_steps(a: np.ndarray, b: np.ndarray, tolerance: float = 1e-9) -> int:
    """How many leading steps agree to `tolerance` (all of them: the common length - 1)."""
    n = min(len(a), len(b))
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(a[:n] - b[:n]).max(axis=1) <= tolerance)
    return int(np.argmax(bad)) - 1 if bad.any() else n - 1


def lookahead_points(points: np.ndarray, momentum: float) -> np.ndarray:
    """Valley's θ_k + μ v_k (v_k = θ_k - θ_(k-1)): the variable torch's Nesterov iterates."""
    v = np.zeros_like(points)
    v[1:] = points[1:] - points[:-1]
    return points + momentum * v


def compare(name: str, case: str, steps: int = STEPS) -> tuple[float, dict, str]:
    """Max |Δθ| between Valley and torch for one optimizer on one surface, the numbers the
    convention note quotes, and how many leading steps agree to 1e-9."""
    params, function, start, hypers = SURFACE_CASES[case]
    surface = get_surface(case, **params)
    hyper = full_hyperparameters(name, hypers[name])
    ours = valley_trajectory(surface, name, hypers[name], start, steps)
    theirs = torch_trajectory(lambda p: function(p, **params), name, hyper, start, steps)
    extra = {}
    if name == "nesterov":
        extra["raw"] = f"{max_difference(ours, theirs):.2g}"
        ours = lookahead_points(ours, hyper["momentum"])
    if name == "rmsprop":
        tiny = {**hypers[name], "eps": 1e-16}
        a = valley_trajectory(surface, name, tiny, start, steps)
        b = torch_trajectory(lambda p: function(p, **params), name,
                             full_hyperparameters(name, tiny), start, steps)
        extra["tiny"] = (f"{max_difference(a, b):.2g} (<= 1e-9 for the first "
                         f"{agreeing_steps(a, b)} steps)")
    agree = agreeing_steps(ours, theirs)
    common = min(len(ours), len(theirs)) - 1
    detail = (f"|Δθ| <= 1e-9 at all {common} steps" if agree == common else
              f"|Δθ| <= 1e-9 for the first {agree} of {common} steps")
    if len(ours) != len(theirs):
        detail += f" (points: Valley {len(ours)}, torch {len(theirs)})"
    return max_difference(ours, theirs), extra, detail


def run(quick: bool) -> list[dict]:
    cases = ["rosenbrock"] if quick else list(SURFACE_CASES)
    runs = 3 if quick else 7
    rows = []
    params, function, start, hypers = SURFACE_CASES["rosenbrock"]
    surface = get_surface("rosenbrock", **params)
    for name in (["sgd", "nesterov", "adam"] if quick else CONVENTIONS):
        hyper = full_hyperparameters(name, hypers[name])
        valley_ms = median_time(lambda: valley_trajectory(surface, name, hypers[name], start),
                                runs=runs)
        torch_ms = median_time(lambda: torch_trajectory(function, name, hyper, start), runs=runs)
        rows.append(make_row(f"{name}: 1,000 steps on Rosenbrock vs torch.optim", valley_ms,
                             torch_ms, "ms", runs=runs, target=20.0,
                             note="torch: autograd + optimizer.step() per step, float64"))
    for name, convention in CONVENTIONS.items():
        worst, worst_case, extras, detail = -1.0, "", {}, ""
        for case in cases:
            difference, extra, case_detail = compare(name, case)
            if not difference <= worst:  # NaN counts as worst
                worst, worst_case, extras, detail = difference, case, extra, case_detail
        note = f"worst on {worst_case}: {detail}; " if len(cases) > 1 else f"{detail}; "
        note += convention.format(**extras)
        rows.append(make_row(f"{name}: max |Δθ| Valley vs torch, {STEPS} steps, "
                             f"{len(cases)} surface(s)", worst, None, "|Δθ|", runs=1,
                             compare=False, note=note))
    return rows
