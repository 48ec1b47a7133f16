"""The main window: side panels on the left, the landscape page in the middle, the player below.

Each area is built by its own method so other parts of the app can extend one area
without touching the rest: `_build_side_panels` (race, hyperparameters, surface docks),
`_build_landscape_page` (2-D view, the 3-D slot, loss chart, results, readout), and
`add_page` for further tabs such as the network playground.
"""
from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PyQt6.QtGui import QAction, QGuiApplication, QImage, QKeySequence
from PyQt6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from valley.app.examples_menu import build_examples_menu
from valley.app.file_actions import FileActions
from valley.app.graph_page import GraphPage
from valley.app.help_menu import install as install_help
from valley.app.lecture_keys import install_lecture_keys
from valley.app.model.deck import DeckModel
from valley.app.model.document import Document
from valley.app.model.player import Player
from valley.app.network_page import NetworkPage
from valley.app.panels.basin_panel import BasinPanel
from valley.app.panels.hyperparameters import HyperparameterPanel
from valley.app.panels.race_panel import RacePanel
from valley.app.panels.surface_panel import SurfacePanel
from valley.app.presenter_window import PresenterWindow, choose_screens
from valley.app.room import Room, copy_image
from valley.app.theme import apply_to_application, get_theme
from valley.app.views.deck_overlay import DeckOverlay
from valley.app.views.landscape2d import Landscape2DView
from valley.app.views.loss_chart import LossChart, ResultsTable
from valley.app.views.readout import Readout
from valley.app.views.surface3d import Surface3DView, gl_available
from valley.app.widgets.player_bar import PlayerBar
from valley.app.widgets.wheel_guard import install_wheel_guard
from valley.core.deck import Deck

NARROW_WINDOW = 1200  # px: below this the side panels start hidden (View menu shows them)
SIDE_PANEL_WIDTH = 280  # px: enough for a ParameterTree, leaves the landscape the room
# Presentation: the readout's share of the right-hand column; the loss chart keeps a plot this
# tall; the results table takes what its rows need of the rest; the chart what is left.
PRESENTATION_READOUT_SHARE = 0.5
PRESENTATION_LEAST_PLOT = 72  # px
PRESENTATION_TABLE_SCALE = 0.85  # the table's font relative to the presentation font
# Presentation: the 2-D map is what the class watches. Its share of the page's width with the
# 3-D view off; with it on, both views' share and the map's part of that (the map keeps more
# than half of its room: 0.68 × 0.6 of the page against 0.61; the readout keeps 0.32).
PRESENTATION_MAP_SHARE = 0.61
PRESENTATION_VIEWS_SHARE_3D = 0.68
PRESENTATION_MAP_OF_VIEWS_3D = 0.6
# Beside the side panels the map still gets the larger part of the views (its legend, axes
# and colour bar take room the 3-D view does not need).
MAP_OF_VIEWS_3D = 0.58


class _ResizeWatch(QObject):
    """Calls back when the watched widget changes size (a splitter has no signal for it)."""

    def __init__(self, widget: QWidget, callback):
        super().__init__(widget)
        self._callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._callback()
        return False

SIDE_PANELS = (("Race", RacePanel), ("Hyperparameters", HyperparameterPanel), ("Surface", SurfacePanel))


class PanelScroll(QScrollArea):
    """A side panel's scroll area: as wide as the panel needs (never cut at the side), scrolling down."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def minimumSizeHint(self) -> QSize:
        inner = self.widget().minimumSizeHint()
        return QSize(inner.width() + self.verticalScrollBar().sizeHint().width(), min(inner.height(), 120))


class MainWindow(QMainWindow):
    """Valley's window over one Document: the race on the Landscape tab, the playground on Network."""

    def __init__(self, document: Document, theme: str | None = None, show_3d: bool | None = None,
                 remember: bool = True, parent=None):
        """`remember` False: the recent files and the room's preferences (window size, docks, theme,
        3-D view) are neither read nor written (headless runs, exports)."""
        super().__init__(parent)
        self.document = document
        self.race = session = document.race
        self.timeline = session.timeline
        self.theme_name = theme or document.scene.view.theme
        self.presentation = False
        self._was_maximized = False
        self._normal_side_sizes: list[int] | None = None
        self._sizes_balanced = False
        self.deck: DeckModel | None = None  # a lecture deck being presented
        self.deck_overlay: DeckOverlay | None = None
        self.presenter: PresenterWindow | None = None  # the lecturer's screen beside the projector
        # (screens, primary): the system's, or a test's fakes with a geometry()
        self.screen_source = lambda: (QGuiApplication.screens(), QGuiApplication.primaryScreen())
        self.theme = get_theme(self.theme_name)
        apply_to_application(self.theme)
        self.player = Player(self.timeline, parent=self)
        self.docks: dict[str, QDockWidget] = {}
        self.panels: dict[str, QWidget] = {}
        self.menus = {}
        self._build_menus()
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self._3d_allowed = show_3d is not False  # False: the caller knows GL cannot run here
        self._build_landscape_page(show_3d)
        self.player_bar = PlayerBar(self.timeline, self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.player_bar)
        self.setCentralWidget(central)
        self._build_side_panels()
        self._build_shortcuts()
        self.help_actions = install_help(self)
        self._build_network_page()
        self._build_graph_page()
        self.file_actions = FileActions(self, remember=remember)
        self.room = Room(self.file_actions.settings) if remember else None
        self.copy_scale = self.room.copy_scale() if self.room is not None else 1
        self.surface3d_choice: bool | None = None  # the View menu's choice, remembered by the room
        self._build_room_menus()
        if self.room is not None:
            if theme is None:
                self.theme_name = self.room.theme(self.theme_name)
            if show_3d is None:
                self.surface3d_choice = self.room.show_3d()
            self.room.restore_window(self)
        self.tabs.currentChanged.connect(self._page_changed)
        document.titleChanged.connect(self._show_title)
        document.modifiedChanged.connect(self._show_title)
        document.sceneReplaced.connect(self._scene_replaced)
        document.sceneRestored.connect(lambda: self.apply_scene_view(theme=False))
        application = QGuiApplication.instance()  # a closed window is hidden: it arranges nothing
        application.screenAdded.connect(self._screens_changed)
        application.screenRemoved.connect(self._screens_changed)
        self._show_title()
        self._apply_theme_everywhere()
        self.apply_scene_view(theme=False)  # the theme argument (--theme) or the room's wins at start

    # ----- areas -----
    def _build_menus(self) -> None:
        bar = self.menuBar()
        for key, title in (("file", "&File"), ("edit", "&Edit"), ("view", "&View"), ("lecture", "&Lecture"),
                           ("help", "&Help")):
            self.menus[key] = bar.addMenu(title)
        stack = self.document.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (self.undo_action, self.redo_action):
            self.menus["edit"].addAction(action)
            self.addAction(action)  # the keys work while the menu bar is hidden
        view = self.menus["view"]
        self.presentation_action = QAction("&Presentation mode", self, checkable=True)
        self.presentation_action.setShortcut(QKeySequence("F11"))
        self.presentation_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.presentation_action.toggled.connect(self.set_presentation)
        view.addAction(self.presentation_action)
        self.addAction(self.presentation_action)  # the shortcut works while the menu bar is hidden
        self.dark_action = QAction("&Dark theme", self, checkable=True)
        self.dark_action.setChecked(self.theme_name == "dark")
        self.dark_action.toggled.connect(lambda on: self.set_theme("dark" if on else "light"))
        view.addAction(self.dark_action)
        view.addSeparator()
        self.view_option_actions = {}
        for name, text in (("contours", "Contour lines"), ("log_colour", "Log colour scale"),
                           ("gradient_field", "Gradient field (−∇f)"),
                           ("critical_points", "Critical points")):
            action = QAction(text, self, checkable=True)
            action.setChecked(bool(getattr(self.race.scene.view, name)))
            action.toggled.connect(lambda on, n=name: self.race.set_view_option(n, on))
            view.addAction(action)
            self.view_option_actions[name] = action
        arrows = view.addMenu("Arrows at the head")
        self.arrow_actions = {}
        for mode, text in (("none", "None"), ("gradient", "Gradient (−∇f)"),
                           ("velocity", "Velocity"), ("step", "Next step Δθ")):
            action = QAction(text, self, checkable=True)
            action.setChecked(self.race.scene.view.arrows == mode)
            action.triggered.connect(lambda _, m=mode: self.set_arrows(m))
            arrows.addAction(action)
            self.arrow_actions[mode] = action
        self.selected_only_action = QAction("Clicks move the selected optimizer only", self,
                                            checkable=True)
        self.selected_only_action.setChecked(self.race.click_moves == "selected")
        self.selected_only_action.toggled.connect(self._set_click_mode)
        self.race.clickModeChanged.connect(
            lambda mode: self.selected_only_action.setChecked(mode == "selected"))
        view.addAction(self.selected_only_action)
        self.race.viewChanged.connect(self._sync_view_actions)

    def _build_landscape_page(self, show_3d: bool | None) -> None:
        """2-D view and the 3-D slot side by side; chart, table and readout on the right."""
        session = self.race
        self.landscape = Landscape2DView(session, self.theme, basins=self.document.basins)
        self.loss_chart = LossChart(session, self.theme)
        self.results = ResultsTable(session, self.theme)
        self.readout = Readout(session, self.theme)

        self.views_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.views_splitter.setObjectName("viewsSplitter")
        self.views_splitter.addWidget(self.landscape)
        self.surface3d = None
        self.surface3d_reason = ""
        want_3d = session.scene.view.show_3d if show_3d is None else show_3d
        if want_3d:
            self._add_3d_view()

        self.side_splitter = QSplitter(Qt.Orientation.Vertical)
        self.side_splitter.setObjectName("analysisSplitter")
        self.side_splitter.addWidget(self.readout)
        self.side_splitter.addWidget(self.loss_chart)
        self.side_splitter.addWidget(self.results)
        self.side_splitter.setStretchFactor(0, 3)
        self.side_splitter.setStretchFactor(1, 3)
        self.side_splitter.setStretchFactor(2, 2)

        self.landscape_page = QSplitter(Qt.Orientation.Horizontal)
        self.landscape_page.setObjectName("landscapePage")
        self.landscape_page.addWidget(self.views_splitter)
        self.landscape_page.addWidget(self.side_splitter)
        self.landscape_page.setStretchFactor(0, 3)
        self.landscape_page.setStretchFactor(1, 2)
        self.landscape_page.setSizes([620, 380])
        self.side_splitter.setSizes([300, 220, 170])
        self._normal_page_sizes: tuple[list[int], list[int]] | None = None
        # In presentation the split follows the page's width (a projector's, a window resized)
        self._page_watch = _ResizeWatch(self.landscape_page, self._present_views)
        self._side_watch = _ResizeWatch(self.side_splitter, self._share_side_column)
        session.optimizersChanged.connect(self._share_side_column)  # after the table's own refresh
        self.add_page(self.landscape_page, "Landscape")

    def _add_3d_view(self) -> None:
        """The 3-D view beside the 2-D one; without OpenGL a status note says why it is off."""
        ok, reason = gl_available()
        if ok:
            self.surface3d = Surface3DView(self.race)
            self.views_splitter.addWidget(self.surface3d)
            self.views_splitter.setStretchFactor(0, 1)
            self.views_splitter.setStretchFactor(1, 1)
            self.surface3d.setMinimumWidth(200)
            self.landscape.setMinimumWidth(320)
        else:
            self.surface3d_reason = reason
            note = QLabel(f"3-D view off — {reason}")
            note.setObjectName("surface3dOff")
            self.statusBar().addPermanentWidget(note)

    def add_page(self, widget: QWidget, title: str) -> int:
        """Add a page to the central tabs (the network playground adds itself here)."""
        index = self.tabs.addTab(widget, title)
        self.tabs.tabBar().setVisible(self.tabs.count() > 1)
        return index

    def _build_side_panels(self) -> None:
        """Docks on the left: the race's panels, and the basin map's (the 2-D view draws the map)."""
        for title, cls in SIDE_PANELS:
            self.add_side_panel(title, cls(self.race))
        self.basin_panel = BasinPanel(self.document.basins)
        self.add_side_panel("Basins", self.basin_panel)

    def _build_network_page(self) -> None:
        """The Network tab over the document's playground, and the Examples menu that opens the slides' examples."""
        self.network_page = NetworkPage(self.document, theme=self.theme, parent=self)
        self.add_page(self.network_page, "Network")
        menu = QMenu("E&xamples", self)
        self.menuBar().insertMenu(self.menus["help"].menuAction(), menu)
        self.menus["examples"] = menu
        self.example_actions = build_examples_menu(menu, self.open_example)
        self.network_page.landscape.raceRequested.connect(self.race_on_plane)

    def _build_graph_page(self) -> None:
        """The Graph tab: backpropagation on the computational graph of a typed expression."""
        self.graph_page = GraphPage(self.document, theme=self.theme, parent=self)
        self.add_page(self.graph_page, "Graph")

    def add_side_panel(self, title: str, widget: QWidget) -> QDockWidget:
        """A dock on the left: the first on top, the second below it, further ones as tabs."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock{title.replace(' ', '')}")
        # A tall panel scrolls inside its dock instead of making the window taller than a laptop.
        scroll = PanelScroll(dock)
        scroll.setWidget(widget)
        dock.setWidget(scroll)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        existing = list(self.docks.values())
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        if len(existing) >= 2:
            self.tabifyDockWidget(existing[1], dock)
            existing[1].raise_()
        self.docks[title] = dock
        self.panels[title] = widget
        self.menus["view"].addAction(dock.toggleViewAction())
        docks = list(self.docks.values())
        self.resizeDocks(docks, [SIDE_PANEL_WIDTH] * len(docks), Qt.Orientation.Horizontal)
        if dock.isVisible() and self.presentation:
            dock.hide()
        return dock

    def _build_shortcuts(self) -> None:
        """The lecturer's keys act on the page in front of the class, whichever widget has focus."""
        install_wheel_guard(QApplication.instance())
        self.lecture_keys = install_lecture_keys(self, {
            Qt.Key.Key_Space: lambda: self.shown_timeline().toggle(),
            Qt.Key.Key_Right: self._forward,
            Qt.Key.Key_Left: self._back,
            Qt.Key.Key_Home: lambda: self.shown_timeline().home(),
            Qt.Key.Key_End: lambda: self.shown_timeline().end(),
            Qt.Key.Key_Plus: lambda: self.shown_timeline().faster(),
            Qt.Key.Key_Equal: lambda: self.shown_timeline().faster(),  # + without shift on most keyboards
            Qt.Key.Key_Minus: lambda: self.shown_timeline().slower(),
            Qt.Key.Key_PageDown: self._lecture_next,  # a presenter's clicker
            Qt.Key.Key_PageUp: self._lecture_previous,
            Qt.Key.Key_B: self._toggle_blank,  # the clicker's "blank screen" key
            Qt.Key.Key_Period: self._toggle_blank,
            Qt.Key.Key_N: self._toggle_notes,
            Qt.Key.Key_F5: lambda: self.set_presentation(True),  # the clicker's "start the show" key
            Qt.Key.Key_Escape: lambda: self.set_presentation(False),
        })

    def _on_network_page(self) -> bool:
        return self.tabs.currentWidget() is self.network_page

    def shown_timeline(self):
        """The timeline of the tab in front of the class."""
        if self.tabs.currentWidget() is self.graph_page:
            return self.document.graph.timeline
        return self.document.playground.timeline if self._on_network_page() else self.timeline

    def _forward(self) -> None:
        """Right: the next step, or on the Network tab in step-through the next phase of backprop."""
        self.shown_timeline().pause()
        if self._on_network_page():
            self.document.playground.next_phase()
        else:
            self.shown_timeline().step_forward()

    def _back(self) -> None:
        self.shown_timeline().pause()
        if self._on_network_page():
            self.document.playground.previous_phase()
        else:
            self.shown_timeline().step_back()

    # ----- look -----
    def set_theme(self, name: str) -> None:
        """The room's theme: the window's look, not an edit of the scene."""
        self.theme_name = name
        self._apply_theme_everywhere()

    def set_presentation(self, on: bool, fullscreen: bool = True) -> None:
        """Full screen, large fonts, thick lines, side panels hidden (F11; Esc leaves)."""
        on = bool(on)
        if on == self.presentation:
            return
        self.presentation = on
        self.presentation_action.setChecked(on)
        on_landscape = self.tabs.currentWidget() is self.landscape_page
        for dock in self.docks.values():  # the race's panels belong to the Landscape tab
            dock.setVisible(not on and on_landscape)
        self.menuBar().setVisible(not on)
        self.statusBar().setVisible(not on)  # every pixel of height goes to the views
        if on and fullscreen:
            self._was_maximized = self.isMaximized()
            self.showFullScreen()
        elif self.isFullScreen():
            self.showMaximized() if self._was_maximized else self.showNormal()
        if on:
            self._normal_side_sizes = self.side_splitter.sizes()
        self._apply_theme_everywhere()
        self._share_side_column()
        if not on and self._normal_side_sizes:
            self.side_splitter.setSizes(self._normal_side_sizes)
        if on:
            self._normal_page_sizes = (self.landscape_page.sizes(), self.views_splitter.sizes())
            self._present_views()
        elif self._normal_page_sizes is not None:
            page, views = self._normal_page_sizes
            self.landscape_page.setSizes(page)
            self.views_splitter.setSizes(views)

    def _share_side_column(self) -> None:
        """Presentation: the readout, the step a lecturer explains, gets half the column; the
        results table every row without a scroll bar where the loss chart keeps a readable
        plot (eight racers at 720 px scroll); the loss chart the rest."""
        if not self.presentation:
            return
        total = sum(self.side_splitter.sizes()) or self.side_splitter.height()
        if total <= 0:
            return
        readout = round(total * PRESENTATION_READOUT_SHARE)
        chart = self.loss_chart.height_for_plot(PRESENTATION_LEAST_PLOT)
        table = max(0, min(self.results.needed_height(), total - readout - chart))
        sizes = [readout, total - readout - table, table]
        if self.side_splitter.sizes() != sizes:
            self.side_splitter.setSizes(sizes)

    def _apply_theme_everywhere(self) -> None:
        self.theme = get_theme(self.theme_name, self.presentation)
        apply_to_application(self.theme)
        for view in (self.landscape, self.loss_chart, self.results, self.readout):
            view.apply_theme(self.theme)
        if self.surface3d is not None:
            self.surface3d.apply_theme(self.theme)
        self.dark_action.blockSignals(True)
        self.dark_action.setChecked(self.theme_name == "dark")
        self.dark_action.blockSignals(False)
        font = self.font()
        font.setPointSize(self.theme.font_size)
        for widget in (self.player_bar, self.tabs):
            widget.setFont(font)
        table_font = self.font()  # the table's rows use the smaller presentation size too
        table_font.setPointSize(round(self.theme.font_size * PRESENTATION_TABLE_SCALE)
                                if self.presentation else self.theme.font_size)
        self.results.setFont(table_font)
        self.player_bar.apply_theme_colour(self.theme.foreground,
                                           icon_size=round(1.6 * self.theme.font_size + 4))
        self.network_page.apply_theme(self.theme)  # after the fonts: the page sizes its panel to them
        self.graph_page.apply_theme(self.theme)
        self.panels["Hyperparameters"].follow_font()
        if self.deck_overlay is not None:
            self.deck_overlay.apply_theme(self.theme)

    def apply_scene_view(self, theme: bool = True) -> None:
        """Show what the scene's [view] asks: theme, 3-D view, loss chart, readout, speed, menus.

        Called when a scene is opened (File, Lecture); not on every sceneChanged, so a
        surface edit never undoes a theme chosen on the command line.
        """
        view = self.race.scene.view
        if theme and view.theme != self.theme_name:
            self.theme_name = view.theme
            self._apply_theme_everywhere()
        self.show_3d(view.show_3d if self.surface3d_choice is None else self.surface3d_choice)
        self.loss_chart.setVisible(view.show_loss)
        self.readout.setVisible(view.show_readout)
        self.network_page.apply_scene_view(view)  # show_network: the Network tab
        self.document.basins.apply_scene()  # basins: the map of the racer it names
        for name, action in self.view_option_actions.items():
            action.blockSignals(True)
            action.setChecked(bool(getattr(view, name)))
            action.blockSignals(False)
        self._sync_view_actions("arrows")

    def show_3d(self, on: bool) -> None:
        """The 3-D view beside the map, built the first time it is asked for (when OpenGL is there)."""
        if on and self.surface3d is None and self._3d_allowed and not self.surface3d_reason:
            self._add_3d_view()
            if self.surface3d is not None:
                self.surface3d.apply_theme(self.theme)
            if self.isVisible():
                self._balance_views()
        if self.surface3d is not None:
            self.surface3d.setVisible(on)
        shown = self.surface3d is not None and on
        self.show_3d_action.blockSignals(True)
        self.show_3d_action.setChecked(shown)
        self.show_3d_action.blockSignals(False)
        self.reset_camera_action.setEnabled(shown)

    def _choose_3d(self, on: bool) -> None:
        """View › 3-D view: the room's choice, kept for the next scenes and the next run."""
        self.surface3d_choice = on
        self.show_3d(on)

    def copy_view_image(self) -> QImage:
        """Edit › Copy image: the view in front of the class (the map, the network diagram, the graph)."""
        view = self.network_page.diagram if self._on_network_page() else self.landscape
        if self.tabs.currentWidget() is self.graph_page:
            view = self.graph_page.view
        return copy_image(view, self.copy_scale)

    def copy_window_image(self) -> QImage:
        return copy_image(self, self.copy_scale)

    def _build_room_menus(self) -> None:
        edit = self.menus["edit"]
        edit.addSeparator()
        self.copy_view_action = QAction("&Copy image", self)
        self.copy_view_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.copy_view_action.setStatusTip("The map (or the network diagram) to the clipboard, for a slide")
        self.copy_view_action.triggered.connect(self.copy_view_image)
        self.copy_window_action = QAction("Copy &window image", self)
        self.copy_window_action.setShortcut(QKeySequence("Ctrl+Alt+Shift+C"))
        self.copy_window_action.triggered.connect(self.copy_window_image)
        self.copy_twice_action = QAction("Copy at &twice the screen's resolution", self, checkable=True)
        self.copy_twice_action.setChecked(self.copy_scale == 2)
        self.copy_twice_action.toggled.connect(lambda on: setattr(self, "copy_scale", 2 if on else 1))
        for action in (self.copy_view_action, self.copy_window_action, self.copy_twice_action):
            edit.addAction(action)
            self.addAction(action)  # the keys work while the menu bar is hidden
        view = self.menus["view"]
        first = view.actions()[0]
        self.show_3d_action = QAction("&3-D view", self, checkable=True)
        self.show_3d_action.toggled.connect(self._choose_3d)
        self.reset_camera_action = QAction("&Reset the 3-D camera", self)
        self.reset_camera_action.triggered.connect(lambda: self.surface3d.reset_camera())
        view.insertActions(first, [self.show_3d_action, self.reset_camera_action])
        view.insertSeparator(first)
        if self.surface3d_reason:
            self.show_3d_action.setEnabled(False)
            self.show_3d_action.setToolTip(self.surface3d_reason)

    def _set_click_mode(self, selected_only: bool) -> None:
        self.race.set_click_moves("selected" if selected_only else "all")

    def set_arrows(self, mode: str) -> None:
        self.race.set_view_option("arrows", mode)

    def _sync_view_actions(self, name: str) -> None:
        if name == "arrows":
            for mode, action in self.arrow_actions.items():
                action.setChecked(mode == self.race.scene.view.arrows)

    def fit_panels_to_width(self, width: int) -> None:
        """In a narrow window the landscape gets the room: side panels start hidden."""
        if width < NARROW_WINDOW:
            for dock in self.docks.values():
                dock.hide()

    def _page_changed(self, _index: int) -> None:
        """Each page has its own player: the race's bar, keys and docks belong to the landscape page."""
        on_landscape = self.tabs.currentWidget() is self.landscape_page
        (self.document.playground.timeline if on_landscape else self.timeline).pause()
        self.player_bar.setVisible(on_landscape)
        if not self.presentation:
            for dock in self.docks.values():
                dock.setVisible(on_landscape)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sizes_balanced:
            self._sizes_balanced = True
            self._balance_views()

    def _balance_views(self) -> None:
        """Split the room once the window knows its size: a GL view's size hint would win otherwise."""
        page = self.landscape_page.width() or self.width()
        views = page * (64 if self.surface3d is not None else 60) // 100
        self.landscape_page.setSizes([views, page - views])
        if self.surface3d is not None:
            map_width = round(views * MAP_OF_VIEWS_3D)
            self.views_splitter.setSizes([map_width, views - map_width])

    def _present_views(self) -> None:
        """Presentation: the map takes most of the page's width, the column keeps the rest."""
        if not self.presentation:
            return
        page = self.landscape_page.width()
        if page <= 0:
            return
        if self.surface3d is None:
            views = round(page * PRESENTATION_MAP_SHARE)
            split = [views]
        else:
            views = round(page * PRESENTATION_VIEWS_SHARE_3D)
            split = [round(views * PRESENTATION_MAP_OF_VIEWS_3D)]
            split.append(views - split[0])
        if self.landscape_page.sizes()[0] != views:
            self.landscape_page.setSizes([views, page - views])
        if self.views_splitter.sizes() != split:
            self.views_splitter.setSizes(split)

    # ----- lifetime -----
    def closeEvent(self, event) -> None:
        # Only a close the user asked for (title bar, File > Quit: spontaneous) may be refused by
        # the unsaved-changes question; code that closes the window is never stopped by a dialog.
        if event.spontaneous() and not self.file_actions.maybe_discard():
            event.ignore()
            return
        if self.room is not None:
            self.room.save(self)
        if self.presenter is not None:
            self.presenter.close()
        self.network_page.shutdown()
        self.player.stop()
        self.landscape.shutdown()
        super().closeEvent(event)

    # ----- the document -----
    def _show_title(self, *_) -> None:
        self.setWindowTitle(f"Valley — {self.document.title}{' •' if self.document.modified else ''}")

    def _scene_replaced(self) -> None:
        """A new scene: its [view] table, and the tab its kind belongs to."""
        self.apply_scene_view()
        if self.document.scene.kind == "network":
            self.network_page.show_tab()
        elif self.document.scene.kind == "graph":
            self.graph_page.show_tab()
        else:
            self.tabs.setCurrentWidget(self.landscape_page)

    # ----- lecture decks -----
    def open_deck(self, deck: Deck) -> bool:
        """Present `deck` from its first entry: presentation mode, the caption over the view,
        PageDown/PageUp through its entries and play-to marks, B blanks, N shows the notes."""
        if self.deck is not None:
            if self.presenter is not None:
                self.presenter.close()  # it follows the old deck
            self.deck.deleteLater()
            self.deck_overlay.remove()
        self.deck = DeckModel(self.document, deck, self)
        self.deck_overlay = DeckOverlay(self.deck, self.centralWidget(), self.theme)
        self.deck.entryChanged.connect(self._show_deck_entry)
        self.deck.problem.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.set_presentation(True, fullscreen=self.isVisible())
        shown = self.deck.go_to(0)
        self.arrange_screens()
        return shown

    def arrange_screens(self, *_) -> None:
        """A deck on two screens or more: the deck full screen on the projector, the presenter
        window on the lecturer's screen. On one screen (a screen unplugged) the presenter goes;
        the deck stays where it is, with its entry, its step and the show's elapsed time."""
        if self.deck is None or not self.isVisible():
            return
        screens, primary = self.screen_source()
        if not screens:
            return
        projector, own = choose_screens(screens, primary)
        if own is None:
            if self.presenter is not None:
                self.presenter.close()
            return
        if self.presentation:
            if self.isFullScreen():
                self.showNormal()  # a full-screen window moves to another screen only through normal
            self.setGeometry(projector.geometry())
            self.showFullScreen()
        if self.presenter is None:
            self.presenter = PresenterWindow(self.deck, self.lecture_keys.actions, self.theme_name)
            self.presenter.closed.connect(self._presenter_closed)
        self.presenter.setGeometry(own.geometry())
        self.presenter.showMaximized()

    def _screens_changed(self, _screen) -> None:
        # after the event loop turns: Qt has then moved the windows off a removed screen
        QTimer.singleShot(0, self.arrange_screens)

    def _presenter_closed(self) -> None:
        """The lecturer closed the presenter window (or it followed a screen): the show goes on."""
        self.presenter.deleteLater()
        self.presenter = None

    def _show_deck_entry(self, index: int) -> None:
        entry = self.deck.deck.entries[index]
        if entry.tab == "network":
            self.network_page.show_tab()
            if entry.view is not None:
                self.network_page.show_chart(entry.view)
        elif entry.tab == "graph":
            self.graph_page.show_tab()
        else:
            self.tabs.setCurrentWidget(self.landscape_page)

    def _lecture_next(self) -> None:
        """PageDown: the deck's next moment, or without a deck the next Lecture preset."""
        if self.deck is not None:
            self.deck.next()
        else:
            self.file_actions.step_preset(+1)

    def _lecture_previous(self) -> None:
        if self.deck is not None:
            self.deck.previous()
        else:
            self.file_actions.step_preset(-1)

    def _toggle_blank(self) -> None:
        if self.deck_overlay is not None:
            self.deck_overlay.toggle_blank()

    def _toggle_notes(self) -> None:
        # with a presenter window the notes are on the lecturer's screen, never on the projector
        if self.deck_overlay is not None and self.presenter is None:
            self.deck_overlay.toggle_notes()

    def open_example(self, name: str) -> bool:
        """Examples menu: the worked example as a scene of its own, ready to step through."""
        if not self.file_actions.maybe_discard():
            return False
        self.document.open_example(name)
        self.document.playground.set_step_through(True)
        self.network_page.setFocus()
        return True

    def race_on_plane(self, surface, title: str, bounds, start) -> bool:
        """The race runs on the network's loss plane; the Landscape tab shows it."""
        try:
            self.race.race_on_surface(surface, title, bounds, start)
        except ValueError as error:
            self.network_page.status.setText(f"cannot race on this plane: {error}")
            return False
        self.tabs.setCurrentWidget(self.landscape_page)
        return True
