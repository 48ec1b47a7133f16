"""The backprop step-through as the class sees it on a projector: slide 002's numbers to the
slide's digits, weights on their own edges, text that grows with presentation mode and fits."""
from __future__ import annotations

import pytest
from drawn import tick_labels
from models import open_example, playground_model
from PyQt6.QtWidgets import QApplication

from valley.app.main_window import MainWindow
from valley.app.model.document import Document
from valley.app.views.diverging import fmt
from valley.app.views.network_diagram import NetworkDiagram
from valley.app.views.step_readout import StepReadout, updated
from valley.core.examples import EXAMPLES
from valley.core.scene import NetworkSpec, OptimizerSpec


def slide(key: str) -> str:
    """The slide's printed number as the readout writes it (".1004" → "0.1004")."""
    text = EXAMPLES["backprop_example"].printed[key]
    return "0" + text if text.startswith(".") else text


@pytest.fixture
def example(qtbot):
    session = playground_model(NetworkSpec(), steps=5, background=False)
    diagram = NetworkDiagram(session)
    readout = StepReadout(session)
    qtbot.addWidget(diagram)
    qtbot.addWidget(readout)
    open_example(session, "backprop_example")
    return session, diagram, readout


def all_phases(session, readout):
    for p in range(len(session.phases())):
        session.set_phase(p)
        yield p, readout.lines()


def test_updates_show_the_slides_four_decimals(example):
    session, _, readout = example
    session.set_phase(len(session.phases()) - 1)
    text = "\n".join(readout.lines()[1])
    assert f"w(o ← bias) = 0.1 + 0.0172 = {slide('w_k0')}" in text
    assert f"w(o ← h₁) = 0.1 + 0.00945 = {slide('w_k1')}" in text
    assert f"w(h₁ ← x₁) = 0.1 + 0.000426 = {slide('w_j1')}" in text
    assert f"w(h₁ ← bias) = 0.1 + 0.000426 = {slide('w_j0')}" in text
    assert f"w(h₁ ← x₂) = 0.1 + 0 = {slide('w_j2')}" in text
    # as many decimals as the change needs, at least four, and no trailing zeros
    assert updated(0.1, 0.0) == "0.1 + 0 = 0.1"
    assert updated(1.5, 3e-6) == "1.5 + 3.00e-06 = 1.500003"
    assert updated(-0.25, 0.05) == "-0.25 + 0.05 = -0.2"
    assert updated(0.0, -0.000177) == "0 − 0.000177 = -0.0002"


def test_the_text_speaks_the_slides_language(example):
    session, _, readout = example
    seen = []
    for _, (title, lines) in all_phases(session, readout):
        text = "\n".join([title] + lines)
        seen.append(text)
        assert "core" not in text and "δ_" not in text
        assert "_" not in text  # no keys such as saddle_free_newton or cross_entropy
    text = "\n".join(seen)
    assert f"δ = o(1 − o)(t − o) = 0.552·0.448·0.348 = {slide('delta_k')[:5]}" in text
    assert "δh₁ = h₁(1 − h₁)·(0.1·0.086) = 0.00213" in text
    assert "Momentum (lr = 0.2, momentum = 0.9): w ← w + Δw" in text


def test_an_optimizer_is_named_by_its_title(qtbot):
    spec = NetworkSpec(hidden=[2], optimizer=OptimizerSpec(kind="sgd", hyperparameters={"lr": 0.1}))
    session = playground_model(spec, steps=5, background=False)
    readout = StepReadout(session)
    qtbot.addWidget(readout)
    session.set_step_through(True)
    session.set_phase(len(session.phases()) - 1)
    assert readout.lines()[1][0].startswith("Gradient descent (lr = 0.1)")


def test_notes_are_whole_paragraphs_of_the_example(example):
    session, _, readout = example
    readout.resize(900, 700)  # room for every note
    readout.show()
    paragraphs = EXAMPLES["backprop_example"].description.split("\n")
    shown = set()
    for step in (0, 1):
        session.timeline.set_step(step)
        for p in range(len(session.phases())):
            session.set_phase(p)
            for paragraph in readout.note:
                assert paragraph in paragraphs
                assert paragraph in readout.toPlainText()
                shown.add(paragraph)
    assert shown == set(paragraphs)  # each paragraph has its phase


def test_forward_phases_write_each_weight_on_its_own_edge(example):
    session, diagram, _ = example
    for p, phase in enumerate(session.phases()):
        session.set_phase(p)
        shown = [e for g in diagram.edges for e in g.ravel() if e.label.isVisible()]
        assert len(shown) == 6, phase.title
        if phase.kind == "forward":
            for e in shown:
                assert e.label.text() == fmt(diagram.values["weights"][e.layer][e.j, e.i])
        assert diagram.label_overlaps() == 0, phase.title
        assert diagram.edge_label_crossings() == 0, phase.title


def window_at(qtbot, width, height, example="backprop_example"):
    window = MainWindow(Document(), show_3d=False, remember=False)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    window.set_presentation(True, fullscreen=False)
    # The docks of the normal mode hold the window wider until its layout has caught up with
    # their hiding: resize until it takes.
    qtbot.waitUntil(lambda: window.resize(width, height) or window.width() == width)
    window.open_example(example)
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.network_page)
    QApplication.processEvents()
    return window


def on_screen_pixels(diagram, item) -> float:
    return item.font().pixelSize() * diagram.transform().m11()


def test_numbers_on_the_diagram_grow_with_presentation_mode(qtbot):
    window = window_at(qtbot, 1920, 1080)
    page = window.network_page
    diagram = page.diagram
    page.session.set_phase(len(page.session.phases()) - 1)
    qtbot.wait(1)
    node = diagram.node_item(1, 0)
    edge = diagram.edge_item(0, 0, 0)
    assert on_screen_pixels(diagram, node.label) >= 18
    assert on_screen_pixels(diagram, edge.label) >= 18
    assert on_screen_pixels(diagram, diagram.headers[0]) >= 18
    presented = on_screen_pixels(diagram, node.label)
    # everything inside the view: nothing clipped at its edges
    view = diagram.viewport().rect()
    for item in [node.label, edge.label] + diagram.headers + diagram.input_labels:
        assert view.contains(diagram.mapFromScene(item.sceneBoundingRect()).boundingRect()), item
    window.set_presentation(False)
    qtbot.wait(1)
    assert on_screen_pixels(diagram, node.label) < presented
    window.close()


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
@pytest.mark.parametrize("example", ["backprop_example", "softmax_cross_entropy"])  # 6 and 12 weights
def test_the_step_through_fits_without_a_scroll_bar(qtbot, size, example):
    window = window_at(qtbot, *size, example)
    page = window.network_page
    session, readout = page.session, page.readout
    for step in (0, 1):
        session.timeline.set_step(step)
        for p in range(len(session.phases())):
            session.set_phase(p)
            qtbot.wait(1)
            assert not readout.verticalScrollBar().isVisible(), (size, step, p)
            assert readout.document().size().height() <= readout.viewport().height() + 1
            assert readout.font_pt >= 13  # still readable from the back row
            assert page.diagram.label_overlaps() == 0 and page.diagram.edge_label_crossings() == 0
    # the diagram keeps most of the column
    assert page.diagram.height() >= 0.5 * (page.diagram.height() + readout.height())
    window.close()


def test_a_crowded_layer_leaves_out_labels_rather_than_overlap_them(qtbot):
    session = playground_model(NetworkSpec(), steps=5, background=False)
    diagram = NetworkDiagram(session)
    qtbot.addWidget(diagram)
    diagram.resize(520, 300)
    diagram.show()
    qtbot.waitExposed(diagram)
    open_example(session, "softmax_cross_entropy")  # 3 × 3 weights, crossing in the middle
    for p in range(len(session.phases())):
        session.set_phase(p)
        assert diagram.label_overlaps() == 0 and diagram.edge_label_crossings() == 0
        assert any(e.label.isVisible() for g in diagram.edges for e in g.ravel())
    assert "Gradient descent (lr = 0.01): w ← w + Δw" in StepReadout(session).lines()[1][0]


def test_one_sample_is_shown_on_a_plane_with_readable_ticks(qtbot):
    window = window_at(qtbot, 1280, 720, "softmax_cross_entropy")  # its one sample is (-2, 3)
    view = window.network_page.decision
    (x0, x1), (y0, y1) = view.getPlotItem().viewRange()
    assert x0 < -2 < x1 and y0 < 3 < y1
    assert x1 - x0 >= 1 and y1 - y0 >= 1
    for name in ("bottom", "left"):
        axis = view.getPlotItem().getAxis(name)
        lo, hi = (x0, x1) if name == "bottom" else (y0, y1)
        size = axis.width() if name == "left" else axis.geometry().width()
        for spacing, values in axis.tickValues(lo, hi, size):
            for label in axis.tickStrings(values, 1, spacing):
                assert len(label) <= 5, label  # "-2.5", not "-2.0000005"
    window.close()


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_the_data_views_tick_labels_are_whole(qtbot, size):
    from PyQt6.QtCore import QRectF

    window = window_at(qtbot, *size)  # the backprop example: ticks at the plane's very edges
    view = window.network_page.decision
    qtbot.wait(10)
    widget = QRectF(view.rect().toRectF())
    for name in ("left", "bottom"):
        labels = tick_labels(view.getPlotItem().getAxis(name))
        assert len(labels) >= 3
        for rect, text in labels:
            assert widget.contains(view.mapFromScene(rect).boundingRect().toRectF()), (name, text)
    window.close()


@pytest.mark.parametrize("example", ["softmax_cross_entropy", "perceptron_or", "backprop_example"])
def test_the_data_views_tick_labels_stand_apart_and_inside(qtbot, example):
    from PyQt6.QtCore import QRectF

    window = window_at(qtbot, 1280, 720, example)
    view = window.network_page.decision
    qtbot.wait(10)
    widget = QRectF(view.rect().toRectF())
    for name in ("left", "bottom"):
        rects = [(view.mapFromScene(rect).boundingRect().toRectF(), text)
                 for rect, text in tick_labels(view.getPlotItem().getAxis(name))]
        assert len(rects) >= 3, name
        for rect, text in rects:
            assert widget.contains(rect), (name, text)
        ordered = sorted(rects, key=lambda r: r[0].top() if name == "left" else r[0].left())
        for (a, ta), (b, tb) in zip(ordered, ordered[1:]):
            assert not a.intersects(b), (name, ta, tb)
    window.close()
