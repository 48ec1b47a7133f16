"""The Document: the one owner of the scene.

New, open, save, a Lecture preset or a worked example all replace the scene here, and only
after everything in it has been checked (the race can build its surface and optimizers, the
playground its network): a refused scene changes nothing, not the scene, its path or its
modified flag. Scene edits reach the scene through the race and playground models, which call
`mark_modified`; the window's theme, presentation mode and panels are not scene edits.
"""
from __future__ import annotations

import copy
from pathlib import Path

from PyQt6.QtCore import QObject, pyqtSignal

from valley.app.model.basins import BasinModel
from valley.app.model.network_landscape import NetworkLandscapeModel
from valley.app.model.playground import PlaygroundModel, example_scene
from valley.app.model.presets import resolve_scene_path
from valley.app.model.race import NETWORK_SLICE, RaceModel
from valley.core import limits
from valley.core.scene import NetworkSpec, Scene, default_scene
from valley.core.scene_io import load_scene, save_scene

NETWORK_SLICE_MESSAGE = (
    "A scene file cannot hold a slice of a network's loss: export a picture or an animation "
    "instead (File → Export…), or choose a catalogue surface or a formula to save a scene.")


class Document(QObject):
    """The scene, its file and whether it has unsaved changes; the race and the playground over it."""

    sceneReplaced = pyqtSignal()  # a whole new scene: new, open, preset, example
    titleChanged = pyqtSignal(str)
    modifiedChanged = pyqtSignal(bool)
    pathChanged = pyqtSignal(object)  # Path or None
    seedChanged = pyqtSignal(int)
    stepsChanged = pyqtSignal(int)

    def __init__(self, scene: Scene | None = None, background: bool = True, parent: QObject | None = None):
        super().__init__(parent)
        scene = copy.deepcopy(scene) if scene is not None else default_scene()
        _complete(scene)
        self.scene = scene
        self.path: Path | None = None
        self.modified = False
        self.background = background  # False: the playground trains in the foreground (exports)
        self.race = RaceModel(self)
        self.basins = BasinModel(self.race, self)
        self._playground: PlaygroundModel | None = None
        self._network_landscape: NetworkLandscapeModel | None = None

    @property
    def playground(self) -> PlaygroundModel:
        """Built on first use: a race-only session (and most tests) never trains a network."""
        if self._playground is None:
            self._playground = PlaygroundModel(self, background=self.background)
        return self._playground

    @property
    def network_landscape(self) -> NetworkLandscapeModel:
        """The plane of the playground's loss; built on first use, as the playground is."""
        if self._network_landscape is None:
            self._network_landscape = NetworkLandscapeModel(self.playground, self)
        return self._network_landscape

    @property
    def title(self) -> str:
        return self.scene.title

    # ----- whole scenes -----
    def replace(self, scene: Scene, path: Path | None = None) -> None:
        """Show `scene`; raises ValueError and changes nothing when it cannot be shown."""
        scene = copy.deepcopy(scene)
        _complete(scene)
        RaceModel.check(scene)
        PlaygroundModel.check(scene)
        self.scene = scene
        self.race.reload()
        if self._playground is not None:
            self._playground.reload()
        self._set_path(path)
        self._set_modified(False)
        self.titleChanged.emit(self.title)
        self.sceneReplaced.emit()

    def new(self) -> None:
        self.replace(default_scene())

    def open(self, path) -> None:
        """A scene file; SceneError (file, line, key) or ValueError, and nothing changed, when it is bad."""
        self.replace(load_scene(path), Path(path))

    def open_preset(self, name_or_path: str) -> None:
        """A Lecture preset by name or file: shown as it is, saved only under a new name."""
        self.replace(load_scene(resolve_scene_path(name_or_path)))

    def open_example(self, name: str) -> None:
        """A worked example of the slides as a network scene of its own."""
        self.replace(example_scene(name))

    def check_saveable(self) -> None:
        """ValueError saying why the scene cannot be written to a file (a network's loss plane)."""
        if self.scene.surface.name == NETWORK_SLICE:
            raise ValueError(NETWORK_SLICE_MESSAGE)

    def save(self, path=None) -> Path:
        """Write the scene to `path` (default: its file); OSError or ValueError when it cannot be."""
        self.check_saveable()
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("the scene has no file yet: choose where to save it")
        save_scene(self.scene, target)
        self._set_path(target)
        self._set_modified(False)
        return target

    # ----- edits -----
    def set_title(self, title: str) -> None:
        if title == self.scene.title:
            return
        self.scene.title = title
        self.titleChanged.emit(title)
        self.mark_modified()

    def set_steps(self, steps: int) -> None:
        """Steps of the race, and of training in a network scene; every run re-runs."""
        steps = int(steps)
        if not limits.STEPS.contains(steps):
            raise ValueError(f"steps must be {limits.STEPS.describe()}, got {steps}")
        if steps == self.scene.steps:
            return
        self.scene.steps = steps
        self.stepsChanged.emit(steps)
        self.mark_modified()

    def set_seed(self, seed: int) -> None:
        """The seed of every random draw: gradient noise, datasets, initial weights."""
        if isinstance(seed, bool) or not isinstance(seed, int) or not limits.SEED.contains(seed):
            raise ValueError(f"seed must be a whole number {limits.SEED.describe()}, got {seed!r}")
        if seed == self.scene.seed:
            return
        self.scene.seed = seed
        self.seedChanged.emit(seed)
        self.mark_modified()

    def mark_modified(self) -> None:
        self._set_modified(True)

    # ----- internals -----
    def _set_modified(self, modified: bool) -> None:
        if modified != self.modified:
            self.modified = modified
            self.modifiedChanged.emit(modified)

    def _set_path(self, path: Path | None) -> None:
        if path != self.path:
            self.path = path
            self.pathChanged.emit(path)


def _complete(scene: Scene) -> None:
    """A network scene without a [network] table trains the default network."""
    if scene.kind == "network" and scene.network is None:
        scene.network = NetworkSpec()
