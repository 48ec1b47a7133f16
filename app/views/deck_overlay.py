"""What a deck adds over the views: the entry's caption, where the lecture is (3 / 10), the
speaker notes (N shows them on a single screen), and a blank screen (B)."""
from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import QLabel, QWidget

CAPTION_SCALE = 1.5  # the caption's font against the theme's: it is read from the back row
MARGIN = 12  # px between the overlay's labels and the view's edges
CAPTION_PADDING = 40  # px: the caption box's padding and border, both sides


class DeckOverlay(QObject):
    """Labels laid over `host` (the window's central widget) that follow a DeckModel."""

    def __init__(self, deck_model, host: QWidget, theme):
        super().__init__(host)
        self.deck = deck_model
        self.host = host
        self.caption = self._label("deckCaption")
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress = self._label("deckProgress")
        self.notes = self._label("deckNotes")
        self.notes.setWordWrap(True)
        self.notes.setVisible(False)
        self.blank = QWidget(host)
        self.blank.setObjectName("deckBlank")
        self.blank.setAutoFillBackground(True)
        palette = self.blank.palette()
        palette.setColor(self.blank.backgroundRole(), QColor("#000000"))
        self.blank.setPalette(palette)
        self.blank.setVisible(False)
        self.apply_theme(theme)
        host.installEventFilter(self)
        deck_model.entryChanged.connect(self.refresh)
        self.refresh()

    def _label(self, name: str) -> QLabel:
        label = QLabel(self.host)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)  # a caption's "<b>&" is shown as written
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # clicks reach the views
        return label

    def apply_theme(self, theme) -> None:
        self.theme = theme
        background = QColor(theme.panel)
        background.setAlpha(245)  # the views show faintly through, the words do not compete with them
        box = (f"background: rgba({background.red()}, {background.green()}, {background.blue()}, "
               f"{background.alpha()}); color: {theme.foreground}; border-radius: 6px; padding: 6px 14px;")
        self.caption.setStyleSheet(f"QLabel {{ {box} font-size: {round(theme.font_size * CAPTION_SCALE)}pt; "
                                   f"font-weight: bold; }}")
        self.progress.setStyleSheet(f"QLabel {{ {box} font-size: {theme.font_size}pt; }}")
        self.notes.setStyleSheet(f"QLabel {{ {box} font-size: {theme.font_size}pt; }}")
        self._place()

    def remove(self) -> None:
        """Take the labels off the host (another deck replaces this one)."""
        self.host.removeEventFilter(self)
        for widget in (self.caption, self.progress, self.notes, self.blank):
            widget.hide()
            widget.deleteLater()
        self.deleteLater()

    # ----- what shows -----
    def refresh(self, *_) -> None:
        entry = self.deck.entry
        self.caption.setText(entry.caption if entry is not None else "")
        self.caption.setVisible(bool(entry is not None and entry.caption))
        self.progress.setText(f"{self.deck.index + 1} / {self.deck.count}")
        self.progress.show()  # a label made on a window already showing stays hidden until told
        self.notes.setText(entry.notes if entry is not None and entry.notes else "(no notes for this entry)")
        self._place()

    def toggle_notes(self) -> None:
        self.notes.setVisible(not self.notes.isVisible())
        self._place()

    def toggle_blank(self) -> None:
        self.blank.setVisible(not self.blank.isVisible())
        self._place()

    # ----- where -----
    def eventFilter(self, watched, event) -> bool:
        if watched is self.host and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        width, height = self.host.width(), self.host.height()
        self.blank.setGeometry(0, 0, width, height)
        # the caption as subtitles: low and centred, at most two lines, over the view
        room = max(100, width - 4 * MARGIN)
        self.caption.ensurePolished()  # its font comes from the style sheet
        lines = self.caption.text().splitlines() or [""]
        natural = max(self.caption.fontMetrics().horizontalAdvance(line) for line in lines)
        caption_width = min(room, natural + CAPTION_PADDING)
        caption_height = self.caption.heightForWidth(caption_width)
        self.caption.setGeometry((width - caption_width) // 2, height - caption_height - 6 * MARGIN,
                                 caption_width, caption_height)
        self.progress.adjustSize()
        self.progress.move(width - self.progress.width() - MARGIN, MARGIN)
        self.notes.setFixedWidth(max(200, width // 2))
        self.notes.adjustSize()
        self.notes.move(MARGIN, MARGIN + self.progress.height())
        for label in (self.caption, self.progress, self.notes):
            label.raise_()
        self.blank.raise_()
