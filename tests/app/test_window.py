"""The window opens on the default scene and plays; keys drive the player; the scrub moves heads."""
import numpy as np
import pytest
from models import race_model
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication

from valley.app.main_window import MainWindow
from valley.app.model.document import Document


@pytest.fixture
def window(qtbot):
    session = race_model()
    w = MainWindow(session.document, show_3d=False)
    qtbot.addWidget(w)
    w.resize(1300, 800)
    w.show()
    w.activateWindow()  # shortcuts go to the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    yield w
    w.player.stop()


def test_opens_on_default_scene_and_plays(qtbot, window):
    session = window.race
    assert len(window.landscape.racers) == len(session.scene.optimizers) >= 4
    assert set(window.menus) >= {"file", "view", "lecture", "help"}
    window.timeline.play()
    qtbot.waitUntil(lambda: session.step >= 3, timeout=3000)
    assert window.timeline.playing


def test_space_pauses_and_right_left_step(qtbot, window):
    session = window.race
    window.timeline.play()
    qtbot.waitUntil(lambda: session.step >= 1, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.timeline.playing
    t = session.step
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert session.step == t + 1
    qtbot.keyClick(window, Qt.Key.Key_Left)
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert session.step == t - 1
    qtbot.keyClick(window, Qt.Key.Key_Home)
    assert session.step == 0
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.timeline.playing
    qtbot.keyClick(window, Qt.Key.Key_Space)


def test_plus_minus_change_speed(qtbot, window):
    before = window.timeline.speed
    qtbot.keyClick(window, Qt.Key.Key_Plus)
    assert window.timeline.speed > before
    qtbot.keyClick(window, Qt.Key.Key_Minus)
    qtbot.keyClick(window, Qt.Key.Key_Minus)
    assert window.timeline.speed < before


def test_scrub_slider_moves_heads_to_recorded_points(window):
    session, bar = window.race, window.player_bar
    for t in (0, 17, 60, session.max_step):
        bar.slider.setValue(t)
        assert session.step == t
        assert bar.step_label.text().split() == ["step", str(t), "/", str(session.max_step)]
        for racer, traj in zip(window.landscape.racers, session.trajectories):
            x, y = racer.head.getData()
            k = min(t, len(traj.points) - 1)
            np.testing.assert_allclose([x[0], y[0]], traj.points[k])
            tx, ty = racer.trail.getData()
            assert len(tx) == k + 1


def test_presentation_mode_hides_panels_and_scales_fonts(qtbot, window):
    size = window.theme.font_size
    width = window.theme.line_width
    window.set_presentation(True, fullscreen=False)
    assert window.theme.font_size > size and window.theme.line_width > width
    assert all(not d.isVisible() for d in window.docks.values())
    assert not window.menuBar().isVisible()
    window.set_presentation(False)
    assert window.theme.font_size == size


def test_theme_switch_changes_plot_background(window):
    window.set_theme("light")
    assert window.landscape.backgroundBrush().color().name() == "#ffffff"
    window.set_theme("dark")
    assert window.landscape.backgroundBrush().color().name() != "#ffffff"


def test_close_stops_the_timer(qtbot, window):
    window.timeline.play()
    window.close()
    assert not window.player.timer.isActive()


def test_f11_toggles_presentation_and_escape_leaves(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert window.presentation and window.theme.presentation
    assert not window.statusBar().isVisible()
    # Xvfb has no window manager: going full screen maps the window anew; wait until it is active again
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.presentation


@pytest.mark.parametrize("extra", [(), ("amsgrad", "adadelta", "nesterov")])
def test_presentation_readout_fits_at_1280x720_without_scrolling(qtbot, extra):
    """On a 1280×720 projector the whole update rule shows: no scroll bar, type still large."""
    from valley.core.scene import OptimizerSpec

    session = race_model()
    for kind in extra:
        session.add_optimizer(OptimizerSpec(kind=kind, label=kind, hyperparameters={"lr": 0.05}))
    w = MainWindow(session.document, show_3d=False)
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    qtbot.waitExposed(w)
    w.set_presentation(True, fullscreen=False)
    readout = w.readout
    for t in (0, 80, session.max_step):
        session.timeline.set_step(t)
        for i, spec in enumerate(session.scene.optimizers):
            session.set_selected(i)
            qtbot.wait(1)
            viewport = readout.scroll.viewport()
            needed = readout.label.heightForWidth(viewport.width())
            assert needed <= viewport.height(), (spec.kind, t, needed, viewport.height())
            assert not readout.scroll.verticalScrollBar().isVisible(), (spec.kind, t)
            assert readout.font_pt >= round(0.7 * w.theme.font_size) >= 12
    # the chart keeps a usable plot under the readout
    assert w.loss_chart.plot.getViewBox().height() >= 60
    w.player.stop()


def test_a_scene_whose_view_names_a_basin_map_opens_with_it(qtbot, window):
    from valley.core.scene import default_scene

    scene = default_scene()
    scene.view.basins = "Adam"
    window.document.replace(scene)
    basins, panel = window.document.basins, window.basin_panel
    assert basins.busy and basins.index == 2 and panel.optimizer.currentText() == "Adam"
    assert basins.wait() and basins.label == "Adam"
    assert window.landscape.basin_image.isVisible() and panel.status.text().startswith("Adam: ")
    scene.view.basins = "Nesterov"  # no racer has it: the panel says so, the window carries on
    window.document.replace(scene)
    assert basins.result is None and not basins.busy
    assert "no optimizer labelled or of kind 'Nesterov'" in panel.status.text()


@pytest.mark.parametrize("presentation", [False, True])
def test_the_window_fits_a_1366x768_laptop_on_both_tabs(qtbot, presentation):
    window = MainWindow(Document(), show_3d=False, remember=False)
    qtbot.addWidget(window)
    window.resize(1366, 728)  # the screen less a task bar
    window.show()
    if presentation:
        window.set_presentation(True, fullscreen=False)
    for page in (window.landscape_page, window.network_page):
        window.tabs.setCurrentWidget(page)
        QApplication.processEvents()
        hint = window.minimumSizeHint()
        assert hint.width() <= 1366 and hint.height() <= 728, (page, hint)
        assert (window.width(), window.height()) == (1366, 728)
    window.tabs.setCurrentWidget(window.landscape_page)
    QApplication.processEvents()
    for dock in (d for d in window.docks.values() if d.isVisible()):
        panel = dock.widget().widget()
        assert dock.widget().width() >= panel.minimumSizeHint().width()  # nothing cut at the side
    assert any(d.isVisible() for d in window.docks.values()) != presentation
