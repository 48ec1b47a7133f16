"""The Examples menu: the slides' worked examples, each opening as a scene ready to step through."""
from __future__ import annotations

from PyQt6.QtGui import QAction

from valley.core.examples import EXAMPLES


def build_examples_menu(menu, open_example) -> list[QAction]:
    """Fill `menu` with one action per example of core.examples; `open_example(name)` opens it."""
    actions = []
    for name, example in EXAMPLES.items():
        action = QAction(example.title, menu)
        action.setToolTip(example.description)
        action.setStatusTip(example.description)
        action.triggered.connect(lambda _=False, name=name: open_example(name))
        menu.addAction(action)
        actions.append(action)
    return actions
