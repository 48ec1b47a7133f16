"""The race: the optimizers of the document's scene on its surface, their trajectories, and step t.

The scene belongs to the Document; this model computes from it and edits it through the
Document (which marks it modified). Views subscribe to its signals and to its Timeline."""
from __future__ import annotations

import copy
import re
from dataclasses import fields, replace

import numpy as np
from PyQt6.QtCore import QObject, pyqtSignal

from valley.app.model.critical import CriticalPoints
from valley.app.model.timeline import Timeline
from valley.core import limits
from valley.core.expression import parse_formula
from valley.core.optimizers import make_optimizer
from valley.core.scene import OptimizerSpec, SurfaceSpec, ViewSpec, colour_for, default_scene
from valley.core.surfaces import get_surface
from valley.core.trajectory import run

NETWORK_SLICE = "network_slice"  # a SurfaceSpec name: the surface is a slice of a network's loss
NETWORK_SLICE_RESOLUTION = 96  # each grid point is a forward pass over the training data


def build_surface(spec: SurfaceSpec):
    """A Surface from its spec; raises ValueError (FormulaError included) on bad input."""
    if spec.name == "formula":
        return parse_formula(spec.formula)
    return get_surface(spec.name, **spec.params)


# Green only for a real minimum; a run stuck on a saddle or maximum is a warning, not a win.
OUTCOME_COLOURS = {"minimum": "#2fae64", "saddle": "#e69f00", "maximum": "#e69f00",
                   "degenerate": "#e69f00", "diverged": "#e0405a"}


def build_optimizer(spec: OptimizerSpec):
    return make_optimizer(spec.kind, **spec.hyperparameters)


class RaceModel(QObject):
    """The race over the document's scene; setters validate, skip no-ops, edit, then emit."""

    sceneChanged = pyqtSignal()  # surface, bounds or the whole scene: redraw everything
    optimizersChanged = pyqtSignal()  # racers added, removed, relabelled or recoloured
    resultsChanged = pyqtSignal(int)  # index of the re-run optimizer, -1 for all
    selectionChanged = pyqtSignal(int)
    viewChanged = pyqtSignal(str)  # name of the ViewSpec field that changed
    clickModeChanged = pyqtSignal(str)  # "all" | "selected": whose start a click on the view moves

    def __init__(self, document):
        super().__init__()
        self.document = document
        self.timeline = Timeline(speed=document.scene.view.speed)
        self.surface = build_surface(self.scene.surface)
        self.trajectories: list = []
        self.selected = 0 if self.scene.optimizers else -1
        self.click_moves = "all"  # a UI preference, not part of the scene
        self.critical = CriticalPoints(self, self)
        self._view_before_slice = None  # (resolution, critical_points) to restore on leaving a slice
        self._compute_all()
        document.seedChanged.connect(self._rerun_all)
        document.stepsChanged.connect(self._rerun_all)

    # ----- derived -----
    @property
    def scene(self):
        return self.document.scene

    @property
    def step(self) -> int:
        return self.timeline.step

    @property
    def max_step(self) -> int:
        return self.timeline.last

    @property
    def steps(self) -> int:
        """Steps each racer runs at most (the scene's)."""
        return self.scene.steps

    @property
    def bounds(self):
        return self.scene.bounds if self.scene.bounds is not None else self.surface.bounds

    def head(self, index: int, t: int | None = None) -> np.ndarray:
        """Where optimizer `index` is at step t (its last point once it stopped)."""
        traj = self.trajectories[index]
        t = self.step if t is None else t
        return traj.points[min(t, len(traj.points) - 1)]

    def trail(self, index: int, t: int | None = None) -> np.ndarray:
        traj = self.trajectories[index]
        t = self.step if t is None else t
        return traj.points[: min(t, len(traj.points) - 1) + 1]

    @staticmethod
    def check(scene) -> None:
        """Raise ValueError when the race cannot be built from `scene` (nothing changes)."""
        build_surface(scene.surface)
        for spec in scene.optimizers:
            build_optimizer(spec)

    # ----- whole scene -----
    def reload(self, surface=None) -> None:
        """The document holds a new scene (checked with `check`): rebuild everything from it.

        `surface`: the ready-made surface of a scene that cannot build its own (a network's plane).
        """
        self.surface = surface if surface is not None else build_surface(self.scene.surface)
        self._view_before_slice = None
        self.selected = 0 if self.scene.optimizers else -1
        self.timeline.pause()
        self.timeline.set_speed(self.scene.view.speed)
        self._compute_all(sync=False)
        self.sceneChanged.emit()
        self.optimizersChanged.emit()
        self.resultsChanged.emit(-1)
        self.selectionChanged.emit(self.selected)
        self.timeline.reset(self._last_step())

    def set_surface(self, spec: SurfaceSpec, bounds=None) -> None:
        """Switch surface; a bad formula raises FormulaError and leaves the current surface.

        The scene's title named what was shown; it now names the new surface.
        """
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
        new_surface = spec != self.scene.surface
        self.scene.surface, self.surface = spec, surface
        self.scene.bounds = bounds
        self._compute_all()
        self.sceneChanged.emit()
        self.resultsChanged.emit(-1)
        if new_surface:
            self.document.retitle(surface_title(spec, surface))
        self.document.edited(f"Surface: {surface_title(spec, surface)}")

    def race_on_surface(self, surface, title: str, bounds, start) -> None:
        """Race on a ready-made Surface (a slice of a network's loss) from `start`.

        The scene marks it as SurfaceSpec(name="network_slice"): it cannot be saved,
        and any catalogue surface or formula replaces it as usual. The grid is coarser (each
        point is a forward pass over the training data; the user can refine it); leaving the
        slice restores it. Critical points stay on: exact slice Hessians find them in well
        under a second.
        """
        (x0, x1), (y0, y1) = bounds
        if not (np.isfinite([x0, x1, y0, y1]).all() and x0 < x1 and y0 < y1):
            raise ValueError(f"race_on_surface needs bounds with xmin < xmax and ymin < ymax, got {bounds}")
        start = (float(start[0]), float(start[1]))
        if not np.isfinite(start).all():
            raise ValueError(f"race_on_surface needs a finite start, got {start}")
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
        racers_added = not self.scene.optimizers
        if racers_added:  # a network scene has no racers: the default race goes on the plane
            self.scene.optimizers = copy.deepcopy(default_scene().optimizers)
            self.selected = 0
        self._compute_all()
        self.sceneChanged.emit()
        if racers_added:
            self.optimizersChanged.emit()
            self.selectionChanged.emit(self.selected)
        self.resultsChanged.emit(-1)
        self.document.retitle(title)
        self.document.edited(f"Race on {title}")

    def set_bounds(self, bounds) -> None:
        (x0, x1), (y0, y1) = bounds
        if not (np.isfinite([x0, x1, y0, y1]).all() and x0 < x1 and y0 < y1):
            raise ValueError(f"view bounds need xmin < xmax and ymin < ymax, got {bounds}")
        bounds = ((float(x0), float(x1)), (float(y0), float(y1)))
        if bounds == self.bounds:
            return
        self.scene.bounds = bounds
        self.sceneChanged.emit()
        self.document.edited("Move the view", merge="bounds")

    def set_steps(self, steps: int) -> None:
        self.document.set_steps(steps)

    def set_seed(self, seed: int) -> None:
        """The seed of every run's noise; all optimizers re-run."""
        self.document.set_seed(seed)

    def set_click_moves(self, mode: str) -> None:
        """Whether a click on the 2-D view moves the start of "all" or of the "selected" racer."""
        if mode not in ("all", "selected"):
            raise ValueError(f"click mode must be 'all' or 'selected', got {mode!r}")
        if mode == self.click_moves:
            return
        self.click_moves = mode
        self.clickModeChanged.emit(mode)

    def set_view_option(self, name: str, value) -> None:
        """A [view] setting of the scene (the window's own theme is the room's, set on the window)."""
        if name not in VIEW_OPTIONS:
            raise ValueError(f"unknown view option {name!r}")
        if getattr(self.scene.view, name) == value:
            return
        setattr(self.scene.view, name, value)
        self.viewChanged.emit(name)
        self.document.edited(f"View: {name} {value}")

    # ----- racers -----
    def set_start(self, point, index: int | None = None) -> None:
        """Move the start of one optimizer, or of all (index None), and re-run them."""
        point = (float(point[0]), float(point[1]))
        moved = range(len(self.scene.optimizers)) if index is None else [index]
        for i in moved:
            spec = self.scene.optimizers[i]
            spec.label = relabel_start(spec.label, self.scene.start_of(spec), point)
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
        self._sync_range()
        self.optimizersChanged.emit()  # a label that names the start follows it
        whose = "every racer" if index is None else self.scene.optimizers[index].display_label()
        self.document.edited(f"Move the start of {whose}", merge=f"start:{index}")

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
        self._sync_range()
        self.document.edited(f"{key} of {trial.display_label()}: {value}", merge=f"hp:{index}:{key}")

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
        self._sync_range()
        self.document.edited(f"{trial.display_label()} becomes {kind}")

    def set_label(self, index: int, label: str | None = None, color: str | None = None) -> None:
        spec = self.scene.optimizers[index]
        new = replace(spec, label=spec.label if label is None else label,
                      color=spec.color if color is None else color)
        if new == spec:
            return
        self.scene.optimizers[index] = new
        self.optimizersChanged.emit()
        self.document.edited(f"Rename or recolour {new.display_label()}", merge=f"label:{index}")

    def add_optimizer(self, spec: OptimizerSpec | None = None) -> int:
        if not limits.OPTIMIZERS.contains(len(self.scene.optimizers) + 1):
            raise ValueError(f"at most {limits.OPTIMIZERS.hi} optimizers race at once")
        if spec is None:
            spec = OptimizerSpec(kind="sgd", label="SGD", hyperparameters={"lr": 0.01})
        used = {s.color for s in self.scene.optimizers}
        if spec.color in used or spec.color == OptimizerSpec().color:  # taken, or never chosen
            spec = replace(spec, color=colour_for(spec.kind, used))  # an optimizer keeps its kind's colour
        build_optimizer(spec)
        self.scene.optimizers.append(spec)
        self.trajectories.append(None)
        index = len(self.scene.optimizers) - 1
        self._compute(index)
        self.optimizersChanged.emit()
        self.resultsChanged.emit(index)
        self._sync_range()
        self.set_selected(index)
        self.document.edited(f"Add {spec.display_label()}")
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
        removed = self.scene.optimizers.pop(index)
        del self.trajectories[index]
        self.optimizersChanged.emit()
        self.resultsChanged.emit(-1)
        self.set_selected(min(self.selected, len(self.scene.optimizers) - 1))
        self._sync_range()
        self.document.edited(f"Remove {removed.display_label()}")

    def set_selected(self, index: int) -> None:
        if index == self.selected:
            return
        if not -1 <= index < len(self.scene.optimizers):
            raise ValueError(f"no optimizer {index}")
        self.selected = index
        self.selectionChanged.emit(index)

    # ----- internals -----
    def _rerun_all(self, *_) -> None:
        self._compute_all()
        self.resultsChanged.emit(-1)

    def _compute(self, index: int) -> None:
        spec = self.scene.optimizers[index]
        optimizer = build_optimizer(spec)
        rng = np.random.default_rng(self.scene.seed)
        self.trajectories[index] = run(self.surface, optimizer, np.array(self.scene.start_of(spec)),
                                       self.scene.steps, rng=rng)

    def _compute_all(self, sync: bool = True) -> None:
        self.trajectories = [None] * len(self.scene.optimizers)
        for i in range(len(self.scene.optimizers)):
            self._compute(i)
        if sync:
            self._sync_range()

    def _last_step(self) -> int:
        """The last step any trajectory reached (runs may stop early)."""
        return max((len(t.points) - 1 for t in self.trajectories), default=0)

    def _sync_range(self) -> None:
        self.timeline.set_last(self._last_step())


VIEW_OPTIONS = tuple(f.name for f in fields(ViewSpec))


def surface_title(spec: SurfaceSpec, surface) -> str:
    """What a scene showing this surface is called (a formula by its text)."""
    if spec.name == "formula":
        return f"f(x, y) = {spec.formula}"
    return surface.title


_POINT = re.compile(r"\(\s*(-?\d+(?:\.(\d+))?)\s*,\s*(-?\d+(?:\.(\d+))?)\s*\)")


def relabel_start(label: str, old, new) -> str:
    """A label that names its start, "GD from (0.3, -0.4)", names the new one after a move."""
    def rewrite(match):
        x, y = float(match[1]), float(match[3])
        if not (np.isclose(x, old[0]) and np.isclose(y, old[1])):
            return match[0]
        decimals = max(len(match[2] or ""), len(match[4] or ""), 1)
        return f"({new[0]:.{decimals}f}, {new[1]:.{decimals}f})"

    return _POINT.sub(rewrite, label)
