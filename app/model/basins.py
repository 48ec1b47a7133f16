"""The basin map of one racer: where it ends up from every start of a grid over the race's view.

`BasinModel(race)` holds the choice (which optimizer, resolution, steps, opacity) and the
result; `compute()` runs `core.basins.basin_map` in a BackgroundJob with progress and cancel.
A map answers for one surface, bounds, optimizer, seed and number of steps: when any of them
changes the map is dropped (`cleared`), never shown for a race it no longer describes. The
panel edits this model; the 2-D view and the exporters draw its result.
"""
from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QObject, pyqtSignal

from valley.app.model.jobs import JobSlot
from valley.app.model.race import build_optimizer
from valley.core.basins import DIVERGED, NOT_YET, BasinMap, basin_map

RESOLUTIONS = (32, 64, 128, 256)
DEFAULT_RESOLUTION = 128
DEFAULT_OPACITY = 0.55


class BasinModel(QObject):
    """One basin map of the race; setters validate, skip no-ops, then emit."""

    resultChanged = pyqtSignal()  # a new map, or none (self.result is None)
    progress = pyqtSignal(float)  # of the map being computed, 0..1
    busyChanged = pyqtSignal(bool)
    settingsChanged = pyqtSignal()  # optimizer, resolution, steps or opacity
    failed = pyqtSignal(str)
    cancelled = pyqtSignal()
    cleared = pyqtSignal()  # the race changed under the map: it was dropped

    def __init__(self, race, parent: QObject | None = None):
        super().__init__(parent)
        self.race = race
        self.index = race.selected  # the optimizer to map; -1: none
        self.resolution = DEFAULT_RESOLUTION
        self.steps: int | None = None  # None: the race's steps
        self.opacity = DEFAULT_OPACITY
        self.result: BasinMap | None = None
        self.label = ""  # the label of the optimizer the held map is of
        self.error = ""  # why the last map could not be computed
        self.jobs = JobSlot(self)
        self.jobs.busyChanged.connect(self.busyChanged)
        # What the held map and the running job were computed from (see _inputs_now).
        self._result_inputs = None
        self._job_inputs = None
        self._job_label = ""
        race.sceneChanged.connect(self._surface_changed)
        race.resultsChanged.connect(self._race_rerun)
        race.optimizersChanged.connect(self._optimizers_changed)

    # ----- choices -----
    def set_optimizer(self, index: int) -> None:
        if not -1 <= index < len(self.race.scene.optimizers):
            raise ValueError(f"no optimizer {index}")
        if index == self.index:
            return
        self.index = index
        self.settingsChanged.emit()

    def select(self, name: str) -> int:
        """Choose the optimizer by label (as shown) or kind; ValueError when none has it."""
        specs = self.race.scene.optimizers
        for match in (lambda s: s.display_label() == name, lambda s: s.kind == name):
            found = [i for i, spec in enumerate(specs) if match(spec)]
            if found:
                self.set_optimizer(found[0])
                return found[0]
        names = ", ".join(repr(spec.display_label()) for spec in specs)
        raise ValueError(f"no optimizer labelled or of kind {name!r} races here (there are {names})")

    def apply_scene(self) -> bool:
        """Map the racer the scene's [view] basins names; False (and `failed` says why when the
        name matches no racer) when it names none."""
        name = self.race.scene.view.basins
        if name is None:
            return False
        try:
            self.select(name)
        except ValueError as error:
            self._fail(str(error))
            return False
        return self.compute()

    def set_resolution(self, resolution: int) -> None:
        resolution = int(resolution)
        if resolution < 2:
            raise ValueError(f"a basin map needs a resolution of at least 2, got {resolution}")
        if resolution == self.resolution:
            return
        self.resolution = resolution
        self.settingsChanged.emit()

    def set_steps(self, steps: int | None) -> None:
        """Steps each start runs; None follows the race's."""
        if steps is not None and int(steps) < 1:
            raise ValueError(f"a basin map needs at least one step, got {steps}")
        steps = None if steps is None else int(steps)
        if steps == self.steps:
            return
        self.steps = steps
        self.settingsChanged.emit()

    def set_opacity(self, opacity: float) -> None:
        opacity = float(opacity)
        if not 0.0 <= opacity <= 1.0:
            raise ValueError(f"opacity must be from 0 to 1, got {opacity}")
        if opacity == self.opacity:
            return
        self.opacity = opacity
        self.settingsChanged.emit()

    # ----- computing -----
    def compute(self) -> bool:
        """Start the map of the chosen optimizer in the background (a running one is cancelled).

        False, and nothing started, when no optimizer is chosen or its hyperparameters are bad.
        """
        if not 0 <= self.index < len(self.race.scene.optimizers):
            return False
        spec = self.race.scene.optimizers[self.index]
        try:
            optimizer = build_optimizer(spec)
        except ValueError as error:
            self._fail(str(error))
            return False
        self.error = ""
        self._stop_job()
        surface, bounds = self.race.surface, self.race.bounds
        n, steps, seed = self.resolution, self.run_steps, self.race.scene.seed

        def work(progress, cancel):
            return basin_map(surface, optimizer, resolution=n, steps=steps, bounds=bounds,
                             progress=progress, cancel=cancel, rng=np.random.default_rng(seed))

        self._job_inputs = self._inputs_now()
        self._job_label = spec.display_label()
        job = self.jobs.start(work, on_finished=self._on_finished, on_failed=self._on_failed)
        job.progress.connect(lambda f, j=job: self.progress.emit(f) if j is self.jobs.job else None)
        return True

    @property
    def run_steps(self) -> int:
        return self.race.scene.steps if self.steps is None else self.steps

    @property
    def busy(self) -> bool:
        return self.jobs.busy

    def cancel(self) -> None:
        """Stop the running map (its thread ends in the background); `cancelled` says so."""
        if self.jobs.cancel():
            self._job_inputs = None
            self.cancelled.emit()

    def clear(self) -> None:
        """Drop the map (and stop the one being computed)."""
        self._stop_job()
        self._result_inputs = None
        if self.result is not None:
            self.result = None
            self.resultChanged.emit()

    def wait(self, msecs: int = 120_000) -> bool:
        """Block until the running map is held (exports); True when no map is being computed."""
        return self.jobs.wait(msecs)

    def shutdown(self) -> None:
        """Cancel and wait for every thread: call before the owner goes away."""
        self._job_inputs = None
        self.jobs.shutdown()

    def describe(self) -> str:
        """Share of starts per outcome, largest first: "minimum (3, 2) 41% · diverged 12%"."""
        result = self.result
        if result is None:
            return ""
        total = result.label.size
        parts = []
        for k, count in sorted(result.counts().items(), key=lambda kc: -kc[1]):
            if k == DIVERGED:
                name = "diverged"
            elif k == NOT_YET:
                name = "still moving"
            else:
                attractor = result.minima[k]
                x, y = attractor.point
                name = f"{attractor.kind} ({x:.3g}, {y:.3g})"
            parts.append(f"{name} {100.0 * count / total:.0f}%")
        return " · ".join(parts)

    # ----- the race changed -----
    def _inputs_now(self, index: int | None = None):
        """What a map of optimizer `index` (default: the chosen one) depends on, besides the
        surface and bounds; None when there is no such optimizer."""
        index = self.index if index is None else index
        if not 0 <= index < len(self.race.scene.optimizers):
            return None
        spec = self.race.scene.optimizers[index]
        return (index, spec.kind, repr(sorted(spec.hyperparameters.items())), self.race.scene.steps,
                self.race.scene.seed)

    def _stale(self, inputs) -> bool:
        return inputs is not None and self._inputs_now(inputs[0]) != inputs

    def _surface_changed(self) -> None:
        """A new surface or view makes the map meaningless: stop and drop it."""
        self._drop()

    def _race_rerun(self, index: int) -> None:
        # A moved start re-runs racers too, but the map starts everywhere: only a changed
        # optimizer, seed or number of steps makes it stale.
        job_stale, result_stale = self._stale(self._job_inputs), self._stale(self._result_inputs)
        if job_stale:
            self._stop_job()
        if result_stale:
            self._result_inputs, self.result = None, None
            self.resultChanged.emit()
        if job_stale or result_stale:
            self.cleared.emit()

    def _optimizers_changed(self) -> None:
        count = len(self.race.scene.optimizers)
        if self.index >= count:
            self.index = count - 1
            self.settingsChanged.emit()
        self._race_rerun(-1)

    def _stop_job(self) -> None:
        self.jobs.cancel()
        self._job_inputs = None

    def _drop(self) -> None:
        if self.jobs.job is not None or self.result is not None:
            self.clear()
            self.cleared.emit()

    # ----- job reports (GUI thread) -----
    def _on_finished(self, result: BasinMap) -> None:
        self.result, self.label = result, self._job_label
        self._result_inputs, self._job_inputs = self._job_inputs, None
        self.resultChanged.emit()

    def _on_failed(self, message: str) -> None:
        self._job_inputs = None
        self._fail(message)

    def _fail(self, message: str) -> None:
        self.error = message
        self.failed.emit(message)

