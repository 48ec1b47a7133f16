"""Help menu: the keys of the room, every update rule on one page, and what Valley is."""
from __future__ import annotations

import re
from html import escape

from PyQt6.QtGui import QAction, QGuiApplication, QTextDocument
from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from valley import __version__

KEYS = [
    ("Space", "play / pause"),
    ("→ / ←", "one step forward / back (on the Network page with step-through on: one phase; "
              "on the Graph page: one node)"),
    ("Home / End", "back to step 0 / to the last step"),
    ("+ / −", "faster / slower (1 to 500 steps per second)"),
    ("PageDown / PageUp", "the next / previous Lecture preset (a presenter's clicker); in a deck, "
                          "its next moment or entry"),
    ("F11 / F5", "presentation mode: full screen, large fonts, thick lines (Esc leaves)"),
    ("B / N", "in a deck: blank the screen / show the speaker notes"),
    ("Click on the map", "move the start of every optimizer (Shift: only the selected one)"),
    ("Right-click the map or the diagram", "add a label or an arrow there; on one: edit its text, delete it"),
    ("Drag a label, an arrow's tip or tail", "move it (Delete removes the one last clicked)"),
    ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo a change of the scene"),
    ("Ctrl+Shift+C", "copy the map (or the network diagram) as a picture, for a slide"),
    ("Ctrl+O / Ctrl+S", "open / save a scene"),
    ("Ctrl+E", "export PNG, SVG, GIF or MP4"),
]


# Core writes a rule's statements as "a;  b" (or "a,  b", "a:  b"): two spaces after the mark.
RULE_BREAK = re.compile(r"(?<=[;,:])\s{2,}")


def shortcuts_html() -> str:
    rows = "".join(f"<tr><td style='white-space:pre'><b>{escape(k)}</b></td>"
                   f"<td>&nbsp;&nbsp;{escape(v)}</td></tr>" for k, v in KEYS)
    return f"<table>{rows}</table>"


def update_rules_html() -> str:
    """Every optimizer's rule as core states it: g is the gradient at θ, t counts steps from 1."""
    from valley.core.optimizers import OPTIMIZERS

    # A formula must never wrap mid-term (white-space: pre); a rule of several statements
    # gets one line per statement, so the page stays narrow enough for a laptop.
    def lines(rule: str) -> str:
        return "<br>".join(f"<code>{escape(part)}</code>" for part in RULE_BREAK.split(rule))

    rows = "".join(f"<tr><td><b>{escape(cls.title)}</b></td>"
                   f"<td style='white-space:pre'>&nbsp;&nbsp;</td>"
                   f"<td style='white-space:pre'>{lines(cls.rule)}</td></tr>"
                   for cls in OPTIMIZERS.values())
    return ("<p>g = ∇f(θ) at the current point, t = step count from 1. Every optimizer also "
            "takes a learning-rate schedule, gradient clipping and gradient noise.</p>"
            f"<table>{rows}</table>")


ABOUT = (f"<h3>Valley {escape(__version__)}</h3><p>Watch optimizers find the valley: loss surfaces, saddle points, "
         "Newton and Adam racing, and a live neural-network diagram with activations forward "
         "and deltas backward.</p><p>Numbers come from <code>core</code> (numpy); the window "
         "is PyQt6 + pyqtgraph.</p>")


def install(window) -> dict[str, QAction]:
    """Fill the window's Help menu; returns the actions by name (tests trigger them)."""
    menu = window.menus["help"]
    pages = {
        "shortcuts": ("&Keyboard and mouse", "Keyboard and mouse", shortcuts_html),
        "rules": ("&Update rules", "The update rules", update_rules_html),
        "about": ("&About Valley", "About Valley", lambda: ABOUT),
    }
    actions = {}
    for name, (text, title, html) in pages.items():
        action = QAction(text, window)
        action.triggered.connect(lambda _=False, t=title, h=html: show_page(window, t, h()))
        menu.addAction(action)
        actions[name] = action
    return actions


class HelpPage(QDialog):
    """A help page as wide as its widest line (the formulas), up to the screen's width."""

    MARGIN = 48  # px around the text: the browser's frame, its margins, the dialog's
    READING_WIDTH = 460  # px: prose lines of a comfortable length

    def __init__(self, parent, title: str, html: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._html = html
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        self.browser.setHtml(html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(*self.wanted_size())

    def text(self) -> str:
        return self._html

    def _document(self, width: float) -> QTextDocument:
        """The page laid out at `width` px, apart from the browser (which lays out at its own)."""
        document = QTextDocument()
        document.setDefaultFont(self.browser.font())
        document.setHtml(self._html)
        document.setTextWidth(width)
        return document

    def content_width(self) -> int:
        """The width the text needs so that no formula or key name wraps."""
        # Laid out as narrow as it goes, prose wraps at every word and what must not wrap
        # (white-space: pre) sets the width.
        return max(round(self._document(1).idealWidth()), self.READING_WIDTH)

    def wanted_size(self) -> tuple[int, int]:
        parent = self.parentWidget()
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        text_width = self.content_width()
        width = text_width + self.MARGIN
        height = round(self._document(text_width).size().height()) + 2 * self.MARGIN
        if screen is not None:  # a page wider than the screen scrolls sideways instead of wrapping
            room = screen.availableGeometry()
            width, height = min(width, room.width() - 40), min(height, room.height() - 80)
        return width, height


def show_page(window, title: str, html: str) -> None:
    page = HelpPage(window, title, html)
    window.help_page = page  # tests read what was shown
    page.open()
