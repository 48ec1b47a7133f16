"""The File and Lecture menus: new, open, save, recent files, lecture presets, export.

Installed on a MainWindow by `install(window)`; everything goes through the window's Session
(and, for network scenes, its network page), so a bad file changes nothing: the loader
validates everything first, and Session.set_scene refuses a scene it cannot build.
Dialogs are module-level functions (ask_unsaved, show_error, choose_open_path,
choose_save_path) so tests can replace them.
"""
from __future__ import annotations

import copy
from pathlib import Path

from PyQt6.QtCore import QObject, QSettings
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from valley.core.scene import Scene, default_scene
from valley.core.scene_io import SceneError, list_presets, load_scene, save_scene

MAX_RECENT = 8
RECENT_KEY = "recentFiles"
SCENE_FILTER = "Valley scenes (*.toml);;All files (*)"
NETWORK_SLICE_MESSAGE = (
    "A scene file cannot hold a slice of a network's loss: export a picture or an animation "
    "instead (File → Export…), or choose a catalogue surface or a formula to save a scene.")


# ----- dialogs (replaced in tests) -----
def ask_unsaved(parent: QWidget, title: str) -> str:
    """'save', 'discard' or 'cancel' for a scene with unsaved changes."""
    buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
               | QMessageBox.StandardButton.Cancel)
    answer = QMessageBox.question(parent, "Unsaved changes",
                                  f"“{title}” has unsaved changes. Save them first?", buttons,
                                  QMessageBox.StandardButton.Save)
    return {QMessageBox.StandardButton.Save: "save",
            QMessageBox.StandardButton.Discard: "discard"}.get(answer, "cancel")


def show_error(parent: QWidget, title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text.splitlines()[0], parent=parent)
    if "\n" in text:
        box.setDetailedText(text)
    box.exec()


def choose_open_path(parent: QWidget, folder: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, "Open scene", folder, SCENE_FILTER)
    return path


def choose_save_path(parent: QWidget, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, "Save scene", suggested, SCENE_FILTER)
    return path


# ----- the menus -----
class FileActions(QObject):
    """Owns the current file, the recent-files list and the unsaved-changes question."""

    def __init__(self, window, settings: QSettings | None = None):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.settings = settings if settings is not None else QSettings("Valley", "Valley")
        self.path: Path | None = None
        self._build_file_menu(window.menus["file"])
        self._build_lecture_menu(window.menus["lecture"])

    # ----- menus -----
    def _action(self, menu: QMenu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        return action

    def _build_file_menu(self, menu: QMenu) -> None:
        self.new_action = self._action(menu, "&New", self.new_scene, QKeySequence.StandardKey.New,
                                       "Start again from the default scene")
        self.open_action = self._action(menu, "&Open…", self.open_dialog, QKeySequence("Ctrl+O"),
                                        "Open a scene file (.toml)")
        self.recent_menu = menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        menu.addSeparator()
        self.save_action = self._action(menu, "&Save", self.save, QKeySequence("Ctrl+S"),
                                        "Save the scene to its file")
        self.save_as_action = self._action(menu, "Save &as…", self.save_as,
                                           QKeySequence.StandardKey.SaveAs,
                                           "Save the scene to a new file")
        menu.addSeparator()
        self.export_action = self._action(menu, "&Export…", self.export_dialog,
                                          QKeySequence("Ctrl+E"),
                                          "Export a picture (PNG, SVG) or an animation (GIF, MP4)")
        menu.addSeparator()
        self._action(menu, "&Quit", self.quit, QKeySequence.StandardKey.Quit)

    def _build_lecture_menu(self, menu: QMenu) -> None:
        menu.setToolTipsVisible(True)
        self.preset_actions: list[QAction] = []
        for path, title, description in list_presets():
            action = QAction(title, self.window)
            action.setStatusTip(description)
            action.setToolTip(description)
            action.setData(path)
            action.triggered.connect(lambda _=False, p=path: self.open_preset(p))
            menu.addAction(action)
            self.preset_actions.append(action)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent_files()
        for path in paths:
            action = self.recent_menu.addAction(Path(path).name)
            action.setStatusTip(path)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_recent(p))
        if paths:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list").triggered.connect(self.clear_recent)
        self.recent_menu.setEnabled(bool(paths))

    # ----- recent files -----
    def recent_files(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        return [str(v) for v in (value or [])]

    def _remember(self, path: Path) -> None:
        path = str(Path(path).resolve())
        paths = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue(RECENT_KEY, paths[:MAX_RECENT])
        self.settings.sync()

    def clear_recent(self) -> None:
        self.settings.setValue(RECENT_KEY, [])
        self.settings.sync()

    # ----- the current scene -----
    def current_scene(self) -> Scene:
        """The scene as shown now (network settings read back from the network page)."""
        scene = copy.deepcopy(self.session.scene)
        page = getattr(self.window, "network_page", None)
        if scene.kind == "network" and page is not None and scene.network is not None:
            net = page.session
            scene.network = copy.deepcopy(net.spec)
            scene.seed, scene.steps = int(net.seed), int(net.steps)
        return scene

    def apply(self, scene: Scene) -> None:
        """Show `scene`; raises ValueError (nothing changed) when the session refuses it."""
        self.session.set_scene(scene)  # validates before it changes anything
        apply_view = getattr(self.window, "apply_scene_view", None)
        if apply_view is not None:  # theme, shown views, speed: the scene's [view] table
            apply_view()
        page = getattr(self.window, "network_page", None)
        if scene.kind == "network":
            if page is None:
                raise ValueError("this Valley has no network page to show a network scene")
            apply_network_scene(page, scene)
            self.window.tabs.setCurrentWidget(page)
        else:
            self.window.tabs.setCurrentWidget(self.window.landscape_page)
        self._set_clean()

    def adopt(self, path, scene: Scene) -> None:
        """The scene `valley scene.toml` opened: remember its file, show its network part."""
        if scene.kind == "network":
            self.apply(scene)
        self.path = Path(path)
        self._remember(self.path)
        self._set_clean()

    def _set_clean(self) -> None:
        self.session._set_modified(False)  # Session's own flag; a save or a load makes it clean

    # ----- unsaved changes -----
    def maybe_discard(self) -> bool:
        """True when it is fine to replace the scene (saved, discarded, or never changed)."""
        if not self.session.modified:
            return True
        answer = ask_unsaved(self.window, self.session.scene.title)
        if answer == "save":
            return self.save()
        return answer == "discard"

    def quit(self) -> bool:
        if not self.maybe_discard():
            return False
        self.window.close()
        return True

    # ----- commands -----
    def new_scene(self) -> bool:
        if not self.maybe_discard():
            return False
        self.apply(default_scene())
        self.path = None
        return True

    def open_dialog(self) -> bool:
        if not self.maybe_discard():
            return False
        folder = str(self.path.parent) if self.path is not None else ""
        path = choose_open_path(self.window, folder)
        return self.open_path(path, ask=False) if path else False

    def open_recent(self, path: str) -> bool:
        return self.open_path(path)

    def open_preset(self, path: str) -> bool:
        """A lecture preset: shown as it is, saved only under a new name."""
        if not self.open_path(path):
            return False
        self.path = None
        return True

    def open_path(self, path, ask: bool = True) -> bool:
        """Load a scene file; a bad file shows its problems and leaves the session untouched."""
        if ask and not self.maybe_discard():
            return False
        try:
            scene = load_scene(path)
            self.apply(scene)
        except SceneError as error:
            show_error(self.window, "Cannot open the scene", str(error))
            return False
        except ValueError as error:
            show_error(self.window, "Cannot show the scene", f"{path}: {error}")
            return False
        self.path = Path(path)
        if not _is_preset(self.path):
            self._remember(self.path)
        return True

    def _refuse_network_slice(self) -> bool:
        """True (after saying why) when the surface is a slice of a network's loss."""
        from valley.app.session import NETWORK_SLICE

        if self.session.scene.surface.name != NETWORK_SLICE:
            return False
        show_error(self.window, "Cannot save the scene", NETWORK_SLICE_MESSAGE)
        return True

    def save(self) -> bool:
        if self._refuse_network_slice():
            return False
        if self.path is None:
            return self.save_as()
        return self.save_to(self.path)

    def save_as(self) -> bool:
        if self._refuse_network_slice():
            return False
        stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.session.scene.title)
        suggested = str((self.path.parent if self.path else Path.cwd()) / f"{stem or 'scene'}.toml")
        path = choose_save_path(self.window, suggested)
        if not path:
            return False
        if not path.lower().endswith(".toml"):
            path += ".toml"
        return self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        if self._refuse_network_slice():
            return False
        try:
            save_scene(self.current_scene(), path)
        except OSError as error:
            show_error(self.window, "Cannot save the scene", f"{path}: {error.strerror or error}")
            return False
        self.path = Path(path)
        self._remember(self.path)
        self._set_clean()
        return True

    def export_dialog(self) -> None:
        from valley.app.export_dialog import ExportDialog

        dialog = ExportDialog(self.window, parent=self.window)
        dialog.open()
        self.last_export_dialog = dialog


def _is_preset(path: Path) -> bool:
    return any(Path(p).resolve() == Path(path).resolve() for p, _, _ in list_presets())


def apply_network_scene(page, scene: Scene) -> None:
    """Put a network scene's settings on the network page's NetworkSession."""
    spec, net = scene.network, page.session
    page.player.pause()
    if spec.example:
        net.load_example(spec.example, step_through=True)
        return
    fields = {name: getattr(spec, name) for name in
              net.DATA_FIELDS + net.NETWORK_FIELDS + net.TRAINING_FIELDS}
    net.set_options(**fields)
    net.set_optimizer(spec.optimizer.kind, dict(spec.optimizer.hyperparameters))
    net.set_seed(scene.seed)
    net.set_steps(scene.steps)


def install(window) -> FileActions:
    """Fill a MainWindow's File and Lecture menus (MainWindow calls this when it exists)."""
    actions = FileActions(window)
    window.file_actions = actions
    return actions
