"""The lecturer's keys work whatever has focus; the wheel changes only a focused control."""
import pytest
from PyQt6.QtCore import QPoint, QPointF, Qt
from PyQt6.QtGui import QWheelEvent
from PyQt6.QtWidgets import QApplication, QComboBox

import valley.app.file_actions as fa
from valley.app.main_window import MainWindow
from valley.app.model.document import Document
from valley.app.model.presets import preset_paths


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr(fa, "ask_unsaved", lambda parent, title: "discard")
    w = MainWindow(Document(), show_3d=False, remember=False)
    qtbot.addWidget(w)
    w.resize(1300, 800)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    yield w
    w.timeline.pause()


def test_space_plays_instead_of_opening_the_focused_drop_down(qtbot, window):
    combo = window.panels["Race"].findChild(QComboBox)
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    qtbot.keyClick(combo, Qt.Key.Key_Space)
    assert window.timeline.playing
    assert QApplication.activePopupWidget() is None
    qtbot.keyClick(combo, Qt.Key.Key_Space)
    assert not window.timeline.playing


def test_right_steps_the_backprop_pass_after_a_click_on_the_diagram(qtbot, window):
    window.open_example("backprop_example")
    page = window.network_page
    playground = window.document.playground
    qtbot.mouseClick(page.diagram.viewport(), Qt.MouseButton.LeftButton)
    assert playground.phase == 0
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Right)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Right)
    assert playground.phase == 2
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Left)
    assert playground.phase == 1


def test_keys_act_on_the_tab_in_front(qtbot, window):
    window.tabs.setCurrentWidget(window.network_page)
    playground = window.document.playground
    qtbot.keyClick(window, Qt.Key.Key_End)
    assert playground.step == playground.timeline.last > 0 and window.race.step == 0
    qtbot.keyClick(window, Qt.Key.Key_Home)
    assert playground.step == 0


def test_a_text_field_being_edited_keeps_its_keys(qtbot, window):
    formula = window.panels["Surface"].formula
    formula.setFocus()
    qtbot.waitUntil(formula.hasFocus)
    qtbot.keyClicks(formula, "x y")
    qtbot.keyClick(formula, Qt.Key.Key_Home)
    assert formula.text() == "x y" and formula.cursorPosition() == 0
    assert not window.timeline.playing and window.race.step == 0


def test_escape_leaves_presentation_on_the_network_tab_and_the_race_panels_stay_away(qtbot, window):
    window.tabs.setCurrentWidget(window.network_page)
    window.set_presentation(True, fullscreen=False)
    window.network_page.diagram.setFocus()
    qtbot.keyClick(window.network_page.diagram, Qt.Key.Key_Escape)
    assert not window.presentation
    assert not any(dock.isVisible() for dock in window.docks.values())
    window.tabs.setCurrentWidget(window.landscape_page)
    assert all(dock.isVisible() for dock in window.docks.values() if not dock.isFloating())


def test_page_down_and_up_walk_the_lecture_presets(qtbot, window):
    paths = [str(p) for p in preset_paths()]
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.document.title == window.file_actions.preset_actions[0].text()
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.file_actions.shown_preset == paths[1]
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    assert window.file_actions.shown_preset == paths[0]
    window.file_actions.open_preset(paths[-1])
    qtbot.keyClick(window, Qt.Key.Key_PageDown)  # after the last: nothing changes
    assert window.file_actions.shown_preset == paths[-1]


def wheel(widget, dy: int) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, dy),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_panel_past_a_combo_it_does_not_focus(qtbot, window):
    window.tabs.setCurrentWidget(window.network_page)
    window.resize(1300, 600)  # the panel needs a scroll bar
    page = window.network_page
    qtbot.waitUntil(lambda: page.scroll.verticalScrollBar().maximum() > 0)
    combo = page.panel.findChildren(QComboBox)[-1]
    before = combo.currentIndex(), window.document.playground.spec
    wheel(combo, -120)
    assert (combo.currentIndex(), window.document.playground.spec) == before
    assert page.scroll.verticalScrollBar().value() > 0
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    wheel(combo, -120)  # focused: the wheel is the combo's
    assert combo.currentIndex() != before[0] or combo.count() == 1
