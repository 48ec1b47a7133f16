"""A lecture deck being presented: which entry is shown, and its play-to moment.

PageDown walks the lecture: an entry whose play-to mark waits for a click plays to it first,
then the next PageDown opens the next entry. PageUp goes back one entry. Opening an entry
replaces the Document's scene (as opening a file does) and sets the step it starts at.
The show's start (for the presenter's elapsed time) belongs here too: a presenter window that
closes and opens again with a screen keeps counting from the same moment.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from PyQt6.QtCore import QObject, pyqtSignal

from valley.core.deck import Deck, DeckEntry


def entry_timeline(document, tab: str):
    """The timeline an entry's tab plays in `document`."""
    if tab == "network":
        return document.playground.timeline
    if tab == "graph":
        return document.graph.timeline
    return document.race.timeline


class DeckModel(QObject):
    entryChanged = pyqtSignal(int)  # the index of the entry now shown
    problem = pyqtSignal(str)  # an entry that could not be shown, and why

    def __init__(self, document, deck: Deck, parent: QObject | None = None,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self.document = document
        self.deck = deck
        self._clock = clock
        self._started = clock()
        self.index = -1
        self.played = False  # the shown entry's play-to mark has been played
        self._stop_at: int | None = None  # pause the playing timeline here
        self._pending = False  # the shown entry waits for its run (a network still training)
        self._timeline = None

    @property
    def entry(self) -> DeckEntry | None:
        return self.deck.entries[self.index] if 0 <= self.index < len(self.deck.entries) else None

    @property
    def count(self) -> int:
        return len(self.deck.entries)

    def timeline_of(self, tab: str):
        """The timeline an entry's tab plays."""
        return entry_timeline(self.document, tab)

    @property
    def next_entry(self) -> DeckEntry | None:
        """The entry after the shown one; None on the last."""
        following = self.index + 1
        return self.deck.entries[following] if 0 <= following < self.count else None

    # ----- the show's time -----
    def elapsed(self) -> float:
        """Seconds since the show started (or since the lecturer last reset it)."""
        return self._clock() - self._started

    def reset_elapsed(self) -> None:
        self._started = self._clock()

    # ----- walking the lecture -----
    def go_to(self, index: int) -> bool:
        """Show entry `index`; False (nothing changes) outside the deck or when its scene is refused."""
        if not 0 <= index < self.count:
            return False
        entry = self.deck.entries[index]
        try:
            self.document.replace(entry.scene)
        except ValueError as error:
            self.problem.emit(f"entry {index + 1} ({entry.origin}): {error}")
            return False
        self._watch(self.timeline_of(entry.tab))
        self.index, self.played, self._stop_at = index, False, None
        self._pending = True
        self.entryChanged.emit(index)
        self._arrive()
        return True

    def next(self) -> bool:
        """PageDown: the shown entry's play-to moment if it waits for a click, else the next entry."""
        entry = self.entry
        if entry is not None and entry.play_to is not None and entry.play == "click" and not self.played:
            self._play_to(entry.play_to)
            return True
        return self.go_to(self.index + 1)

    def previous(self) -> bool:
        return self.go_to(self.index - 1)

    # ----- the shown entry's steps -----
    def _watch(self, timeline) -> None:
        if self._timeline is timeline:
            return
        if self._timeline is not None:
            self._timeline.stepChanged.disconnect(self._step_changed)
            self._timeline.rangeChanged.disconnect(self._range_changed)
        self._timeline = timeline
        timeline.stepChanged.connect(self._step_changed)
        timeline.rangeChanged.connect(self._range_changed)

    def _arrive(self) -> None:
        """The entry's start step (and its play on arrival) once its run reaches that far."""
        entry, timeline = self.entry, self._timeline
        if entry is None or not self._pending:
            return
        needed = entry.step if entry.play_to is None else max(entry.step, 1)
        if timeline.last < needed:
            return  # a network still training: its rangeChanged brings us back
        self._pending = False
        timeline.pause()
        timeline.set_step(entry.step)
        if entry.play_to is not None and entry.play == "arrival":
            self._play_to(entry.play_to)

    def _play_to(self, step: int) -> None:
        self.played = True
        timeline = self._timeline
        self._stop_at = min(step, timeline.last)
        if timeline.step >= self._stop_at:
            return
        timeline.play()

    def _step_changed(self, step: int) -> None:
        stop = self._stop_at
        if stop is not None and step >= stop:
            self._stop_at = None
            self._timeline.pause()
            self._timeline.set_step(stop)  # the player may step past it within one tick

    def _range_changed(self, _last: int) -> None:
        self._arrive()
