"""RacePanel: add, remove, duplicate (with other hyperparameters), limits, rename, recolour, clicks."""
import numpy as np
import pytest
from models import race_model
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor

from valley.app.panels.race_panel import RacePanel, status_text
from valley.core.limits import OPTIMIZERS
from valley.core.optimizers import OPTIMIZERS as OPTIMIZER_CLASSES
from valley.core.scene import OptimizerSpec, Scene, SurfaceSpec


@pytest.fixture
def panel(qtbot):
    widget = RacePanel(race_model())
    qtbot.addWidget(widget)
    widget.show()
    return widget


def rows(panel):
    return [panel.list.topLevelItem(i).text(0) for i in range(panel.list.topLevelItemCount())]


def test_rows_mirror_the_racers_with_status(panel):
    session = panel.session
    assert rows(panel) == [s.display_label() for s in session.scene.optimizers]
    session.timeline.set_step(session.max_step)
    newton = [s.kind for s in session.scene.optimizers].index("newton")
    traj = session.trajectories[newton]
    assert traj.status == "converged"  # on the saddle (0, 0): H = diag(2, −4)
    assert panel.list.topLevelItem(newton).text(2) == f"on a saddle at {traj.stopped_at}"
    assert panel.list.topLevelItem(newton).toolTip(2) == f"stopped on a saddle at step {traj.stopped_at}"
    sgd = [s.kind for s in session.scene.optimizers].index("sgd")
    assert panel.list.topLevelItem(sgd).toolTip(2) == \
        f"converged at step {session.trajectories[sgd].stopped_at}"


def test_add_until_eight_then_refused(panel):
    session = panel.session
    while len(session.scene.optimizers) < OPTIMIZERS.hi:
        assert panel.add_racer("adam")
    assert len(rows(panel)) == OPTIMIZERS.hi
    assert not panel.add_button.isEnabled() and not panel.duplicate_button.isEnabled()
    assert not panel.add_racer("sgd")
    assert len(session.scene.optimizers) == OPTIMIZERS.hi
    assert panel.error.isVisible() and str(OPTIMIZERS.hi) in panel.error.text()
    assert len({s.color for s in session.scene.optimizers}) == OPTIMIZERS.hi  # all distinct


def test_add_from_the_menu_uses_that_kind(panel):
    session = panel.session
    action = next(a for a in panel.add_button.menu().actions() if a.data() == "rmsprop")
    action.trigger()
    assert session.scene.optimizers[-1].kind == "rmsprop"
    assert session.selected == len(session.scene.optimizers) - 1
    assert rows(panel)[-1] == "RMSProp"


def test_remove_down_to_one_then_refused(panel, qtbot):
    session = panel.session
    while len(session.scene.optimizers) > 1:
        qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert len(rows(panel)) == 1 and not panel.remove_button.isEnabled()
    assert not panel.remove_selected()
    assert len(session.scene.optimizers) == 1 and "at least one" in panel.error.text()


def test_duplicate_with_lr_gives_a_second_racer_with_that_lr(panel, qtbot):
    session = panel.session
    session.set_selected(0)  # SGD, lr 0.05
    original = session.scene.optimizers[0]
    panel.duplicate_key.setCurrentText("lr")
    qtbot.keyClicks(panel.duplicate_value, "0.3")
    qtbot.keyClick(panel.duplicate_value, Qt.Key.Key_Return)
    copy = session.scene.optimizers[-1]
    assert copy.kind == original.kind and copy.hyperparameters["lr"] == 0.3
    assert original.hyperparameters["lr"] == 0.05 and copy.color != original.color
    assert "lr=0.3" in rows(panel)[-1]
    # Its run is a real re-run at lr 0.3: the first step is −0.3·∇f(start).
    start = np.array(session.scene.start)
    g = session.surface.gradient(start)
    np.testing.assert_allclose(session.trajectories[-1].points[1], start - 0.3 * g)
    np.testing.assert_allclose(session.trajectories[0].points[1], start - 0.05 * g)


def test_plain_duplicate_and_bad_value(panel):
    session = panel.session
    count = len(session.scene.optimizers)
    session.set_selected(2)
    source = session.scene.optimizers[2]
    panel.duplicate_value.setText("")
    assert panel.duplicate_from_fields()
    assert len(session.scene.optimizers) == count + 1
    copy = session.scene.optimizers[-1]
    assert copy.kind == source.kind and copy.hyperparameters == source.hyperparameters
    np.testing.assert_array_equal(session.trajectories[-1].points, session.trajectories[2].points)
    panel.duplicate_key.setCurrentText("lr")
    panel.duplicate_value.setText("-1")
    assert not panel.duplicate_from_fields()
    assert len(session.scene.optimizers) == count + 1 and "lr" in panel.error.text()


def test_selecting_a_row_selects_in_the_session_and_back(panel, qtbot):
    session = panel.session
    item = panel.list.topLevelItem(2)
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.list.visualItemRect(item).center())
    assert session.selected == 2
    session.set_selected(1)
    assert panel.list.selectedItems() == [panel.list.topLevelItem(1)]


def test_rename_and_recolour(panel, qtbot):
    session = panel.session
    assert panel.rename(1, "Heavy ball")
    assert session.scene.optimizers[1].label == "Heavy ball" and rows(panel)[1] == "Heavy ball"
    assert not panel.rename(1, "   ")
    assert session.scene.optimizers[1].label == "Heavy ball"
    session.set_selected(1)
    assert panel.recolour_selected(QColor("#123456"))
    assert session.scene.optimizers[1].color == "#123456"
    icon = panel.list.topLevelItem(1).icon(0).pixmap(8, 8).toImage()
    assert icon.pixelColor(4, 4).name() == "#123456"


def test_rename_through_the_editor(panel, qtbot):
    session = panel.session
    item = panel.list.topLevelItem(0)
    panel.list.setCurrentItem(item)
    item.setText(0, "Plain GD")  # what the inline editor commits
    qtbot.waitUntil(lambda: session.scene.optimizers[0].label == "Plain GD", timeout=2000)


def test_click_mode_toggle_is_stored_in_the_session(panel, qtbot):
    session = panel.session
    qtbot.mouseClick(panel.click_selected, Qt.MouseButton.LeftButton)
    assert session.click_moves == "selected"
    session.set_click_moves("all")
    assert panel.click_all.isChecked() and not panel.click_selected.isChecked()


def test_status_text_for_divergence():
    session = race_model(Scene(surface=SurfaceSpec(name="quadratic"), start=(1.0, 1.0), steps=50,
                            optimizers=[OptimizerSpec(kind="sgd", hyperparameters={"lr": 5.0})]))
    traj = session.trajectories[0]
    assert traj.status == "diverged"
    assert status_text(traj, session.surface) == f"diverged at step {traj.stopped_at}"


def test_status_follows_the_step_and_spoils_nothing(panel):
    session = panel.session
    sgd = [s.kind for s in session.scene.optimizers].index("sgd")
    stop = session.trajectories[sgd].stopped_at
    session.timeline.set_step(0)
    assert all(panel.list.topLevelItem(i).text(2) == "running"
               for i, t in enumerate(session.trajectories) if t.stopped_at is None or t.stopped_at > 0)
    session.timeline.set_step(stop - 1)
    assert panel.list.topLevelItem(sgd).text(2) == "running"
    session.timeline.set_step(stop)
    assert panel.list.topLevelItem(sgd).text(2) == f"converged at {stop}"


def test_status_of_a_run_out_of_steps():
    session = race_model(Scene(surface=SurfaceSpec(name="rosenbrock"), start=(-1.5, 2.0), steps=30,
                               optimizers=[OptimizerSpec(kind="sgd", hyperparameters={"lr": 1e-4})]))
    traj = session.trajectories[0]
    assert status_text(traj, session.surface, 29) == "running"
    assert status_text(traj, session.surface) == "not converged after 30 steps"


@pytest.mark.parametrize("kind", ["sgd", "momentum", "adam", "newton", "saddle_free_newton", "rmsprop"])
def test_an_added_racer_wears_its_kinds_colour(qtbot, kind):
    from valley.core.scene import KIND_COLOURS

    session = race_model(Scene(optimizers=[OptimizerSpec(kind="nesterov", color=KIND_COLOURS["nesterov"],
                                                         hyperparameters={"lr": 0.01})]))
    panel = RacePanel(session)
    qtbot.addWidget(panel)
    assert panel.add_racer(kind)
    assert session.scene.optimizers[-1].color == KIND_COLOURS[kind]


def test_a_second_racer_of_a_kind_gets_an_unused_colour(qtbot, panel):
    from valley.core.scene import HUE_FAMILIES

    session = panel.session
    families = {HUE_FAMILIES[s.color] for s in session.scene.optimizers}
    assert len(families) == len(session.scene.optimizers) == 5  # the default race
    assert panel.add_racer("adam")  # Adam races already, in green
    new = session.scene.optimizers[-1].color
    assert new not in {s.color for s in session.scene.optimizers[:-1]}


def test_the_kind_column_only_says_what_the_label_does_not(panel):
    session = panel.session
    for i, spec in enumerate(session.scene.optimizers):
        item = panel.list.topLevelItem(i)
        title = OPTIMIZER_CLASSES[spec.kind].title
        assert item.text(1) == ("" if spec.display_label() == title else title)
        assert title in item.toolTip(0) and item.toolTip(1) == title


def test_names_whole_in_a_narrow_dock(panel, qtbot):
    # the dock's minimum is part of the window's: it must leave a 1366-px laptop room
    assert panel.minimumSizeHint().width() <= 320
    panel.resize(300, 400)
    qtbot.wait(10)
    session = panel.session
    session.timeline.set_step(session.max_step)
    metrics = panel.list.fontMetrics()
    for spec in session.scene.optimizers:
        needed = metrics.horizontalAdvance(spec.display_label())
        assert panel.list.columnWidth(0) >= needed, spec.display_label()
    # and the status column starts inside the list, not behind a horizontal scroll: the kind
    # (also in the label's tooltip) gives way
    shown = [c for c in range(3) if not panel.list.isColumnHidden(c)]
    assert 2 in shown
    assert sum(panel.list.columnWidth(c) for c in shown if c != 2) < panel.list.viewport().width() - 60
    panel.resize(800, 400)
    qtbot.wait(10)
    assert not panel.list.isColumnHidden(1)
