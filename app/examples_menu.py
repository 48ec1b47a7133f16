"""The Examples menu: the slides' worked examples, each opening ready to step through."""
from __future__ import annotations

from PyQt6.QtGui import QAction


def example_entries() -> list[tuple[str, str, str]]:
    """(key, menu title, description) of every worked example in core.examples."""
    from valley.core.examples import EXAMPLES

    entries = []
    for key, example in EXAMPLES.items():
        title = getattr(example, "title", "") or getattr(example, "name", "") or key
        entries.append((key, title, getattr(example, "description", "")))
    return entries


def build_examples_menu(menu, page, on_open=None) -> list[QAction]:
    """Fill `menu` with one action per example; triggering it loads the example into `page`."""
    actions = []
    try:
        entries = example_entries()
    except ImportError:
        entries = []
    for key, title, description in entries:
        action = QAction(title, menu)
        action.setToolTip(description)
        action.setStatusTip(description)

        def open_example(_=False, key=key):
            if on_open is not None:
                on_open()
            page.load_example(key)

        action.triggered.connect(open_example)
        menu.addAction(action)
        actions.append(action)
    if not actions:
        disabled = QAction("(worked examples need core.examples)", menu)
        disabled.setEnabled(False)
        menu.addAction(disabled)
    return actions
