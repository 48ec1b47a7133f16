"""The surface panel: catalogue and parameters, a formula field for f(x, y), view bounds, view options.

A formula is parsed on Enter. A parse error is shown under the field with a caret under
the offending character (and that character selected in the field); the current
surface stays. Every setter's ValueError is shown inline; nothing here raises.
"""
from __future__ import annotations

from PyQt6.QtCore import QSignalBlocker, Qt
from PyQt6.QtGui import QFontDatabase
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from valley.app.theme import ERROR_STYLE, error_label
from valley.core.expression import FormulaError
from valley.core.scene import SurfaceSpec
from valley.core.surfaces import SURFACES

FORMULA = "formula"  # the SurfaceSpec name of a user formula
ARROWS = {"none": "none", "gradient": "gradient −∇f", "velocity": "velocity", "step": "step Δθ"}
VIEW_TOGGLES = (("log_colour", "log colour"), ("contours", "contours"),
                ("gradient_field", "gradient field"), ("critical_points", "critical points"))


def caret_message(text: str, position: int | None, message: str) -> str:
    """The message, then the formula with a ^ under character `position` (0-based)."""
    if position is None:
        return message
    position = max(0, min(int(position), len(text)))
    return f"{message}\n{text}\n{' ' * position}^"


class SurfacePanel(QWidget):
    """Choose and shape the surface the optimizers race on."""

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        # --- catalogue and parameters
        self.catalogue = QComboBox()
        for name, cls in SURFACES.items():
            self.catalogue.addItem(cls.title, name)
        self.catalogue.addItem("Custom formula f(x, y)", FORMULA)
        self.catalogue.activated.connect(self._catalogue_chosen)
        self.params_box = QWidget()
        self.params_layout = QFormLayout(self.params_box)
        self.params_layout.setContentsMargins(0, 0, 0, 0)
        self.param_spins: dict[str, QDoubleSpinBox] = {}
        self._params_name: str | None = None
        self.formula_label = QLabel()
        self.formula_label.setWordWrap(True)
        self.formula_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # --- formula
        self.formula = QLineEdit()
        self.formula.setFont(mono)
        self.formula.setPlaceholderText("e.g. x**2 + 10*y**2 - 3*cos(2*x)   (Enter applies)")
        self.formula.returnPressed.connect(self.apply_formula)
        self.formula.textEdited.connect(lambda _: self._show(self.formula_error, ""))
        self.formula_error = QLabel()
        self.formula_error.setFont(mono)
        self.formula_error.setStyleSheet(ERROR_STYLE)
        self.formula_error.setTextFormat(Qt.TextFormat.PlainText)
        self.formula_error.hide()

        # --- bounds
        self.bound_fields: dict[str, QLineEdit] = {}
        bounds = QGridLayout()
        for i, name in enumerate(("xmin", "xmax", "ymin", "ymax")):
            field = QLineEdit()
            field.setMaximumWidth(80)
            field.returnPressed.connect(self.apply_bounds)
            self.bound_fields[name] = field
            bounds.addWidget(QLabel(name), i // 2, 2 * (i % 2))
            bounds.addWidget(field, i // 2, 2 * (i % 2) + 1)
        self.bounds_apply = QPushButton("Apply")
        self.bounds_apply.clicked.connect(self.apply_bounds)
        self.bounds_reset = QPushButton("Surface's own")
        self.bounds_reset.setToolTip("back to the bounds the surface comes with")
        self.bounds_reset.clicked.connect(self.reset_bounds)
        bounds.addWidget(self.bounds_apply, 0, 4)
        bounds.addWidget(self.bounds_reset, 1, 4)
        self.bounds_error = QLabel()
        self.bounds_error.setStyleSheet(ERROR_STYLE)
        self.bounds_error.setWordWrap(True)
        self.bounds_error.hide()

        # --- view options
        self.toggles: dict[str, QCheckBox] = {}
        toggles = QGridLayout()
        for i, (name, text) in enumerate(VIEW_TOGGLES):
            box = QCheckBox(text)
            box.toggled.connect(lambda on, name=name: self._set_view(name, bool(on)))
            self.toggles[name] = box
            toggles.addWidget(box, i // 2, i % 2)
        self.arrows = QComboBox()
        for value, text in ARROWS.items():
            self.arrows.addItem(text, value)
        self.arrows.currentIndexChanged.connect(
            lambda _: self._set_view("arrows", self.arrows.currentData()))
        arrows = QHBoxLayout()
        arrows.addWidget(QLabel("arrows at the heads:"))
        arrows.addWidget(self.arrows, 1)

        self.error = error_label()

        surface_group = QGroupBox("Surface")
        surface_layout = QVBoxLayout(surface_group)
        surface_layout.addWidget(self.catalogue)
        surface_layout.addWidget(self.formula_label)
        surface_layout.addWidget(self.params_box)
        surface_layout.addWidget(QLabel("Your own f(x, y):"))
        surface_layout.addWidget(self.formula)
        surface_layout.addWidget(self.formula_error)
        bounds_group = QGroupBox("View bounds")
        bounds_layout = QVBoxLayout(bounds_group)
        bounds_layout.addLayout(bounds)
        bounds_layout.addWidget(self.bounds_error)
        view_group = QGroupBox("Show")
        view_layout = QVBoxLayout(view_group)
        view_layout.addLayout(toggles)
        view_layout.addLayout(arrows)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(surface_group)
        layout.addWidget(bounds_group)
        layout.addWidget(view_group)
        layout.addWidget(self.error)
        layout.addStretch(1)

        session.sceneChanged.connect(self.sync)
        session.viewChanged.connect(self._sync_view)
        self.sync()

    # ----- mirroring the session -----
    def sync(self, *_) -> None:
        spec = self.session.scene.surface
        surface = self.session.surface
        with QSignalBlocker(self.catalogue):
            self.catalogue.setCurrentIndex(self.catalogue.findData(spec.name))
        self.formula_label.setText(f"f(x, y) = {surface.formula or spec.formula}")
        if spec.name == FORMULA:
            with QSignalBlocker(self.formula):
                self.formula.setText(spec.formula)
        self._build_params(spec)
        (x0, x1), (y0, y1) = self.session.bounds
        for name, value in zip(("xmin", "xmax", "ymin", "ymax"), (x0, x1, y0, y1)):
            with QSignalBlocker(self.bound_fields[name]):
                self.bound_fields[name].setText(f"{value:g}")
                self.bound_fields[name].setStyleSheet("")
        self.bounds_reset.setEnabled(self.session.scene.bounds is not None)
        self._sync_view()

    def _build_params(self, spec: SurfaceSpec) -> None:
        """One spin box per catalogue parameter, its range from the surface's param_ranges."""
        cls = SURFACES.get(spec.name)
        if cls is not None and self._params_name == spec.name:
            # Same surface: update in place (the spin box that caused this may be mid-signal).
            values = {**cls.defaults, **spec.params}
            for name, spin in self.param_spins.items():
                with QSignalBlocker(spin):
                    spin.setValue(values[name])
            return
        self._params_name = spec.name
        while self.params_layout.rowCount():
            self.params_layout.removeRow(0)
        self.param_spins = {}
        if cls is None:
            self.params_box.hide()
            return
        values = {**cls.defaults, **spec.params}
        for name, (low, high) in cls.param_ranges.items():
            spin = QDoubleSpinBox()
            spin.setDecimals(4)
            spin.setRange(low, high)
            spin.setSingleStep((high - low) / 100.0)
            spin.setKeyboardTracking(False)  # apply on Enter / arrows, not on every keystroke
            spin.setValue(values[name])
            spin.valueChanged.connect(lambda _value: self.apply_params())
            self.param_spins[name] = spin
            self.params_layout.addRow(name, spin)
        self.params_box.setVisible(bool(self.param_spins))

    def _sync_view(self, *_) -> None:
        view = self.session.scene.view
        for name, box in self.toggles.items():
            with QSignalBlocker(box):
                box.setChecked(bool(getattr(view, name)))
        with QSignalBlocker(self.arrows):
            self.arrows.setCurrentIndex(max(0, self.arrows.findData(view.arrows)))

    # ----- user edits -----
    def _run(self, label: QLabel, action) -> bool:
        try:
            action()
        except ValueError as error:
            self._show(label, str(error))
            return False
        self._show(label, "")
        return True

    @staticmethod
    def _show(label: QLabel, message: str) -> None:
        label.setText(message)
        label.setVisible(bool(message))

    def _catalogue_chosen(self, row: int) -> None:
        name = self.catalogue.itemData(row)
        if name == FORMULA:
            self.formula.setFocus()
            if self.formula.text().strip():
                self.apply_formula()
            return
        self.choose_surface(name)

    def choose_surface(self, name: str) -> bool:
        """Switch to a catalogue surface with its default parameters and bounds."""
        ok = self._run(self.error, lambda: self.session.set_surface(SurfaceSpec(name=name)))
        if not ok:
            self.sync()
        return ok

    def apply_params(self) -> bool:
        spec = self.session.scene.surface
        params = {name: spin.value() for name, spin in self.param_spins.items()}
        new = SurfaceSpec(name=spec.name, params=params)
        return self._run(self.error, lambda: self.session.set_surface(new, self.session.scene.bounds))

    def apply_formula(self) -> bool:
        """Parse the field; on error point at the spot and keep the current surface."""
        text = self.formula.text()
        if not text.strip():
            self._show(self.formula_error, "type a formula in x and y, e.g. x**2 + 3*y**2")
            return False
        spec = SurfaceSpec(name=FORMULA, formula=text)
        try:
            # Keep the current view: a formula comes without bounds of its own.
            self.session.set_surface(spec, self.session.bounds)
        except ValueError as error:  # FormulaError names the character it stopped at
            position = error.position if isinstance(error, FormulaError) else None
            self._show(self.formula_error, caret_message(text, position, str(error)))
            if position is not None:
                start = max(0, min(int(position), len(text) - 1))
                self.formula.setFocus()
                self.formula.setSelection(start, 1)
            with QSignalBlocker(self.catalogue):
                self.catalogue.setCurrentIndex(
                    self.catalogue.findData(self.session.scene.surface.name))
            return False
        self._show(self.formula_error, "")
        return True

    def apply_bounds(self) -> bool:
        values = []
        for name, field in self.bound_fields.items():
            try:
                values.append(float(field.text()))
                field.setStyleSheet("")
            except ValueError:
                field.setStyleSheet(ERROR_STYLE)
                self._show(self.bounds_error, f"{name}: {field.text()!r} is not a number")
                return False
        x0, x1, y0, y1 = values
        ok = self._run(self.bounds_error, lambda: self.session.set_bounds(((x0, x1), (y0, y1))))
        if ok:
            self.bounds_reset.setEnabled(self.session.scene.bounds is not None)
        return ok

    def reset_bounds(self) -> bool:
        spec = self.session.scene.surface
        return self._run(self.bounds_error, lambda: self.session.set_surface(spec, None))

    def _set_view(self, name: str, value) -> None:
        self._run(self.error, lambda: self.session.set_view_option(name, value))
