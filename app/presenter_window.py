"""The lecturer's own screen while a deck is on the projector: the speaker notes, where the
lecture is, what comes next (with a small picture of it), the time of day and the time the
show has run.

Which screen shows what is `choose_screens`, a pure function. The keys are the main window's:
the presenter window installs the same key map (PageDown, PageUp, B, F5, arrows...), so both
windows drive the one DeckModel.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol, TypeVar

from PyQt6.QtCore import QObject, QRect, QSize, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QImage, QPixmap
from PyQt6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from valley.app.export.render import prepare, render_image
from valley.app.lecture_keys import install_lecture_keys
from valley.app.model.deck import DeckModel, entry_timeline
from valley.app.model.document import Document
from valley.app.theme import Theme, get_theme
from valley.app.views.graph_view import GraphView
from valley.app.views.landscape2d import HEATMAP_DELAY_MS, Landscape2DView
from valley.app.views.network_diagram import NetworkDiagram
from valley.core import limits
from valley.core.deck import DeckEntry
from valley.core.scene import Scene

# The picture of the next entry: laid out at THUMBNAIL_LAYOUT (a small window's size, so the
# view's axes and labels keep their proportions) and kept at THUMBNAIL_SIZE; the presenter
# window shows it in a column of SIDE_SHARE of its width, between the two widths below.
THUMBNAIL_SIZE = QSize(576, 324)
THUMBNAIL_LAYOUT = (768, 432)
SIDE_SHARE = 0.3
SIDE_WIDTHS = (384, THUMBNAIL_SIZE.width())
# The picture is made this long after an entry arrives: the projector's view draws first, and
# a lecturer paging through entries does not wait for pictures of entries passed by.
THUMBNAIL_DELAY_MS = 1000
# A picture a few hundred pixels wide needs no finer surface grid than this (the window's is 256).
THUMBNAIL_RESOLUTION = 128
# Between laying a thumbnail's view out and painting it: the 2-D view repaints its heatmap this
# long after a resize (before then it shows the heatmap of its first, smaller size).
SETTLE_MS = 2 * HEATMAP_DELAY_MS
CLOCK_INTERVAL_MS = 1000
# Fonts of the presenter window against the room's normal font: read at arm's length.
NOTES_SCALE = 2.0
CAPTION_SCALE = 1.6
CLOCK_SCALE = 2.6
MARGIN = 16


class HasGeometry(Protocol):
    def geometry(self) -> QRect: ...


ScreenT = TypeVar("ScreenT", bound=HasGeometry)


def choose_screens(screens: Sequence[ScreenT], primary: ScreenT | None) -> tuple[ScreenT, ScreenT | None]:
    """(projector, presenter): the screen the class sees and the lecturer's own, or None.

    The presenter's screen is the primary one: operating systems make a laptop's built-in panel
    primary (it holds the taskbar and the menu bar), and it is the screen in front of the
    lecturer. The projector is the largest of the others: a projector or a room display is
    rarely smaller than a second monitor on the lectern, and the class should get the most
    pixels. Equal sizes keep the system's order. One screen shows the deck and no presenter.
    """
    if not screens:
        raise ValueError("choose_screens: no screen to present on")
    if len(screens) == 1:
        return screens[0], None
    presenter = primary if primary in screens else screens[0]
    others = [screen for screen in screens if screen is not presenter]

    def area(screen: ScreenT) -> int:
        size = screen.geometry().size()
        return size.width() * size.height()

    projector = max(others, key=area)  # max keeps the first of equals
    return projector, presenter


def thumbnail_scene(entry: DeckEntry) -> Scene:
    """The entry's scene as it looks on arrival, and no more: the steps up to its start (the
    rest is not shown until it plays), a coarser grid, no critical points (too small to read in
    a thumbnail; finding them took 140–170 ms of a landscape's 440) and no basin map."""
    scene = entry.scene
    view = replace(scene.view, critical_points=False, basins=None, network_landscape=None,
                   resolution=max(limits.RESOLUTION.lo, min(scene.view.resolution, THUMBNAIL_RESOLUTION)))
    return replace(scene, steps=max(limits.STEPS.lo, entry.step), view=view)


class ThumbnailDrawing:
    """An entry drawn off screen by the view its tab shows, as it looks on arrival.

    Qt builds, lays out and paints widgets on the GUI thread only; what is computed is cut to
    the arrival step by `thumbnail_scene`, and the three are separate calls so that a caller can
    let the event loop turn between them: a view finishes its layout on its own timers (the 2-D
    view repaints its heatmap once a resize has settled), so paint SETTLE_MS after laying out.
    A fresh view each time: one that showed another scene would mix the two until it settled.
    ValueError when the entry's scene cannot be built.
    """

    def __init__(self, entry: DeckEntry, theme: Theme):
        self.document = Document(thumbnail_scene(entry), background=False)
        try:
            if entry.tab == "network":
                self.widget = NetworkDiagram(self.document.playground, theme=theme)
            elif entry.tab == "graph":
                self.widget = GraphView(self.document.graph, theme=theme)
            else:
                self.widget = Landscape2DView(self.document.race, theme)
        except ValueError:
            self.document.shutdown()
            raise
        self.widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        timeline = entry_timeline(self.document, entry.tab)
        timeline.set_step(min(entry.step, timeline.last))

    def lay_out(self) -> None:
        prepare(self.widget, THUMBNAIL_LAYOUT)

    def paint(self) -> QImage:
        image = render_image(self.widget, THUMBNAIL_LAYOUT)  # laid out already: this only paints
        return image.scaled(THUMBNAIL_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                            Qt.TransformationMode.SmoothTransformation)

    def dispose(self) -> None:
        self.widget.close()
        self.widget.deleteLater()
        self.document.shutdown()


class EntryThumbnails(QObject):
    """The pictures of a deck's entries, each made once, lazily, and kept.

    A picture is made THUMBNAIL_DELAY_MS after it is asked for, and only while the projector is
    still (no timeline of the deck playing): building, laying out and painting a view take the
    GUI thread for a moment each (`cost_ms` keeps what they took), which a playing animation
    would show as a stutter. Each is one turn of the event loop, so a key pressed meanwhile
    waits for one of them, not for the whole picture.
    """

    ready = pyqtSignal(int)  # the entry whose picture is now in `images`
    refused = pyqtSignal(int)  # the entry whose scene cannot be drawn: `failed` says why

    def __init__(self, deck_model: DeckModel, theme: Theme, parent=None, delay_ms: int = THUMBNAIL_DELAY_MS):
        super().__init__(parent)
        self.deck_model = deck_model
        self.deck = deck_model.deck
        self.theme = theme
        self.images: dict[int, QImage] = {}
        self.failed: dict[int, str] = {}  # entries whose scene could not be drawn, and why
        # (build, lay out, paint) milliseconds on the GUI thread, measured for each picture
        self.cost_ms: dict[int, tuple[float, float, float]] = {}
        self._wanted: int | None = None
        self._drawing: tuple[int, ThumbnailDrawing, list[float]] | None = None  # being made
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._build)
        self._next_step = QTimer(self)  # the next part of the picture, once the event loop turned
        self._next_step.setSingleShot(True)
        self._next_step.timeout.connect(self._continue)

    def request(self, index: int) -> None:
        """Ask for entry `index`'s picture: `ready` now if it is kept, else once it is made."""
        if index in self.images:
            self.ready.emit(index)
            return
        if index in self.failed:
            self.refused.emit(index)
            return
        self._wanted = index
        if self._drawing is None:
            self._timer.start()

    def stop(self) -> None:
        """Nothing more is wanted: a picture half made is dropped."""
        self._wanted = None
        self._timer.stop()
        self._next_step.stop()
        if self._drawing is not None:
            self._drawing[1].dispose()
            self._drawing = None

    def _projector_busy(self) -> bool:
        entry = self.deck_model.entry
        return entry is not None and self.deck_model.timeline_of(entry.tab).playing

    def _build(self) -> None:
        index = self._wanted
        if index is None or index in self.images:
            return
        if self._projector_busy():
            self._timer.start()  # ask again once the animation has stopped
            return
        started = time.perf_counter()
        try:
            drawing = ThumbnailDrawing(self.deck.entries[index], self.theme)
        except ValueError as error:
            self.failed[index] = str(error)
            self.refused.emit(index)
            return
        self._drawing = (index, drawing, [(time.perf_counter() - started) * 1000])
        self._next_step.start(0)

    def _continue(self) -> None:
        index, drawing, costs = self._drawing
        started = time.perf_counter()
        if len(costs) == 1:
            drawing.lay_out()
            costs.append((time.perf_counter() - started) * 1000)
            self._next_step.start(SETTLE_MS)
            return
        try:
            image = drawing.paint()
        finally:
            drawing.dispose()
            self._drawing = None
        costs.append((time.perf_counter() - started) * 1000)
        self.cost_ms[index] = tuple(costs)
        self.images[index] = image
        self.ready.emit(index)
        if self._wanted is not None and self._wanted not in self.images:
            self._timer.start()  # the lecturer moved on while this one was made


def format_elapsed(seconds: float) -> str:
    """1:02:03 past the hour, 12:03 below it."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class PresenterWindow(QWidget):
    """The presenter view of `deck_model`; `actions` is the main window's key map (the same dict)."""

    closed = pyqtSignal()

    def __init__(self, deck_model: DeckModel, actions: dict, theme_name: str,
                 now: Callable[[], datetime] = datetime.now, thumbnail_delay_ms: int = THUMBNAIL_DELAY_MS):
        super().__init__(None, Qt.WindowType.Window)
        self.deck = deck_model
        self.now = now
        self.theme = get_theme(theme_name)
        self.setWindowTitle(f"Valley — presenter: {deck_model.deck.title or 'lecture'}")
        self.setObjectName("presenterWindow")
        self.thumbnails = EntryThumbnails(deck_model, self.theme, self, delay_ms=thumbnail_delay_ms)
        self._build()
        self.keys = install_lecture_keys(self, actions)
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(CLOCK_INTERVAL_MS)
        self.clock_timer.timeout.connect(self.refresh_clock)
        self.clock_timer.start()
        deck_model.entryChanged.connect(self.refresh)
        self.thumbnails.ready.connect(self._thumbnail_ready)
        self.thumbnails.refused.connect(self._thumbnail_refused)
        self.refresh()
        self.refresh_clock()

    # ----- building -----
    def _label(self, name: str, scale: float, bold: bool = False, muted: bool = False,
               padding: int = 0) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        colour = self.theme.muted if muted else self.theme.foreground
        weight = "bold" if bold else "normal"
        label.setStyleSheet(f"QLabel {{ color: {colour}; font-size: {round(self.theme.font_size * scale)}pt; "
                            f"font-weight: {weight}; padding: {padding}px; }}")
        return label

    def _build(self) -> None:
        theme = self.theme
        self.setStyleSheet(f"QWidget#presenterWindow {{ background: {theme.background}; }}")
        self.progress = self._label("presenterProgress", CAPTION_SCALE, bold=True, muted=True)
        self.caption = self._label("presenterCaption", CAPTION_SCALE, bold=True)
        self.clock = self._label("presenterClock", CLOCK_SCALE, bold=True)
        self.clock.setWordWrap(False)
        self.clock.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.elapsed = self._label("presenterElapsed", CLOCK_SCALE, muted=True)
        self.elapsed.setWordWrap(False)
        self.elapsed.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.reset_button = QPushButton("Reset", self)
        self.reset_button.setToolTip("Count the elapsed time from now")
        self.reset_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space and arrows stay the deck's
        self.reset_button.clicked.connect(self.reset_elapsed)

        self.notes = self._label("presenterNotes", NOTES_SCALE, padding=MARGIN)
        self.notes.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.notes_scroll = QScrollArea(self)
        self.notes_scroll.setWidgetResizable(True)
        self.notes_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.notes_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.notes_scroll.setWidget(self.notes)
        self.notes_scroll.setStyleSheet(f"QScrollArea {{ background: {theme.panel}; border: none; "
                                        f"border-radius: 6px; }} QScrollArea > QWidget > QWidget "
                                        f"{{ background: {theme.panel}; }}")

        self.next_heading = self._label("presenterNextHeading", 1.2, bold=True, muted=True)
        self.next_caption = self._label("presenterNextCaption", 1.3)
        self.thumbnail = QLabel(self)
        self.thumbnail.setObjectName("presenterThumbnail")
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumbnail.setWordWrap(True)  # the reason there is no picture
        self.thumbnail.setStyleSheet(f"QLabel {{ background: {theme.panel}; color: {theme.muted}; }}")

        top = QGridLayout()
        top.setHorizontalSpacing(MARGIN)
        top.addWidget(self.progress, 0, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.caption, 0, 1, Qt.AlignmentFlag.AlignTop)
        times = QHBoxLayout()
        times.setSpacing(MARGIN)
        times.addWidget(self.clock)
        times.addWidget(self.elapsed)
        times.addWidget(self.reset_button, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addLayout(times, 0, 2, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        top.setColumnStretch(1, 1)

        side = QVBoxLayout()
        side.setSpacing(MARGIN // 2)
        side.addWidget(self.next_heading)
        side.addWidget(self.thumbnail)
        side.addWidget(self.next_caption)
        side.addStretch(1)
        self.side = QWidget(self)
        self.side.setLayout(side)
        self.next_caption.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

        body = QHBoxLayout()
        body.setSpacing(2 * MARGIN)
        body.addWidget(self.notes_scroll, 1)
        body.addWidget(self.side)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2 * MARGIN, 2 * MARGIN, 2 * MARGIN, 2 * MARGIN)
        layout.setSpacing(2 * MARGIN)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        self._fit_side()

    # ----- what shows -----
    def refresh(self, *_) -> None:
        """The shown entry's notes and caption, and the next entry's; its picture comes later."""
        deck, entry = self.deck, self.deck.entry
        self.progress.setText(f"{deck.index + 1} / {deck.count}")
        self.caption.setText(entry.caption if entry is not None and entry.caption else
                             (entry.scene.title if entry is not None else ""))
        self.notes.setText(entry.notes if entry is not None and entry.notes else "(no notes for this entry)")
        self.notes_scroll.verticalScrollBar().setValue(0)
        following = deck.next_entry
        self.thumbnail.clear()
        if following is None:
            self.next_heading.setText("Next: the end of the deck")
            self.next_caption.setText("")
            self.thumbnail.hide()
            self.thumbnails.stop()
            return
        self.next_heading.setText(f"Next: {deck.index + 2} / {deck.count}")
        self.next_caption.setText(following.caption or following.scene.title)
        self.thumbnail.show()
        self.thumbnail.setText("…")
        self.thumbnails.request(deck.index + 1)

    def _thumbnail_ready(self, index: int) -> None:
        if index != self.deck.index + 1:
            return  # the lecturer moved on while it was drawn
        self._show_thumbnail()

    def _thumbnail_refused(self, index: int) -> None:
        if index == self.deck.index + 1:
            self.thumbnail.setText(f"No picture: {self.thumbnails.failed[index]}")

    def _show_thumbnail(self) -> None:
        image = self.thumbnails.images.get(self.deck.index + 1)
        if image is None:
            return
        size = self.thumbnail.size()
        self.thumbnail.setPixmap(QPixmap.fromImage(image.scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)))

    def _fit_side(self) -> None:
        """The next entry's column: a share of the window's width, its picture as wide."""
        width = round(min(max(self.width() * SIDE_SHARE, SIDE_WIDTHS[0]), SIDE_WIDTHS[1]))
        if self.side.width() == width and self.thumbnail.width() == width:
            return
        self.side.setFixedWidth(width)
        self.thumbnail.setFixedSize(width, width * THUMBNAIL_SIZE.height() // THUMBNAIL_SIZE.width())
        if self.thumbnail.pixmap() is not None and not self.thumbnail.pixmap().isNull():
            self._show_thumbnail()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_side()

    def thumbnail_image(self) -> QImage | None:
        """The picture of the next entry now shown, None while it is made or on the last entry."""
        pixmap = self.thumbnail.pixmap()
        if self.thumbnail.isHidden() or pixmap is None or pixmap.isNull():
            return None
        return pixmap.toImage()

    def refresh_clock(self) -> None:
        self.clock.setText(self.now().strftime("%H:%M"))
        self.elapsed.setText(format_elapsed(self.deck.elapsed()))

    def reset_elapsed(self) -> None:
        self.deck.reset_elapsed()
        self.refresh_clock()

    # ----- lifetime -----
    def closeEvent(self, event) -> None:
        self.clock_timer.stop()
        self.thumbnails.stop()
        super().closeEvent(event)
        self.closed.emit()
