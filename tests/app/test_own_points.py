"""Your own data: points clicked into the data view or loaded from a CSV file, saved in the scene."""
import numpy as np
import pytest
from PyQt6.QtCore import QPointF, Qt

from valley.app.model.document import Document
from valley.app.panels.network_panel import NetworkPanel
from valley.app.views.decision_view import DecisionView
from valley.core.datasets import OWN_POINTS, TEST, TRAIN
from valley.core.scene import NetworkSpec, Scene
from valley.core.scene_io import SceneError, dumps_scene, loads_scene


def network_document(**fields):
    fields = {"dataset": "xor", "samples": 40, **fields}
    return Document(Scene(kind="network", steps=30, network=NetworkSpec(**fields)), background=False)


def shown_view(qtbot, document):
    view = DecisionView(document.playground)
    qtbot.addWidget(view)
    view.resize(400, 400)
    view.show()
    qtbot.waitExposed(view)
    return view


def click(qtbot, view, x, y, button=Qt.MouseButton.LeftButton, modifiers=Qt.KeyboardModifier.NoModifier):
    box = view.getPlotItem().getViewBox()
    pixel = view.mapFromScene(box.mapViewToScene(QPointF(x, y)))
    qtbot.mouseClick(view.viewport(), button, modifiers, pixel)


def test_clicks_add_points_of_the_class_their_modifier_picks(qtbot):
    document = network_document()
    playground = document.playground
    view = shown_view(qtbot, document)
    before = playground.own_points()
    click(qtbot, view, 1.0, 2.0)
    click(qtbot, view, -2.0, 1.0, modifiers=Qt.KeyboardModifier.ShiftModifier)
    spec = playground.spec
    assert spec.dataset == OWN_POINTS and len(spec.points) == len(before) + 2
    added = np.array(spec.points[-2:])
    np.testing.assert_allclose(added[:, :2], [[1.0, 2.0], [-2.0, 1.0]], atol=0.1)  # where the clicks were
    assert list(added[:, 2]) == [0, 1] and list(added[:, 3]) == [TRAIN, TRAIN]
    assert spec.points[:-2] == before  # the others keep their places and parts: no reshuffle
    assert playground.sizes[-1] == 1  # still two classes
    click(qtbot, view, 3.0, -3.0, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert playground.spec.points[-1][2] == 2
    assert playground.sizes[-1] == 3 and playground.spec.output_activation == "softmax"
    document.undo_stack.undo()  # each click is one undo step
    assert playground.sizes[-1] == 1 and playground.spec.output_activation == "sigmoid"
    document.shutdown()


def test_a_right_click_on_a_point_removes_it_and_nothing_elsewhere(qtbot):
    document = network_document()
    playground = document.playground
    view = shown_view(qtbot, document)
    click(qtbot, view, 0.5, 0.5)
    count = len(playground.spec.points)
    click(qtbot, view, 4.9, -4.9, button=Qt.MouseButton.RightButton)  # a corner without points
    assert len(playground.spec.points) == count
    click(qtbot, view, 0.5, 0.5, button=Qt.MouseButton.RightButton)
    assert len(playground.spec.points) == count - 1
    assert not any(np.allclose(row[:2], [0.5, 0.5], atol=0.1) for row in playground.spec.points)
    document.shutdown()


def test_own_points_survive_a_save_with_their_parts():
    document = network_document()
    playground = document.playground
    playground.add_point(0.25, -0.5, 1)
    again = loads_scene(dumps_scene(document.scene))
    assert again.network.points == playground.spec.points
    assert again.network.points_kind == "classification"
    reopened = Document(again, background=False)
    np.testing.assert_allclose(reopened.playground.data.points_train, playground.data.points_train)
    np.testing.assert_allclose(reopened.playground.data.points_test, playground.data.points_test)
    assert {row[3] for row in again.network.points} == {TRAIN, TEST}
    reopened.shutdown()
    document.shutdown()


def test_points_that_do_not_fit_are_named_by_line_and_key():
    document = network_document()
    document.playground.add_point(0.0, 0.0, 0)
    text = dumps_scene(document.scene)
    document.shutdown()
    with pytest.raises(SceneError, match=r"network\.points"):
        loads_scene(text.replace('dataset = "points"', 'dataset = "xor"'), source="mine.toml")
    broken = text.replace("points = [", "points = [[1.0, 2.0],", 1)
    with pytest.raises(SceneError) as error:
        loads_scene(broken, source="mine.toml")
    assert "mine.toml:" in str(error.value) and "network.points[0]" in str(error.value)


def test_a_csv_file_loads_through_the_panel_and_a_bad_one_changes_nothing(qtbot, tmp_path):
    document = network_document()
    playground = document.playground
    panel = NetworkPanel(playground)
    qtbot.addWidget(panel)
    good = tmp_path / "moons.csv"
    rows = [(np.cos(t), np.sin(t), 0) for t in np.linspace(0, 3, 20)]
    rows += [(1 - np.cos(t), 0.5 - np.sin(t), 1) for t in np.linspace(0, 3, 20)]
    good.write_text("x1,x2,label\n" + "\n".join(f"{x:.3f},{y:.3f},{c}" for x, y, c in rows))
    panel.load_points_from(str(good))
    assert panel.error.text() == ""
    assert playground.spec.dataset == OWN_POINTS and len(playground.spec.points) == 40
    assert len(playground.data.X_train) == round(0.7 * 40)
    assert not panel.samples.isEnabled() and panel.samples.value() == 40
    scene_before = dumps_scene(document.scene)
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,0\n3,oops,1\n")
    panel.load_points_from(str(bad))
    message = panel.error.text()
    assert "bad.csv" in message and "line 3" in message and "column 2" in message
    assert dumps_scene(document.scene) == scene_before
    document.shutdown()


def test_a_csv_of_targets_becomes_a_regression_with_a_linear_output(tmp_path):
    document = network_document()
    playground = document.playground
    path = tmp_path / "heights.csv"
    path.write_text("x1,x2,target\n" + "\n".join(f"{i},{i % 3},{0.5 * i}" for i in range(10)))
    playground.load_points(path)
    assert playground.spec.points_kind == "regression"
    assert (playground.spec.output_activation, playground.spec.loss) == ("linear", "mse")
    with pytest.raises(ValueError, match="regression"):
        playground.add_point(0.0, 0.0, 0)
    document.shutdown()


def test_a_worked_example_keeps_the_slides_data():
    document = Document(Scene(kind="network", network=NetworkSpec(example="backprop_example")), background=False)
    with pytest.raises(ValueError, match="worked example"):
        document.playground.add_point(0.0, 0.0, 1)
    document.shutdown()
