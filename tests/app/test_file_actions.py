"""File and Lecture menus: open/save round trip, recent files, unsaved changes, bad files, export dialog."""
import copy
import os

import numpy as np
import pytest
from PyQt6.QtCore import QSettings
from PyQt6.QtGui import QCloseEvent

import valley.app.file_actions as fa
from valley.app.export_dialog import ExportDialog
from valley.app.main_window import MainWindow
from valley.app.model.document import Document
from valley.core.scene import default_scene
from valley.core.scene_io import list_presets, load_scene


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(fa, "QSettings", lambda *a: QSettings(str(tmp_path / "settings.ini"),
                                                              QSettings.Format.IniFormat))
    win = MainWindow(Document(default_scene()), show_3d=False)
    qtbot.addWidget(win)
    asked = []
    monkeypatch.setattr(fa, "ask_unsaved", lambda parent, title: asked.append(title) or "cancel")
    errors = []
    monkeypatch.setattr(fa, "show_error", lambda parent, title, text: errors.append(text))
    win.asked, win.errors = asked, errors
    return win


def test_the_window_has_file_and_lecture_menus(window):
    actions = window.file_actions
    assert actions is not None
    assert actions.open_action.shortcut().toString() == "Ctrl+O"
    assert actions.save_action.shortcut().toString() == "Ctrl+S"
    titles = [a.text() for a in window.menus["lecture"].actions()]
    assert titles == [title for _, title, _ in list_presets()] and len(titles) >= 12
    for action, (_, _, description) in zip(actions.preset_actions, list_presets()):
        assert action.statusTip() == description == action.toolTip()


def test_a_preset_loads_through_the_session(window):
    preset = next(p for p in list_presets() if "rosenbrock" in p[0])
    next(a for a in window.file_actions.preset_actions if a.data() == preset[0]).trigger()
    assert window.race.scene == load_scene(preset[0])
    assert window.race.surface.name == "rosenbrock" and window.document.path is None
    assert not window.document.modified


def test_save_then_open_gives_the_same_scene_and_remembers_it(window, tmp_path, monkeypatch):
    session = window.race
    session.set_hyperparameter(0, "lr", 0.07)
    assert session.document.modified
    monkeypatch.setattr(fa, "choose_save_path", lambda parent, suggested: str(tmp_path / "mine"))
    assert window.file_actions.save()  # no file yet: Save asks for one (Save As)
    assert (tmp_path / "mine.toml").exists() and not session.document.modified
    saved = load_scene(tmp_path / "mine.toml")
    assert saved == session.scene and saved.optimizers[0].hyperparameters["lr"] == 0.07

    window.file_actions.new_scene()
    assert session.scene == default_scene()
    assert window.file_actions.open_recent(window.file_actions.recent_files()[0])
    assert session.scene == saved and window.document.path == tmp_path / "mine.toml"
    assert window.file_actions.recent_files() == [str((tmp_path / "mine.toml").resolve())]
    session.set_hyperparameter(0, "lr", 0.01)
    window.file_actions.save()  # Ctrl+S now writes back to the same file
    assert load_scene(tmp_path / "mine.toml").optimizers[0].hyperparameters["lr"] == 0.01


def test_a_bad_file_shows_its_problems_and_leaves_the_session(window, tmp_path):
    before = window.race.scene
    trajectories = list(window.race.trajectories)
    bad = tmp_path / "bad.toml"
    bad.write_text('version = 1\nsteps = 0\n[[optimizers]]\nkind = "sgd"\n')
    assert not window.file_actions.open_path(bad)
    assert "bad.toml:2: steps" in window.errors[0]
    assert window.race.scene is before and window.race.trajectories == trajectories
    assert window.file_actions.recent_files() == []


def test_unsaved_changes_ask_first_and_cancel_keeps_everything(window, tmp_path):
    window.race.set_steps(123)
    preset = list_presets()[2][0]
    assert not window.file_actions.open_path(preset)  # our stub answers "cancel"
    assert window.asked == [window.race.scene.title] and window.race.scene.steps == 123
    # a close from the window system (spontaneous) asks; cancel keeps the window open
    window.timeline.play()
    event = SpontaneousClose()
    window.closeEvent(event)
    assert not event.isAccepted() and len(window.asked) == 2
    assert window.timeline.playing  # a refused close leaves the lecture running
    # a close from code (tests, shutdown) never waits on a dialog
    event = QCloseEvent()
    window.closeEvent(event)
    assert event.isAccepted() and len(window.asked) == 2


class SpontaneousClose(QCloseEvent):
    """What the title bar's close button sends."""

    def spontaneous(self):
        return True


def test_discard_lets_the_new_scene_in(window, monkeypatch):
    window.race.set_steps(123)
    monkeypatch.setattr(fa, "ask_unsaved", lambda parent, title: "discard")
    assert window.file_actions.new_scene()
    assert window.race.scene.steps == default_scene().steps and not window.document.modified


def test_export_dialog_writes_a_png_and_a_gif_with_progress(window, qtbot, tmp_path):
    dialog = ExportDialog(window)
    qtbot.addWidget(dialog)
    dialog.format_box.setCurrentText("PNG")
    dialog.path_edit.setText(str(tmp_path / "still.png"))
    dialog.width_box.setValue(400)
    dialog.height_box.setValue(300)
    dialog.start_export()
    assert (tmp_path / "still.png").exists() and "Wrote" in dialog.status.text()

    dialog.format_box.setCurrentText("GIF")
    assert dialog.path_edit.text().endswith("still.gif")
    dialog.first_box.setValue(0)
    dialog.last_box.setValue(9)
    dialog.start_export()
    assert dialog.job is not None and dialog.cancel_button.text() == "Cancel"
    qtbot.waitUntil(lambda: dialog.job is None, timeout=30_000)
    from PIL import Image

    gif = Image.open(tmp_path / "still.gif")
    assert gif.size == (400, 300) and dialog.progress_bar.value() == 1000


def test_export_dialog_cancel_leaves_the_old_file(window, qtbot, tmp_path):
    target = tmp_path / "movie.mp4"
    target.write_bytes(b"old")
    dialog = ExportDialog(window)
    qtbot.addWidget(dialog)
    dialog.format_box.setCurrentText("MP4")
    dialog.path_edit.setText(str(target))
    dialog.width_box.setValue(320)
    dialog.height_box.setValue(240)
    dialog.last_box.setValue(150)
    dialog.start_export()
    dialog.cancel_or_close()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=30_000)
    assert "cancelled" in dialog.status.text()
    assert target.read_bytes() == b"old"
    assert [f for f in os.listdir(tmp_path) if f != "settings.ini"] == ["movie.mp4"]  # no temp left


def test_export_dialog_reports_a_bad_path(window, qtbot, tmp_path):
    dialog = ExportDialog(window)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "nowhere" / "a.png"))
    dialog.start_export()
    assert "does not exist" in dialog.status.text()


@pytest.mark.parametrize("name", ["backprop_example", "spiral"])
def test_a_network_preset_opens_the_network_page_and_saves_back(window, tmp_path, name):
    page = window.network_page
    if page is None:
        pytest.skip("no network page in this build")
    path = next(p for p, _, _ in list_presets() if name in p)
    assert window.file_actions.open_preset(path)
    page.session.wait()
    scene = load_scene(path)
    assert window.tabs.currentWidget() is page
    assert page.session.spec.example == scene.network.example
    if not scene.network.example:
        assert page.session.spec.hidden == scene.network.hidden and page.session.steps == scene.steps
    assert window.file_actions.save_to(tmp_path / "net.toml")
    saved = load_scene(tmp_path / "net.toml")  # what the page shows is a valid scene again
    assert saved.kind == "network" and saved.network.example == scene.network.example
    assert saved.network.hidden == page.session.spec.hidden


def test_export_dialog_renders_the_window_as_seen_at_the_asked_size(window, qtbot, tmp_path):
    window.resize(1000, 640)
    window.show()
    qtbot.waitExposed(window)
    before = window.size()
    dialog = ExportDialog(window)
    qtbot.addWidget(dialog)
    dialog.view_box.setCurrentIndex(dialog.view_box.findData("window"))
    dialog.path_edit.setText(str(tmp_path / "window.png"))
    dialog.width_box.setValue(2000)
    dialog.height_box.setValue(1280)
    dialog.start_export()
    from PIL import Image

    image = Image.open(tmp_path / "window.png")
    assert image.size == (2000, 1280)
    assert window.size() == before  # the window itself was not resized
    rgb = np.asarray(image.convert("RGB"))
    assert len(np.unique(rgb[::8, ::8].reshape(-1, 3), axis=0)) > 100  # the views, not a blank


def scene_file(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


VIEW_SCENE = '''version = 1
title = "Light, no loss chart"
steps = 40
start = [-1.0, 0.5]
[surface]
name = "quadratic"
[view]
theme = "light"
show_loss = false
show_readout = false
contours = false
arrows = "gradient"
speed = 12.0
[[optimizers]]
kind = "sgd"
[optimizers.hyperparameters]
lr = 0.1
'''


def test_opening_a_scene_applies_its_view_table(window, tmp_path, monkeypatch):
    """Theme, shown views, speed and view options come from the file, through File > Open."""
    window.show()
    assert window.theme_name == "dark" and window.loss_chart.isVisible()
    path = scene_file(tmp_path, "light.toml", VIEW_SCENE)
    monkeypatch.setattr(fa, "choose_open_path", lambda parent, folder: str(path))
    window.file_actions.open_action.trigger()
    assert window.race.scene.title == "Light, no loss chart"
    assert window.theme_name == "light" and window.theme.name == "light"
    assert not window.dark_action.isChecked()
    assert not window.loss_chart.isVisible() and not window.readout.isVisible()
    assert window.timeline.speed == 12.0
    assert not window.view_option_actions["contours"].isChecked()
    assert window.arrow_actions["gradient"].isChecked()
    assert not window.document.modified  # applying the file's own view is no edit
    window.file_actions.new_scene()  # and back: the default scene shows everything, dark
    assert window.theme_name == "dark" and window.loss_chart.isVisible()
    assert window.readout.isVisible() and window.timeline.speed == default_scene().view.speed


def test_a_window_built_on_a_scene_honours_its_shown_views(qtbot):
    """A window built on a document shows what its scene's [view] asks, as opening it does."""
    scene = default_scene()
    scene.view.show_loss, scene.view.show_readout = False, True
    window = MainWindow(Document(scene), show_3d=False, remember=False)
    qtbot.addWidget(window)
    window.show()
    assert not window.loss_chart.isVisible() and window.readout.isVisible()


BAD_FILES = {
    "toml": ('version = 1\nsteps = [1,\n', ":3:", "valid TOML"),
    "unknown": ('version = 1\nstpes = 5\n[[optimizers]]\nkind = "sgd"\n', ":2: stpes:",
                "did you mean 'steps'?"),
    "type": ('version = 1\n[[optimizers]]\nkind = "sgd"\n[optimizers.hyperparameters]\n'
             'lr = "fast"\n', ":5: optimizers[0].hyperparameters.lr:", "expected a number"),
    "range": ('version = 1\nseed = -1\n[[optimizers]]\nkind = "sgd"\n', ":2: seed:",
              "from 0 to"),
    "formula": ('version = 1\n[surface]\nname = "formula"\n'
                'formula = "__import__(\'os\').system(\'touch PWNED\')"\n'
                '[[optimizers]]\nkind = "sgd"\n', ":4: surface.formula:", "a formula f(x, y)"),
    "newer": ('version = 99\nfuture = true\n', ":1: version:", "newer Valley"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_file_open_of_a_bad_file_names_it_and_leaves_the_session(window, tmp_path, monkeypatch,
                                                                 kind):
    text, where, what = BAD_FILES[kind]
    path = scene_file(tmp_path, f"{kind}.toml", text)
    monkeypatch.chdir(tmp_path)
    window.race.timeline.set_step(17)
    before = window.race.scene
    snapshot = copy.deepcopy(before)
    trajectories = list(window.race.trajectories)
    monkeypatch.setattr(fa, "choose_open_path", lambda parent, folder: str(path))
    window.file_actions.open_action.trigger()
    assert len(window.errors) == 1
    assert f"{path}{where}" in window.errors[0] and what in window.errors[0], window.errors[0]
    assert window.race.scene is before and before == snapshot
    assert window.race.trajectories == trajectories and window.race.step == 17
    assert window.theme_name == "dark" and window.document.path is None
    assert not (tmp_path / "PWNED").exists()


def test_closing_with_unsaved_changes_can_save_first(window, tmp_path, monkeypatch):
    window.race.set_steps(77)
    monkeypatch.setattr(fa, "ask_unsaved", lambda parent, title: "save")
    monkeypatch.setattr(fa, "choose_save_path", lambda parent, suggested: str(tmp_path / "kept"))
    event = SpontaneousClose()
    window.closeEvent(event)
    assert event.isAccepted()  # saved: the close goes on
    assert load_scene(tmp_path / "kept.toml").steps == 77 and not window.document.modified
    # asked to save but the save dialog was cancelled: the window stays open
    window.race.set_steps(78)
    monkeypatch.setattr(fa, "choose_save_path", lambda parent, suggested: "")
    monkeypatch.setattr(window.document, "path", None)
    event = SpontaneousClose()
    window.closeEvent(event)
    assert not event.isAccepted()


def test_export_dialog_says_the_3d_view_needs_opengl(window, qtbot, monkeypatch):
    import valley.app.export_dialog as dialog_module

    monkeypatch.setattr(dialog_module, "gl_status",
                        lambda: (False, "3-D view needs OpenGL; the Qt platform is 'offscreen'"))
    dialog = ExportDialog(window)
    qtbot.addWidget(dialog)
    item = dialog.view_box.model().item(dialog.view_box.findData("3d"))
    assert not item.isEnabled() and "needs OpenGL" in item.text()
    assert "offscreen" in item.toolTip()


def test_export_dialog_png_transparent_and_too_big_is_impossible(window, qtbot, tmp_path):
    from PIL import Image

    dialog = ExportDialog(window)
    qtbot.addWidget(dialog)
    dialog.width_box.setValue(5000)
    dialog.height_box.setValue(3000)
    assert (dialog.width_box.value(), dialog.height_box.value()) == (3840, 2160)  # the limit
    dialog.width_box.setValue(640)
    dialog.height_box.setValue(400)
    dialog.transparent_box.setChecked(True)
    dialog.path_edit.setText(str(tmp_path / "clear.png"))
    dialog.start_export()
    rgba = np.asarray(Image.open(tmp_path / "clear.png").convert("RGBA"))
    assert rgba.shape == (400, 640, 4) and rgba[1, 1, 3] == 0  # the margin shows through
    assert 0.05 < (rgba[..., 3] == 255).mean() < 0.9  # the heatmap and trails do not
    dialog.path_edit.setText(str(tmp_path / "slide.bmp"))
    dialog.start_export()
    assert "unknown format (.bmp)" in dialog.status.text()
    assert not (tmp_path / "slide.bmp").exists()


def test_export_dialog_draws_the_plane_the_network_page_shows(window, qtbot, tmp_path):
    from PIL import Image

    model = window.document.network_landscape
    model.set_plane("pca")  # what the Landscape tab of the Network page was set to
    dialog = ExportDialog(window)
    qtbot.addWidget(dialog)
    dialog.view_box.setCurrentIndex(dialog.view_box.findData("network_landscape"))
    dialog.path_edit.setText(str(tmp_path / "plane.png"))
    dialog.width_box.setValue(640)
    dialog.height_box.setValue(480)
    dialog.start_export()
    assert model.result is not None and model.result["plane"] == "pca" and not model.busy
    rgb = np.asarray(Image.open(tmp_path / "plane.png").convert("RGB")).reshape(-1, 3).astype(int)
    yellow = np.abs(rgb - (253, 231, 37)).max(axis=1) <= 40  # the top of viridis: the highest loss
    purple = np.abs(rgb - (68, 1, 84)).max(axis=1) <= 40  # its bottom: the lowest
    assert yellow.sum() > 100 and purple.sum() > 100
