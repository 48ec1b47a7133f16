"""Edit › Undo / Redo for every scene edit: the scene, its results and the unsaved-changes mark."""
import copy

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication

from valley.app.main_window import MainWindow
from valley.app.model.document import Document
from valley.app.model.presets import find_preset
from valley.core.scene import NetworkSpec, OptimizerSpec, Scene, SurfaceSpec
from valley.core.scene_io import load_scene

RACE_EDITS = {
    "start": lambda race: race.set_start((0.5, -0.25)),
    "one start": lambda race: race.set_start((0.7, 0.1), index=1),
    "hyperparameter": lambda race: race.set_hyperparameter(0, "lr", 0.031),
    "kind": lambda race: race.set_optimizer_kind(0, "rmsprop"),
    "add": lambda race: race.add_optimizer(OptimizerSpec(kind="adagrad", label="AdaGrad")),
    "remove": lambda race: race.remove_optimizer(1),
    "surface": lambda race: race.set_surface(SurfaceSpec(name="formula", formula="x**2 + 4*y**2")),
    "steps": lambda race: race.set_steps(77),
    "seed": lambda race: race.set_seed(5),
    "view": lambda race: race.set_view_option("contours", False),
    "label": lambda race: race.set_label(0, label="Plain GD"),
}


@pytest.mark.parametrize("edit", sorted(RACE_EDITS))
def test_every_race_edit_undoes_and_redoes(qapp, edit):
    document = Document()
    race = document.race
    before = copy.deepcopy(document.scene)
    first_path = race.trajectories[0].points.copy()
    RACE_EDITS[edit](race)
    after = copy.deepcopy(document.scene)
    assert after != before and document.modified
    document.undo_stack.undo()
    assert document.scene == before and not document.modified
    assert len(race.trajectories) == len(before.optimizers)
    assert (race.trajectories[0].points == first_path).all()  # the results follow the scene
    document.undo_stack.redo()
    assert document.scene == after and document.modified


def test_a_dragged_start_is_one_step_and_a_save_is_the_clean_point(qapp, tmp_path):
    document = Document()
    race = document.race
    for x in (0.1, 0.2, 0.3, 0.4):
        race.set_start((x, 0.0), index=0)
    race.set_hyperparameter(0, "lr", 0.02)
    assert document.undo_stack.count() == 2
    document.save(tmp_path / "saved.toml")
    assert not document.modified
    document.undo_stack.undo()
    assert document.modified and race.scene.optimizers[0].start == (0.4, 0.0)
    document.undo_stack.redo()
    assert not document.modified  # back where it was saved


def test_network_edits_of_a_network_scene_undo(qapp):
    document = Document(Scene(kind="network", network=NetworkSpec(hidden=[3], samples=60), steps=20),
                        background=False)
    playground = document.playground
    playground.set_option("hidden", [5, 2])
    assert playground.sizes[1:-1] == [5, 2]
    document.undo_stack.undo()
    assert playground.spec.hidden == [3] and playground.sizes[1:-1] == [3]
    assert not document.modified


def test_opening_a_scene_starts_a_new_history(qapp):
    document = Document()
    document.race.set_hyperparameter(0, "lr", 0.02)
    document.replace(load_scene(find_preset("rosenbrock")))
    assert document.undo_stack.count() == 0 and not document.undo_stack.canUndo()


def test_ctrl_z_and_ctrl_shift_z_in_the_window(qtbot):
    window = MainWindow(Document(), show_3d=False, remember=False)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    title = window.windowTitle()
    window.race.set_surface(SurfaceSpec(name="beale"))
    assert window.windowTitle() != title and window.windowTitle().endswith("•")
    assert "Surface" in window.undo_action.text()  # the menu names what Undo takes back
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.windowTitle() == title and window.race.surface.name != "beale"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.race.surface.name == "beale"
