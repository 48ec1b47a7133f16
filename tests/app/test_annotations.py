"""Labels and arrows on the map and the diagram: placed, dragged, edited, deleted and undone by hand,
saved in the scene and drawn in exports."""
import copy

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import QPoint, QPointF, Qt

from valley.app.export_cli import main as export_main
from valley.app.model.document import Document
from valley.app.views import annotation_layer
from valley.app.views.annotation_layer import ArrowItem, LabelItem
from valley.app.views.landscape2d import Landscape2DView
from valley.app.views.network_diagram import NetworkDiagram
from valley.core.scene import Annotation, NetworkSpec, Scene, default_scene
from valley.core.scene_io import load_scene, save_scene


@pytest.fixture
def map_view(qtbot):
    document = Document(default_scene())
    view = Landscape2DView(document.race)
    view.resize(700, 520)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    yield document, view
    view.shutdown()
    document.shutdown()


@pytest.fixture
def diagram_view(qtbot):
    scene = Scene(kind="network", network=NetworkSpec(hidden=[3], samples=40), steps=30)
    document = Document(scene, background=False)
    diagram = NetworkDiagram(document.playground)
    diagram.resize(640, 400)
    qtbot.addWidget(diagram)
    diagram.show()
    qtbot.waitExposed(diagram)
    yield document, diagram
    document.shutdown()


def widget_point(view, scene_pos: QPointF) -> QPoint:
    point = view.mapFromScene(scene_pos)
    return QPoint(point.x(), point.y())


def items_of(view, kind):
    return [item for item in view.annotations.items if isinstance(item, kind) and item.isVisible()]


def test_a_label_is_drawn_where_the_scene_puts_it(map_view, qtbot):
    document, view = map_view
    document.annotations.add(Annotation(text="the saddle", at=(0.0, 0.0)))
    (label,) = items_of(view, LabelItem)
    expected = view.vb.mapViewToScene(QPointF(0.0, 0.0))
    assert (label.scenePos() - expected).manhattanLength() < 1.0
    # the box keeps its size on screen: the map's data units are not its units
    assert 40 < label.sceneBoundingRect().width() < 400


def test_dragging_a_label_moves_it_in_the_surface_coordinates_as_one_undoable_edit(map_view, qtbot):
    document, view = map_view
    document.annotations.add(Annotation(text="drag me", at=(0.0, 0.5)))
    before_starts = [spec.start for spec in document.scene.optimizers], document.scene.start
    (label,) = items_of(view, LabelItem)
    start = widget_point(view, label.scenePos())
    target = widget_point(view, view.vb.mapViewToScene(QPointF(1.0, -0.5)))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for k in range(1, 6):
        qtbot.mouseMove(view.viewport(), start + (target - start) * k / 5)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=target)
    (note,) = document.scene.annotations
    assert note.at == pytest.approx((1.0, -0.5), abs=0.03)
    # the press was the label's: the racers' start did not move
    assert ([spec.start for spec in document.scene.optimizers], document.scene.start) == before_starts
    document.undo_stack.undo()
    assert document.scene.annotations[0].at == (0.0, 0.5)
    (label,) = items_of(view, LabelItem)
    assert (label.scenePos() - view.vb.mapViewToScene(QPointF(0.0, 0.5))).manhattanLength() < 1.0


def test_an_arrow_points_from_its_tail_to_its_tip_in_screen_pixels(map_view):
    document, view = map_view
    document.annotations.add(Annotation(text="Newton stops here", at=(-1.0, 0.0), tail=(-1.5, 1.0)))
    (arrow,) = items_of(view, ArrowItem)
    tip = view.vb.mapViewToScene(QPointF(-1.0, 0.0))
    tail = view.vb.mapViewToScene(QPointF(-1.5, 1.0))
    assert (arrow.scenePos() - tip).manhattanLength() < 1.0
    assert (arrow.tail_offset - (tail - tip)).manhattanLength() < 1.0
    # zooming the map re-aims it: the offset follows the new pixels
    view.vb.setRange(xRange=(-3, 1), yRange=(-2, 2), padding=0)
    tip = view.vb.mapViewToScene(QPointF(-1.0, 0.0))
    tail = view.vb.mapViewToScene(QPointF(-1.5, 1.0))
    assert (arrow.tail_offset - (tail - tip)).manhattanLength() < 1.0


def test_an_annotation_outside_the_shown_map_is_hidden_not_drawn_over_the_axes(map_view):
    document, view = map_view
    document.annotations.add(Annotation(text="far away", at=(50.0, 50.0)))
    assert not items_of(view, LabelItem)


def test_the_right_click_menu_adds_edits_and_deletes(map_view, qtbot, monkeypatch):
    document, view = map_view
    answers = iter(["a minimum", "the minimum (f = 0)", "look"])
    monkeypatch.setattr(annotation_layer, "ask_text", lambda parent, title, text="": next(answers))

    def trigger(menu, text):
        (action,) = [a for a in menu.actions() if a.text() == text]
        action.trigger()

    trigger(view.annotations.menu(None, (0.0, 1.0)), "Add a label here…")
    assert document.scene.annotations == [Annotation(text="a minimum", at=(0.0, 1.0))]
    trigger(view.annotations.menu(0), "Edit text…")
    assert document.scene.annotations[0].text == "the minimum (f = 0)"
    trigger(view.annotations.menu(None, (0.0, -1.0)), "Add an arrow pointing here…")
    arrow = document.scene.annotations[1]
    assert arrow.at == (0.0, -1.0) and arrow.is_arrow and arrow.text == "look"
    trigger(view.annotations.menu(0), "Delete")
    assert [n.text for n in document.scene.annotations] == ["look"]
    assert document.undo_stack.count() == 4
    for _ in range(4):
        document.undo_stack.undo()
    assert document.scene.annotations == [] and not document.modified


def test_delete_removes_the_clicked_annotation(map_view, qtbot):
    document, view = map_view
    document.annotations.add(Annotation(text="gone soon", at=(0.5, 0.5)))
    (label,) = items_of(view, LabelItem)
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # nothing selected: nothing deleted
    assert len(document.scene.annotations) == 1
    pos = widget_point(view, label.scenePos())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert view.annotations.selected == 0
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert document.scene.annotations == []
    assert not items_of(view, LabelItem)


def test_refused_edits_change_nothing():
    document = Document(default_scene())
    with pytest.raises(ValueError, match="at most 120"):
        document.annotations.add(Annotation(text="x" * 121, at=(0, 0)))
    with pytest.raises(ValueError, match="needs some text"):
        document.annotations.add(Annotation(text="   ", at=(0, 0)))
    with pytest.raises(ValueError, match="landscape scene keeps labels and arrows on the map"):
        document.annotations.add(Annotation(on="diagram", text="w", at=(0.5, 0.5)))
    assert document.scene.annotations == [] and document.undo_stack.count() == 0
    for k in range(40):
        document.annotations.add(Annotation(text=f"{k}", at=(0, 0)))
    with pytest.raises(ValueError, match="at most 40"):
        document.annotations.add(Annotation(text="one more", at=(0, 0)))


def test_undoing_an_annotation_does_not_retrain_the_network(qtbot):
    scene = Scene(kind="network", network=NetworkSpec(hidden=[3], samples=40), steps=30)
    document = Document(scene, background=False)
    playground = document.playground
    history = playground.history
    document.annotations.add(Annotation(on="diagram", text="δ", at=(0.5, 0.5)))
    document.undo_stack.undo()
    document.undo_stack.redo()
    assert playground.history is history  # the same training, not a new one
    assert document.scene.annotations[0].text == "δ"
    document.shutdown()


def test_diagram_annotations_stay_through_a_rebuild_and_follow_the_drawing(diagram_view):
    document, diagram = diagram_view
    document.annotations.add(Annotation(on="diagram", text="hidden layer", at=(0.5, 0.1), tail=(0.8, 0.05)))
    document.annotations.add(Annotation(on="map", text="not here", at=(0.0, 0.0)))
    assert len(items_of(diagram, LabelItem)) == 1 and len(items_of(diagram, ArrowItem)) == 1
    document.playground.set_hidden([5, 5])  # a new drawing: the scene is cleared and rebuilt
    (arrow,) = items_of(diagram, ArrowItem)
    rect = diagram.scene().sceneRect()
    tip = QPointF(rect.left() + 0.5 * rect.width(), rect.top() + 0.1 * rect.height())
    assert (arrow.scenePos() - tip).manhattanLength() < 1.0
    assert arrow.scene() is diagram.scene()


def test_annotations_round_trip_through_a_file(tmp_path):
    scene = default_scene()
    scene.annotations = [Annotation(text="saddle: ∇f = 0", at=(0.0, 0.0)),
                         Annotation(text="", at=(1.0, 0.0), tail=(1.4, -0.7))]
    save_scene(scene, tmp_path / "a.toml")
    assert load_scene(tmp_path / "a.toml") == scene
    document = Document()
    document.open(tmp_path / "a.toml")
    assert document.scene.annotations == scene.annotations


def test_an_exported_picture_shows_the_arrow(qapp, tmp_path, capsys):
    plain = default_scene()
    marked = copy.deepcopy(plain)
    marked.annotations = [Annotation(text="", at=(1.0, 1.0), tail=(1.6, -0.4))]
    for name, scene in (("plain", plain), ("marked", marked)):
        save_scene(scene, tmp_path / f"{name}.toml")
        code = export_main([str(tmp_path / f"{name}.toml"), "-o", str(tmp_path / f"{name}.png"),
                            "--size", "640x480", "--view", "landscape", "--quiet"])
        assert code == 0, capsys.readouterr().err
    a = np.asarray(Image.open(tmp_path / "plain.png").convert("RGB"), dtype=int)
    b = np.asarray(Image.open(tmp_path / "marked.png").convert("RGB"), dtype=int)
    changed = np.argwhere(np.abs(a - b).sum(axis=2) > 60)
    assert len(changed) > 200  # a shaft and a head, not a stray pixel
    # ... and only around the arrow: between its tip and its tail, not across the picture
    rows, cols = changed[:, 0], changed[:, 1]
    assert cols.max() - cols.min() < 0.5 * a.shape[1] and rows.max() - rows.min() < 0.6 * a.shape[0]


def test_dragging_an_arrows_tail_on_the_diagram_moves_only_the_tail(diagram_view, qtbot):
    document, diagram = diagram_view
    document.annotations.add(Annotation(on="diagram", text="δ", at=(0.5, 0.5), tail=(0.2, 0.2)))
    (tail,) = [item for item in items_of(diagram, LabelItem) if item.end == "tail"]
    start = diagram.mapFromScene(tail.scenePos())
    target = diagram.mapFromScene(diagram._fraction_to_scene((0.3, 0.8)))
    qtbot.mousePress(diagram.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for k in range(1, 5):
        qtbot.mouseMove(diagram.viewport(), start + (target - start) * k / 4)
    qtbot.mouseRelease(diagram.viewport(), Qt.MouseButton.LeftButton, pos=target)
    (note,) = document.scene.annotations
    assert note.at == (0.5, 0.5)
    assert note.tail == pytest.approx((0.3, 0.8), abs=0.02)
    assert document.undo_stack.count() == 2  # added, then one drag
