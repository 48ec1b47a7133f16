"""Exports: every preset to a non-blank PNG, SVG with the trails, GIF/MP4 frame counts, atomicity."""
import os
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from models import race_model, scene_playground
from PIL import Image
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImage

from valley.app.export import (
    ExportCancelled,
    ExportError,
    build_view,
    export_file,
    export_gif,
    export_mp4,
    export_png,
    export_svg,
    format_of,
    frame_steps,
    image_to_rgb,
    parse_size,
    render_image,
)
from valley.app.main_window import MainWindow
from valley.core.scene_io import list_presets, load_scene

LANDSCAPE_PRESETS = [p for p, _, _ in list_presets() if load_scene(p).kind == "landscape"]


def hex_rgb(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])


def pixels_near(rgb: np.ndarray, color: str, tolerance: int = 12) -> int:
    return int((np.abs(rgb.astype(int) - hex_rgb(color)).max(axis=-1) <= tolerance).sum())


@pytest.fixture
def session(qapp):
    return race_model(load_scene(next(p for p in LANDSCAPE_PRESETS if "rosenbrock" in p)))


@pytest.fixture
def landscape(session, qtbot):
    view = build_view(session.document, "landscape")
    qtbot.addWidget(view)
    return view


@pytest.mark.parametrize("path", LANDSCAPE_PRESETS, ids=lambda p: os.path.basename(p))
def test_every_landscape_preset_exports_a_png_showing_its_racers(path, qapp, qtbot, tmp_path):
    session = race_model(load_scene(path))
    view = build_view(session.document, "landscape")
    qtbot.addWidget(view)
    session.timeline.set_step(session.max_step)
    out = tmp_path / "preset.png"
    export_png(view, out, size=(640, 400))
    rgb = np.asarray(Image.open(out).convert("RGB"))
    assert rgb.shape == (400, 640, 3)
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 200  # a heatmap, not a blank canvas
    for spec in session.scene.optimizers:  # every racer's colour is on the picture (trail, head)
        assert pixels_near(rgb, spec.color) >= 3, spec.label


def test_png_at_4k_and_with_a_transparent_background(landscape, tmp_path):
    export_png(landscape, tmp_path / "big.png", size=(3840, 2160))
    assert Image.open(tmp_path / "big.png").size == (3840, 2160)
    export_png(landscape, tmp_path / "clear.png", size=(640, 480), transparent=True)
    rgba = np.asarray(Image.open(tmp_path / "clear.png").convert("RGBA"))
    assert rgba[2, 2, 3] == 0  # the margin outside the plot shows through
    assert rgba[240, 320, 3] == 255  # the heatmap does not
    opaque = np.asarray(Image.open(tmp_path / "big.png").convert("RGBA"))
    assert opaque[..., 3].min() == 255


def test_labels_scale_with_4k_so_they_stay_readable(landscape):
    """At 4K the layout is the 1920×1080 one drawn twice as large: same picture, twice the pixels."""
    small = image_to_rgb(render_image(landscape, (1920, 1080))).astype(float)
    big = image_to_rgb(render_image(landscape, (3840, 2160))).astype(float)
    halved = big.reshape(1080, 2, 1920, 2, 3).mean(axis=(1, 3))
    assert np.mean(np.abs(halved - small)) < 12


def vertices(element) -> int:
    """Points of an SVG polyline (points="x,y x,y") or path (d="M x,y L x,y ...")."""
    text = element.get("points") or element.get("d") or ""
    return len(re.findall(r"-?[\d.]+(?:e-?\d+)?\s*,\s*-?[\d.]+(?:e-?\d+)?", text))


def test_svg_parses_and_holds_every_trail(session, landscape, tmp_path):
    session.timeline.set_step(200)
    export_svg(landscape, tmp_path / "race.svg", size=(800, 600))
    root = ET.parse(tmp_path / "race.svg").getroot()
    assert root.tag.endswith("svg")
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("800px", "600px",
                                                                            "0 0 800 600")
    strokes = {}
    for group in root.iter():
        colour = (group.get("stroke") or "").lower()
        lines = [e for e in group.iter() if e.tag.rsplit("}", 1)[-1] in ("polyline", "path")]
        if colour and lines:
            strokes.setdefault(colour, []).extend(lines)
    for index, spec in enumerate(session.scene.optimizers):
        assert spec.color.lower() in strokes, spec.label
        # one polyline of that colour carries the whole trail (drawn as one path, not segments)
        trail = session.trail(index)
        longest = max(vertices(e) for e in strokes[spec.color.lower()])
        assert longest >= len(trail) - 1, spec.label


def gif_durations(path) -> list[int]:
    gif = Image.open(path)
    out = []
    for i in range(gif.n_frames):
        gif.seek(i)
        out.append(gif.info["duration"])
    return out


def test_gif_has_the_asked_frames_size_and_timing(session, landscape, tmp_path):
    # the first steps of Rosenbrock move every racer by pixels at this size: no frame repeats
    export_gif(session, landscape, tmp_path / "race.gif", steps=(0, 7), fps=20, size=(320, 240))
    gif = Image.open(tmp_path / "race.gif")
    assert gif.n_frames == 8 and gif.size == (320, 240) and gif.info["loop"] == 0
    assert gif_durations(tmp_path / "race.gif") == [50] * 8
    gif.seek(0)
    first = np.asarray(gif.convert("RGB")).copy()
    gif.seek(7)
    assert np.any(np.asarray(gif.convert("RGB")) != first)  # the racers moved


@pytest.fixture
def converged(qapp):
    """Newton on a round bowl lands on the minimum in one step: every later frame is the same."""
    from valley.core.scene import OptimizerSpec, Scene, SurfaceSpec

    return race_model(Scene(surface=SurfaceSpec(name="quadratic", params={"condition": 1.0}),
                         start=(-1.5, 1.0), steps=60,
                         optimizers=[OptimizerSpec(kind="newton", label="Newton",
                                                   hyperparameters={"lr": 1.0})]))


@pytest.mark.parametrize("steps", [(0, 4), (0, 59), (5, 5), (5, 40), (20, 60)])
def test_gif_frame_count_is_exact_even_when_nothing_moves(converged, qtbot, tmp_path, steps):
    """Pillow's save_all would merge identical frames into one: every asked step is a frame."""
    assert converged.trajectories[0].status in ("converged", "running") \
        and np.allclose(converged.head(0, 2), 0.0, atol=1e-9)  # still from step 1 on
    view = build_view(converged.document, "landscape")
    qtbot.addWidget(view)
    export_gif(converged, view, tmp_path / "still.gif", steps=steps, fps=10, size=(160, 120))
    count = steps[1] - steps[0] + 1
    gif = Image.open(tmp_path / "still.gif")
    assert gif.n_frames == count and gif.size == (160, 120)
    assert gif_durations(tmp_path / "still.gif") == [100] * count
    # every decoded frame is the whole picture of its step, unchanged frames included
    converged.timeline.set_step(steps[1])
    expected = image_to_rgb(render_image(view, (160, 120)))
    gif.seek(count - 1)
    decoded = np.asarray(gif.convert("RGB")).astype(int)
    assert np.abs(decoded - expected).max(axis=-1).mean() < 8  # only palette rounding differs


def test_gif_frames_decode_to_the_rendered_frames(session, landscape, tmp_path):
    """Frames store only what changed; decoded, each equals the quantized render of its step."""
    export_gif(session, landscape, tmp_path / "race.gif", steps=(0, 5), fps=10, size=(200, 150))
    gif = Image.open(tmp_path / "race.gif")
    for index in range(6):
        session.timeline.set_step(index)
        rendered = image_to_rgb(render_image(landscape, (200, 150))).astype(int)
        gif.seek(index)
        decoded = np.asarray(gif.convert("RGB")).astype(int)
        assert np.abs(decoded - rendered).max(axis=-1).mean() < 8, index


def test_gif_frames_spread_evenly_over_a_long_run(session, landscape, tmp_path):
    assert frame_steps(session, (0, 1500), 12) == [0, 136, 273, 409, 545, 682, 818, 955, 1091,
                                                   1227, 1364, 1500]
    assert frame_steps(session, (3, 5)) == [3, 4, 5]
    export_gif(session, landscape, tmp_path / "short.gif", steps=(0, 1500), frames=12, fps=25,
               size=(160, 120))
    assert sum(gif_durations(tmp_path / "short.gif")) == 12 * 40


def test_mp4_reads_back_with_the_asked_frames(session, landscape, tmp_path):
    import imageio.v2 as imageio

    progress = []
    export_mp4(session, landscape, tmp_path / "race.mp4", steps=(0, 29), fps=25, size=(320, 240),
               progress=progress.append)
    reader = imageio.get_reader(tmp_path / "race.mp4")
    frames = [frame for frame in reader]
    assert reader.get_meta_data()["fps"] == 25
    reader.close()
    assert len(frames) == 30 and frames[0].shape == (240, 320, 3)
    assert progress[-1] == 1.0 and progress == sorted(progress)


def test_export_puts_the_session_step_back(session, landscape, tmp_path):
    session.timeline.set_step(42)
    export_gif(session, landscape, tmp_path / "a.gif", steps=(0, 5), size=(160, 120))
    export_file(session, landscape, tmp_path / "a.png", size=(160, 120), steps=(0, 300))
    assert session.step == 42


@pytest.mark.parametrize("name", ["race.gif", "race.mp4"])
def test_a_cancelled_animation_keeps_the_older_file_and_leaves_no_temp(session, landscape, tmp_path,
                                                                       name):
    target = tmp_path / name
    target.write_bytes(b"the lecture's old animation")
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(ExportCancelled):
        export_file(session, landscape, target, steps=(0, 50), size=(160, 120), cancel=cancel)
    assert target.read_bytes() == b"the lecture's old animation"
    assert os.listdir(tmp_path) == [name]


def test_a_failing_write_keeps_the_older_file(session, landscape, tmp_path, monkeypatch):
    target = tmp_path / "still.png"
    target.write_bytes(b"old")
    monkeypatch.setattr(QImage, "save", lambda self, *a: False)
    with pytest.raises(OSError, match="could not write PNG"):
        export_png(landscape, target, size=(160, 120))
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["still.png"]

    import valley.app.export.gif as gif_module

    def broken_write(file, frame, previous, duration):
        file.write(b"half a frame")  # a truncated file on the way
        raise OSError("disk full")

    monkeypatch.setattr(gif_module, "write_frame", broken_write)
    with pytest.raises(OSError, match="disk full"):
        export_gif(session, landscape, tmp_path / "still.gif", steps=(0, 3), size=(160, 120))
    assert os.listdir(tmp_path) == ["still.png"]


@pytest.mark.parametrize("call, message", [
    (lambda s, v, d: export_file(s, v, d / "a.bmp"), "unknown format (.bmp)"),
    (lambda s, v, d: export_file(s, v, d / "none" / "a.png"), "does not exist"),
    (lambda s, v, d: export_file(s, v, d, size=(100, 100)), "unknown format"),
    (lambda s, v, d: export_png(v, d / "a.png", size=(5000, 100)), "out of range"),
    (lambda s, v, d: export_png(v, d / "a.png", size=(0, 100)), "out of range"),
    (lambda s, v, d: export_mp4(s, v, d / "a.mp4", size=(321, 240)), "even width and height"),
    (lambda s, v, d: export_gif(s, v, d / "a.gif", steps=(5, 2)), "0 <= A <= B"),
    (lambda s, v, d: export_gif(s, v, d / "a.gif", steps=(0, 1501)), "1500"),
    (lambda s, v, d: export_gif(s, v, d / "a.gif", fps=0), "fps"),
    (lambda s, v, d: build_view(s.document, "sideways"), "unknown view"),
])
def test_bad_requests_say_what_is_wrong(session, landscape, tmp_path, call, message):
    with pytest.raises(ExportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(session, landscape, tmp_path)
    assert os.listdir(tmp_path) == []


def test_parse_size_and_format():
    assert parse_size("1280x720") == (1280, 720) and parse_size(" 800 × 600 ") == (800, 600)
    for bad in ("1280", "12x", "axb", "-5x5", "3841x2160"):
        with pytest.raises(ExportError):
            parse_size(bad)
    assert format_of("A.GIF") == "gif"
    with pytest.raises(ExportError, match="no extension"):
        format_of("movie")


def test_the_3d_view_without_opengl_says_so(session, monkeypatch):
    import valley.app.export.render as render

    monkeypatch.setattr(render, "gl_status", lambda: (False, "the Qt platform is 'offscreen'"))
    with pytest.raises(ExportError, match="the 3-D view needs OpenGL"):
        build_view(session.document, "3d")


def test_loss_chart_and_window_export(session, qtbot, tmp_path):
    for name in ("loss", "window"):
        if name == "window":
            view = MainWindow(session.document, show_3d=False, remember=False)
            view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        else:
            view = build_view(session.document, name)
        qtbot.addWidget(view)
        export_png(view, tmp_path / f"{name}.png", size=(800, 500))
        rgb = np.asarray(Image.open(tmp_path / f"{name}.png").convert("RGB"))
        assert rgb.shape == (500, 800, 3)
        assert pixels_near(rgb, session.scene.optimizers[0].color) > 10, name


NETWORK_PRESETS = [p for p, _, _ in list_presets() if load_scene(p).kind == "network"]


@pytest.mark.parametrize("path", NETWORK_PRESETS, ids=lambda p: os.path.basename(p))
def test_every_network_preset_exports_a_png_of_its_diagram(path, qapp, qtbot, tmp_path):

    scene = load_scene(path)
    model = scene_playground(scene)
    view = build_view(model.document, "network")
    qtbot.addWidget(view)
    model.timeline.set_step(model.max_step)
    export_file(model, view, tmp_path / "net.png", size=(640, 400))
    rgb = np.asarray(Image.open(tmp_path / "net.png").convert("RGB"))
    assert rgb.shape == (400, 640, 3)
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 100  # nodes, edges, labels drawn
    assert model.spec.example == scene.network.example


def accuracy(model) -> tuple[float, float]:
    network, data = model.network_at(model.max_step), model.data
    out = []
    for X, T in ((data.X_train, data.T_train), (data.X_test, data.T_test)):
        output = network.forward(X).a[-1]
        out.append(float(((output > 0.5) == (T > 0.5)).mean()))
    return out[0], out[1]


def test_the_spiral_needs_its_second_hidden_layer(qapp):

    scene = load_scene(next(p for p in NETWORK_PRESETS if "spiral" in p))
    train, test = accuracy(scene_playground(scene))
    assert train >= 0.98 and test >= 0.9
    scene.network.hidden = [8]
    train_one, test_one = accuracy(scene_playground(scene))
    assert train_one < 0.9 and test_one < test


def test_the_3d_view_exports_under_a_gl_display(session, qtbot, tmp_path):
    from valley.app.export.render import gl_status

    ok, reason = gl_status()
    if not ok:
        pytest.skip(reason)
    view = build_view(session.document, "3d")
    qtbot.addWidget(view)
    export_png(view, tmp_path / "3d.png", size=(480, 320))
    rgb = np.asarray(Image.open(tmp_path / "3d.png").convert("RGB"))
    assert rgb.shape == (320, 480, 3) and len(np.unique(rgb.reshape(-1, 3), axis=0)) > 100


# ----- results a scene's [view] asks for (built in Python: scene files cannot name them yet) -----
def viridis_share(rgb: np.ndarray, tolerance: int = 8) -> float:
    """Share of the pixels within `tolerance` of a colour of the viridis map."""
    import pyqtgraph as pg

    lut = pg.colormap.get("viridis").getLookupTable(nPts=256, alpha=False).astype(int)
    pixels = rgb.reshape(-1, 3).astype(int)[::7]  # a sample is plenty
    nearest = np.abs(pixels[:, None, :] - lut[None, :, :]).max(axis=-1).min(axis=1)
    return float((nearest <= tolerance).mean())


def test_a_scene_with_a_basins_key_exports_its_basin_map(qapp, qtbot, tmp_path):
    from valley.app.views.basin_colours import ATTRACTOR_COLOURS
    from valley.core.scene import default_scene

    def export(basins_key, name):
        scene = default_scene()  # double well: a valley either side of y = 0
        scene.view.basins = basins_key
        session = race_model(scene)
        session.document.basins.set_resolution(64)
        session.document.basins.set_opacity(1.0)  # the map's own colours, not blended with the heatmap
        view = build_view(session.document, "landscape")
        qtbot.addWidget(view)
        export_file(session, view, tmp_path / name, size=(640, 480))
        return session.document.basins, np.asarray(Image.open(tmp_path / name).convert("RGB"))

    basins, rgb = export("Momentum", "basins.png")
    assert basins.result is not None and basins.label == "Momentum" and not basins.busy
    valleys = [k for k, m in enumerate(basins.result.minima) if m.kind == "minimum"]
    assert len(valleys) == 2
    for k in valleys:  # each valley's basin covers a good part of the plot in its own colour
        assert pixels_near(rgb, ATTRACTOR_COLOURS[k], tolerance=6) > 5000, k
    _, plain = export(None, "plain.png")
    assert all(pixels_near(plain, ATTRACTOR_COLOURS[k], tolerance=6) < 500 for k in valleys)


def test_a_basins_key_naming_no_racer_is_an_export_error(qapp):
    from valley.core.scene import default_scene

    scene = default_scene()
    scene.view.basins = "L-BFGS"
    with pytest.raises(ExportError, match="no optimizer labelled or of kind 'L-BFGS'"):
        build_view(race_model(scene).document, "landscape")


def small_network_scene(plane=None):
    from valley.core.scene import NetworkSpec, Scene

    scene = Scene(kind="network", network=NetworkSpec(hidden=[3], samples=40), steps=30)
    scene.view.network_landscape = plane
    return scene


@pytest.mark.parametrize("plane", ["pca", "random"])
def test_the_network_landscape_view_exports_the_computed_plane(plane, qapp, qtbot, tmp_path):
    model = scene_playground(small_network_scene(plane))
    view = build_view(model.document, "network_landscape")
    qtbot.addWidget(view)
    landscape = model.document.network_landscape
    assert landscape.result is not None and landscape.result["plane"] == plane and not landscape.busy
    export_file(model, view, tmp_path / "plane.png", size=(640, 480))
    rgb = np.asarray(Image.open(tmp_path / "plane.png").convert("RGB"))
    assert viridis_share(rgb) > 0.3  # the heatmap fills the plot


def test_a_network_window_with_a_plane_key_shows_the_plane(qapp, qtbot, tmp_path):
    from valley.app.export.render import settle_results

    model = scene_playground(small_network_scene("pca"))
    window = MainWindow(model.document, show_3d=False, remember=False)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    qtbot.addWidget(window)
    window.network_page.show_tab()
    settle_results(model.document, "window")
    page = window.network_page
    assert page.lower_tabs.currentWidget() is page.landscape
    assert model.document.network_landscape.result["plane"] == "pca"
    export_png(window, tmp_path / "window.png", size=(1280, 720))
    rgb = np.asarray(Image.open(tmp_path / "window.png").convert("RGB"))
    assert viridis_share(rgb) > 0.02  # the plane, in its corner of the page
    window.close()
