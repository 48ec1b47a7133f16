"""The 3-D view: the surface as a shaded mesh with every optimizer's trail riding on it.

pyqtgraph.opengl takes the whole process down when Qt has no OpenGL (the `offscreen`
platform), so the window asks `gl_available()` first and shows `Surface3DPlaceholder`
with the reason instead. `make_surface3d(session)` does both.
"""
from __future__ import annotations

import os

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QSize, Qt
from PyQt6.QtGui import QColor, QFont
from PyQt6.QtWidgets import QLabel, QVBoxLayout, QWidget

# Platforms that never give an OpenGL context (touching GL there aborts the process).
NO_GL_PLATFORMS = ("offscreen", "minimal", "minimalegl", "vnc")

MESH_RESOLUTION = 120  # vertices per side: smooth enough to read, cheap to rebuild
HEIGHT = 1.0  # the mesh spans [-1, 1]² in xy and [0, HEIGHT] in z
TRAIL_LIFT = 0.015  # trails float this far above the mesh so its facets do not hide them
EDGE = 1.05  # trails leaving the bounds (diverging) run along this edge of the mesh box
# Heights above the grid's minimum count as skewed (log-compress) when the 99th percentile
# exceeds the 25th this many times over: Rosenbrock (50), Beale, Goldstein–Price, the cliff;
# not bowls like Booth (21), Himmelblau (9) or the double well (7).
SKEW_RATIO = 30.0
# Where the camera starts and where View › Reset camera brings it back: the surface from
# above one corner, its valley floor in the middle of the view.
CAMERA = dict(distance=3.7, elevation=32, azimuth=-60)
CAMERA_CENTRE = (0.0, 0.0, 0.35 * HEIGHT)
AXIS_OVERHANG = 0.18  # the axis lines reach this far past the mesh; their names sit at the ends

_gl_status: tuple[bool, str] | None = None


def _platform_name() -> str:
    from PyQt6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is not None:
        return QGuiApplication.platformName()
    return os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]


def gl_available() -> tuple[bool, str]:
    """(True, "") when the 3-D view can run, else (False, why); never crashes trying."""
    global _gl_status
    platform = _platform_name()
    if platform in NO_GL_PLATFORMS:
        return False, f"3-D view needs OpenGL; the Qt platform is '{platform}'"
    if _gl_status is not None:
        return _gl_status
    try:
        import OpenGL.GL  # noqa: F401  (PyOpenGL: pyqtgraph.opengl draws with it)
    except Exception as error:  # missing library or a broken libGL
        _gl_status = False, f"3-D view needs PyOpenGL ({error})"
        return _gl_status
    from PyQt6.QtGui import QGuiApplication, QOffscreenSurface, QOpenGLContext

    if QGuiApplication.instance() is None:
        return False, "3-D view needs a running Qt application"
    context = QOpenGLContext()
    if not context.create():
        _gl_status = False, f"3-D view needs OpenGL; no context on platform '{platform}'"
        return _gl_status
    surface = QOffscreenSurface()
    surface.setFormat(context.format())
    surface.create()
    if not context.makeCurrent(surface):
        _gl_status = False, "3-D view needs OpenGL; the context could not be made current"
        return _gl_status
    context.doneCurrent()
    surface.destroy()
    _gl_status = True, ""
    return _gl_status


class Surface3DPlaceholder(QWidget):
    """Stands where the 3-D view would be and says why it is off."""

    def __init__(self, reason: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.reason = reason
        self.label = QLabel(f"3-D view off — {reason}.\nThe 2-D view shows everything.")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)


def make_surface3d(session, parent: QWidget | None = None) -> QWidget:
    """The 3-D view when OpenGL works, otherwise a placeholder that gives the reason."""
    ok, reason = gl_available()
    if not ok:
        return Surface3DPlaceholder(reason, parent)
    return Surface3DView(session, parent)


class HeightMap:
    """Maps losses to display heights in [0, HEIGHT]: clipped, log-compressed when skewed.

    The mesh and the trails use the same map, so a trail rides on the surface.
    """

    def __init__(self, values: np.ndarray, log: bool = False):
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            finite = np.zeros(1)
        self.low = float(finite.min())
        top = float(np.percentile(finite, 99.0))
        quartile = float(np.percentile(finite, 25.0))
        self.log = log or (top - self.low) > SKEW_RATIO * max(quartile - self.low, 1e-12)
        # Linear heights clip the top percent (one spike must not flatten the rest); log
        # heights compress enough to keep everything.
        high = float(finite.max()) if self.log else top
        self.span = max(high - self.low, 1e-12)
        # In log mode heights grow like log(1 + (f − low)/scale): the valley floor keeps detail.
        self.scale = self.span * 1e-3

    def __call__(self, losses) -> np.ndarray:
        losses = np.asarray(losses, dtype=float)
        with np.errstate(all="ignore"):
            excess = np.clip(np.nan_to_num(losses - self.low, nan=self.span, posinf=self.span,
                                           neginf=0.0), 0.0, self.span)
            if self.log:
                u = np.log1p(excess / self.scale) / np.log1p(self.span / self.scale)
            else:
                u = excess / self.span
        return HEIGHT * u


class Surface3DView(QWidget):
    """GLViewWidget with the mesh, one trail per optimizer and their heads, at session.step."""

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        import pyqtgraph.opengl as gl

        self._gl = gl
        self.session = session
        self.view = gl.GLViewWidget()
        self.view.setMinimumSize(200, 150)
        self.reset_camera()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

        self.mesh = gl.GLSurfacePlotItem(shader="shaded", smooth=True, computeNormals=True)
        self.view.addItem(self.mesh)
        # x, y and f axes from the mesh's near corner, each named at its end: a turned surface
        # still says which way is which, and which way is up
        self.axes = gl.GLLinePlotItem(pos=np.zeros((2, 3)), mode="lines", width=2, antialias=True,
                                      glOptions="opaque")  # hidden where the mesh is in front
        self.view.addItem(self.axes)
        self.axis_labels = [gl.GLTextItem(text=text) for text in ("x", "y", "f")]
        for label in self.axis_labels:
            self.view.addItem(label)
        self.minima = gl.GLScatterPlotItem(pos=np.zeros((0, 3)), size=9, color=(1, 1, 1, 0.9))
        self.minima.setGLOptions("translucent")
        self.view.addItem(self.minima)
        self.trails: list = []  # one GLLinePlotItem per optimizer, reused across frames
        self.heads = gl.GLScatterPlotItem(pos=np.zeros((0, 3)), size=16, pxMode=True)
        self.heads.setGLOptions("translucent")
        self.view.addItem(self.heads)
        self._paths: list[np.ndarray] = []  # per optimizer: (n, 3) display coordinates
        self._window_theme = None
        self._line_width = 2.5

        session.sceneChanged.connect(self._rebuild)
        session.resultsChanged.connect(self._on_results)
        session.optimizersChanged.connect(self._sync_racers)
        session.timeline.stepChanged.connect(self._draw_step)
        session.selectionChanged.connect(self._style_trails)
        session.viewChanged.connect(self._on_view)
        self._apply_theme()
        self._rebuild()

    # ----- coordinates -----
    def to_display(self, points: np.ndarray, losses: np.ndarray) -> np.ndarray:
        """(n, 2) data points and their losses -> (n, 3) display coordinates."""
        (x0, x1), (y0, y1) = self.session.bounds
        half = 0.5 * max(x1 - x0, y1 - y0)
        points = np.asarray(points, dtype=float).reshape(-1, 2)
        with np.errstate(all="ignore"):
            xy = (points - [0.5 * (x0 + x1), 0.5 * (y0 + y1)]) / half
        xy = np.clip(np.nan_to_num(xy, nan=0.0, posinf=EDGE, neginf=-EDGE), -EDGE, EDGE)
        z = self.heights(losses) + TRAIL_LIFT
        return np.column_stack([xy, z])

    # ----- rebuilding (scene / results / racers change) -----
    def _rebuild(self) -> None:
        session = self.session
        (x0, x1), (y0, y1) = session.bounds
        half = 0.5 * max(x1 - x0, y1 - y0)
        n = MESH_RESOLUTION
        xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
        X, Y = np.meshgrid(xs, ys, indexing="ij")
        values = session.surface.evaluate(X, Y)
        self.heights = HeightMap(values, log=session.scene.view.log_colour)
        Z = self.heights(values)
        colormap = pg.colormap.get(self._theme().colormap)
        colors = colormap.map(Z / HEIGHT, mode="float")
        mesh_x, mesh_y = (xs - 0.5 * (x0 + x1)) / half, (ys - 0.5 * (y0 + y1)) / half
        self.mesh.setData(x=mesh_x, y=mesh_y, z=Z, colors=colors)
        self._place_axes(mesh_x[0], mesh_x[-1], mesh_y[0], mesh_y[-1])
        minima = [m for m in session.surface.minima]
        if minima:
            pts = np.array(minima, dtype=float)
            self.minima.setData(pos=self.to_display(pts, session.surface.value(pts)))
        else:
            self.minima.setData(pos=np.zeros((0, 3)))
        self._sync_racers()

    def _place_axes(self, x0: float, x1: float, y0: float, y1: float) -> None:
        """Axis lines along the mesh's edges from its (x0, y0) corner, and their names."""
        corner = np.array([x0, y0, 0.0])
        ends = np.array([[x1 + AXIS_OVERHANG, y0, 0.0], [x0, y1 + AXIS_OVERHANG, 0.0],
                         [x0, y0, HEIGHT + AXIS_OVERHANG]])
        theme = self._theme()
        colour = pg.mkColor(theme.foreground)
        self.axes.setData(pos=np.array([corner, ends[0], corner, ends[1], corner, ends[2]]),
                          color=colour.getRgbF())
        font = QFont()
        font.setPointSize(theme.axis_font_size + 2)
        font.setBold(True)
        names = (*self.session.surface.axis_labels, "f")
        for label, name, end in zip(self.axis_labels, names, ends):
            label.setData(pos=end, text=name, color=colour, font=font)

    def axis_label_ends(self) -> dict[str, np.ndarray]:
        """Each axis' name and where it is drawn (display coordinates)."""
        return {label.text: np.array(label.pos, dtype=float) for label in self.axis_labels}

    def reset_camera(self) -> None:
        """Back to the starting view of the surface (View › Reset camera)."""
        self.view.setCameraPosition(pos=pg.Vector(*CAMERA_CENTRE), **CAMERA)

    def _on_results(self, index: int) -> None:
        if index < 0 or len(self._paths) != len(self.session.trajectories):
            self._compute_paths()
        else:
            self._paths[index] = self._path_of(index)
        self._draw_step()

    def _path_of(self, index: int) -> np.ndarray:
        traj = self.session.trajectories[index]
        return self.to_display(traj.points, traj.losses)

    def _compute_paths(self) -> None:
        self._paths = [self._path_of(i) for i in range(len(self.session.trajectories))]

    def _sync_racers(self) -> None:
        """One line item per optimizer; items are added or removed only when racers are."""
        count = len(self.session.scene.optimizers)
        while len(self.trails) < count:
            line = self._gl.GLLinePlotItem(pos=np.zeros((1, 3)), width=2.5, antialias=True,
                                           mode="line_strip")
            self.view.addItem(line)
            self.trails.append(line)
        while len(self.trails) > count:
            self.view.removeItem(self.trails.pop())
        self._compute_paths()
        self._style_trails()

    def _style_trails(self, *_) -> None:
        selected = self.session.selected
        for i, (line, spec) in enumerate(zip(self.trails, self.session.scene.optimizers)):
            line.setData(color=pg.mkColor(spec.color).getRgbF(),
                         width=self._line_width * (1.6 if i == selected else 1.0))
            line.setVisible(spec.visible)
        self._draw_step()

    # ----- per frame -----
    def _draw_step(self, *_) -> None:
        """Show every trail up to session.step and the heads there (setData only)."""
        t = self.session.step
        heads, colors = [], []
        for line, path, spec in zip(self.trails, self._paths, self.session.scene.optimizers):
            upto = path[: min(t, len(path) - 1) + 1]
            line.setData(pos=upto if len(upto) > 1 else np.repeat(upto, 2, axis=0))
            if spec.visible:
                heads.append(upto[-1])
                colors.append(pg.mkColor(spec.color).getRgbF())
        if heads:
            self.heads.setData(pos=np.array(heads), color=np.array(colors))
        else:
            self.heads.setData(pos=np.zeros((0, 3)))

    def head_positions(self) -> np.ndarray:
        """The heads' display coordinates as drawn now (n, 3)."""
        return np.array(self.heads.pos, dtype=float).reshape(-1, 3)

    # ----- looks -----
    def _theme(self):
        if self._window_theme is not None:
            return self._window_theme
        from valley.app.theme import get_theme

        try:
            return get_theme(self.session.scene.view.theme)
        except ValueError:
            return get_theme("dark")

    def apply_theme(self, theme) -> None:
        """The window's theme (presentation mode: thicker trails, bigger heads)."""
        self._window_theme = theme
        self._apply_theme()
        self._rebuild()

    def _apply_theme(self) -> None:
        theme = self._theme()
        self.view.setBackgroundColor(QColor(theme.background))
        self._line_width = theme.line_width
        self.heads.setData(size=theme.head_size + 2)

    def _on_view(self, name: str) -> None:
        if name == "theme" and self._window_theme is None:
            self._apply_theme()
            self._rebuild()
        elif name == "log_colour":
            self._rebuild()

    def sizeHint(self) -> QSize:
        # Modest, so a splitter shares the room with the 2-D view instead of squeezing it.
        return QSize(420, 360)

    def grab_frame(self):
        """The current frame as a QImage (renders offscreen in the GL context)."""
        return self.view.grabFramebuffer()
