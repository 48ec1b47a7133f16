"""Basin map on Himmelblau, vectorized across starts (core.basins.basin_map) against a plain
Python loop over the starts running the same steps and the same settle test.

The loop is timed on a seeded sample of the grid's starts and extrapolated to the whole
grid (its time per start times the number of starts). The sampled starts' labels from the
loop are compared with the vectorized map's, so the speed-up is for the same answer.
"""
from __future__ import annotations

import copy
import statistics
import time

import numpy as np

from bench.common import make_row, median_time
from valley.core.basins import DIVERGED, NOT_YET, basin_map
from valley.core.optimizers import make_optimizer
from valley.core.surfaces import get_surface
from valley.core.trajectory import FAR_AWAY

RESOLUTION = 256
STEPS = 200
TOL = 1e-3  # basin_map's default: settled when the step is shorter than tol × the diagonal
CASES = {"adam": {"lr": 0.1}, "newton": {"lr": 1.0}}


def loop_labels(surface, optimizer, starts, centres, bounds, steps=STEPS, tol=TOL):
    """Label each start by stepping it alone: what one writes without vectorizing."""
    (x0, x1), (y0, y1) = bounds
    diagonal = float(np.hypot(x1 - x0, y1 - y0))
    radius2 = (tol * diagonal) ** 2
    wx, wy = FAR_AWAY * (x1 - x0), FAR_AWAY * (y1 - y0)
    labels = []
    for start in starts:
        opt = copy.deepcopy(optimizer)
        opt.reset()
        theta, label = np.array(start, dtype=float), NOT_YET
        for _ in range(steps):
            theta = opt.step(theta, surface)
            delta = opt.last_record()["delta"]
            g = surface.gradient(theta)
            d2 = float(delta @ delta)
            x, y = theta
            if not (np.isfinite(d2 + g[0] + g[1]) and x0 - wx <= x <= x1 + wx
                    and y0 - wy <= y <= y1 + wy):
                label = DIVERGED
                break
            if d2 < radius2 and len(centres):
                distance2 = np.sum((centres - theta) ** 2, axis=1)
                nearest = int(np.argmin(distance2))
                if distance2[nearest] < radius2:
                    label = nearest
                    break
        labels.append(label)
    return np.array(labels)


def grid_starts(bounds, resolution):
    (x0, x1), (y0, y1) = bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    return np.stack([X.ravel(), Y.ravel()], axis=-1)


def run(quick: bool) -> list[dict]:
    surface = get_surface("himmelblau")
    bounds = surface.bounds
    runs = 3 if quick else 5
    sample_size = 100 if quick else 400
    starts = grid_starts(bounds, RESOLUTION)
    rng = np.random.default_rng(0)
    sample = rng.choice(len(starts), size=sample_size, replace=False)
    rows = []
    for name, hyper in CASES.items():
        optimizer = make_optimizer(name, **hyper)
        result = basin_map(surface, optimizer, resolution=RESOLUTION, steps=STEPS)
        vector_s = median_time(
            lambda: basin_map(surface, optimizer, resolution=RESOLUTION, steps=STEPS,
                              attractors=result.minima), runs=runs, warmup=0, unit="s")
        centres = np.array([a.point for a in result.minima], dtype=float).reshape(-1, 2)
        loop_times = []
        for _ in range(max(1, runs // 2)):
            begin = time.perf_counter()
            labels = loop_labels(surface, optimizer, starts[sample], centres, bounds)
            loop_times.append(time.perf_counter() - begin)
        loop_s = statistics.median(loop_times) / sample_size * len(starts)
        agree = float(np.mean(labels == result.label.ravel()[sample]))
        rows.append(make_row(
            f"basin map {name}, Himmelblau {RESOLUTION}x{RESOLUTION} x {STEPS} steps "
            f"vs a Python loop", vector_s, loop_s, "s", runs=runs, target=1.0,
            note=(f"loop: {sample_size} sampled starts x {len(loop_times)} run(s), "
                  f"{1e3 * statistics.median(loop_times) / sample_size:.2f} ms/start, "
                  f"extrapolated to {len(starts)}; labels agree on {100 * agree:.1f}% of "
                  f"the sample; vectorized map: {100 * np.mean(result.label >= 0):.1f}% of "
                  f"starts settled")))
    return rows
