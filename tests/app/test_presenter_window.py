"""The presenter window: on a second screen the lecturer sees the notes, the next entry and the
time while the deck is on the projector; both windows' keys drive the one deck."""
from datetime import datetime, timedelta

import numpy as np
import pytest
from PyQt6.QtCore import QRect, Qt
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtWidgets import QApplication

from valley.app.export.render import image_to_rgb
from valley.app.main_window import MainWindow
from valley.app.model.deck import DeckModel
from valley.app.model.document import Document
from valley.app.presenter_window import (
    EntryThumbnails,
    PresenterWindow,
    choose_screens,
    format_elapsed,
)
from valley.app.theme import get_theme
from valley.core.deck import loads_deck

DECK = """
title = "Lecture 3"
[[entries]]
preset = "saddle_point"
caption = "Newton stops on the saddle"
notes = "Ask the class why before pressing play."
[[entries]]
preset = "graph_autodiff"
caption = "Automatic differentiation"
notes = "The adjoint of a sums over its two uses."
[[entries]]
preset = "rosenbrock"
caption = "A curved valley"
"""


class FakeScreen:
    def __init__(self, name: str, width: int, height: int, x: int = 0):
        self.name = name
        self._geometry = QRect(x, 0, width, height)

    def geometry(self) -> QRect:
        return self._geometry

    def __repr__(self) -> str:
        return self.name


LAPTOP = FakeScreen("laptop", 1280, 720)
PROJECTOR = FakeScreen("projector", 1280, 720, x=1280)


# ----- which screen shows what -----
def test_one_screen_shows_the_deck_and_no_presenter():
    assert choose_screens([LAPTOP], LAPTOP) == (LAPTOP, None)


@pytest.mark.parametrize("order", [(LAPTOP, PROJECTOR), (PROJECTOR, LAPTOP)])
def test_two_screens_the_primary_is_the_presenters(order):
    assert choose_screens(list(order), LAPTOP) == (PROJECTOR, LAPTOP)
    assert choose_screens(list(order), PROJECTOR) == (LAPTOP, PROJECTOR)


def test_three_screens_the_largest_other_one_is_the_projector():
    monitor = FakeScreen("monitor", 1280, 1024, x=1280)
    room = FakeScreen("room", 1920, 1080, x=2560)
    assert choose_screens([monitor, LAPTOP, room], LAPTOP) == (room, LAPTOP)
    assert choose_screens([LAPTOP, monitor, room], monitor) == (room, monitor)
    twin = FakeScreen("twin", 1280, 720, x=2560)  # equal sizes: the system's order decides
    assert choose_screens([LAPTOP, PROJECTOR, twin], LAPTOP) == (PROJECTOR, LAPTOP)


def test_without_a_known_primary_the_first_screen_is_the_presenters():
    assert choose_screens([LAPTOP, PROJECTOR], None) == (PROJECTOR, LAPTOP)
    with pytest.raises(ValueError, match="no screen"):
        choose_screens([], None)


# ----- the window on two screens -----
@pytest.fixture
def lecture(qtbot):
    document = Document(background=False)
    window = MainWindow(document, show_3d=False, remember=False)
    qtbot.addWidget(window)
    screens = {"now": [LAPTOP, PROJECTOR]}
    window.screen_source = lambda: (screens["now"], LAPTOP)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    yield window, screens
    window.player.stop()
    window.close()
    document.shutdown()


def open_lecture(qtbot, window):
    assert window.open_deck(loads_deck(DECK, "lecture.toml"))
    presenter = window.presenter
    if presenter is not None:
        qtbot.waitExposed(presenter)
    return presenter


def test_two_screens_show_the_presenter_window_with_the_notes_and_the_next_entry(qtbot, lecture):
    window, _ = lecture
    presenter = open_lecture(qtbot, window)
    assert presenter is not None and presenter.isVisible() and window.presentation
    assert presenter.geometry().topLeft() == LAPTOP.geometry().topLeft()
    assert presenter.progress.text() == "1 / 3" and presenter.caption.text() == "Newton stops on the saddle"
    assert presenter.notes.text() == "Ask the class why before pressing play."
    assert presenter.next_caption.text() == "Automatic differentiation"
    assert presenter.next_heading.text() == "Next: 2 / 3"
    assert not window.deck_overlay.notes.isVisible()  # the class does not see the notes
    for target in (window, presenter):  # N, pressed in either window, keeps them off the projector
        qtbot.keyClick(target, Qt.Key.Key_N)
        assert not window.deck_overlay.notes.isVisible()


@pytest.mark.parametrize("pressed_in", ["presenter", "main"])
def test_page_down_and_up_in_either_window_drive_the_deck(qtbot, lecture, pressed_in):
    window, _ = lecture
    presenter = open_lecture(qtbot, window)
    target = presenter if pressed_in == "presenter" else window
    qtbot.keyClick(target, Qt.Key.Key_PageDown)
    assert window.deck.index == 1 and window.tabs.currentWidget() is window.graph_page
    assert presenter.notes.text() == "The adjoint of a sums over its two uses."
    assert presenter.next_caption.text() == "A curved valley" and presenter.progress.text() == "2 / 3"
    assert window.deck_overlay.progress.text() == "2 / 3"  # the projector follows the same deck
    qtbot.keyClick(target, Qt.Key.Key_PageUp)
    assert window.deck.index == 0 and presenter.caption.text() == "Newton stops on the saddle"


def test_b_in_the_presenter_window_blanks_the_projector(qtbot, lecture):
    window, _ = lecture
    presenter = open_lecture(qtbot, window)
    qtbot.keyClick(presenter, Qt.Key.Key_B)
    assert window.deck_overlay.blank.isVisible()
    qtbot.keyClick(presenter, Qt.Key.Key_B)
    assert not window.deck_overlay.blank.isVisible()


def test_one_screen_has_no_presenter_and_n_shows_the_notes_over_the_view(qtbot, lecture):
    window, screens = lecture
    screens["now"] = [LAPTOP]
    assert open_lecture(qtbot, window) is None
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, PresenterWindow) and w.isVisible()]
    qtbot.keyClick(window, Qt.Key.Key_N)
    assert window.deck_overlay.notes.isVisible()


def test_a_screen_plugged_in_and_out_brings_and_takes_the_presenter_keeping_the_deck(qtbot, lecture):
    window, screens = lecture
    screens["now"] = [LAPTOP]
    open_lecture(qtbot, window)
    window.deck.go_to(1)
    application = QGuiApplication.instance()
    screens["now"] = [LAPTOP, PROJECTOR]
    application.screenAdded.emit(application.primaryScreen())  # what Qt says when one is plugged in
    qtbot.waitUntil(lambda: window.presenter is not None and window.presenter.isVisible())
    assert window.deck.index == 1 and window.presenter.progress.text() == "2 / 3"
    screens["now"] = [LAPTOP]
    application.screenRemoved.emit(application.primaryScreen())
    qtbot.waitUntil(lambda: window.presenter is None)
    assert window.deck.index == 1 and window.presentation and window.isVisible()


def test_closing_the_presenter_leaves_the_show_and_closing_the_main_window_closes_it(qtbot, lecture):
    window, _ = lecture
    presenter = open_lecture(qtbot, window)
    presenter.close()
    assert window.presenter is None and window.isVisible() and window.deck is not None
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.deck.index == 1
    window.arrange_screens()  # the screens are still two: it comes back where the lecture is
    presenter = window.presenter
    assert presenter is not None and presenter.progress.text() == "2 / 3"
    window.close()
    assert not presenter.isVisible() and window.presenter is None


# ----- the next entry's picture -----
def make_pictures(qtbot, deck_model, indices):
    """Pictures of entries made by a set of thumbnails of their own, as the presenter's are."""
    thumbnails = EntryThumbnails(deck_model, get_theme("dark"), delay_ms=0)
    try:
        for index in indices:
            with qtbot.waitSignal(thumbnails.ready, timeout=10_000) as made:
                thumbnails.request(index)
            assert made.args == [index]
    finally:
        thumbnails.stop()
    return {index: image_to_rgb(image) for index, image in thumbnails.images.items()}, thumbnails


def test_the_thumbnail_is_the_next_entry_drawn_later_and_absent_on_the_last(qtbot, lecture):
    window, _ = lecture
    presenter = open_lecture(qtbot, window)
    assert presenter.thumbnail_image() is None  # not drawn on arrival: the projector's view comes first
    qtbot.waitUntil(lambda: presenter.thumbnail_image() is not None, timeout=10_000)
    shown = image_to_rgb(presenter.thumbnail_image())
    assert shown.std() > 10  # a picture, not a blank box
    assert shown.shape[:2] == (presenter.thumbnail.height(), presenter.thumbnail.width())
    kept = image_to_rgb(presenter.thumbnails.images[1])
    pictures, _ = make_pictures(qtbot, window.deck, (2, 1))
    assert np.array_equal(kept, pictures[1]) and not np.array_equal(kept, pictures[2])
    qtbot.keyClick(presenter, Qt.Key.Key_PageDown)
    qtbot.keyClick(presenter, Qt.Key.Key_PageDown)
    assert window.deck.index == 2
    assert presenter.thumbnail_image() is None and presenter.thumbnail.isHidden()
    assert presenter.next_heading.text() == "Next: the end of the deck"
    qtbot.keyClick(presenter, Qt.Key.Key_PageUp)
    qtbot.keyClick(presenter, Qt.Key.Key_PageUp)  # back at the first: its next picture is kept
    assert np.array_equal(image_to_rgb(presenter.thumbnail_image()), shown)


def test_pictures_are_each_entrys_own_whatever_the_order_they_are_made_in(qtbot):
    text = "".join(f'[[entries]]\npreset = "{name}"\n' for name in ("saddle_point", "rosenbrock", "beale"))
    document = Document(background=False)
    deck = DeckModel(document, loads_deck(text, "lecture.toml"))
    deck.go_to(0)

    def apart(a, b) -> float:
        return float(np.abs(a.astype(int) - b).mean())

    try:
        forward, thumbnails = make_pictures(qtbot, deck, (0, 1, 2))
        backward, _ = make_pictures(qtbot, deck, (2, 1, 0))
        for index in range(3):
            # the heatmap's resampling after the layout moves a contour by a pixel at most
            assert apart(forward[index], backward[index]) < 3, index
            assert forward[index].std() > 10
        assert min(apart(forward[0], forward[1]), apart(forward[1], forward[2]),
                   apart(forward[0], forward[2])) > 15  # three surfaces, three pictures
        assert all(len(costs) == 3 and min(costs) >= 0 for costs in thumbnails.cost_ms.values())
    finally:
        document.shutdown()


def test_a_picture_waits_while_the_projector_plays(qtbot):
    document = Document(background=False)
    deck = DeckModel(document, loads_deck(DECK, "lecture.toml"))
    deck.go_to(0)
    thumbnails = EntryThumbnails(deck, get_theme("dark"), delay_ms=0)
    timeline = deck.timeline_of("landscape")
    try:
        timeline.play()
        thumbnails.request(1)
        qtbot.wait(200)
        assert thumbnails.images == {}
        with qtbot.waitSignal(thumbnails.ready, timeout=10_000):
            timeline.pause()
    finally:
        timeline.pause()
        thumbnails.stop()
        document.shutdown()


def test_an_entry_that_cannot_be_drawn_says_why_in_place_of_its_picture(qtbot, monkeypatch):
    from valley.app import presenter_window

    def refuse(entry, theme):
        raise ValueError(f"{entry.origin}: the surface overflows")

    monkeypatch.setattr(presenter_window, "ThumbnailDrawing", refuse)
    document = Document(background=False)
    deck = DeckModel(document, loads_deck(DECK, "lecture.toml"))
    deck.go_to(0)
    presenter = PresenterWindow(deck, {}, "dark", thumbnail_delay_ms=0)
    qtbot.addWidget(presenter)
    try:
        qtbot.waitUntil(lambda: presenter.thumbnail.text().startswith("No picture"))
        assert presenter.thumbnail.text() == "No picture: preset graph_autodiff: the surface overflows"
        assert presenter.thumbnail_image() is None
        deck.go_to(1)
        deck.go_to(0)  # asked again: the reason is kept, not found again
        assert presenter.thumbnail.text() == "No picture: preset graph_autodiff: the surface overflows"
    finally:
        presenter.close()
        document.shutdown()


# ----- the time -----
def test_the_clock_and_the_elapsed_time_follow_the_injected_time(qtbot):
    document = Document(background=False)
    seconds = {"now": 1000.0}
    day = {"now": datetime(2026, 12, 1, 9, 15, 30)}
    deck = DeckModel(document, loads_deck(DECK, "lecture.toml"), clock=lambda: seconds["now"])
    deck.go_to(0)
    presenter = PresenterWindow(deck, {}, "dark", now=lambda: day["now"])
    qtbot.addWidget(presenter)
    try:
        assert presenter.clock.text() == "09:15" and presenter.elapsed.text() == "00:00"
        seconds["now"] += 65
        day["now"] += timedelta(minutes=1, seconds=5)
        presenter.refresh_clock()
        assert presenter.clock.text() == "09:16" and presenter.elapsed.text() == "01:05"
        seconds["now"] += 3600
        presenter.refresh_clock()
        assert presenter.elapsed.text() == "1:01:05"
        qtbot.mouseClick(presenter.reset_button, Qt.MouseButton.LeftButton)
        assert presenter.elapsed.text() == "00:00" and deck.elapsed() == 0
    finally:
        presenter.close()
        document.shutdown()


def test_elapsed_time_reads_as_minutes_then_hours():
    assert format_elapsed(0) == "00:00"
    assert format_elapsed(59.9) == "00:59"
    assert format_elapsed(3599) == "59:59"
    assert format_elapsed(3600 + 62) == "1:01:02"
    assert format_elapsed(-3) == "00:00"  # a clock set back does not show a negative time

