"""The 3-D view: off with a reason where there is no OpenGL; under Xvfb (xcb) it draws and follows t."""
import os

import numpy as np
import pytest
from models import race_model

from valley.app.views import surface3d
from valley.app.views.surface3d import HeightMap, Surface3DPlaceholder, gl_available, make_surface3d
from valley.core.scene import SurfaceSpec
from valley.core.surfaces import get_surface


def test_offscreen_platform_reports_why_without_touching_gl(qtbot, monkeypatch):
    monkeypatch.setattr(surface3d, "_platform_name", lambda: "offscreen")
    ok, reason = gl_available()
    assert not ok and reason == "3-D view needs OpenGL; the Qt platform is 'offscreen'"
    widget = make_surface3d(race_model())
    qtbot.addWidget(widget)
    assert isinstance(widget, Surface3DPlaceholder) and "offscreen" in widget.label.text()


def test_height_map_log_compresses_rosenbrock_but_not_a_bowl():
    x = np.linspace(-2, 2, 81)
    X, Y = np.meshgrid(x, np.linspace(-1, 3, 81), indexing="ij")
    banana = get_surface("rosenbrock").evaluate(X, Y)
    heights = HeightMap(banana)
    assert heights.log
    # the valley floor (f ≤ 1) gets a visible share of the height; linear would give it
    # 1/max f ≈ 0.03 %
    linear_share = 1.0 / (banana.max() - banana.min())
    assert heights(1.0) > 100 * linear_share * surface3d.HEIGHT
    bowl = get_surface("quadratic").evaluate(X, X.T)
    flat = HeightMap(bowl)
    assert not flat.log
    np.testing.assert_allclose(flat(np.array([bowl.min(), np.inf, np.nan])),
                               [0.0, surface3d.HEIGHT, surface3d.HEIGHT])


needs_gl = pytest.mark.skipif(os.environ.get("QT_QPA_PLATFORM") != "xcb",
                              reason="pyqtgraph.opengl needs a real display (Xvfb, xcb)")


@needs_gl
def test_gl_view_draws_the_surface_and_the_heads_move(qtbot):
    ok, reason = gl_available()
    assert ok, reason
    session = race_model()
    view = make_surface3d(session)
    assert isinstance(view, surface3d.Surface3DView)
    qtbot.addWidget(view)
    view.resize(480, 360)
    view.show()
    qtbot.waitExposed(view)
    frame0 = view.grab_frame()
    pixels = np.frombuffer(frame0.constBits().asstring(frame0.sizeInBytes()), np.uint8)
    pixels = pixels.reshape(frame0.height(), frame0.bytesPerLine())[:, : 4 * frame0.width()]
    assert np.unique(pixels.reshape(-1, 4)[:, :3], axis=0).shape[0] > 50  # a shaded mesh, not blank
    heads0 = view.head_positions().copy()
    trail_item = view.trails[2]
    assert len(view.trails) == len(session.scene.optimizers)
    session.timeline.set_step(60)
    heads60 = view.head_positions()
    assert view.trails[2] is trail_item  # setData, never recreated
    moved = np.linalg.norm(heads60[:, :2] - heads0[:, :2], axis=1)
    assert (moved > 0.05).sum() >= 3
    # each head sits on the surface: its height is the height map of the loss there
    for i, head in enumerate(heads60):
        traj = session.trajectories[i]
        k = min(60, len(traj.points) - 1)
        assert head[2] == pytest.approx(view.heights(traj.losses[k]) + surface3d.TRAIL_LIFT,
                                        abs=1e-5)
        assert len(trail_item.pos) >= 2
    frame60 = view.grab_frame()
    assert frame60 != frame0
    # a new surface rebuilds the mesh in place
    mesh = view.mesh
    session.set_surface(SurfaceSpec(name="rosenbrock"))
    assert view.mesh is mesh and view.heights.log


def shown_view(qtbot, session):
    view = make_surface3d(session)
    assert isinstance(view, surface3d.Surface3DView)
    qtbot.addWidget(view)
    view.resize(480, 360)
    view.show()
    qtbot.waitExposed(view)
    return view


def on_screen(view, point) -> tuple[float, float]:
    """Normalised device coordinates of a display point: inside the frame within [-1, 1]²."""
    from PyQt6.QtGui import QVector3D

    gl_view = view.view
    viewport = gl_view.getViewport()
    matrix = gl_view.projectionMatrix(viewport, viewport) * gl_view.viewMatrix()
    ndc = matrix.map(QVector3D(*map(float, point)))
    return ndc.x(), ndc.y()


@needs_gl
def test_axes_are_named_at_their_ends_and_on_screen(qtbot):
    session = race_model()
    view = shown_view(qtbot, session)
    ends = view.axis_label_ends()
    assert set(ends) == {*session.surface.axis_labels, "f"} == {"x", "y", "f"}
    mesh_top = view.heights(np.array([np.inf]))[0]
    # x and y beyond the mesh's edges on the floor, f above its highest point
    assert ends["x"][0] > 1.0 and ends["y"][1] > 0.0 and ends["f"][2] > mesh_top
    for name, end in ends.items():
        x, y = on_screen(view, end)
        assert -1 < x < 1 and -1 < y < 1, name
    # the names are drawn: hiding them changes the frame
    with_names = view.grab_frame()
    for label in view.axis_labels:
        label.setVisible(False)
    assert view.grab_frame() != with_names


@needs_gl
def test_reset_camera_brings_back_the_starting_view(qtbot):
    view = shown_view(qtbot, race_model())
    start = view.grab_frame()
    opts = {k: view.view.opts[k] for k in ("distance", "elevation", "azimuth")}
    centre = tuple(view.view.opts["center"])
    view.view.orbit(70, 25)
    view.view.pan(0.4, -0.3, 0.2)
    view.view.setCameraPosition(distance=9.0)
    assert view.grab_frame() != start
    view.reset_camera()
    assert {k: view.view.opts[k] for k in ("distance", "elevation", "azimuth")} == opts
    assert tuple(view.view.opts["center"]) == pytest.approx(centre)
    assert view.grab_frame() == start


@needs_gl
def test_a_picture_of_the_whole_window_shows_the_3d_axis_names(qtbot):
    from valley.app.export.render import image_to_rgb, render_image
    from valley.app.main_window import MainWindow
    from valley.app.model.document import Document

    window = MainWindow(Document(), show_3d=True, remember=False)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    view = window.surface3d
    assert isinstance(view, surface3d.Surface3DView)
    picture = image_to_rgb(render_image(window, (1280, 720))).astype(int)
    corner = view.mapTo(window, view.rect().topLeft())
    shown = picture[corner.y():corner.y() + view.height(), corner.x():corner.x() + view.width()]
    own = image_to_rgb(view.grab_frame().scaled(view.width(), view.height())).astype(int)
    assert shown.shape == own.shape
    # the window's picture holds the view's own frame, axis names included
    assert np.count_nonzero(np.abs(shown - own).max(axis=2) > 60) < 0.001 * shown.shape[0] * shown.shape[1]
    window.close()
