"""Build a view of a document headless, and render any widget into an image of a given size.

A widget is laid out at a logical size near a screen's (at most about 1920×1080) and painted
into an image `scale` times larger, so a 3840×2160 export has labels as readable as a
1920×1080 one instead of tiny text on a huge canvas.
"""
from __future__ import annotations

import contextlib
import re

import numpy as np
from PyQt6.QtCore import QPoint, QSize, Qt
from PyQt6.QtGui import QBrush, QColor, QImage, QPainter, QRegion
from PyQt6.QtWidgets import QApplication, QGraphicsItem, QGraphicsView, QWidget

from valley.app.export.atomic import ExportCancelled, ExportError
from valley.app.theme import get_theme
from valley.app.views.graph_view import GraphView
from valley.app.views.landscape2d import Landscape2DView
from valley.app.views.loss_chart import LossChart
from valley.app.views.network_diagram import NetworkDiagram
from valley.app.views.network_landscape import NetworkLandscapeView
from valley.app.views.surface3d import Surface3DView, gl_available
from valley.app.views.training_chart import TrainingChart

VIEWS = ("window", "landscape", "3d", "network", "network_landscape", "loss", "graph")
NETWORK_VIEWS = ("network", "network_landscape")  # views of the playground, not of the race
MAX_SIZE = (3840, 2160)
MIN_SIZE = (64, 64)
REFERENCE = (1920, 1080)  # logical size above which exports scale up instead of growing


def parse_size(text: str) -> tuple[int, int]:
    """'1280x720' -> (1280, 720); ExportError for anything else or out of range."""
    match = re.fullmatch(r"\s*(\d{1,6})\s*[xX×]\s*(\d{1,6})\s*", str(text))
    if not match:
        raise ExportError(f"size must look like 1280x720, got {text!r}")
    return check_size((int(match[1]), int(match[2])))


def check_size(size) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ExportError(f"size must be (width, height), got {size!r}") from None
    if not (MIN_SIZE[0] <= width <= MAX_SIZE[0] and MIN_SIZE[1] <= height <= MAX_SIZE[1]):
        raise ExportError(f"size {width}x{height} is out of range "
                          f"({MIN_SIZE[0]}x{MIN_SIZE[1]} to {MAX_SIZE[0]}x{MAX_SIZE[1]})")
    return width, height


def label_scale(size: tuple[int, int]) -> float:
    """How many image pixels per layout pixel: 1 up to 1920×1080, then up to 2 at 4K."""
    return max(1.0, min(size[0] / REFERENCE[0], size[1] / REFERENCE[1]))


def gl_status() -> tuple[bool, str]:
    return gl_available()


def model_of(document, view: str):
    """The model whose timeline a view follows: the playground's for the network (and, in a
    network scene, for the window and the loss chart: the training's loss), else the race's."""
    if view in NETWORK_VIEWS or (view in ("window", "loss") and document.scene.kind == "network"):
        return document.playground
    if view == "graph" or (view == "window" and document.scene.kind == "graph"):
        return document.graph  # the step-through of its computational graph
    return document.race


def build_view(document, view: str, presentation: bool = False) -> QWidget:
    """A fresh widget showing one view of the document, ready to render offscreen.

    `presentation`: the fonts and line widths of presentation mode, as the room sees them.
    The whole window is built by its callers (the CLI, or the window that exports itself).
    """
    if view not in VIEWS or view == "window":
        raise ExportError(f"unknown view {view!r}; choose one of {', '.join(v for v in VIEWS if v != 'window')}")
    theme = get_theme(document.scene.view.theme, presentation)
    race = document.race
    settle_results(document, view)
    if view == "landscape":
        widget = Landscape2DView(race, theme, basins=document.basins)
    elif view == "loss" and document.scene.kind == "network":
        settle(document.playground)
        widget = TrainingChart(document.playground, theme=theme)
    elif view == "loss":
        widget = LossChart(race, theme)
    elif view == "3d":
        ok, reason = gl_status()
        if not ok:
            raise ExportError(f"the 3-D view needs OpenGL, which is not available here ({reason}); "
                              "run under a display or Xvfb, or export --view landscape")
        widget = Surface3DView(race)
        widget.apply_theme(theme)
    elif view == "graph":
        widget = GraphView(document.graph, theme=theme)
    elif view == "network_landscape":
        widget = NetworkLandscapeView(document.network_landscape, theme=theme)
    else:
        settle(document.playground)
        widget = NetworkDiagram(document.playground, theme=theme)
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    return widget


def settle_results(document, view: str) -> None:
    """Compute in the foreground the results the scene's [view] asks `view` to show.

    A [view] basins key maps that racer on the landscape (and the window); the network's loss
    plane is computed for the network_landscape view, and for the window of a network scene
    with a network_landscape key. ExportError when a result cannot be had.
    """
    keys = document.scene.view
    if keys.basins is not None and view in ("landscape", "window"):
        basins = document.basins
        if basins.result is None and not basins.busy and not basins.apply_scene():
            raise ExportError(f"no basin map for [view] basins = {keys.basins!r}: {basins.error}")
        if not basins.wait() or basins.result is None:
            raise ExportError(f"the basin map of {keys.basins!r} could not be computed: "
                              f"{basins.error or 'it took too long'}")
    plane_in_window = view == "window" and document.scene.kind == "network" \
        and keys.network_landscape is not None
    if view == "network_landscape" or plane_in_window:
        settle(document.playground)
        plane = document.network_landscape
        plane.apply_scene()
        if not plane.wait() or plane.result is None:
            raise ExportError(f"the network's loss plane could not be computed: "
                              f"{plane.error or 'the network has no training path yet'}")


def settle(playground, progress=None, cancel=None) -> None:
    """Wait for background training and deliver its result (a queued signal) before drawing.

    `progress(fraction)` hears the training's progress; when `cancel()` says True the training
    is cancelled and ExportCancelled raised (a long training is a long wait: say so, let it stop).
    """
    if progress is not None:
        playground.progressChanged.connect(progress)
    try:
        while playground.busy:
            if cancel is not None and cancel():
                playground.cancel_training()
                raise ExportCancelled("export cancelled while the network trained")
            playground.wait(50)
            QApplication.processEvents()
    finally:
        if progress is not None:
            playground.progressChanged.disconnect(progress)


def prepare(widget: QWidget, size: tuple[int, int]) -> float:
    """Lay the widget out at the logical size for `size`; returns the scale to paint at.

    A map whose critical points are still being found in the background waits for them: a
    picture shows what the window shows once the search has ended.
    """
    scale = label_scale(size)
    logical = QSize(max(1, round(size[0] / scale)), max(1, round(size[1] / scale)))
    maps = [widget] if isinstance(widget, Landscape2DView) else widget.findChildren(Landscape2DView)
    settled = [view.settle_markers() for view in maps]
    if widget.testAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen):
        changed = any(settled)
        if not widget.isVisible():
            # hidden widgets get no resize events (pyqtgraph would not lay out), and a first
            # show() without an explicit resize() picks the size hint: resize, then show
            widget.resize(logical)
            widget.show()
            changed = True
        if widget.size() != logical:
            widget.resize(logical)
            changed = True
        if changed:  # let layouts and pyqtgraph's deferred geometry settle, once per size
            QApplication.processEvents()
    elif any(settled):  # the markers' key in the legend: laid out before the picture is taken
        QApplication.processEvents()
    return scale


@contextlib.contextmanager
def _transparent_backgrounds(widget: QWidget, on: bool):
    """Temporarily clear the background brushes of every graphics view inside `widget`."""
    if not on:
        yield
        return
    views = [widget] if isinstance(widget, QGraphicsView) else []
    views += widget.findChildren(QGraphicsView)
    saved = [(view, view.backgroundBrush(), view.styleSheet()) for view in views]
    boxes = []
    for view in views:
        view.setBackgroundBrush(QBrush(Qt.BrushStyle.NoBrush))
        # the viewport otherwise fills itself from the palette before the scene paints
        view.setStyleSheet("background: transparent")
        scene = view.scene()
        for item in scene.items() if scene is not None else []:
            # pyqtgraph ViewBoxes paint their own background rectangle
            background = getattr(item, "background", None)
            if hasattr(item, "setBackgroundColor") and hasattr(background, "isVisible"):
                boxes.append((background, background.isVisible()))
                background.setVisible(False)
    try:
        yield
    finally:
        for view, brush, style in saved:
            view.setStyleSheet(style)
            view.setBackgroundBrush(brush)
        for background, visible in boxes:
            background.setVisible(visible)


@contextlib.contextmanager
def vector_items(widget: QWidget):
    """Turn off item pixmap caches and segmented lines so an SVG receives whole paths."""
    items, curves = [], []
    views = ([widget] if isinstance(widget, QGraphicsView) else []) + widget.findChildren(QGraphicsView)
    for view in views:
        scene = view.scene()
        for item in scene.items() if scene is not None else []:
            if item.cacheMode() != QGraphicsItem.CacheMode.NoCache:
                items.append((item, item.cacheMode()))
                item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
            options = getattr(item, "opts", None)
            if isinstance(options, dict) and "segmentedLineMode" in options:
                # pyqtgraph draws thick curves as separate 2-point segments; one path is editable
                curves.append((options, options["segmentedLineMode"]))
                options["segmentedLineMode"] = "off"
    try:
        yield
    finally:
        for item, mode in items:
            item.setCacheMode(mode)
        for options, mode in curves:
            options["segmentedLineMode"] = mode


def render_image(widget: QWidget, size: tuple[int, int], transparent: bool = False) -> QImage:
    """Paint the widget into a size[0]×size[1] image (RGB32, or premultiplied ARGB32)."""
    size = check_size(size)
    scale = prepare(widget, size)
    if isinstance(widget, Surface3DView):  # OpenGL views render through their framebuffer
        image = widget.grab_frame().scaled(size[0], size[1], Qt.AspectRatioMode.IgnoreAspectRatio,
                              Qt.TransformationMode.SmoothTransformation)
        return image.convertToFormat(QImage.Format.Format_RGB32)
    image = QImage(size[0], size[1], QImage.Format.Format_ARGB32_Premultiplied if transparent
                   else QImage.Format.Format_RGB32)
    image.fill(QColor(0, 0, 0, 0) if transparent else widget.palette().window().color())
    on_screen = not widget.testAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    offset = QPoint(0, 0)
    if on_screen and widget.width() > 0 and widget.height() > 0:
        # a widget the user is looking at keeps its size: scale its picture into the image
        scale = min(size[0] / widget.width(), size[1] / widget.height())
        offset = QPoint(round((size[0] / scale - widget.width()) / 2),
                        round((size[1] / scale - widget.height()) / 2))
    image.setDevicePixelRatio(scale)
    flags = QWidget.RenderFlag.DrawChildren
    if not transparent:
        flags |= QWidget.RenderFlag.DrawWindowBackground
    with _transparent_backgrounds(widget, transparent):
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        QWidget.render(widget, painter, offset, QRegion(), flags)  # not QGraphicsView.render
        for view in widget.findChildren(Surface3DView):
            if view.isVisibleTo(widget):
                # QWidget.render leaves out what pyqtgraph paints over the GL scene (the axis
                # names): the view's own framebuffer has it
                painter.drawImage(offset + view.mapTo(widget, QPoint(0, 0)), view.grab_frame())
                for above in widgets_above(view, widget):  # a deck's caption over the 3-D view
                    above.render(painter, offset + above.mapTo(widget, QPoint(0, 0)), QRegion(),
                                 QWidget.RenderFlag.DrawChildren)
        painter.end()
    image.setDevicePixelRatio(1.0)
    return image


def widgets_above(view: QWidget, top: QWidget) -> list[QWidget]:
    """The visible widgets stacked over `view` inside `top`: at each level from `view` up, the
    later siblings (Qt stacks a parent's children in order; raise_() moves one last) that
    overlap it. The picture of a GL view is drawn after the others, so these are drawn again."""
    found, child = [], view
    area = view.rect().translated(view.mapTo(top, QPoint(0, 0)))
    while child is not top and child.parentWidget() is not None:
        parent = child.parentWidget()
        siblings = [w for w in parent.children() if isinstance(w, QWidget)]
        for sibling in siblings[siblings.index(child) + 1:]:
            if sibling.isVisibleTo(top) and not sibling.isWindow() and sibling.rect().translated(
                    sibling.mapTo(top, QPoint(0, 0))).intersects(area):
                found.append(sibling)
        child = parent
    return found


def image_to_rgb(image: QImage) -> np.ndarray:
    """A QImage as an (h, w, 3) uint8 array (a copy: the QImage may be reused)."""
    from PIL import Image

    if image.format() not in (QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32):
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    bits = image.constBits()
    bits.setsize(stride * height)
    # 32-bit pixels are 0xAARRGGBB words: bytes B, G, R, X in memory on little-endian machines.
    # Pillow's raw decoder reorders them in C, far faster than numpy's strided copy.
    raw_mode = "BGRX" if np.little_endian else "XRGB"
    pil = Image.frombuffer("RGB", (width, height), bytes(bits), "raw", raw_mode, stride, 1)
    return np.asarray(pil)
