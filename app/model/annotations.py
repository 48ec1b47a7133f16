"""The lecturer's labels and arrows on the 2-D map and the network diagram.

They are part of the scene (saved with it, drawn in every export) and owned by the Document like the
rest of it: each change here is one undoable edit. Views draw `on(place)` and call the setters.
"""
from __future__ import annotations

from dataclasses import replace

from PyQt6.QtCore import QObject, pyqtSignal

from valley.core import limits
from valley.core.scene import Annotation, places_shown_by

Point = tuple[float, float]


class AnnotationsModel(QObject):
    """The scene's annotations; every change is an edit of the document."""

    changed = pyqtSignal()  # added, moved, retexted, removed, or a whole other scene

    def __init__(self, document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        document.sceneReplaced.connect(self.changed)
        document.sceneRestored.connect(self.changed)

    @property
    def all(self) -> list[Annotation]:
        return self.document.scene.annotations

    def on(self, place: str) -> list[tuple[int, Annotation]]:
        """The annotations of one view, each with its index (what the setters take)."""
        return [(i, note) for i, note in enumerate(self.all) if note.on == place]

    def can_hold(self, place: str) -> bool:
        """Whether the open scene keeps annotations on `place`."""
        return place in places_shown_by(self.document.scene.kind)

    # ----- edits -----
    def add(self, note: Annotation) -> int:
        """Place a label or an arrow; ValueError (and nothing added) when it is not one Valley can keep."""
        kind = self.document.scene.kind
        if not self.can_hold(note.on):
            shown = " or the ".join(places_shown_by(kind)) or "no view"
            raise ValueError(f"a {kind} scene keeps labels and arrows on the {shown}, not on the {note.on}")
        if len(self.all) >= limits.ANNOTATIONS.hi:
            raise ValueError(f"a scene holds at most {limits.ANNOTATIONS.hi} labels and arrows")
        note = replace(note, text=self._checked_text(note.text, arrow=note.is_arrow))
        self.all.append(note)
        self._edited("Add an arrow" if note.is_arrow else f"Add the label '{note.text}'")
        return len(self.all) - 1

    def move(self, index: int, at: Point | None = None, tail: Point | None = None) -> None:
        """Put a label (or an arrow's tip, or its tail) somewhere else: one edit per drag."""
        note = self.all[index]
        moved = replace(note, at=_point(at) if at is not None else note.at,
                        tail=_point(tail) if tail is not None and note.is_arrow else note.tail)
        if moved == note:
            return
        self.all[index] = moved
        self._edited("Move an arrow" if note.is_arrow else f"Move the label '{note.text}'")

    def set_text(self, index: int, text: str) -> None:
        note = self.all[index]
        text = self._checked_text(text, arrow=note.is_arrow)
        if text == note.text:
            return
        self.all[index] = replace(note, text=text)
        self._edited(f"Label: {text}" if text else "Arrow without text")

    def remove(self, index: int) -> None:
        note = self.all.pop(index)
        self._edited("Delete an arrow" if note.is_arrow else f"Delete the label '{note.text}'")

    # ----- internals -----
    @staticmethod
    def _checked_text(text: str, arrow: bool) -> str:
        text = " ".join(text.split())  # one line: a label is read at a glance
        if len(text) > limits.ANNOTATION_TEXT:
            raise ValueError(f"a label has at most {limits.ANNOTATION_TEXT} characters ({len(text)} given)")
        if not text and not arrow:
            raise ValueError("a label needs some text (an arrow may have none)")
        return text

    def _edited(self, text: str) -> None:
        self.document.edited(text)
        self.changed.emit()


def _point(point) -> Point:
    x, y = (float(c) for c in point)
    return (x, y)
