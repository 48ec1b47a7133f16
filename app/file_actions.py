"""The File and Lecture menus: new, open, save, recent files, lecture presets, export.

Every command goes through the window's Document, which checks a whole scene before it
replaces the open one, so a bad file changes nothing. Dialogs are module-level functions
(ask_unsaved, show_error, choose_open_path, choose_save_path) so tests can replace them.
"""
from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QObject, QSettings
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from valley.app.export_dialog import ExportDialog
from valley.app.model.presets import is_preset
from valley.core.scene_io import SceneError, list_presets

MAX_RECENT = 8
RECENT_KEY = "recentFiles"
SCENE_FILTER = "Valley scenes (*.toml);;All files (*)"


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
    """The File and Lecture menus, the recent-files list and the unsaved-changes question.

    `settings` None: the window remembers no recent files (headless runs, exports).
    """

    def __init__(self, window, settings: QSettings | None = None, remember: bool = True):
        super().__init__(window)
        self.window = window
        self.document = window.document
        self.settings = settings if settings is not None else QSettings("Valley", "Valley")
        self.remember = remember
        self.shown_preset: str | None = None  # PageDown goes on from the last preset opened
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

    def step_preset(self, offset: int) -> bool:
        """The next (+1) or previous (−1) Lecture preset after the one shown (PageDown / PageUp)."""
        paths = [action.data() for action in self.preset_actions]
        shown = self.shown_preset
        if shown in paths:
            index = paths.index(shown) + offset
        else:
            index = 0 if offset > 0 else len(paths) - 1
        if not 0 <= index < len(paths):
            return False  # past the last preset: the lecture is over, nothing changes
        return self.open_preset(paths[index])

    # ----- recent files -----
    def recent_files(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        return [str(v) for v in (value or [])]

    def remember_file(self, path: Path) -> None:
        if not self.remember or is_preset(path):
            return
        path = str(Path(path).resolve())
        paths = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue(RECENT_KEY, paths[:MAX_RECENT])
        self.settings.sync()

    def clear_recent(self) -> None:
        self.settings.setValue(RECENT_KEY, [])
        self.settings.sync()

    # ----- unsaved changes -----
    def maybe_discard(self) -> bool:
        """True when it is fine to replace the scene (saved, discarded, or never changed)."""
        if not self.document.modified:
            return True
        answer = ask_unsaved(self.window, self.document.title)
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
        self.document.new()
        return True

    def open_dialog(self) -> bool:
        if not self.maybe_discard():
            return False
        folder = str(self.document.path.parent) if self.document.path is not None else ""
        path = choose_open_path(self.window, folder)
        return self.open_path(path, ask=False) if path else False

    def open_recent(self, path: str) -> bool:
        return self.open_path(path)

    def open_preset(self, path: str) -> bool:
        """A lecture preset: shown as it is, saved only under a new name."""
        if not self.maybe_discard():
            return False
        if not self._attempt(lambda: self.document.open_preset(path), path):
            return False
        self.shown_preset = path
        return True

    def open_path(self, path, ask: bool = True) -> bool:
        """Load a scene file; a bad file shows its problems and leaves the document untouched."""
        if ask and not self.maybe_discard():
            return False
        if not self._attempt(lambda: self.document.open(path), path):
            return False
        self.remember_file(Path(path))
        return True

    def _attempt(self, opening, path) -> bool:
        try:
            opening()
        except SceneError as error:
            show_error(self.window, "Cannot open the scene", str(error))
            return False
        except ValueError as error:
            show_error(self.window, "Cannot show the scene", f"{path}: {error}")
            return False
        return True

    def _refuse_unsaveable(self) -> bool:
        """True (after saying why) when the scene cannot be written to a file."""
        try:
            self.document.check_saveable()
        except ValueError as error:
            show_error(self.window, "Cannot save the scene", str(error))
            return True
        return False

    def save(self) -> bool:
        if self._refuse_unsaveable():
            return False
        if self.document.path is None:
            return self.save_as()
        return self.save_to(self.document.path)

    def save_as(self) -> bool:
        if self._refuse_unsaveable():
            return False
        path = self.document.path
        stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.document.title)
        suggested = str((path.parent if path is not None else Path.cwd()) / f"{stem or 'scene'}.toml")
        chosen = choose_save_path(self.window, suggested)
        if not chosen:
            return False
        if not chosen.lower().endswith(".toml"):
            chosen += ".toml"
        return self.save_to(Path(chosen))

    def save_to(self, path: Path) -> bool:
        try:
            saved = self.document.save(path)
        except OSError as error:
            show_error(self.window, "Cannot save the scene", f"{path}: {error.strerror or error}")
            return False
        except ValueError as error:
            show_error(self.window, "Cannot save the scene", str(error))
            return False
        self.remember_file(saved)
        return True

    def export_dialog(self) -> None:
        dialog = ExportDialog(self.window, parent=self.window)
        dialog.open()
        self.last_export_dialog = dialog
