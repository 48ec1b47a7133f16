"""The race panel: who races (1 to 8), their colours, labels and status; add, remove, duplicate."""
from __future__ import annotations

import math

from PyQt6.QtCore import QSignalBlocker, QSize, Qt, QTimer
from PyQt6.QtGui import QColor, QIcon, QPainter, QPixmap
from PyQt6.QtWidgets import (
    QButtonGroup,
    QColorDialog,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QRadioButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from valley.app.theme import error_label
from valley.core import limits
from valley.core.optimizers import OPTIMIZERS
from valley.core.outcome import outcome_at
from valley.core.scene import OptimizerSpec, colour_for

LABEL, KIND, STATUS = range(3)


def status_text(trajectory, objective, t: int | None = None, short: bool = False) -> str:
    """How the run stands at step t (default: its end): "running" until it stops, then
    "converged at step 87", "stopped on a saddle at step 3", "diverged at step 12", or at the
    last step of a run that never converged "not converged after 200 steps" (short, for the
    list's column: "converged at 87", "on a saddle at 3", "not converged")."""
    if trajectory is None:
        return ""
    t = len(trajectory.points) - 1 if t is None else t
    return outcome_at(trajectory, objective, t, step_word="" if short else "step ", short=short)[1]


def swatch(color: str, size: int = 14) -> QIcon:
    """The racer's colour with a grey outline, so the yellow shows on the light theme too."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    painter = QPainter(pixmap)
    painter.setPen(QColor("#808080"))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)


def parse_number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{what}: {text!r} is not finite")
    return value


class RacerList(QTreeWidget):
    """The racers' rows; asks for room for the header and six rows (the default race, and one
    added) but, on a short screen, can be squeezed to three. Labels and statuses come first:
    the kind column shows only when there is room for all three."""

    def fit_columns(self) -> None:
        needed = sum(self.sizeHintForColumn(c) for c in (LABEL, KIND, STATUS))
        self.setColumnHidden(KIND, needed > self.viewport().width())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 6

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), round(self._row_height() * 7.5))

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), round(self._row_height() * 4.5))


class RacePanel(QWidget):
    """Lists the racers; select, add (by kind), remove, duplicate with other hyperparameters,
    rename (double-click the label), recolour; and whether clicks move all starts or one."""

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session

        self.list = RacerList()
        self.list.setHeaderLabels(["Optimizer", "Kind", "Status"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setEditTriggers(QTreeWidget.EditTrigger.NoEditTriggers)  # label only, below
        self.list.itemSelectionChanged.connect(self._selection_edited)
        self.list.itemDoubleClicked.connect(self._double_clicked)
        self.list.itemChanged.connect(self._item_edited)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(LABEL, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(STATUS, QHeaderView.ResizeMode.Stretch)  # elides; tooltip whole
        header.setMinimumSectionSize(40)

        self.add_button = QToolButton()
        self.add_button.setText("Add")
        self.add_button.setToolTip("add an optimizer of the chosen kind")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.add_button)
        for name, cls in OPTIMIZERS.items():
            action = menu.addAction(cls.title)
            action.setData(name)
            action.triggered.connect(lambda _=False, kind=name: self.add_racer(kind))
        self.add_button.setMenu(menu)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.rename_button = QPushButton("Rename")
        self.rename_button.clicked.connect(self.rename_selected)
        self.colour_button = QPushButton("Colour…")
        self.colour_button.clicked.connect(self.recolour_selected)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.rename_button, self.colour_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        # "Duplicate with lr = 0.1": the side-by-side comparison a lecture wants.
        self.duplicate_key = QComboBox()
        self.duplicate_key.setToolTip("which hyperparameter the copy changes")
        self.duplicate_value = QLineEdit()
        self.duplicate_value.setPlaceholderText("same")
        self.duplicate_value.setMaximumWidth(80)
        self.duplicate_value.setToolTip("the copy's value; leave empty for an exact copy")
        self.duplicate_value.returnPressed.connect(self.duplicate_from_fields)
        self.duplicate_button = QPushButton("Duplicate")
        self.duplicate_button.clicked.connect(self.duplicate_from_fields)
        duplicate = QHBoxLayout()
        duplicate.addWidget(self.duplicate_button)
        duplicate.addWidget(QLabel("with"))
        duplicate.addWidget(self.duplicate_key)
        duplicate.addWidget(QLabel("="))
        duplicate.addWidget(self.duplicate_value)
        duplicate.addStretch(1)

        self.click_all = QRadioButton("all")
        self.click_selected = QRadioButton("selected")
        self.click_group = QButtonGroup(self)
        self.click_group.addButton(self.click_all)
        self.click_group.addButton(self.click_selected)
        self.click_all.toggled.connect(self._click_mode_edited)
        # The question above its answers: side by side they set the dock's minimum width, and
        # with it the window's (a 1366-px laptop has no pixel to spare).
        clicks = QVBoxLayout()
        clicks.setSpacing(2)
        clicks.addWidget(QLabel("Clicks on the map move the start of:"))
        answers = QHBoxLayout()
        answers.addWidget(self.click_all)
        answers.addWidget(self.click_selected)
        answers.addStretch(1)
        clicks.addLayout(answers)

        self.error = error_label()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addLayout(duplicate)
        layout.addLayout(clicks)
        layout.addWidget(self.error)

        session.optimizersChanged.connect(self.refresh)
        session.resultsChanged.connect(self._refresh_status)
        session.timeline.stepChanged.connect(self._refresh_status)
        session.selectionChanged.connect(self._sync_selection)
        session.sceneChanged.connect(self.refresh)
        session.clickModeChanged.connect(self._sync_click_mode)
        self.refresh()
        self._sync_click_mode(session.click_moves)

    # ----- mirroring the session -----
    def refresh(self, *_) -> None:
        """Rebuild the rows from the session (racers added, removed, renamed, recoloured)."""
        specs = self.session.scene.optimizers
        with QSignalBlocker(self.list):
            self.list.clear()
            for i, spec in enumerate(specs):
                cls = OPTIMIZERS.get(spec.kind)
                label, title = spec.display_label(), cls.title if cls else spec.kind
                # The kind only where the label does not already say it: the narrow dock
                # keeps its width for the label and the status.
                item = QTreeWidgetItem([label, "" if label == title else title, ""])
                item.setToolTip(LABEL, label if label == title else f"{label} ({title})")
                item.setToolTip(KIND, title)
                item.setIcon(LABEL, swatch(spec.color))
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                item.setData(LABEL, Qt.ItemDataRole.UserRole, i)
                self.list.addTopLevelItem(item)
        self._refresh_status()
        self._sync_selection(self.session.selected)
        count = len(specs)
        self.add_button.setEnabled(count < limits.OPTIMIZERS.hi)
        self.duplicate_button.setEnabled(count < limits.OPTIMIZERS.hi)
        self.duplicate_value.setEnabled(count < limits.OPTIMIZERS.hi)
        self.remove_button.setEnabled(count > 1)
        self.add_button.setToolTip("add an optimizer of the chosen kind" if count < limits.OPTIMIZERS.hi
                                   else f"at most {limits.OPTIMIZERS.hi} optimizers race at once")

    def _refresh_status(self, *_) -> None:
        trajectories = self.session.trajectories
        with QSignalBlocker(self.list):
            for i in range(min(self.list.topLevelItemCount(), len(trajectories))):
                item = self.list.topLevelItem(i)
                t = self.session.step
                item.setText(STATUS, status_text(trajectories[i], self.session.surface, t, short=True))
                item.setToolTip(STATUS, status_text(trajectories[i], self.session.surface, t))
        self.list.fit_columns()

    def _sync_selection(self, index: int) -> None:
        with QSignalBlocker(self.list):
            self.list.clearSelection()
            if 0 <= index < self.list.topLevelItemCount():
                item = self.list.topLevelItem(index)
                item.setSelected(True)
                self.list.setCurrentItem(item)
        self._sync_duplicate_keys()

    def _sync_duplicate_keys(self) -> None:
        index = self.session.selected
        keys = []
        if 0 <= index < len(self.session.scene.optimizers):
            cls = OPTIMIZERS.get(self.session.scene.optimizers[index].kind)
            keys = [h.name for h in cls.hyperparameter_specs()] if cls else ["lr"]
        current = self.duplicate_key.currentText() or "lr"
        with QSignalBlocker(self.duplicate_key):
            self.duplicate_key.clear()
            self.duplicate_key.addItems(keys)
            self.duplicate_key.setCurrentIndex(max(0, keys.index(current) if current in keys else 0))

    def _sync_click_mode(self, mode: str) -> None:
        with QSignalBlocker(self.click_all), QSignalBlocker(self.click_selected):
            self.click_all.setChecked(mode == "all")
            self.click_selected.setChecked(mode == "selected")

    # ----- actions (buttons call these; so can the window and tests) -----
    def _run(self, action) -> bool:
        """Call a session setter; show a ValueError inline instead of raising."""
        try:
            action()
        except ValueError as error:
            self.show_error(str(error))
            return False
        self.show_error("")
        return True

    def add_racer(self, kind: str) -> bool:
        cls = OPTIMIZERS[kind]
        lr = next(h.default for h in cls.hyperparameters if h.name == "lr")
        used = [s.color for s in self.session.scene.optimizers]
        spec = OptimizerSpec(kind=kind, label=cls.title, color=colour_for(kind, used),
                             hyperparameters={"lr": lr})
        return self._run(lambda: self.session.add_optimizer(spec))

    def remove_selected(self) -> bool:
        index = self.session.selected
        if index < 0:
            return False
        return self._run(lambda: self.session.remove_optimizer(index))

    def duplicate_selected(self, **hyperparameters) -> bool:
        """Copy the selected racer, changing the given hyperparameters (lr=0.1)."""
        index = self.session.selected
        if index < 0:
            return False
        return self._run(lambda: self.session.duplicate_optimizer(index, **hyperparameters))

    def duplicate_from_fields(self) -> bool:
        text = self.duplicate_value.text().strip()
        if not text:
            return self.duplicate_selected()
        key = self.duplicate_key.currentText()
        try:
            value = parse_number(text, key)
        except ValueError as error:
            self.show_error(str(error))
            return False
        return self.duplicate_selected(**{key: value})

    def rename_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item, LABEL)

    def rename(self, index: int, label: str) -> bool:
        label = label.strip()
        if not label:
            self.show_error("a label cannot be empty")
            self.refresh()
            return False
        return self._run(lambda: self.session.set_label(index, label=label))

    def recolour_selected(self, color: QColor | None = None) -> bool:
        index = self.session.selected
        if index < 0:
            return False
        if color is None:
            current = QColor(self.session.scene.optimizers[index].color)
            color = QColorDialog.getColor(current, self, "Colour of the racer")
        if not color.isValid():  # dialog cancelled
            return False
        return self._run(lambda: self.session.set_label(index, color=color.name().upper()))

    # ----- user edits -----
    def _selection_edited(self) -> None:
        items = self.list.selectedItems()
        if items:
            self._run(lambda: self.session.set_selected(self.list.indexOfTopLevelItem(items[0])))

    def _double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        if column == LABEL:
            self.list.editItem(item, LABEL)
        elif column == KIND:
            pass  # the kind is chosen in the hyperparameter panel

    def _item_edited(self, item: QTreeWidgetItem, column: int) -> None:
        if column == LABEL:
            index, label = self.list.indexOfTopLevelItem(item), item.text(LABEL)
            # The rename rebuilds the rows; let the editor that sent this finish with its item.
            QTimer.singleShot(0, lambda: self.rename(index, label))

    def _click_mode_edited(self, *_) -> None:
        self._run(lambda: self.session.set_click_moves(
            "all" if self.click_all.isChecked() else "selected"))

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
