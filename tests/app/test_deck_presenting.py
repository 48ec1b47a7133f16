"""A lecture deck on the projector: PageDown plays to the entry's mark and then opens the next
entry, PageUp goes back, the caption and "2 / 3" show, B blanks, N shows the notes."""
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication

from valley.app.main_window import MainWindow
from valley.app.model.document import Document
from valley.core.deck import loads_deck

DECK = """
title = "Lecture 3"
[[entries]]
preset = "saddle_point"
caption = "Newton stops on the saddle"
notes = "Ask the class why before pressing play."
play_to = 40
[[entries]]
preset = "xor_hidden_layer"
caption = "XOR needs a hidden layer"
view = "plane"
[[entries]]
preset = "learning_rates"
step = 30
play_to = 60
play = "arrival"
"""


@pytest.fixture
def presenting(qtbot):
    document = Document(background=False)
    window = MainWindow(document, show_3d=False, remember=False)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_deck(loads_deck(DECK, "lecture.toml"))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    yield window
    window.player.stop()
    window.close()
    document.shutdown()


def test_page_down_plays_to_the_mark_then_opens_the_next_entry(qtbot, presenting):
    window = presenting
    deck, overlay = window.deck, window.deck_overlay
    assert window.presentation and deck.index == 0
    assert window.document.title == deck.deck.entries[0].scene.title
    assert window.tabs.currentWidget() is window.landscape_page and window.timeline.step == 0
    assert overlay.caption.isVisible() and overlay.caption.text() == "Newton stops on the saddle"
    assert overlay.progress.text() == "1 / 3" and overlay.progress.isVisible()
    assert window.centralWidget().rect().contains(overlay.progress.geometry())
    qtbot.keyClick(window, Qt.Key.Key_PageDown)  # the mark waits for a click: it plays, and stops there
    qtbot.waitUntil(lambda: not window.timeline.playing, timeout=10_000)
    assert window.timeline.step == 40 and deck.index == 0
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert deck.index == 1 and overlay.progress.text() == "2 / 3"
    page = window.network_page
    assert window.tabs.currentWidget() is page and page.lower_tabs.currentWidget() is page.landscape
    assert overlay.caption.text() == "XOR needs a hidden layer"
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    assert deck.index == 0 and window.tabs.currentWidget() is window.landscape_page
    assert window.timeline.step == 0  # back at the entry's start, its mark waiting again
    assert not deck.played


def test_an_entry_can_play_on_arrival_from_its_own_start(qtbot, presenting):
    window = presenting
    window.deck.go_to(2)
    assert window.deck_overlay.caption.isHidden()  # no caption: no empty box over the map
    qtbot.waitUntil(lambda: window.timeline.step == 60 and not window.timeline.playing, timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_PageDown)  # the last entry: nothing after it
    assert window.deck.index == 2


def test_a_second_deck_replaces_the_first_and_its_labels(qtbot, presenting):
    from PyQt6.QtWidgets import QLabel

    window = presenting
    assert window.open_deck(loads_deck('[[entries]]\npreset = "beale"\ncaption = "Beale"\n', "other.toml"))
    qtbot.wait(10)  # deleteLater
    captions = window.centralWidget().findChildren(QLabel, "deckCaption")
    assert [label.text() for label in captions] == ["Beale"]
    assert window.deck_overlay.progress.text() == "1 / 1"


def test_b_blanks_the_screen_and_n_shows_the_notes(qtbot, presenting):
    window = presenting
    overlay = window.deck_overlay
    qtbot.keyClick(window, Qt.Key.Key_N)
    assert overlay.notes.isVisible() and "Ask the class why" in overlay.notes.text()
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert overlay.blank.isVisible() and overlay.blank.geometry() == window.centralWidget().rect()
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert not overlay.blank.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_N)
    assert not overlay.notes.isVisible()


def test_a_bad_entry_is_reported_and_the_lecture_goes_on(tmp_path, capsys):
    from valley.app.launch import main

    deck = tmp_path / "lecture.toml"
    deck.write_text('[[entries]]\npreset = "beale"\n[[entries]]\npreset = "no_such_demo"\n')
    assert main([str(deck), "--screenshot", str(tmp_path / "shot.png"), "--size", "640x400"]) == 0
    err = capsys.readouterr().err
    assert f"left out of the deck: {deck}:4: entries[1].preset" in err
    assert (tmp_path / "shot.png").stat().st_size > 0
    deck.write_text('[[entries]]\npreset = "no_such_demo"\n')  # nothing left to show
    assert main([str(deck)]) == 2
    assert f"{deck}:2: entries[0].preset" in capsys.readouterr().err


def test_a_caption_is_shown_as_written_not_as_markup(qtbot, presenting):
    window = presenting
    deck = loads_deck('[[entries]]\npreset = "saddle_point"\ncaption = "<b>x & y</b> stay apart"\n', "markup.toml")
    assert window.open_deck(deck)
    caption = window.deck_overlay.caption
    assert caption.textFormat() == Qt.TextFormat.PlainText and caption.text() == "<b>x & y</b> stay apart"
