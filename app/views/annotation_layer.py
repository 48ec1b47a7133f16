"""The lecturer's labels and arrows, drawn over a view and edited by hand.

One layer per view: the 2-D map places annotations in the surface's coordinates, the network
diagram in fractions of its drawing (a `Place` says how). Text and arrowheads keep their size on
screen whatever the view's zoom, so a label reads the same from the back row on a stretched map.
Drag a label, an arrow's tip or its tail to move it; right-click for Edit text… and Delete (or
Delete with the annotation clicked); a right-click on the view itself adds one. Every change is
an edit of the document (undoable), and the layer redraws from the model, never from itself.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from PyQt6 import sip
from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PyQt6.QtWidgets import QGraphicsItem, QGraphicsObject, QInputDialog, QMenu, QMessageBox, QWidget

from valley.app.model.annotations import AnnotationsModel
from valley.core.scene import Annotation

ANNOTATION_Z = 40  # over trails, heads and critical points: what the lecturer points at is on top
TEXT_SCALE = 1.1  # label text against the theme's widget font: read from the back row
ARROW_WIDTH = 3.5  # pixels of the shaft, before the theme's line scale
HEAD_LENGTH = 16.0  # pixels of the arrowhead, before the theme's line scale
HANDLE_RADIUS = 6.0  # the tail of an arrow without text: something to grab
TIP_GAP = 7.0  # pixels between the tip and its point: what the arrow points at stays visible


@dataclass(frozen=True)
class Place:
    """How one view maps an annotation's stored point to its scene and back."""

    name: str  # "map" or "diagram": Annotation.on
    to_scene: Callable[[tuple[float, float]], QPointF]
    from_scene: Callable[[QPointF], tuple[float, float]]
    add_item: Callable[[QGraphicsItem], None]  # into the view's scene, in scene coordinates
    pixels_per_unit: Callable[[], float]  # scene units to screen pixels (the view's zoom)
    area: Callable[[], QRectF]  # the part of the scene that shows annotations (the map's plot)


def ask_text(parent: QWidget | None, title: str, text: str = "") -> str | None:
    """The text of a label, or None when the lecturer cancelled."""
    value, ok = QInputDialog.getText(parent, title, "Text (one line):", text=text)
    return value if ok else None


class _Style:
    """The look every annotation shares, from the view's theme."""

    def __init__(self, theme):
        self.text = QColor(theme.foreground)
        self.accent = QColor(theme.accent)  # the annotation Delete would remove
        self.box = QColor(theme.background)
        self.box.setAlpha(215)
        self.outline = QColor(theme.background)
        self.scale = max(1.0, theme.line_width / 2.5)  # thicker in presentation, as the trails
        self.font = QFont()
        self.font.setPixelSize(max(10, round(theme.font_size * TEXT_SCALE * 96 / 72)))
        self.font.setBold(True)


class AnnotationItem(QGraphicsObject):
    """A piece of an annotation the lecturer can grab: it follows the pointer, and on release
    tells the layer where it was put (the model then redraws it there)."""

    def __init__(self, layer: AnnotationLayer, index: int, end: str):
        super().__init__()
        self.layer, self.index, self.end = layer, index, end
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setZValue(ANNOTATION_Z)
        self._grab: QPointF | None = None

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            event.accept()
            self.layer.show_menu(self.index, event.screenPos())
            return
        if event.button() == Qt.MouseButton.LeftButton:
            event.accept()
            self.layer.select(self.index)
            self._grab = self.scenePos() - event.scenePos()
            return
        event.ignore()

    def mouseMoveEvent(self, event) -> None:
        if self._grab is not None:
            self.setPos(event.scenePos() + self._grab)
            self.layer.follow(self)

    def mouseReleaseEvent(self, event) -> None:
        if self._grab is not None and event.button() == Qt.MouseButton.LeftButton:
            self._grab = None
            self.layer.dropped(self.index, self.end, self.scenePos())

    def mouseDoubleClickEvent(self, event) -> None:
        event.accept()
        self.layer.edit_text(self.index)


class LabelItem(AnnotationItem):
    """A label's text in a box; an arrow's tail (its text, or a small handle without one)."""

    def __init__(self, layer: AnnotationLayer, index: int, end: str, text: str, style: _Style):
        super().__init__(layer, index, end)
        self.text, self.style = text, style
        if text:
            metrics = QFontMetricsF(style.font)
            pad = 0.35 * metrics.height()
            width, height = metrics.horizontalAdvance(text) + 2 * pad, metrics.height() + pad
            self._rect = QRectF(-width / 2, -height / 2, width, height)
        else:
            r = HANDLE_RADIUS * style.scale
            self._rect = QRectF(-r, -r, 2 * r, 2 * r)

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = self.layer.selected == self.index
        painter.setPen(QPen(self.style.accent if selected else self.style.text, 3.0 if selected else 1.5))
        painter.setBrush(QBrush(self.style.box))
        if not self.text:
            painter.drawEllipse(self._rect)
            return
        painter.drawRoundedRect(self._rect, 6, 6)
        painter.setFont(self.style.font)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


class ArrowItem(AnnotationItem):
    """An arrow drawn in screen pixels from its tail to its tip; placed at the tip (grab it there)."""

    def __init__(self, layer: AnnotationLayer, index: int, style: _Style):
        super().__init__(layer, index, "at")
        self.style = style
        self.tail_offset = QPointF()  # where the tail is, in pixels from the tip

    def set_tail_offset(self, offset: QPointF) -> None:
        self.prepareGeometryChange()
        self.tail_offset = offset

    def boundingRect(self) -> QRectF:
        margin = HEAD_LENGTH * self.style.scale + 4
        return QRectF(QPointF(0, 0), self.tail_offset).normalized().adjusted(-margin, -margin, margin, margin)

    def shape(self) -> QPainterPath:
        """Only the head grabs: the shaft crosses what the class should still be able to click."""
        path = QPainterPath()
        path.addPolygon(self._head())
        return path

    def _head(self) -> QPolygonF:
        length, gap = HEAD_LENGTH * self.style.scale, TIP_GAP * self.style.scale
        dx, dy = self.tail_offset.x(), self.tail_offset.y()
        norm = math.hypot(dx, dy) or 1.0
        ux, uy = dx / norm, dy / norm  # from the tip towards the tail
        point = QPointF(ux * gap, uy * gap)
        base = point + QPointF(ux * length, uy * length)
        side = QPointF(-uy * length * 0.45, ux * length * 0.45)
        return QPolygonF([point, base + side, base - side])

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        head = self._head()
        shaft_end = (head[1] + head[2]) / 2  # the shaft stops inside the head: a sharp point
        width = ARROW_WIDTH * self.style.scale
        for colour, extra in ((self.style.outline, 3.0), (self.style.text, 0.0)):  # a halo reads on any map
            pen = QPen(colour, width + extra, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                       Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawLine(shaft_end, self.tail_offset)
            painter.setBrush(QBrush(colour))
            painter.setPen(QPen(colour, 1.0 + extra, join=Qt.PenJoinStyle.MiterJoin))
            painter.drawPolygon(head)


class AnnotationLayer:
    """Draws a model's annotations of one place into a view, and turns the lecturer's hands into edits."""

    def __init__(self, model: AnnotationsModel, place: Place, theme, host: QWidget):
        self.model, self.place, self.host = model, place, host
        self.style = _Style(theme)
        self.items: list[AnnotationItem] = []
        self.selected: int | None = None  # the annotation last pressed: Delete removes it
        self.arrows: dict[int, tuple[ArrowItem, LabelItem]] = {}
        model.changed.connect(self.redraw)
        self.redraw()

    # ----- drawing -----
    def apply_theme(self, theme) -> None:
        self.style = _Style(theme)
        self.redraw()

    def redraw(self) -> None:
        """Every item again from the model (a view that cleared its scene calls this too)."""
        if self.selected is not None and self.selected >= len(self.model.all):
            self.selected = None
        for item in self.items:
            # a view that cleared its scene has deleted them already
            if not sip.isdeleted(item) and item.scene() is not None:
                item.scene().removeItem(item)
        self.items, self.arrows = [], {}
        for index, note in self.model.on(self.place.name):
            if note.is_arrow:
                arrow, tail = ArrowItem(self, index, self.style), LabelItem(self, index, "tail", note.text, self.style)
                self.arrows[index] = (arrow, tail)
                new = [arrow, tail]
            else:
                new = [LabelItem(self, index, "at", note.text, self.style)]
            for item in new:
                item.note = note  # what it draws, until the next redraw (the model may move on first)
                self.place.add_item(item)
            self.items += new
        self.reshape()

    def reshape(self) -> None:
        """The view zoomed or moved: items stay at their points, arrows re-aim in pixels, and what
        falls outside the view's area is hidden rather than drawn over its axes."""
        area = self.place.area()
        for item in self.items:
            note = item.note
            item.setPos(self.place.to_scene(note.tail if item.end == "tail" else note.at))
            if isinstance(item, LabelItem):
                self._keep_inside(item, area)
            anchors = [note.at] + ([note.tail] if note.is_arrow else [])
            item.setVisible(all(area.contains(self.place.to_scene(p)) for p in anchors))
        for _, tail in self.arrows.values():
            self.follow(tail)

    def _keep_inside(self, label: LabelItem, area: QRectF) -> None:
        """A label near the edge is drawn inside the view rather than over its axes or colour bar
        (its point stays where it is: the text slides)."""
        half = label.boundingRect().size() / (2 * self.place.pixels_per_unit())
        pos = label.pos()

        def inside(value, low, high):  # a label wider than the area keeps its start inside
            return min(max(value, low), max(high, low))

        label.setPos(QPointF(inside(pos.x(), area.left() + half.width(), area.right() - half.width()),
                             inside(pos.y(), area.top() + half.height(), area.bottom() - half.height())))

    def follow(self, moved: AnnotationItem) -> None:
        """While a tip or a tail is dragged, its arrow stretches to follow it."""
        if moved.index in self.arrows:
            arrow, tail = self.arrows[moved.index]
            arrow.set_tail_offset((tail.scenePos() - arrow.scenePos()) * self.place.pixels_per_unit())

    def select(self, index: int | None) -> None:
        self.selected = index
        for item in self.items:
            item.update()

    def delete_key(self, event) -> bool:
        """The host view's Delete or Backspace removes the selected annotation; False: not ours."""
        if self.selected is None or event.key() not in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            return False
        index, self.selected = self.selected, None
        self.delete(index)
        return True

    # ----- edits -----
    def dropped(self, index: int, end: str, scene_pos: QPointF) -> None:
        point = self.place.from_scene(scene_pos)
        self.model.move(index, **{end: point})

    def add_label(self, point: tuple[float, float]) -> int | None:
        text = ask_text(self.host, "Add a label")
        if not text or not text.strip():
            return None
        return self._add(Annotation(on=self.place.name, text=text, at=point))

    def add_arrow(self, point: tuple[float, float]) -> int | None:
        """An arrow pointing at `point`, its tail up and to the left (drag either end after)."""
        text = ask_text(self.host, "Add an arrow (its text may be empty)")
        if text is None:
            return None
        at = self.place.to_scene(point)
        away = 90.0 / max(self.place.pixels_per_unit(), 1e-12)
        tail = self.place.from_scene(at + QPointF(-away, -away * 0.6))
        return self._add(Annotation(on=self.place.name, text=text, at=point, tail=tail))

    def edit_text(self, index: int) -> None:
        note = self.model.all[index]
        text = ask_text(self.host, "Edit the arrow's text" if note.is_arrow else "Edit the label", note.text)
        if text is None:
            return
        if not text.strip() and not note.is_arrow:
            self.delete(index)
            return
        self._guarded(lambda: self.model.set_text(index, text))

    def delete(self, index: int) -> None:
        self.model.remove(index)

    def _add(self, note: Annotation) -> int | None:
        added = []
        self._guarded(lambda: added.append(self.model.add(note)))
        return added[0] if added else None

    def _guarded(self, edit: Callable[[], object]) -> None:
        try:
            edit()
        except ValueError as error:  # too long, too many: said, and nothing changed
            QMessageBox.warning(self.host, "Annotation", str(error))

    # ----- the menu -----
    def menu(self, index: int | None, point: tuple[float, float] | None = None) -> QMenu:
        """What a right-click offers: on an annotation, edit or delete it; elsewhere, add one at `point`
        (where the scene keeps annotations: not on the diagram of a landscape scene's scratch network)."""
        menu = QMenu(self.host)
        if index is not None:
            menu.addAction("Edit text…", lambda: self.edit_text(index))
            menu.addAction("Delete", lambda: self.delete(index))
        elif self.model.can_hold(self.place.name):
            menu.addAction("Add a label here…", lambda: self.add_label(point))
            menu.addAction("Add an arrow pointing here…", lambda: self.add_arrow(point))
        return menu

    def show_menu(self, index: int | None, screen_pos, point: tuple[float, float] | None = None) -> None:
        menu = self.menu(index, point)
        if menu.isEmpty():
            return
        menu.exec(screen_pos.toPoint() if hasattr(screen_pos, "toPoint") else screen_pos)
        menu.deleteLater()
