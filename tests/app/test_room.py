"""The room's preferences outlive the window; Copy image puts the view in front on the clipboard."""
from PyQt6.QtWidgets import QApplication

from valley.app.main_window import MainWindow
from valley.app.model.document import Document
from valley.app.room import COPY_SCALE, GEOMETRY, THEME
from valley.core.scene import default_scene


def make(qtbot, remember=True, **kwargs):
    window = MainWindow(Document(default_scene()), show_3d=False, remember=remember, **kwargs)
    qtbot.addWidget(window)
    return window


def test_size_theme_and_docks_come_back_next_time(qtbot):
    first = make(qtbot)
    first.resize(1300, 700)
    first.show()
    qtbot.waitUntil(lambda: first.width() == 1300)
    first.dark_action.trigger()  # to light
    first.docks["Surface"].hide()
    first.close()
    second = make(qtbot)
    second.show()
    assert (second.width(), second.height()) == (1300, 700)
    assert second.theme_name == "light" and second.landscape.backgroundBrush().color().lightness() > 200
    assert not second.docks["Surface"].isVisible() and second.docks["Race"].isVisible()
    assert not second.document.modified  # the room is not the scene


def test_a_headless_window_neither_reads_nor_writes_the_room(qtbot):
    window = make(qtbot, remember=False)
    window.set_theme("light")
    window.close()
    settings = make(qtbot).file_actions.settings
    assert settings.value(THEME) is None and settings.value(GEOMETRY) is None


def test_copy_image_puts_the_map_on_the_clipboard_at_one_or_two_times(qtbot):
    window = make(qtbot)
    window.resize(1200, 700)
    window.show()
    qtbot.waitExposed(window)
    image = window.copy_view_image()
    ratio = window.landscape.devicePixelRatioF()
    assert (image.width(), image.height()) == (round(window.landscape.width() * ratio),
                                               round(window.landscape.height() * ratio))
    assert QApplication.clipboard().image().size() == image.size()
    window.copy_twice_action.trigger()
    twice = window.copy_view_image()
    assert twice.width() == 2 * image.width() and twice.height() == 2 * image.height()
    window.tabs.setCurrentWidget(window.network_page)
    diagram = window.copy_view_image()
    assert diagram.width() == 2 * round(window.network_page.diagram.width() * ratio)
    window.close()
    assert str(window.file_actions.settings.value(COPY_SCALE)) == "2"


def test_the_3d_view_is_a_choice_of_the_room(qtbot):
    import pytest

    first = MainWindow(Document(default_scene()))
    qtbot.addWidget(first)
    if first.surface3d is None:
        pytest.skip(f"no OpenGL here: {first.surface3d_reason}")
    first.show()
    assert first.show_3d_action.isChecked() and first.surface3d.isVisible()
    camera = dict(first.surface3d.view.opts)
    first.surface3d.view.orbit(40, 10)
    assert first.surface3d.view.opts["azimuth"] != camera["azimuth"]
    first.reset_camera_action.trigger()  # View › Reset the 3-D camera
    assert first.surface3d.view.opts["azimuth"] == camera["azimuth"]
    assert first.surface3d.view.opts["elevation"] == camera["elevation"]
    first.show_3d_action.trigger()
    assert not first.surface3d.isVisible() and not first.reset_camera_action.isEnabled()
    assert not first.document.modified
    first.close()
    second = MainWindow(Document(default_scene()))
    qtbot.addWidget(second)
    second.show()
    assert not second.show_3d_action.isChecked()
    assert second.surface3d is None or not second.surface3d.isVisible()
    second.close()
