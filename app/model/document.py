"""The Document: the one owner of the scene.

New, open, save, a Lecture preset or a worked example all replace the scene here, and only
after everything in it has been checked (the race can build its surface and optimizers, the
playground its network): a refused scene changes nothing, not the scene, its path or its
modified flag. Scene edits reach the scene through the race and playground models, which then call
`edited(text)`: each edit becomes a step of the undo stack (Edit › Undo), which holds the
scene before and after it, and "unsaved changes" means the stack is not where it was saved.
The window's theme, presentation mode and panels are not scene edits.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from pathlib import Path

from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtGui import QUndoCommand, QUndoStack

from valley.app.model.annotations import AnnotationsModel
from valley.app.model.basins import BasinModel
from valley.app.model.graph import GraphModel
from valley.app.model.network_landscape import NetworkLandscapeModel
from valley.app.model.playground import PlaygroundModel, example_scene
from valley.app.model.presets import resolve_scene_path
from valley.app.model.race import NETWORK_SLICE, RaceModel
from valley.app.model.spectrum import SpectrumModel
from valley.core import limits
from valley.core.scene import GraphSpec, NetworkSpec, Scene, default_scene
from valley.core.scene_io import load_scene, save_scene

NETWORK_SLICE_MESSAGE = (
    "A scene file cannot hold a slice of a network's loss: export a picture or an animation "
    "instead (File → Export…), or choose a catalogue surface or a formula to save a scene.")


@dataclass(frozen=True)
class Snapshot:
    """A scene as it was, and the race's surface when the scene cannot rebuild it (a network's plane)."""

    scene: Scene
    surface: object | None


class SceneEdit(QUndoCommand):
    """One edit: undo puts the scene before it back, redo the scene after it.

    Edits with the same `merge` key in a row (a start dragged, a value typed digit by digit)
    become one step.
    """

    MERGEABLE = 1

    def __init__(self, document: Document, before: Snapshot, after: Snapshot, text: str, merge: str):
        super().__init__(text)
        self.document, self.before, self.after, self.merge = document, before, after, merge
        self._applied = True  # pushed after the edit was made: the first redo has nothing to do

    def id(self) -> int:
        return self.MERGEABLE if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SceneEdit) or other.merge != self.merge:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.document.restore(self.after)

    def undo(self) -> None:
        self.document.restore(self.before)


class Document(QObject):
    """The scene, its file and whether it has unsaved changes; the race and the playground over it."""

    sceneReplaced = pyqtSignal()  # a whole new scene: new, open, preset, example
    sceneRestored = pyqtSignal()  # undo or redo put an earlier or later state of the scene back
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
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.background = background  # False: the playground trains in the foreground (exports)
        self.race = RaceModel(self)
        self.basins = BasinModel(self.race, self)
        self.annotations = AnnotationsModel(self, self)
        self._playground: PlaygroundModel | None = None
        self._network_landscape: NetworkLandscapeModel | None = None
        self._spectrum: SpectrumModel | None = None
        self._graph: GraphModel | None = None
        self._snapshot = self._take_snapshot()

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
    def spectrum(self) -> SpectrumModel:
        """The Hessian's eigenvalues at the playground's shown step; built on first use."""
        if self._spectrum is None:
            self._spectrum = SpectrumModel(self.playground, self)
        return self._spectrum

    @property
    def graph(self) -> GraphModel:
        """The Graph tab's computational graph; built on first use."""
        if self._graph is None:
            self._graph = GraphModel(self, self)
        return self._graph

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
        GraphModel.check(scene)
        self.scene = scene
        self.race.reload()
        if self._playground is not None:
            self._playground.reload()
        if self._graph is not None:
            self._graph.reload()
        self._set_path(path)
        self.undo_stack.clear()
        self._snapshot = self._take_snapshot()
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
        self.undo_stack.setClean()
        self._set_modified(False)
        return target

    # ----- edits -----
    def retitle(self, title: str) -> None:
        """The title follows what the scene shows now (part of the edit that changed it)."""
        if title == self.scene.title:
            return
        self.scene.title = title
        self.titleChanged.emit(title)

    def set_steps(self, steps: int) -> None:
        """Steps of the race, and of training in a network scene; every run re-runs."""
        steps = int(steps)
        if not limits.STEPS.contains(steps):
            raise ValueError(f"steps must be {limits.STEPS.describe()}, got {steps}")
        if steps == self.scene.steps:
            return
        self.scene.steps = steps
        self.stepsChanged.emit(steps)
        self.edited(f"Steps: {steps}", merge="steps")

    def set_seed(self, seed: int) -> None:
        """The seed of every random draw: gradient noise, datasets, initial weights."""
        if isinstance(seed, bool) or not isinstance(seed, int) or not limits.SEED.contains(seed):
            raise ValueError(f"seed must be a whole number {limits.SEED.describe()}, got {seed!r}")
        if seed == self.scene.seed:
            return
        self.scene.seed = seed
        self.seedChanged.emit(seed)
        self.edited(f"Seed: {seed}", merge="seed")

    def edited(self, text: str, merge: str = "") -> None:
        """The models changed the scene: one undoable step (merged with the last if `merge` is the same)."""
        after = self._take_snapshot()
        self.undo_stack.push(SceneEdit(self, self._snapshot, after, text, merge))
        self._snapshot = after
        self._set_modified(not self.undo_stack.isClean())

    def restore(self, snapshot: Snapshot) -> None:
        """Undo and redo: the scene as the snapshot holds it, every model rebuilt from it."""
        kind_before = self.scene.kind
        network_involved = "network" in (kind_before, snapshot.scene.kind)
        # a label moved back is not a reason to re-run the race or retrain the network
        only_annotations = _without_annotations(self.scene) == _without_annotations(snapshot.scene)
        self.scene = copy.deepcopy(snapshot.scene)
        self._snapshot = snapshot
        if only_annotations:
            self.sceneRestored.emit()
            return
        self.race.reload(surface=snapshot.surface)
        if self._playground is not None and network_involved:
            self._playground.reload()
        if self._graph is not None and "graph" in (kind_before, snapshot.scene.kind):
            self._graph.reload()
        self.titleChanged.emit(self.title)
        self.sceneRestored.emit()

    def _take_snapshot(self) -> Snapshot:
        on_plane = self.scene.surface.name == NETWORK_SLICE
        return Snapshot(copy.deepcopy(self.scene), self.race.surface if on_plane else None)

    def shutdown(self) -> None:
        """Cancel background work and wait for it: no thread may outlive the document's user."""
        self.basins.shutdown()
        self.race.critical.shutdown()
        if self._network_landscape is not None:
            self._network_landscape.shutdown()
        if self._spectrum is not None:
            self._spectrum.shutdown()
        if self._playground is not None:
            self._playground.shutdown()

    # ----- internals -----
    def _clean_changed(self, clean: bool) -> None:
        self._set_modified(not clean)

    def _set_modified(self, modified: bool) -> None:
        if modified != self.modified:
            self.modified = modified
            self.modifiedChanged.emit(modified)

    def _set_path(self, path: Path | None) -> None:
        if path != self.path:
            self.path = path
            self.pathChanged.emit(path)


def _without_annotations(scene: Scene) -> Scene:
    return replace(scene, annotations=[])


def _complete(scene: Scene) -> None:
    """A network scene without a [network] table trains the default network."""
    if scene.kind == "network" and scene.network is None:
        scene.network = NetworkSpec()
    if scene.kind == "graph" and scene.graph is None:
        scene.graph = GraphSpec()
