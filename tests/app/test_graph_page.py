"""The Graph tab: its model's step-through, the page's editor and paths, the lecturer's keys,
graph scenes (presets, save/load, undo) and exports."""
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication

import valley.app.file_actions as fa
from valley.app.main_window import MainWindow
from valley.app.model.document import Document
from valley.app.model.presets import resolve_scene_path
from valley.app.views.graph_view import READABLE_SHARE, TEXT_PIXELS, describe_step, layout
from valley.core.graph import Graph, GraphError
from valley.core.scene import GraphSpec, Scene
from valley.core.scene_io import load_scene

SLIDE_004 = "∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5"


def graph_document(expression="(a + b) * (b + 1)", values=None, **spec) -> Document:
    values = {"a": 2.0, "b": 1.0} if values is None else values
    return Document(Scene(kind="graph", title="g", graph=GraphSpec(expression, values, **spec)))


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr(fa, "ask_unsaved", lambda parent, title: "discard")
    w = MainWindow(Document(), show_3d=False, remember=False)
    qtbot.addWidget(w)
    w.document.replace(graph_document().scene)  # as `valley scene.toml` opens a scene
    w.resize(1300, 800)
    w.show()
    # asked again while waiting: without a window manager, one request can be lost to the window
    # a previous test left behind
    qtbot.waitUntil(lambda: (w.activateWindow(), QApplication.activeWindow() is w)[1], timeout=10_000)
    yield w
    w.document.graph.timeline.pause()


# ----- the model -----

def test_steps_fill_values_forward_then_adjoints_backward(qapp):
    model = graph_document().graph
    kinds = [(s.kind, model.graph.nodes[s.node].label if s.node >= 0 else "") for s in model.plan]
    assert kinds == [("inputs", ""), ("forward", "c"), ("forward", "d"), ("forward", "e"), ("backward", "e"),
                     ("backward", "d"), ("backward", "c"), ("backward", "b"), ("backward", "a")]
    assert model.timeline.last == 8 and model.steps == 8
    values, adjoints = model.shown(0)
    assert {model.graph.nodes[i].label for i in values} == {"a", "b", "1"} and adjoints == set()
    values, adjoints = model.shown(5)
    assert len(values) == 6 and {model.graph.nodes[i].label for i in adjoints} == {"e", "d"}
    assert describe_step(model, 2).endswith("d = b + 1 = 1 + 1 = 2")
    assert describe_step(model, 4).endswith("∂e/∂e = 1")
    assert describe_step(model, 7).endswith(SLIDE_004)


def test_negative_numbers_are_written_in_parentheses_inside_sums_and_products(qapp):
    from valley.app.views.graph_view import describe_path

    model = graph_document("a * b", {"a": 2.0, "b": -1.0}).graph
    assert describe_step(model, 1).endswith("c = a·b = 2·(−1) = −2")
    model = graph_document("u = sin(x); v = cos(x); o = u + v", {"x": 0.5}).graph
    # ∂o/∂x = cos x − sin x, written as the chain rule: 1·0.8776 + 1·(−0.4794)
    assert describe_step(model, model.steps).endswith("= 1·0.8776 + 1·(−0.4794) = 0.3982")
    model.set_path_input("x")
    model.highlight_path(1)
    assert describe_path(model).replace("\u200b", "") == "Path x → v → o: −0.4794·1 = −0.4794"
    model = graph_document("sin(x)", {"x": -1.0}).graph
    assert describe_step(model, 1).endswith("= sin(−1) = −0.8415")  # a function's argument as it is


def test_edits_are_undoable_and_a_bad_expression_changes_nothing(qapp):
    document = graph_document()
    model = document.graph
    model.timeline.set_step(3)
    with pytest.raises(GraphError) as caught:
        model.set_expression("a + * b")
    assert caught.value.position == 4
    assert model.spec.expression == "(a + b) * (b + 1)" and not document.modified and model.step == 3
    model.set_expression("a * (a + b)")
    model.set_value("a", 4.0)
    model.set_value("b", 3.0)
    assert model.result.gradient == {"a": 11.0, "b": 4.0} and document.modified
    assert document.scene.graph.values == {"a": 4.0, "b": 3.0}
    document.undo_stack.undo()  # b
    document.undo_stack.undo()  # a
    assert model.result.gradient == {"a": 5.0, "b": 2.0}  # 2a + b, a at a = 2, b = 1
    document.undo_stack.undo()  # the expression
    assert model.spec.expression == "(a + b) * (b + 1)" and model.result.value == 6.0
    model.set_expression("a*b + c")  # the new input starts at 1, the old keep theirs
    assert model.spec.values == {"a": 2.0, "b": 1.0, "c": 1.0}


def test_beside_another_scene_the_graph_is_not_part_of_it(qapp):
    document = Document()
    model = document.graph
    model.set_expression("x**2")
    assert not document.modified and document.scene.graph is None and model.result.value == 1.0


def test_saved_and_loaded_graph_scenes_keep_every_edit(qapp, tmp_path):
    document = graph_document()
    model = document.graph
    model.set_expression("c = a + b; d = a * c")
    model.set_value("a", 4.0)
    model.set_path_input("b")
    path = document.save(tmp_path / "graph.toml")
    scene = load_scene(path)
    assert scene.kind == "graph"
    assert scene.graph == GraphSpec("c = a + b; d = a * c", {"a": 4.0, "b": 1.0}, "b", "")
    other = Document()
    other.open(path)
    assert other.graph.result.gradient == {"a": 9.0, "b": 4.0} and other.graph.path_input == "b"


def test_layout_goes_left_to_right():
    graph = Graph.parse("(a + b) * (b + 1)")
    places = layout(graph)
    column = {graph.nodes[i].label: c for i, (c, _) in places.items()}
    assert column == {"a": 0, "b": 0, "1": 0, "c": 1, "d": 1, "e": 2}
    for node in graph.nodes:
        assert all(places[i][0] < places[node.index][0] for i in node.inputs)


# ----- the page in the window -----

def test_a_graph_scene_opens_on_the_graph_tab_and_the_keys_step_it(qtbot, window):
    assert window.tabs.currentWidget() is window.graph_page
    model = window.document.graph
    page = window.graph_page
    qtbot.mouseClick(page.paths.list.viewport(), Qt.MouseButton.LeftButton)  # focus in the panel
    for _ in range(7):
        qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Right)
    assert model.step == 7 and window.race.step == 0
    assert page.view.caption.text().endswith(SLIDE_004)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Left)
    assert model.step == 6
    qtbot.keyClick(window, Qt.Key.Key_End)
    assert model.step == model.timeline.last
    qtbot.keyClick(window, Qt.Key.Key_Home)
    assert model.step == 0
    window.tabs.setCurrentWidget(window.landscape_page)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert model.step == 0  # the landscape's keys are the race's (a graph scene has no racers)


def test_typing_an_expression_and_a_value(qtbot, window):
    page = window.graph_page
    model = window.document.graph
    page.expression.setFocus()
    page.expression.selectAll()
    qtbot.keyClicks(page.expression, "a * (a + ^b)")
    qtbot.keyClick(page.expression, Qt.Key.Key_Return)
    assert page.error.isVisible() and "position 9" in page.error.text()
    assert page.expression.cursorPosition() == 9 and model.spec.expression == "(a + b) * (b + 1)"
    page.expression.selectAll()
    qtbot.keyClicks(page.expression, "a * (a + b)")
    qtbot.keyClick(page.expression, Qt.Key.Key_Return)
    assert not page.error.isVisible() and model.spec.expression == "a * (a + b)"
    assert list(page.value_boxes) == ["a", "b"]
    page.value_boxes["a"].setValue(4.0)
    page.value_boxes["b"].setValue(3.0)
    assert model.result.gradient == {"a": 11.0, "b": 4.0}
    assert window.document.modified


def test_clicking_a_path_highlights_it_with_its_product(qtbot, window):
    page = window.graph_page
    model = window.document.graph
    assert model.path_input == "a"
    page.paths.input_box.setCurrentText("b")
    assert model.path_input == "b" and page.paths.list.count() == 2
    assert "2 paths from b to e" in page.paths.summary.text()
    rect = page.paths.list.visualItemRect(page.paths.list.item(1))
    qtbot.mouseClick(page.paths.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert model.highlighted == 1
    assert "Path b → d → e: 1·3 = 3" in page.view.caption.text().replace("\u200b", "")
    path_pen = page.view.canvas.edges[(model.graph.output, 1)].pen()
    assert path_pen.widthF() > 5


def test_the_32_path_preset_says_where_the_slide_slipped(qtbot, window):
    window.document.open_preset("graph_exponential_paths")
    page = window.graph_page
    assert window.tabs.currentWidget() is page
    assert "32 paths from w to y₁₁" in page.paths.summary.text()
    assert page.paths.more.text() == "Click a path to highlight it."
    note = page.paths.note.text()
    assert page.paths.note.isVisible() and "2w¹⁶" in note and "S(9,11) = ∂y11/∂y9 = y10 = w¹⁶" in note
    nodes = {n.label: n for n in window.document.graph.result.nodes}
    w = 1.1
    assert nodes["y9"].adjoint == pytest.approx(w ** 16) and nodes["y7"].adjoint == pytest.approx(2 * w ** 24)
    assert f"{nodes['y9'].adjoint:.4g}" in note and f"{nodes['y7'].adjoint:.4g}" in note
    model = window.document.graph
    plan = [(s.kind, model.graph.nodes[s.node].label if s.node >= 0 else "") for s in model.plan]
    model.timeline.set_step(plan.index(("backward", "y9")))  # said again when the step reaches it
    caption = page.view.caption.text()
    assert "∂y₁₁/∂y₉ = 4.595" in caption and "The slide writes S(9,11) = 2w¹⁶" in caption and "= w¹⁶." in caption
    model.timeline.set_step(plan.index(("backward", "y7")))
    caption = page.view.caption.text()
    assert "= 19.7" in caption and "The slide writes S(7,11) = 8w²⁴" in caption and "= 2w²⁴." in caption
    model.timeline.set_step(plan.index(("backward", "y8")))
    assert "slide writes" not in page.view.caption.text()
    model.set_expression("y1 = w; y9 = y1*y1; y11 = y9*w")  # y7 is gone: its remark with it
    assert model.spec.remarks == {"y9": window.document.scene.graph.remarks["y9"]}


def test_the_ladder_preset_lists_some_paths_and_counts_them_all(qtbot, window):
    window.document.open_preset("graph_ladder")
    page = window.graph_page
    assert page.paths.list.count() == 64 and "64 paths" in page.paths.summary.text()


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_presentation_mode_makes_the_graph_readable(qtbot, window, size, tmp_path):
    window.resize(*size)
    model = window.document.graph
    model.timeline.set_step(7)
    normal = window.graph_page.view.caption.font().pointSize()
    window.set_presentation(True, fullscreen=False)
    window.resize(*size)
    QApplication.processEvents()
    view = window.graph_page.view
    assert view.caption.font().pointSize() > normal
    assert view.caption.isVisible() and view.canvas.width() > 0.6 * size[0]
    node = view.canvas.node_box(model.graph.output)
    box = view.canvas.mapFromScene(node.sceneBoundingRect()).boundingRect()
    assert view.canvas.viewport().rect().contains(box)  # nothing of the graph is cut off
    window.grab().save(str(tmp_path / f"graph-{size[0]}.png"))


GRAPH_PRESETS = ["graph_sum_of_paths", "graph_autodiff", "graph_chain_rule", "graph_sigmoid_neuron",
                 "graph_backprop_loss", "graph_exponential_paths", "graph_ladder"]


def on_screen(canvas, item):
    """A node's text as the room sees it: its rectangle in the view's pixels."""
    return canvas.mapFromScene(item.sceneBoundingRect()).boundingRect()


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_a_graph_too_large_to_read_whole_follows_the_step(qtbot, window, size):
    window.document.open_preset("graph_backprop_loss")
    window.set_presentation(True, fullscreen=False)
    window.resize(*size)
    QApplication.processEvents()
    model, canvas = window.document.graph, window.graph_page.view.canvas
    assert canvas.following  # 15 columns: drawn whole, its text would be a few pixels high
    points = window.graph_page.theme.font_size
    port = canvas.viewport().rect()
    for step in range(model.steps + 1):
        model.timeline.set_step(step)
        current = model.current()
        if current.kind == "inputs":
            continue
        box = canvas.mapFromScene(canvas.node_box(current.node).sceneBoundingRect()).boundingRect()
        assert port.contains(box), (step, current)
        value = canvas.texts[current.node]["value"]
        height = value.font().pixelSize() * value.scale() * canvas.transform().m11()
        assert height >= 0.7 * READABLE_SHARE * TEXT_PIXELS["value"] * points, (step, height)
        if current.kind == "backward":  # the consumers its chain rule adds up are in sight too
            for edge in model.graph.consumers(current.node):
                target = canvas.mapFromScene(canvas.node_box(edge.target).sceneBoundingRect()).boundingRect()
                assert port.intersects(target), (step, model.graph.nodes[edge.target].label)


def test_a_graph_that_reads_whole_is_shown_whole(qtbot, window):
    window.set_presentation(True, fullscreen=False)
    window.resize(1280, 720)
    QApplication.processEvents()
    canvas = window.graph_page.view.canvas
    assert not canvas.following
    for index in canvas.boxes:
        assert canvas.viewport().rect().contains(
            canvas.mapFromScene(canvas.node_box(index).sceneBoundingRect()).boundingRect())


@pytest.mark.parametrize("preset", GRAPH_PRESETS)
def test_no_label_lies_on_another_or_on_a_node(qtbot, window, preset):
    window.document.open_preset(preset)
    model, canvas = window.document.graph, window.graph_page.view.canvas
    model.timeline.set_step(model.steps)  # every adjoint and every local derivative shown
    QApplication.processEvents()
    labels = [(key, label.sceneBoundingRect()) for key, (label, _) in canvas.edge_labels.items() if label.isVisible()]
    graph = model.graph
    # every edge's local derivative is written, but a constant's (it has no adjoint)
    assert len(labels) == sum(graph.nodes[e.source].kind != "constant" for e in graph.edges)
    adjoints = [(i, t["adjoint"].sceneBoundingRect()) for i, t in canvas.texts.items() if t["adjoint"].isVisible()]
    boxes = [(i, box.sceneBoundingRect()) for i, box in canvas.boxes.items()]
    texts = labels + adjoints
    for k, (key, rect) in enumerate(texts):
        for other, other_rect in texts[k + 1:]:
            assert not rect.adjusted(1, 1, -1, -1).intersects(other_rect), (key, other)
        for index, box in boxes:
            assert not rect.adjusted(1, 1, -1, -1).intersects(box), (key, model.graph.nodes[index].label)
    for index, texts_of_node in canvas.texts.items():  # a node's title and value stay inside it
        box = canvas.boxes[index].sceneBoundingRect()
        for kind in ("title", "value"):
            if texts_of_node[kind].text():
                assert box.contains(texts_of_node[kind].sceneBoundingRect()), (index, kind)


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_on_a_projector_the_paths_and_the_note_are_whole(qtbot, window, size):
    window.document.open_preset("graph_backprop_loss")  # the longest note beside a one-path list
    window.resize(1000, 600)
    QApplication.processEvents()
    window.set_presentation(True, fullscreen=False)  # as F11: the theme first, the size after
    window.resize(*size)
    qtbot.waitUntil(lambda: window.width() == size[0])
    QApplication.processEvents()
    paths = window.graph_page.paths
    for label in (paths.summary, paths.more, paths.note):
        assert label.isVisible() and label.height() >= label.heightForWidth(label.width()), label.text()[:30]
    item = paths.list.visualItemRect(paths.list.item(0))
    assert paths.list.viewport().rect().contains(item)  # the one path, with its product, in view


def test_many_inputs_leave_the_paths_their_room_at_720(qtbot, window):
    window.document.open_preset("graph_backprop_loss")
    window.resize(1280, 720)
    QApplication.processEvents()
    page = window.graph_page
    assert len(page.value_boxes) == 12
    summary = page.paths.summary
    assert summary.height() >= summary.heightForWidth(summary.width())  # no line of it cut off
    assert page.paths.list.height() > 3 * page.paths.list.fontMetrics().height()
    note = page.paths.note
    assert note.isVisible() and note.height() >= note.heightForWidth(note.width())


# ----- the backprop example, as a graph and as the network -----

def test_the_backprop_preset_adjoints_are_the_network_engines_gradient(qapp):
    from valley.core.examples import EXAMPLES

    scene = load_scene(resolve_scene_path("graph_backprop_loss"))
    result = Graph.parse(scene.graph.expression).evaluate(scene.graph.values)
    setup = EXAMPLES["backprop_example"].build()
    net = setup.network
    gradient = net.objective(setup.X, setup.T).gradient(net.get_params())
    i = net.param_index
    pairs = {"w10": i(0, 0), "w11": i(0, 0, 0), "w12": i(0, 0, 1), "w20": i(0, 1), "w21": i(0, 1, 0),
             "w22": i(0, 1, 1), "v0": i(1, 0), "v1": i(1, 0, 0), "v2": i(1, 0, 1)}
    for name, k in pairs.items():
        assert result.gradient[name] == pytest.approx(gradient[k], rel=1e-12, abs=1e-15), name


@pytest.mark.parametrize("preset, name, value, gradient", [
    ("graph_sum_of_paths", "b", 6.0, 5.0),  # slide 004 at a = 2, b = 1: e = 6, ∂e/∂b = 2·1 + 3·1
    ("graph_autodiff", "a", 28.0, 11.0),  # slide 002 at a = 4, b = 3: d = 28, ∂d/∂a = 2a + b
    ("graph_chain_rule", "x", 5.0 ** 4, 4 * 5.0 ** 3 * 11),  # slide 000 at x = 1: z = 5, 9x² + 2 = 11
    ("graph_exponential_paths", "w", 1.1 ** 32, 32 * 1.1 ** 31),  # slide 002: 32 paths, each w³¹
])
def test_the_presets_carry_the_slides_numbers(preset, name, value, gradient):
    scene = load_scene(resolve_scene_path(preset))
    result = Graph.parse(scene.graph.expression).evaluate(scene.graph.values)
    assert scene.graph.input == name
    assert result.value == pytest.approx(value, rel=1e-12)
    assert result.gradient[name] == pytest.approx(gradient, rel=1e-12)


# ----- exports -----

def test_export_the_step_through_as_png_svg_and_gif(qapp, tmp_path):
    from PIL import Image

    from valley.app.export import build_view, export_file, model_of

    document = graph_document()
    model = model_of(document, "graph")
    assert model is document.graph
    view = build_view(document, "graph")
    export_file(model, view, tmp_path / "g.png", size=(640, 360), steps=(0, 7))
    export_file(model, view, tmp_path / "g.svg", size=(640, 360))
    export_file(model, view, tmp_path / "g.gif", size=(320, 180), steps=(0, 8), fps=2)
    assert Image.open(tmp_path / "g.png").size == (640, 360)
    assert "<svg" in (tmp_path / "g.svg").read_text()[:2000]
    gif = Image.open(tmp_path / "g.gif")
    assert gif.n_frames == 9
    view.close()


def test_valley_export_draws_a_graph_preset(qapp, tmp_path):
    from valley.app.export_cli import default_view, main

    assert default_view(load_scene(resolve_scene_path("graph_sum_of_paths"))) == "graph"
    out = tmp_path / "slide004.gif"
    assert main(["graph_sum_of_paths", "-o", str(out), "--size", "320x180", "--quiet"]) == 0
    assert out.stat().st_size > 0
    out = tmp_path / "window.png"
    assert main(["graph_autodiff", "-o", str(out), "--view", "window", "--size", "640x360", "--quiet"]) == 0
    assert Path(out).stat().st_size > 0


def test_the_export_dialog_offers_the_graph_and_copy_image_takes_it(qtbot, window, tmp_path):
    from valley.app.export_dialog import ExportDialog

    dialog = ExportDialog(window, parent=window)
    qtbot.addWidget(dialog)
    dialog.view_box.setCurrentIndex(dialog.view_box.findData("graph"))
    dialog.path_edit.setText(str(tmp_path / "graph.png"))
    dialog.start_export()
    assert (tmp_path / "graph.png").stat().st_size > 0, dialog.status.text()
    image = window.copy_view_image()
    assert abs(image.width() - window.graph_page.view.width() * window.copy_scale) <= 1
