"""The selected optimizer's update rule, written out with the current step's numbers filled in.

At step t the head sits at θ_t; the readout shows the update that takes it to θ_{t+1}, i.e.
trajectory.states[t] (so a lecturer can stop on a point and explain where it goes next).
"""
from __future__ import annotations

import html
import math
import re

import numpy as np
from PyQt6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PyQt6.QtGui import (
    QAbstractTextDocumentLayout,
    QAction,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPalette,
    QTextCursor,
    QTextDocument,
)
from PyQt6.QtWidgets import QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from valley.app.model.race import OUTCOME_COLOURS
from valley.app.theme import THEMES, Theme, readable_text_on
from valley.core.optimizers import OPTIMIZERS
from valley.core.outcome import outcome_text, run_outcome

# DejaVu Sans, the usual sans font on Linux, drops the combining hat over r (r̂ showed as r,
# next to r on the same line); its serif sibling draws it.
COMBINING_HAT = re.compile("(\\w\u0302)")
HAT_IN_A_FONT_THAT_DRAWS_IT = "<span style='font-family:\"DejaVu Serif\",serif'>\\1</span>"
MIN_FONT_SCALE = 0.7  # the readout may shrink its type to this share of the theme's to fit
ADAM_LIKE = {"adam", "amsgrad", "adamw", "nadam"}
NEWTON_LIKE = {"newton", "damped_newton", "saddle_free_newton"}
# What a lecturer says about a run that stopped where the gradient vanished but not in a valley.
OUTCOME_EXPLANATIONS = {
    "saddle": " The gradient is zero but H has eigenvalues of both signs: this is not a minimum.",
    "maximum": " The gradient is zero but every eigenvalue of H is negative: a maximum.",
    "degenerate": " The gradient is zero but H has a zero eigenvalue: the Hessian cannot tell.",
}


def num(value, digits: int = 4, signed: bool = True) -> str:
    """One number, signed, fixed width enough to line up in monospace.

    Very small and very large values in short scientific notation as the slides write
    them (ε = 1e−8, not 0.00000 or 1.000e−08)."""
    value = float(value)
    if not np.isfinite(value):
        return "NaN" if np.isnan(value) else ("+∞" if value > 0 else "−∞")
    sign = "+" if signed else ""
    if abs(value) < 1e5 and (value == 0 or abs(value) >= 1e-3):
        text = f"{value:{sign}.{digits}g}"
    else:
        mantissa, exponent = f"{value:{sign}.{digits - 1}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", "−")


def vec(values, digits: int = 4, inline: bool = False) -> str:
    """A column vector: one component per line (narrow, and how the slides write it);
    inline, "(a, b)" on one line, for a readout short of height."""
    if values is None:
        return "—"
    values = np.asarray(values, float).reshape(-1)
    if inline:
        return "(" + ",&nbsp;".join(num(v, digits) for v in values) + ")"
    return "<br>".join(num(v, digits) for v in values)


def mat(values, digits: int = 4, inline: bool = False) -> str:
    """A matrix as a grid, one line per row, columns aligned (monospace), in brackets;
    inline, "[a, b; c, d]" on one line (for plain-text exports)."""
    m = np.asarray(values, float)
    if m.ndim != 2:
        return vec(m, digits, inline)
    cells = [[num(v, digits) for v in row] for row in m]
    if inline:
        return "[" + ";&nbsp;".join(",&nbsp;".join(row) for row in cells) + "]"
    widths = [max(len(row[c]) for row in cells) for c in range(m.shape[1])]
    lines = ["&nbsp;&nbsp;".join(cell.rjust(w).replace(" ", "&nbsp;") for cell, w in zip(row, widths))
             for row in cells]
    return "<br>".join(f"[{line}]" for line in lines)


class DocumentLabel(QWidget):
    """Rich text that is laid out once per new text: a light QLabel for text that changes
    every frame.

    A word-wrapped rich-text QLabel lays its text out again for every size hint and width
    a scroll area asks about (several per setText) and once more to paint, which made the
    readout the costliest widget of a playing frame. This widget keeps one QTextDocument at
    its own width, asks its layout for a new geometry only when the text's height changed,
    and paints that document. Text stays selectable with the mouse and copyable (Ctrl+C or
    the context menu), as with QLabel's TextSelectableByMouse.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.document = QTextDocument(self)
        self.document.setUndoRedoEnabled(False)
        self.document.setDefaultFont(self.font())
        self._html = ""
        self._height = 0
        self._selection: QTextCursor | None = None
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setCursor(Qt.CursorShape.IBeamCursor)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        copy = QAction("Copy", self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy)
        select_all = QAction("Select all", self)
        select_all.triggered.connect(self.select_all)
        self.addActions([copy, select_all])

    # ----- text -----
    def text(self) -> str:
        return self._html

    def setText(self, text: str) -> None:
        if text == self._html:
            return  # nothing to lay out or repaint
        self._html = text
        self._selection = None
        self.document.setHtml(text)  # in the default font changeEvent keeps
        self.document.setTextWidth(max(1, self.width()))
        self._height_may_have_changed()
        self.update()

    def setMargin(self, margin: int) -> None:
        self.document.setDocumentMargin(margin)
        self._height_may_have_changed()

    def selectedText(self) -> str:
        if self._selection is None or not self._selection.hasSelection():
            return ""
        return self._selection.selection().toPlainText()

    def copy(self) -> None:
        text = self.selectedText()
        if text:
            QGuiApplication.clipboard().setText(text)

    def select_all(self) -> None:
        self._selection = QTextCursor(self.document)
        self._selection.select(QTextCursor.SelectionType.Document)
        self.update()

    # ----- geometry -----
    def _height_may_have_changed(self) -> None:
        height = math.ceil(self.document.size().height())
        if height != self._height:
            self._height = height
            self.updateGeometry()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if width != round(self.document.textWidth()):
            self.document.setTextWidth(max(1, width))
        return math.ceil(self.document.size().height())

    def sizeHint(self) -> QSize:
        width = max(self.width(), 200)
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(8 * self.fontMetrics().averageCharWidth(), 0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.document.setTextWidth(max(1, self.width()))
        self._height_may_have_changed()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # not per text: it lays the old text out again
            self.document.setDefaultFont(self.font())
            self._height_may_have_changed()
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            self.update()

    # ----- painting and selection -----
    def paintEvent(self, event) -> None:
        if round(self.document.textWidth()) != max(1, self.width()):
            self.document.setTextWidth(max(1, self.width()))
        painter = QPainter(self)
        context = QAbstractTextDocumentLayout.PaintContext()
        palette = QPalette(self.palette())
        palette.setColor(QPalette.ColorRole.Text, self.palette().color(QPalette.ColorRole.WindowText))
        context.palette = palette
        context.clip = QRectF(event.rect())
        if self._selection is not None and self._selection.hasSelection():
            selection = QAbstractTextDocumentLayout.Selection()
            selection.cursor = self._selection
            selection.format.setBackground(palette.brush(QPalette.ColorRole.Highlight))
            selection.format.setForeground(palette.brush(QPalette.ColorRole.HighlightedText))
            context.selections = [selection]
        painter.setClipRect(event.rect())
        self.document.documentLayout().draw(painter, context)
        painter.end()

    def _position_at(self, point) -> int:
        hit = self.document.documentLayout().hitTest(QPointF(point), Qt.HitTestAccuracy.FuzzyHit)
        return max(0, hit)

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        self._selection = QTextCursor(self.document)
        self._selection.setPosition(self._position_at(event.position()))
        self.update()

    def mouseMoveEvent(self, event) -> None:
        if self._selection is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return super().mouseMoveEvent(event)
        self._selection.setPosition(self._position_at(event.position()),
                                    QTextCursor.MoveMode.KeepAnchor)
        self.update()

    def mouseDoubleClickEvent(self, event) -> None:
        self._selection = QTextCursor(self.document)
        self._selection.setPosition(self._position_at(event.position()))
        self._selection.select(QTextCursor.SelectionType.WordUnderCursor)
        self.update()


class Readout(QWidget):
    """A rich-text panel that follows session.step and session.selected."""

    def __init__(self, session, theme: Theme | None = None, parent=None):
        super().__init__(parent)
        self.session = session
        self.theme = theme or THEMES[session.scene.view.theme]
        self.label = DocumentLabel(self)
        self.label.setObjectName("readout")
        self.label.setMargin(8)
        # Vectors stand as columns, as on the slides, unless that makes the readout taller than
        # its room (presentation mode on a 1280×720 projector): then each sits on one line.
        # A panel too narrow for a name beside its value puts the value under the name
        # ("stacked"): names never break inside a word.
        self.mode = "columns"
        self.compact = False
        self.font_pt = self.theme.font_size + 1
        self._fit_key = None
        self.scroll = scroll = QScrollArea(self)
        scroll.setWidget(self.label)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        session.timeline.stepChanged.connect(lambda _: self.refresh())
        session.selectionChanged.connect(lambda _: self.refresh())
        session.resultsChanged.connect(lambda _: self.refresh())
        session.optimizersChanged.connect(self.refresh)
        session.sceneChanged.connect(self.refresh)
        self.apply_theme(self.theme)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.refresh()

    # ----- content -----
    def state_at(self, t: int | None = None) -> tuple[dict | None, int]:
        """The recorded state of the update taken from θ_t, and the index used."""
        index = self.session.selected
        if index < 0 or index >= len(self.session.trajectories):
            return None, -1
        traj = self.session.trajectories[index]
        if traj is None or not len(traj.states):
            return None, -1
        t = self.session.step if t is None else t
        k = min(t, len(traj.states) - 1)
        return traj.states[k], k

    def refresh(self) -> None:
        self._choose_layout()
        self.label.setText(self.html())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.refresh()

    def _set_mode(self, mode: str, pt: int) -> None:
        self.mode, self.font_pt = mode, pt
        self.compact = mode != "columns"

    def _choose_layout(self) -> None:
        """Columns at the theme's size when they fit the panel; else one-line vectors (no rule
        line, title and step on one line), then smaller type down to a floor; a panel too
        narrow for names beside values gets values under their names.

        Decided when the racer, run, size or theme change, not every frame: measuring lays
        the text out once per candidate."""
        index = self.session.selected
        trajectories = self.session.trajectories
        traj = trajectories[index] if 0 <= index < len(trajectories) else None
        # The scroll area's own size (it has no frame), not its viewport's: the viewport narrows
        # when the scroll bar shows, which a choice made on it would undo, and so on.
        width, height = self.scroll.width(), self.scroll.height()
        key = (index, id(traj), width, height, self.theme)
        if key == self._fit_key:
            return
        self._fit_key = key
        base = self.theme.font_size + 1
        self._set_mode("columns", base)
        if height < 40 or traj is None:  # not laid out yet
            return
        floor = max(9, round(self.theme.font_size * MIN_FONT_SCALE))
        candidates = ([("columns", base)] + [("inline", pt) for pt in range(base, floor - 1, -1)]
                      + [("stacked", pt) for pt in range(base, floor - 1, -1)])
        probe = QTextDocument()
        probe.setDefaultFont(self.label.font())
        probe.setDocumentMargin(self.label.document.documentMargin())
        probe.setTextWidth(max(1, width))
        for mode, pt in candidates:
            self._set_mode(mode, pt)
            probe.setHtml(self.html())
            if probe.size().height() <= height and probe.idealWidth() <= width:
                return
        # Nothing fits the height: it scrolls, so the width left beside the scroll bar must hold
        # the widest line; the first candidate whose lines fit it, at the largest type.
        room = width - self.scroll.verticalScrollBar().sizeHint().width()
        probe.setTextWidth(max(1, room))
        for mode, pt in candidates:
            self._set_mode(mode, pt)
            probe.setHtml(self.html())
            if probe.idealWidth() <= room:
                return

    def _vec(self, values, digits: int = 4) -> str:
        # one line per vector: three significant digits keep two components on one line
        return vec(values, min(digits, 3) if self.compact else digits, inline=self.compact)

    def _mat(self, values, digits: int = 4) -> str:
        # a matrix stays a grid even in one-line mode: two short lines read as H, one long one did not
        return mat(values, min(digits, 3) if self.compact else digits)

    def html(self) -> str:
        session, theme = self.session, self.theme
        index = session.selected
        if index < 0 or index >= len(session.scene.optimizers):
            return f"<p style='color:{theme.muted}'>Select an optimizer to see its update rule.</p>"
        spec = session.scene.optimizers[index]
        traj = session.trajectories[index]
        t = session.step
        # double quotes inside: the style attribute itself is single-quoted
        mono = 'font-family:"DejaVu Sans Mono","Menlo","Consolas",monospace'
        rows: list[tuple[str, str]] = []
        colour = readable_text_on(spec.color, theme.background)
        name = spec.label or OPTIMIZERS[spec.kind].title  # "Saddle-free Newton", not its key
        head = f"<span style='color:{colour};font-weight:bold'>■ {html.escape(name)}</span>"
        if traj is None:
            return head
        last = len(traj.points) - 1
        k_point = min(t, last)
        theta = traj.points[k_point]
        state, k = self.state_at(t)
        rows.append(("θ<sub>t</sub>", self._vec(theta)))
        rows.append(("f(θ<sub>t</sub>)", num(traj.losses[k_point], 6)))
        notes: list[str] = []
        if t >= last or state is None:
            kind, _ = run_outcome(traj, session.surface)
            if kind == "running":
                notes.append(f"All {last} steps ran; not converged yet.")
            else:
                status = outcome_text(traj, session.surface, step_word="step ")
                # the outcome's own colour (green only for a minimum), never the accent's red
                ended = readable_text_on(OUTCOME_COLOURS.get(kind, theme.foreground), theme.background)
                notes.append(f"The run is over: <b style='color:{ended}'>{html.escape(status)}</b>."
                             + OUTCOME_EXPLANATIONS.get(kind, ""))
        if state is not None and t < last:
            rows += self._rule_rows(spec, state, k)
            rows.append(("θ<sub>t+1</sub> = θ<sub>t</sub> + Δθ", self._vec(traj.points[k + 1])))
            notes += self._flag_notes(spec.kind, state)
        title_step = (f"update {t + 1}: θ<sub>{t}</sub> → θ<sub>{t + 1}</sub>" if t < last
                      else f"step {t}")
        rule = "" if self.compact else self._rule_text(spec.kind)  # the rows spell it out
        size = self.font_pt
        if self.compact:
            body = [f"<div style='font-size:{size + 1}pt'>{head}&nbsp;&nbsp;<span style='"
                    f"font-size:{size}pt;color:{theme.muted}'>{title_step}</span></div>"]
        else:
            body = [f"<div style='font-size:{size + 2}pt'>{head}</div>"
                    f"<div style='font-size:{size}pt;color:{theme.muted}'>{title_step}</div>"]
        if rule:
            body.append(f"<div style='font-size:{size}pt;color:{theme.muted};margin-top:4px'>{rule}</div>")
        gap = 0 if self.compact else 4  # px under each row
        table = [f"<table cellspacing='0' cellpadding='{1 if self.compact else 2}' "
                 f"style='font-size:{size}pt;margin-top:6px'>"]
        for name, value in rows:
            # non-breaking: a name wraps never, let alone inside a word ("eigen / value / s")
            name = name.replace(" ", "&nbsp;")
            if self.mode == "stacked":
                table.append(f"<tr><td colspan='2' style='white-space:nowrap'>{name}</td></tr>"
                             f"<tr><td></td><td align='right' style='{mono};padding-bottom:{gap + 2}px;"
                             f"white-space:nowrap'>{value}</td></tr>")
                continue
            table.append(f"<tr><td style='padding-right:12px;padding-bottom:{gap}px;white-space:nowrap'>"
                         f"{name}</td>"
                         f"<td align='right' style='{mono};padding-bottom:{gap}px;white-space:nowrap'>"
                         f"{value}</td></tr>")
        table.append("</table>")
        body.append("".join(table))
        for note in notes:
            body.append(f"<p style='font-size:{size}pt;color:{theme.accent};margin-top:6px'>{note}</p>")
        return COMBINING_HAT.sub(HAT_IN_A_FONT_THAT_DRAWS_IT, "".join(body))

    def _rule_text(self, kind: str) -> str:
        """The rule as the optimizer's class writes it."""
        return html.escape(OPTIMIZERS[kind].rule)

    def _rule_rows(self, spec, state: dict, k: int) -> list[tuple[str, str]]:
        kind = spec.kind
        defaults = {h.name: h.default for h in OPTIMIZERS[kind].hyperparameter_specs()}
        hp = {**defaults, **spec.hyperparameters, **{key: state[key] for key in ("lr",) if key in state}}
        rows: list[tuple[str, str]] = []
        lr = hp.get("lr")
        # What the optimizer used is not ∇f when noise (simulated mini-batches) or clipping
        # changed it: the readout says so, and writes the noisy one ĝ in every rule.
        noisy = float(hp.get("noise") or 0.0) > 0
        clipped = hp.get("clip_norm") is not None or hp.get("clip_value") is not None
        gs = "ĝ" if noisy else "g"
        eps = hp.get("eps")

        def get(*keys):
            for key in keys:
                if key in state and state[key] is not None:
                    return state[key]
            return None

        g = get("g", "gradient")
        if g is not None:
            where = "∇f(θ<sub>t</sub> + μv)" if kind == "nesterov" else "∇f(θ<sub>t</sub>)"
            if noisy:
                where += " + noise"
            if clipped:
                where = f"clip({where})"
            rows.append((f"{gs} = {where}", self._vec(g)))
        if lr is not None and eps is not None:
            rows.append(("lr now, ε", f"{num(lr, signed=False)},&nbsp;{num(eps, 3, signed=False)}"))
        elif lr is not None:
            rows.append(("lr now", num(lr, signed=False)))
        t_count = get("t")
        t_label = int(t_count) if t_count is not None else k + 1
        if kind in ADAM_LIKE:
            b1, b2 = hp.get("beta1", 0.9), hp.get("beta2", 0.999)
            rows += [(f"s ← {b1:g}·s + {1 - b1:g}·{gs}", self._vec(get("s"))),
                     (f"r ← {b2:g}·r + {1 - b2:g}·{gs}²", self._vec(get("r", "v")))]
            rows += [(f"ŝ = s / (1 − {b1:g}<sup>{t_label}</sup>)", self._vec(get("s_hat", "m_hat")))]
            if kind == "amsgrad" and get("m") is not None:
                rows += [("m ← max(m, r)", self._vec(get("m"))),
                         (f"r̂ = m / (1 − {b2:g}<sup>{t_label}</sup>)", self._vec(get("r_hat")))]
            else:
                rows.append((f"r̂ = r / (1 − {b2:g}<sup>{t_label}</sup>)", self._vec(get("r_hat", "v_hat"))))
            rows += [
                     ("Δθ = −lr·ŝ / (√r̂ + ε)", self._vec(get("delta")))]
        elif kind in ("momentum", "nesterov"):
            mu = hp.get("momentum", 0.9)
            rows += [(f"v ← {mu:g}·v − lr·{gs}", self._vec(get("v", "velocity"))),
                     ("Δθ = v", self._vec(get("delta", "v")))]
        elif kind == "adagrad":
            rows += [(f"r ← r + {gs}²", self._vec(get("r"))),
                     (f"Δθ = −lr·{gs} / (ε + √r)", self._vec(get("delta")))]
        elif kind == "rmsprop":
            rho = hp.get("rho", 0.9)
            rows += [(f"r ← {rho:g}·r + {1 - rho:g}·{gs}²", self._vec(get("r"))),
                     (f"Δθ = −lr·{gs} / √(ε + r)", self._vec(get("delta")))]
        elif kind == "adadelta":
            rho = hp.get("rho", 0.9)
            rows += [(f"r ← {rho:g}·r + {1 - rho:g}·{gs}²", self._vec(get("r"))),
                     (f"Δ = −√(u + ε)/√(r + ε)·{gs}", self._vec(get("step", "update", "Delta"))),
                     (f"u ← {rho:g}·u + {1 - rho:g}·Δ²", self._vec(get("u"))),
                     ("Δθ = lr·Δ", self._vec(get("delta")))]
        elif kind in NEWTON_LIKE:
            H = get("H", "hessian")
            if H is not None:
                rows.append(("H = ∇²f(θ<sub>t</sub>)", self._mat(H)))
            eig = get("eigenvalues")
            if eig is not None:
                rows.append(("eigenvalues of H", self._vec(eig)))
            name = {"newton": f"H⁻¹{gs}", "damped_newton": f"(H + λI)⁻¹{gs}",
                    "saddle_free_newton": f"|H|⁻¹{gs}"}[kind]
            # core records newton_step = −(matrix)⁻¹g, the direction before lr
            direction = get("newton_step")
            delta = get("delta")
            solved = -np.asarray(direction, float) if direction is not None else (
                -np.asarray(delta, float) / float(lr) if delta is not None and lr else None)
            if solved is not None:
                rows.append((name, self._vec(solved)))
            rows.append((f"Δθ = −lr·{name}", self._vec(delta) if delta is not None else "—"))
        elif kind == "newton_cg":
            iterations = get("cg_iterations")
            if iterations is not None:
                rows.append(("CG steps (H·v products)", str(int(np.max(iterations)))))
            direction = get("newton_step")
            if direction is not None:
                rows.append((f"(H + λI)⁻¹{gs} by CG", self._vec(-np.asarray(direction, float))))
            rows.append((f"Δθ = −lr·(H + λI)⁻¹{gs}", self._vec(get("delta")) if get("delta") is not None else "—"))
        else:
            rows.append((f"Δθ = −lr·{gs}", self._vec(get("delta")) if get("delta") is not None else "—"))
        return rows

    def _flag_notes(self, kind: str, state: dict) -> list[str]:
        notes = []
        eig = state.get("eigenvalues")
        flags = state.get("flags") or ()
        if isinstance(flags, str):
            flags = (flags,)
        flags = {str(f).lower() for f in flags}
        if eig is not None and kind in NEWTON_LIKE:
            eig = np.asarray(eig, float)
            if np.isfinite(eig).all() and eig.min() < 0 < eig.max():
                if kind == "newton":
                    notes.append("H is indefinite: Newton heads for the saddle.")
                elif kind == "saddle_free_newton":
                    notes.append("H is indefinite: |H| flips the negative curvature, so the step "
                                 "goes downhill and escapes the saddle.")
                else:
                    notes.append("H is indefinite: damping alone may not turn the step downhill.")
            elif np.isfinite(eig).all() and eig.max() < 0 and kind == "newton":
                notes.append("H is negative definite: Newton heads for the maximum.")
        for flag in sorted(flags):
            if "singular" in flag:
                notes.append("H is singular: Newton takes the least-squares step.")
            elif "floored" in flag:
                notes.append("Some |eigenvalues| were below λ and were raised to λ.")
            elif "clip" in flag:
                notes.append("The gradient was clipped.")
            elif "negative curvature" in flag:
                notes.append("CG met negative curvature: it kept the step it had (truncated Newton).")
        return notes
