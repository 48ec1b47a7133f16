"""The 2-D view: clicks and drags set starts, only the changed racer re-runs, markers and trails."""
import numpy as np
import pytest
from models import race_model
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtGui import QColor

from valley.app.views.landscape2d import CRITICAL_SYMBOLS, Landscape2DView, contour_paths, display_values
from valley.core.scene import OptimizerSpec


@pytest.fixture
def view(qtbot):
    session = race_model()
    v = Landscape2DView(session)
    qtbot.addWidget(v)
    v.resize(700, 600)
    v.show()
    qtbot.waitExposed(v)
    qtbot.waitUntil(session.critical.ready)  # the markers' search runs in the background
    return v


def click_at(qtbot, view, point, modifier=Qt.KeyboardModifier.NoModifier):
    pos = view.data_to_widget(point)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier,
                     QPoint(round(pos.x()), round(pos.y())))


def test_click_sets_start_of_all(qtbot, view):
    session = view.session
    target = (0.7, -1.2)
    assert not np.allclose(session.trajectories[0].points[0], target, atol=0.05)
    click_at(qtbot, view, target)
    # one pixel of rounding: the view spans ~4 units over ~600 px
    for traj in session.trajectories:
        np.testing.assert_allclose(traj.points[0], target, atol=0.02)
    for racer in view.racers:
        np.testing.assert_allclose([racer.start.pos().x(), racer.start.pos().y()], target, atol=0.02)


def test_shift_click_moves_only_the_selected(qtbot, view):
    session = view.session
    session.set_selected(2)
    before = [t.points[0].copy() for t in session.trajectories]
    click_at(qtbot, view, (1.1, 0.9), Qt.KeyboardModifier.ShiftModifier)
    for i, traj in enumerate(session.trajectories):
        if i == 2:
            np.testing.assert_allclose(traj.points[0], (1.1, 0.9), atol=0.02)
        else:
            np.testing.assert_array_equal(traj.points[0], before[i])


def test_learning_rate_change_reruns_only_that_optimizer(view):
    session = view.session
    before = [t.points.copy() for t in session.trajectories]
    session.set_hyperparameter(0, "lr", 0.0137)
    assert not np.array_equal(session.trajectories[0].points[:5], before[0][:5])
    for i in range(1, len(before)):
        np.testing.assert_array_equal(session.trajectories[i].points, before[i])
    # and the view shows the new run
    session.timeline.set_step(3)
    x, y = view.racers[0].head.getData()
    np.testing.assert_allclose([x[0], y[0]], session.trajectories[0].points[3])


def test_dragging_a_start_moves_it_and_the_trails_follow(qtbot, view):
    session = view.session
    view.racers[1].start.setPos(0.5, 0.5)
    view.racers[1].start.sigPositionChangeFinished.emit(view.racers[1].start)
    for traj in session.trajectories:  # the racer shared the scene start: everyone moves
        np.testing.assert_allclose(traj.points[0], (0.5, 0.5))


def test_racer_items_are_reused_across_steps(view):
    ids = [(id(r.trail), id(r.head)) for r in view.racers]
    for t in range(0, 30, 3):
        view.session.timeline.set_step(t)
    assert ids == [(id(r.trail), id(r.head)) for r in view.racers]


def test_critical_point_markers_have_kind_symbols_and_eigenvalue_tips(view):
    spots = view.critical.points()
    kinds = {m["kind"] for m in view._markers()}
    assert {"minimum", "saddle"} <= kinds
    symbols = {spot.symbol() for spot in spots}
    assert {CRITICAL_SYMBOLS["minimum"], CRITICAL_SYMBOLS["saddle"]} <= symbols
    surface = view.session.surface
    for spot in spots:
        p = np.array([spot.pos().x(), spot.pos().y()])
        eig = np.linalg.eigvalsh(surface.hessian(p))
        tip = spot.data()
        assert "Hessian eigenvalues" in tip
        assert f"{eig[0]:.4g}" in tip and f"{eig[1]:.4g}" in tip


def test_divergence_shows_a_marker_and_the_step(qtbot, view):
    session = view.session
    session.add_optimizer(OptimizerSpec(kind="sgd", label="SGD lr 3", hyperparameters={"lr": 3.0}))
    index = len(session.scene.optimizers) - 1
    traj = session.trajectories[index]
    assert traj.status == "diverged"
    session.timeline.set_step(session.max_step)
    racer = view.racers[index]
    assert racer.diverged_text.toPlainText() == f"diverged at step {traj.stopped_at}"
    x, y = racer.diverged.getData()
    (x0, x1), (y0, y1) = session.bounds
    assert len(x) == 1 and x0 <= x[0] <= x1 and y0 <= y[0] <= y1
    # the words stay on the map whichever edge the run left by
    qtbot.wait(20)  # a TextItem places itself when painted
    assert view.vb.sceneBoundingRect().contains(racer.diverged_text.sceneBoundingRect())
    session.timeline.set_step(0)
    assert racer.diverged_text.toPlainText() == ""


@pytest.mark.parametrize("start", [(1.9, 1.9), (-1.9, -1.9), (1.9, -1.9), (-1.9, 1.9)])
def test_diverged_words_stay_on_the_map_at_every_edge(qtbot, start):
    session = race_model()
    view = Landscape2DView(session)
    qtbot.addWidget(view)
    view.resize(520, 420)
    view.show()
    qtbot.waitExposed(view)
    session.add_optimizer(OptimizerSpec(kind="sgd", label="SGD lr 3", hyperparameters={"lr": 3.0},
                                        start=start))
    index = len(session.scene.optimizers) - 1
    assert session.trajectories[index].status == "diverged"
    session.timeline.set_step(session.max_step)
    text = view.racers[index].diverged_text
    qtbot.wait(20)  # a TextItem places itself when painted
    assert text.isVisible()
    assert view.vb.sceneBoundingRect().contains(text.sceneBoundingRect()), start


def test_log_colour_is_log_of_shifted_values():
    Z = np.array([[2.0, 3.0], [11.0, np.inf]])
    shown, label = display_values(Z, True)
    np.testing.assert_allclose(shown, np.log1p(np.array([[0.0, 1.0], [9.0, 9.0]])))
    assert "log" in label


def test_contours_lie_on_their_level():
    x = np.linspace(-2, 2, 101)
    y = np.linspace(-1, 1, 61)
    Z = x[None, :] ** 2 + 4 * y[:, None] ** 2
    cx, cy = contour_paths(x, y, Z, [1.0])
    ok = np.isfinite(cx)
    np.testing.assert_allclose(cx[ok] ** 2 + 4 * cy[ok] ** 2, 1.0, atol=0.01)
    assert ok.sum() > 50


def test_gradient_field_arrows_point_downhill(view):
    view.session.set_view_option("gradient_field", True)
    xs, ys = view.field.getData()
    tails = np.stack([xs[0::6], ys[0::6]], -1)
    tips = np.stack([xs[1::6], ys[1::6]], -1)
    f = view.session.surface.value
    downhill = [f(b) < f(a) for a, b in zip(tails, tips)]
    assert np.mean(downhill) > 0.9


def ring_and_centre(view, point, inner, outer):
    """Colours (r, g, b) at the pixel of a data point, and of the ring inner..outer px around it."""
    image = view.grab().toImage()
    centre = view.data_to_widget(point)
    cx, cy = round(centre.x()), round(centre.y())
    ring = []
    for dx in range(-outer, outer + 1):
        for dy in range(-outer, outer + 1):
            if inner <= np.hypot(dx, dy) <= outer:
                c = image.pixelColor(cx + dx, cy + dy)
                ring.append((c.red(), c.green(), c.blue()))
    c = image.pixelColor(cx, cy)
    return (c.red(), c.green(), c.blue()), np.array(ring)


@pytest.mark.parametrize("surface, start, kind", [
    ("double_well", (-1.6, 0.0), "newton"),  # Newton stops on the saddle (0, 0)
    ("rosenbrock", (-1.0, 1.5), "newton"),  # and on Rosenbrock reaches the minimum (1, 1)
])
def test_a_head_on_a_critical_point_and_the_marker_both_show(qtbot, view, surface, start, kind):
    from valley.core.scene import SurfaceSpec

    session = view.session
    session.set_surface(SurfaceSpec(name=surface))
    session.set_start(start)
    i = next(k for k, s in enumerate(session.scene.optimizers) if s.kind == kind)
    for k, spec in enumerate(session.scene.optimizers):  # only this racer on the map
        spec.visible = k == i
    session.optimizersChanged.emit()
    qtbot.waitUntil(session.critical.ready)
    traj = session.trajectories[i]
    assert traj.status == "converged"
    end = traj.points[-1]
    markers = [m["point"] for m in view._markers()]
    assert any(np.allclose(end, p, atol=1e-6) for p in markers)
    session.timeline.set_step(session.max_step)
    head_colour = QColor(session.scene.optimizers[i].color)
    head_radius = view.theme.head_size * (1.2 if session.selected == i else 1.0) / 2 + 2
    marker_radius = view.theme.head_size * 2.2 / 2
    centre, ring = ring_and_centre(view, end, int(head_radius) + 2, int(marker_radius))
    # the head is on top: its own colour at the centre
    assert np.abs(np.array(centre) - [head_colour.red(), head_colour.green(), head_colour.blue()]).max() < 40
    # and the marker's white outline shows around it
    assert (ring.min(axis=1) > 220).sum() >= 4


def test_markers_lie_over_trails_and_under_heads(view):
    trail_z = max(r.trail.zValue() for r in view.racers)
    assert trail_z < view.critical.zValue() < view.heads.zValue()
    assert view.critical_halo.zValue() < view.critical.zValue()
    for spot in view.critical.points():  # hollow: a trail or head below still shows through
        assert spot.brush().style() == Qt.BrushStyle.NoBrush
        assert spot.size() > view.theme.head_size * 1.5


def test_dragging_a_start_handle_with_the_mouse_moves_the_start(qtbot, view):
    """Press on a start handle, move, release: real mouse events through the viewport."""
    from PyQt6.QtCore import QPointF
    from PyQt6.QtGui import QMouseEvent
    from PyQt6.QtWidgets import QApplication

    session = view.session
    start = np.array(session.scene.start)
    target = np.array([0.8, -0.6])
    viewport = view.viewport()
    left = Qt.MouseButton.LeftButton

    def send(kind, point, buttons):
        pos = view.data_to_widget(point)
        event = QMouseEvent(kind, QPointF(pos), viewport.mapToGlobal(QPointF(pos)), left, buttons,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, event)

    send(QMouseEvent.Type.MouseButtonPress, start, left)
    for s in np.linspace(0.1, 1.0, 8):  # several moves: the drag is throttled while it lasts
        send(QMouseEvent.Type.MouseMove, start + s * (target - start), left)
        qtbot.wait(10)
    # while the button is still down the trails already follow (throttled re-runs)
    qtbot.waitUntil(lambda: np.linalg.norm(session.trajectories[0].points[0] - start) > 1.0,
                    timeout=2000)
    send(QMouseEvent.Type.MouseButtonRelease, target, Qt.MouseButton.NoButton)
    # everyone shared the scene start, so every trajectory now begins where the mouse let go
    pixel = 4.0 / 600 * 2  # two pixels of rounding
    for traj in session.trajectories:
        np.testing.assert_allclose(traj.points[0], target, atol=pixel)
    for racer in view.racers:
        np.testing.assert_allclose([racer.start.pos().x(), racer.start.pos().y()], target, atol=pixel)
    # a press-drag is not a click: the start did not jump back to the press point
    assert not np.allclose(session.trajectories[0].points[0], start, atol=0.1)


@pytest.mark.parametrize("mode", ["gradient", "velocity", "step"])
def test_head_arrows_point_the_right_way_and_stick_out_of_the_head(view, mode):
    from valley.app.views.landscape2d import MIN_ARROW_HEADS

    session = view.session
    session.set_view_option("arrows", mode)
    k = 6
    session.timeline.set_step(k)
    checked = 0
    for racer, traj in zip(view.racers, session.trajectories):
        if k >= len(traj.states):
            assert not racer.arrow_shaft.isVisible()  # a finished run has no next step
            continue
        state = traj.states[k]
        expected = {"gradient": -np.asarray(traj.gradients[k]),
                    "velocity": state.get("v", state["delta"]), "step": state["delta"]}[mode]
        x, y = racer.arrow_shaft.getData()
        np.testing.assert_allclose([x[0], y[0]], traj.points[k])  # it starts at the head
        drawn = np.array([x[1] - x[0], y[1] - y[0]])
        cosine = drawn @ expected / (np.linalg.norm(drawn) * np.linalg.norm(expected))
        assert cosine == pytest.approx(1.0, abs=1e-9), (mode, racer.index)
        a, b = view.data_to_widget((x[0], y[0])), view.data_to_widget((x[1], y[1]))
        pixels = np.hypot(b.x() - a.x(), b.y() - a.y())
        assert pixels >= MIN_ARROW_HEADS * view.theme.head_size - 1  # not hidden under the head
        if mode != "gradient":  # long steps are drawn to scale
            true = view.data_to_widget(traj.points[k] + expected)
            true_pixels = np.hypot(true.x() - a.x(), true.y() - a.y())
            # (widget positions are whole pixels)
            assert pixels == pytest.approx(max(true_pixels, MIN_ARROW_HEADS * view.theme.head_size),
                                           abs=1.5)
        checked += 1
    assert checked >= 3


def test_elided_names_stay_apart():
    from valley.app.views.names import elide_apart

    # names that differ only at their ends lose their middle
    names = ["GD from (0.3, -0.4)", "GD from (-0.8, -0.4)", "GD from (-0.8, -1.4)", "GD from (0.2, -1.4)"]
    short = elide_apart(names, [12] * 4)
    assert len(set(short)) == len(short)
    assert all(len(s) <= 13 and "…" in s for s in short)
    # names that differ early keep their start: "lr 0…small" and "lr 0…(right)" read alike
    names = ["lr 0.02 (too small)", "lr 0.25 (right)", "lr 0.45 (too large)", "lr 0.55 (divergent)"]
    short = elide_apart(names, [9] * 4)
    assert short == ["lr 0.02 (…", "lr 0.25 (…", "lr 0.45 (…", "lr 0.55 (…"]
    assert elide_apart(["Newton", "Adam"], [12, 12]) == ["Newton", "Adam"]
    # names that differ at their start and their end: the first word and the end
    names = ["GD from (0.3, -0.4)", "GD from (-0.8, -0.4)", "GD from (-0.8, -1.4)", "GD from (0.2, -1.4)",
             "Newton from (0.3, -0.4)"]
    short = elide_apart(names, [10] * 5)
    assert len(set(short)) == 5 and all(len(s) <= 11 for s in short), short
