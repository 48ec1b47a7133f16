"""Help menu: the keys of the room, every update rule on one page, and what Valley is."""
from __future__ import annotations

from html import escape

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QMessageBox

KEYS = [
    ("Space", "play / pause"),
    ("→ / ←", "one step forward / back (on the Network page with step-through on: one phase)"),
    ("Home", "back to step 0"),
    ("+ / −", "faster / slower (1 to 500 steps per second)"),
    ("F11", "presentation mode: full screen, large fonts, thick lines (Esc leaves)"),
    ("Click on the map", "move the start of every optimizer (Shift: only the selected one)"),
    ("Ctrl+O / Ctrl+S", "open / save a scene"),
    ("Ctrl+E", "export PNG, SVG, GIF or MP4"),
]


def shortcuts_html() -> str:
    rows = "".join(f"<tr><td><b>{escape(k)}</b></td><td>&nbsp;&nbsp;{escape(v)}</td></tr>"
                   for k, v in KEYS)
    return f"<table>{rows}</table>"


def update_rules_html() -> str:
    """Every optimizer's rule as core states it: g is the gradient at θ, t counts steps from 1."""
    from valley.core.optimizers import OPTIMIZERS

    rows = "".join(f"<tr><td><b>{escape(cls.title)}</b></td>"
                   f"<td>&nbsp;&nbsp;<code>{escape(cls.rule)}</code></td></tr>"
                   for cls in OPTIMIZERS.values())
    return ("<p>g = ∇f(θ) at the current point, t = step count from 1. Every optimizer also "
            "takes a learning-rate schedule, gradient clipping and gradient noise.</p>"
            f"<table>{rows}</table>")


ABOUT = ("<h3>Valley</h3><p>Watch optimizers find the valley: loss surfaces, saddle points, "
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


def show_page(window, title: str, html: str) -> None:
    box = QMessageBox(window)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(html)
    window.help_page = box  # tests read what was shown
    box.open()
