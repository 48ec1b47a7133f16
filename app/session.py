"""The one model every view subscribes to: the scene, its computed results, and step t."""
from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
from PyQt6.QtCore import QObject, pyqtSignal

from valley.core.scene import PALETTE, OptimizerSpec, Scene, SurfaceSpec, default_scene

MAX_OPTIMIZERS = 8
NETWORK_SLICE = "network_slice"  # a SurfaceSpec name: the surface is a slice of a network's loss
NETWORK_SLICE_RESOLUTION = 96  # each grid point is a forward pass over the training data


def build_surface(spec: SurfaceSpec):
    """A Surface from its spec; raises ValueError (FormulaError included) on bad input."""
    if spec.name == "formula":
        from valley.core.expression import parse_formula  # sympy is heavy: only when a formula needs it

        return parse_formula(spec.formula)
    from valley.core.surfaces import get_surface

    return get_surface(spec.name, **spec.params)


# Green only for a real minimum; a run stuck on a saddle or maximum is a warning, not a win.
OUTCOME_COLOURS = {"minimum": "#2fae64", "saddle": "#e69f00", "maximum": "#e69f00",
                   "degenerate": "#e69f00", "diverged": "#e0405a"}


def build_optimizer(spec: OptimizerSpec):
    from valley.core.optimizers import make_optimizer

    return make_optimizer(spec.kind, **spec.hyperparameters)


class Session(QObject):
    """Holds scene + results + the current step; setters validate, skip no-ops, then emit."""

    sceneChanged = pyqtSignal()  # surface, bounds or the whole scene: redraw everything
    optimizersChanged = pyqtSignal()  # racers added, removed, relabelled or recoloured
    resultsChanged = pyqtSignal(int)  # index of the re-run optimizer, -1 for all
    stepChanged = pyqtSignal(int)
    selectionChanged = pyqtSignal(int)
    viewChanged = pyqtSignal(str)  # name of the ViewSpec field that changed
    modifiedChanged = pyqtSignal(bool)
    clickModeChanged = pyqtSignal(str)  # "all" | "selected": whose start a click on the view moves

    def __init__(self, scene: Scene | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.scene = scene if scene is not None else default_scene()
        self.surface = build_surface(self.scene.surface)
        self.trajectories: list = []
        self.step = 0
        self.selected = 0 if self.scene.optimizers else -1
        self.modified = False
        self.click_moves = "all"  # a UI preference, not part of the scene
        self._view_before_slice = None  # (resolution, critical_points) to restore on leaving a slice
        self._compute_all()

    # ----- derived -----
    @property
    def bounds(self):
        return self.scene.bounds if self.scene.bounds is not None else self.surface.bounds

    @property
    def max_step(self) -> int:
        """The last step any trajectory reached (runs may stop early)."""
        return max((len(t.points) - 1 for t in self.trajectories), default=0)

    def head(self, index: int, t: int | None = None) -> np.ndarray:
        """Where optimizer `index` is at step t (its last point once it stopped)."""
        traj = self.trajectories[index]
        t = self.step if t is None else t
        return traj.points[min(t, len(traj.points) - 1)]

    def trail(self, index: int, t: int | None = None) -> np.ndarray:
        traj = self.trajectories[index]
        t = self.step if t is None else t
        return traj.points[: min(t, len(traj.points) - 1) + 1]

    # ----- whole scene -----
    def set_scene(self, scene: Scene) -> None:
        """Replace everything; on a bad scene raise ValueError and keep the current one."""
        surface = build_surface(scene.surface)
        for spec in scene.optimizers:
            build_optimizer(spec)
        self.scene, self.surface = scene, surface
        self._view_before_slice = None
        self.selected = 0 if scene.optimizers else -1
        self.step = 0
        self._compute_all()
        self.sceneChanged.emit()
        self.optimizersChanged.emit()
        self.resultsChanged.emit(-1)
        self.selectionChanged.emit(self.selected)
        self.stepChanged.emit(self.step)
        self._set_modified(False)

    def set_surface(self, spec: SurfaceSpec, bounds=None) -> None:
        """Switch surface; a bad formula raises FormulaError and leaves the current surface."""
        if spec == self.scene.surface and bounds == self.scene.bounds:
            return
        on_slice = self.scene.surface.name == NETWORK_SLICE
        if spec.name == NETWORK_SLICE and on_slice:
            surface = self.surface  # the same slice with other bounds (the panel's "reset")
        else:
            surface = build_surface(spec)
        if on_slice and spec.name != NETWORK_SLICE and self._view_before_slice is not None:
            # Leaving the network's slice: the view gets back its own resolution and markers.
            self.scene.view.resolution, self.scene.view.critical_points = self._view_before_slice
            self._view_before_slice = None
        self.scene.surface, self.surface = spec, surface
        self.scene.bounds = bounds
        self._compute_all()
        self.sceneChanged.emit()
        self.resultsChanged.emit(-1)
        self._clamp_step()
        self._set_modified(True)

    def race_on_surface(self, surface, title: str, bounds, start) -> None:
        """Race on a ready-made Surface (a slice of a network's loss) from `start`.

        The scene marks it as SurfaceSpec(name="network_slice"): it cannot be saved,
        and any catalogue surface or formula replaces it as usual. The grid is coarser
        and the critical-point finder off (both take long on a network; the user can
        turn them back on); leaving the slice restores both.
        """
        (x0, x1), (y0, y1) = bounds
        if not (np.isfinite([x0, x1, y0, y1]).all() and x0 < x1 and y0 < y1):
            raise ValueError(f"race_on_surface needs bounds with xmin < xmax and ymin < ymax, got {bounds}")
        start = (float(start[0]), float(start[1]))
        if not np.isfinite(start).all():
            raise ValueError(f"race_on_surface needs a finite start, got {start}")
        if getattr(surface, "title", None) != title:
            surface.title = title
        view = self.scene.view
        if self.scene.surface.name != NETWORK_SLICE:
            self._view_before_slice = (view.resolution, view.critical_points)
        self.surface = surface
        self.scene.surface = SurfaceSpec(name=NETWORK_SLICE)
        self.scene.bounds = ((float(x0), float(x1)), (float(y0), float(y1)))
        self.scene.start = start
        for spec in self.scene.optimizers:
            spec.start = None
        view.resolution = min(view.resolution, NETWORK_SLICE_RESOLUTION)
        view.critical_points = False
        self._compute_all()
        self.sceneChanged.emit()
        self.resultsChanged.emit(-1)
        self._clamp_step()
        self._set_modified(True)

    def set_bounds(self, bounds) -> None:
        (x0, x1), (y0, y1) = bounds
        if not (np.isfinite([x0, x1, y0, y1]).all() and x0 < x1 and y0 < y1):
            raise ValueError(f"view bounds need xmin < xmax and ymin < ymax, got {bounds}")
        bounds = ((float(x0), float(x1)), (float(y0), float(y1)))
        if bounds == self.bounds:
            return
        self.scene.bounds = bounds
        self.sceneChanged.emit()
        self._set_modified(True)

    def set_steps(self, steps: int) -> None:
        steps = int(steps)
        if not 1 <= steps <= 100_000:
            raise ValueError(f"steps must be between 1 and 100000, got {steps}")
        if steps == self.scene.steps:
            return
        self.scene.steps = steps
        self._compute_all()
        self.resultsChanged.emit(-1)
        self._clamp_step()
        self._set_modified(True)

    def set_seed(self, seed: int) -> None:
        """The seed of every run's noise; all optimizers re-run."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
        if int(seed) == self.scene.seed:
            return
        self.scene.seed = int(seed)
        self._compute_all()
        self.resultsChanged.emit(-1)
        self._clamp_step()
        self._set_modified(True)

    def set_click_moves(self, mode: str) -> None:
        """Whether a click on the 2-D view moves the start of "all" or of the "selected" racer."""
        if mode not in ("all", "selected"):
            raise ValueError(f"click mode must be 'all' or 'selected', got {mode!r}")
        if mode == self.click_moves:
            return
        self.click_moves = mode
        self.clickModeChanged.emit(mode)

    def set_view_option(self, name: str, value) -> None:
        if not hasattr(self.scene.view, name):
            raise ValueError(f"unknown view option {name!r}")
        if getattr(self.scene.view, name) == value:
            return
        setattr(self.scene.view, name, value)
        self.viewChanged.emit(name)
        self._set_modified(True)

    # ----- racers -----
    def set_start(self, point, index: int | None = None) -> None:
        """Move the start of one optimizer, or of all (index None), and re-run them."""
        point = (float(point[0]), float(point[1]))
        if index is None:
            self.scene.start = point
            for spec in self.scene.optimizers:
                spec.start = None
            self._compute_all()
            self.resultsChanged.emit(-1)
        else:
            self.scene.optimizers[index].start = point
            self._compute(index)
            self.resultsChanged.emit(index)
        self._clamp_step()
        self._set_modified(True)

    def set_hyperparameter(self, index: int, key: str, value) -> None:
        """Change one knob of one optimizer; only that optimizer re-runs."""
        spec = self.scene.optimizers[index]
        if spec.hyperparameters.get(key) == value:
            return
        trial = replace(spec, hyperparameters={**spec.hyperparameters, key: value})
        build_optimizer(trial)  # raises ValueError on a bad value, before anything changes
        self.scene.optimizers[index] = trial
        self._compute(index)
        self.resultsChanged.emit(index)
        self._clamp_step()
        self._set_modified(True)

    def set_optimizer_kind(self, index: int, kind: str) -> None:
        spec = self.scene.optimizers[index]
        if spec.kind == kind:
            return
        trial = replace(spec, kind=kind, hyperparameters={"lr": spec.hyperparameters.get("lr", 0.01)})
        build_optimizer(trial)
        self.scene.optimizers[index] = trial
        self._compute(index)
        self.optimizersChanged.emit()
        self.resultsChanged.emit(index)
        self._set_modified(True)

    def set_label(self, index: int, label: str | None = None, color: str | None = None) -> None:
        spec = self.scene.optimizers[index]
        new = replace(spec, label=spec.label if label is None else label,
                      color=spec.color if color is None else color)
        if new == spec:
            return
        self.scene.optimizers[index] = new
        self.optimizersChanged.emit()
        self._set_modified(True)

    def add_optimizer(self, spec: OptimizerSpec | None = None) -> int:
        if len(self.scene.optimizers) >= MAX_OPTIMIZERS:
            raise ValueError(f"at most {MAX_OPTIMIZERS} optimizers race at once")
        if spec is None:
            spec = OptimizerSpec(kind="sgd", label="SGD", hyperparameters={"lr": 0.01})
        used = {s.color for s in self.scene.optimizers}
        if spec.color in used:
            spec = replace(spec, color=next((c for c in PALETTE if c not in used), spec.color))
        build_optimizer(spec)
        self.scene.optimizers.append(spec)
        self.trajectories.append(None)
        index = len(self.scene.optimizers) - 1
        self._compute(index)
        self.optimizersChanged.emit()
        self.resultsChanged.emit(index)
        self.set_selected(index)
        self._set_modified(True)
        return index

    def duplicate_optimizer(self, index: int, **hyperparameters) -> int:
        spec = copy.deepcopy(self.scene.optimizers[index])
        spec.hyperparameters.update(hyperparameters)
        if hyperparameters:
            changed = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                                for k, v in hyperparameters.items())
            spec.label = f"{spec.display_label()} ({changed})"
        else:
            spec.label = f"{spec.display_label()} copy"
        return self.add_optimizer(spec)

    def remove_optimizer(self, index: int) -> None:
        if len(self.scene.optimizers) <= 1:
            raise ValueError("at least one optimizer must race")
        del self.scene.optimizers[index]
        del self.trajectories[index]
        self.optimizersChanged.emit()
        self.resultsChanged.emit(-1)
        self.set_selected(min(self.selected, len(self.scene.optimizers) - 1))
        self._clamp_step()
        self._set_modified(True)

    def set_selected(self, index: int) -> None:
        if index == self.selected:
            return
        if not -1 <= index < len(self.scene.optimizers):
            raise ValueError(f"no optimizer {index}")
        self.selected = index
        self.selectionChanged.emit(index)

    # ----- time -----
    def set_step(self, t: int) -> None:
        t = int(np.clip(t, 0, self.max_step))
        if t == self.step:
            return
        self.step = t
        self.stepChanged.emit(t)

    # ----- internals -----
    def _compute(self, index: int) -> None:
        from valley.core.trajectory import run

        spec = self.scene.optimizers[index]
        optimizer = build_optimizer(spec)
        rng = np.random.default_rng(self.scene.seed)
        self.trajectories[index] = run(self.surface, optimizer, np.array(self.scene.start_of(spec)),
                                       self.scene.steps, rng=rng)

    def _compute_all(self) -> None:
        self.trajectories = [None] * len(self.scene.optimizers)
        for i in range(len(self.scene.optimizers)):
            self._compute(i)

    def _clamp_step(self) -> None:
        if self.step > self.max_step:
            self.set_step(self.max_step)

    def _set_modified(self, modified: bool) -> None:
        if modified != self.modified:
            self.modified = modified
            self.modifiedChanged.emit(modified)
