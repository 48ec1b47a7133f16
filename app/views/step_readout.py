"""Step-through text: the numbers of the current backpropagation phase, written as the slides do."""
from __future__ import annotations

import html
import math

import numpy as np
from PyQt6.QtGui import QTextDocument
from PyQt6.QtWidgets import QTextBrowser

from valley.app.model.playground import MAXOUT_STEP_THROUGH
from valley.app.views.diverging import fmt
from valley.app.views.network_diagram import feature_label, neuron_name
from valley.app.views.readout import num
from valley.core.optimizers import OPTIMIZERS

MAX_LISTED = 8  # neurons / weights listed per layer before "…"
SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "linear": "", "step": "step",
          "leaky_relu": "LReLU", "elu": "ELU", "swish": "swish", "softplus": "softplus", "softmax": "softmax"}


def update_parts(old: float, change: float) -> tuple[str, str, str]:
    """old, |Δw| and new as the slide writes .1 + .0004 = .1004: old and new with as many
    decimals as the change needs to show, at least four (three significant digits made it
    "0.1 → 0.1")."""
    new = old + change
    if not (np.isfinite(old) and np.isfinite(change)):
        return fmt(old), fmt(abs(change)), fmt(new)
    decimals = 4 if change == 0 else min(8, max(4, -math.floor(math.log10(abs(change)))))

    def short(v: float) -> str:
        text = f"{v:.{decimals}f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text

    return short(old), fmt(abs(change)), short(new)


def updated(old: float, change: float) -> str:
    """"old + Δw = new", the update written out."""
    before, size, after = update_parts(old, change)
    return f"{before} {'−' if change < 0 else '+'} {size} = {after}"


def delta_name(n: str, single_output: bool) -> str:
    """δ as the slides write it: δ alone for the one output, δh₁ for a neuron among several."""
    return "δ" if single_output and n == "o" else f"δ{n}"


def note_paragraphs(example, phase, step: int) -> tuple[tuple[str, ...], ...]:
    """The parts of a worked example's description that go with this phase, whole paragraphs
    only, as choices from the fullest to the shortest: the setup with the inputs; with the
    updates the setup (its numbers) and the slide's slip, or the slip alone; what follows
    (the next step) with the next step's inputs."""
    paragraphs = [p for p in example.description.split("\n") if p.strip()]
    if not paragraphs:
        return ()
    starts = phase.kind == "forward" and phase.layer == 0
    if starts and step == 0:
        return ((paragraphs[0],),)
    if starts:
        return (tuple(paragraphs[2:]),) if len(paragraphs) > 2 else ()
    if phase.kind == "update" and step == 0:
        return (tuple(paragraphs[:2]), (paragraphs[1],)) if len(paragraphs) > 1 else ((paragraphs[0],),)
    return ()


def optimizer_title(kind: str) -> str:
    cls = OPTIMIZERS.get(kind)
    return cls.title if cls is not None else kind


def vector(values) -> str:
    return "(" + ", ".join(fmt(float(v)) for v in values) + ")"


def term(v: float) -> str:
    """A factor in a product: negative numbers in parentheses, as the slides write w·x."""
    return f"({fmt(v)})" if v < 0 else fmt(v)


def perceptron_lines(session, phase, rec) -> list[str]:
    """Rosenblatt's rule in the slides' terms: s = w·x, o = step(s), t − o, w ← w + α(t − o)x.

    Weights are written bias first, w = (w0, w1, …) with the bias input x0 = 1, as in the
    slide 003 table.
    """
    net = session.network
    x = np.concatenate([[1.0], rec.a[0][0]])
    t, n_out = rec.T[0], net.weights[0].shape[0]
    names = [f"o{j + 1}" if n_out > 1 else "o" for j in range(n_out)]
    out: list[str] = []
    if phase.kind == "forward" and phase.layer == 0:
        out.append("x = (x0, " + ", ".join(f"x{i}" for i in range(1, len(x))) + f") = {vector(x)}")
        out.append("target t = " + ", ".join(fmt(v) for v in t))
    elif phase.kind == "forward":
        for j in range(n_out):
            w = np.concatenate([[net.biases[0][j]], net.weights[0][j]])
            s, o = rec.z[1][0, j], rec.a[1][0, j]
            terms = " + ".join(f"{term(w[i])}·{fmt(x[i])}" for i in range(min(len(x), MAX_LISTED)))
            out.append(f"w = {vector(w)}")
            out.append(f"s = w·x = {terms}{' + …' if len(x) > MAX_LISTED else ''} = {fmt(s)}")
            out.append(f"{names[j]} = step(s) = step({fmt(s)}) = {fmt(o)}   (1 if s > 0, else 0)")
    elif phase.kind == "error":
        for j in range(n_out):
            o = rec.a[1][0, j]
            verdict = "correct: w stays" if t[j] == o else "wrong: w moves"
            out.append(f"t − {names[j]} = {fmt(t[j])} − {fmt(o)} = {fmt(t[j] - o)}   ({verdict})")
    elif phase.kind == "update":
        state = session.rule_state()
        if state is None:
            out.append("This is the last recorded step: no update follows.")
            if session.history.reason:
                out.append(f"Training stopped: {session.history.reason}.")
            return out
        lr = state["lr"]
        out.append(f"update {session.step + 1} (epoch {state['epoch']}): sample {state['sample'] + 1}, "
                   f"x = {vector(state['x'])}, α = {fmt(lr)}")
        for j in range(len(state["t"])):
            e, w, dw, new = state["error"][j], state["w"][j], state["delta_w"][j], state["new_w"][j]
            out.append(f"Δw = α(t − o)x = {fmt(lr)}·({fmt(state['t'][j])} − {fmt(state['o'][j])})·"
                       f"{vector(state['x'])} = {vector(dw)}")
            out.append(f"w ← w + Δw = {vector(w)} + {vector(dw)} = {vector(new)}")
            if e == 0:
                out.append("o was right: Δw = 0, the weights stay.")
    return out


LOSS_NAMES = {"mse": "MSE", "cross_entropy": "cross-entropy"}
MIN_FONT_SCALE = 0.7  # the text may shrink to this share of its size to fit without scrolling
MOST_OF_THE_WINDOW = 0.4  # the step-through asks for at most this share of the window's height


class StepReadout(QTextBrowser):
    """Shows the phase title and its equations with the live numbers; empty when step-through is off.

    The text fits its room without a scroll bar where it can: smaller type down to a floor,
    long lists in two columns, and a worked example's note (whole paragraphs or nothing)
    left out last. It asks the splitter above it for the room the busiest phase of the
    current step needs, so the diagram keeps one size while a lecturer steps through a pass.
    """

    def __init__(self, session, parent=None, theme=None):
        super().__init__(parent)
        self.session = session
        self.theme = theme
        self.setOpenLinks(False)
        self.setMinimumHeight(120)
        self.font_pt = self._base_pt()
        self.columns = 1
        self.note: tuple[str, ...] = ()  # the paragraphs shown
        self._content = ("", [], ())
        self._need_key = None
        self._set_style(theme)
        for signal in (session.phaseChanged, session.timeline.stepChanged, session.resultsChanged,
                       session.sampleChanged, session.networkChanged, session.probeChanged):
            signal.connect(self.refresh)
        self.refresh()

    def _base_pt(self) -> int:
        return self.theme.font_size + 2 if self.theme is not None else 13

    def _set_style(self, theme) -> None:
        light = theme is not None and theme.name == "light"
        note = "#7a5c00" if light else "#e0b84a"  # amber that keeps its contrast on either background
        self.document().setDefaultStyleSheet(f"p {{ margin: 0 0 4px 0; }} .note {{ color: {note}; }}")

    def apply_theme(self, theme) -> None:
        self.theme = theme
        self._set_style(theme)
        self._need_key = None
        self.refresh()

    def lines(self, phase=None, compact: bool = False) -> tuple[str, list[str]]:
        """(title, lines) of the current phase (or `phase`) in plain text (tests read these).

        `compact` writes a weight update as "old → new" only, for when a layer has more weights
        than fit written out: the diagram shows each Δw on its edge."""
        session = self.session
        phase = session.current_phase if phase is None else phase
        if phase is None:
            return "", []
        rec = session.pass_record()
        net = session.network
        sizes = session.sizes
        L = len(sizes) - 1
        row = 0  # the readout follows the first row of the selection (the selected sample)
        def name(layer, j):
            return neuron_name(layer, j, L, sizes[-1])

        a = [x[row] for x in rec.a]
        out: list[str] = []
        if session.perceptron:
            return phase.title, perceptron_lines(session, phase, rec)
        if phase.kind == "forward" and phase.layer == 0:
            labels = [feature_label(n) for n in session.input_names]
            out.append(", ".join(f"{labels[i] if i < len(labels) else name(0, i)} = {fmt(a[0][i])}"
                                 for i in range(min(sizes[0], MAX_LISTED))))
            out.append("target t = " + ", ".join(fmt(v) for v in rec.T[row]))
        elif phase.kind == "forward":
            l = phase.layer
            act = net.activation_of(l).name
            f = SYMBOL.get(act, act)
            W, b = net.weights[l - 1], net.biases[l - 1]
            prev = [name(l - 1, i) if l > 1 else feature_label(session.input_names[i])
                    if i < len(session.input_names) else name(0, i) for i in range(sizes[l - 1])]
            for j in range(min(sizes[l], MAX_LISTED)):
                if sizes[l - 1] <= 3:
                    terms = " + ".join(f"{fmt(W[j, i])}·{fmt(a[l - 1][i])}" for i in range(sizes[l - 1]))
                    z = f"{terms} + {fmt(b[j])}"
                else:
                    z = f"Σ w·{prev[0][0]} + b"
                out.append(f"{name(l, j)} = {f}({z}) = {f}({fmt(rec.z[l][row, j])}) = {fmt(a[l][j])}")
            if sizes[l] > MAX_LISTED:
                out.append("…")
        elif phase.kind == "error":
            o, t = a[L], rec.T[row]
            for k in range(min(sizes[L], MAX_LISTED)):
                out.append(f"{name(L, k)} = {fmt(o[k])}, t = {fmt(t[k])}: t − {name(L, k)} = {fmt(t[k] - o[k])}")
            out.append(f"loss E ({LOSS_NAMES.get(net.loss_name, net.loss_name.replace('_', ' '))})"
                       f" = {fmt(rec.loss)}")
        elif phase.kind == "delta":
            l = phase.layer
            act = net.activation_of(l).name
            delta = -rec.delta[l][row]  # the slides' sign: δ = −∂E/∂z
            for j in range(min(sizes[l], MAX_LISTED)):
                n = name(l, j)
                d = delta_name(n, sizes[L] == 1)
                v = a[l][j]
                if l == L and act == "sigmoid" and net.loss_name == "mse":
                    t = rec.T[row, j]
                    out.append(f"{d} = {n}(1 − {n})(t − {n}) = {fmt(v)}·{fmt(1 - v)}·{fmt(t - v)}"
                               f" = {fmt(delta[j])}")
                elif l == L:
                    out.append(f"{d} = −∂E/∂z = {fmt(delta[j])}")
                else:
                    W = net.weights[l]
                    ks = range(sizes[l + 1])
                    after = -rec.delta[l + 1][row]
                    if sizes[l + 1] <= 3:
                        total = " + ".join(f"{fmt(W[k, j])}·{fmt(after[k])}" for k in ks)
                    else:
                        total = "Σ w·δ"
                    deriv = f"{n}(1 − {n})" if act == "sigmoid" else f"{SYMBOL.get(act, act)}′(z)"
                    out.append(f"{d} = {deriv}·({total}) = {fmt(delta[j])}")
            if sizes[l] > MAX_LISTED:
                out.append("…")
        elif phase.kind == "update":
            if rec.update_weights is None:
                out.append("This is the last recorded step: no update follows.")
            else:
                opt = session.spec.optimizer
                cls = OPTIMIZERS.get(opt.kind)
                own = {h.name: h.default for h in cls.hyperparameters} if cls is not None else {}
                hyper = ", ".join(f"{k} = {num(v, 3, signed=False) if isinstance(v, float) else v}"
                                  for k, v in {**own, **opt.hyperparameters}.items() if v is not None)
                out.append(f"{optimizer_title(opt.kind)} ({hyper}): w ← w + Δw"
                           + ("  (Δw on the edges)" if compact else ""))
                listed = 0
                for l in range(L, 0, -1):
                    W, dW, db = net.weights[l - 1], rec.update_weights[l - 1], rec.update_biases[l - 1]
                    for j in range(sizes[l]):
                        for i in range(sizes[l - 1] + 1):
                            if listed >= 2 * MAX_LISTED:
                                break
                            source = "bias" if i == sizes[l - 1] else name(l - 1, i)
                            old = net.biases[l - 1][j] if i == sizes[l - 1] else W[j, i]
                            d = db[j] if i == sizes[l - 1] else dW[j, i]
                            if compact:
                                before, _, after = update_parts(old, d)
                                out.append(f"w({name(l, j)} ← {source}): {before} → {after}")
                            else:
                                out.append(f"w({name(l, j)} ← {source}) = {updated(old, d)}")
                            listed += 1
                if listed >= 2 * MAX_LISTED:
                    out.append("…")
        return phase.title, out

    # ----- showing -----
    def _room(self) -> tuple[int, int]:
        """Width and height inside the frame, scroll bar or not (it must not undo the choice)."""
        rect = self.contentsRect()
        return rect.width(), rect.height()

    def _html(self, title: str, lines: list[str], note: tuple[str, ...], pt: int, columns: int) -> str:
        index = self.session.phase + 1
        total = len(self.session.phases())
        head = (f"<p style='font-size:{pt + 2}pt;font-weight:bold'>{index}/{total} · {html.escape(title)} "
                f"<span style='font-weight:normal'>(step {self.session.step})</span></p>")
        split = columns > 1 and len(lines) > 3
        first = lines[:1] if split else lines
        body = "<br>".join(html.escape(line) for line in first)
        if split:  # a heading line, then the list in columns, read down each
            rest = lines[1:]
            per = -(-len(rest) // columns)
            cells = ["<br>".join(html.escape(line) for line in rest[c * per:(c + 1) * per])
                     for c in range(columns)]
            body += ("<table cellspacing='0' cellpadding='0'><tr>"
                     + "".join(f"<td style='padding-right:28px;white-space:nowrap'>{cell}</td>" for cell in cells)
                     + "</tr></table>")
        text = f"<div style='font-size:{pt}pt'>{head}<p>{body}</p>"
        for paragraph in note:
            text += f"<p class='note'>{html.escape(paragraph)}</p>"
        return text + "</div>"

    def _probe(self, width: int) -> QTextDocument:
        probe = QTextDocument()
        probe.setDefaultStyleSheet(self.document().defaultStyleSheet())
        probe.setDefaultFont(self.document().defaultFont())
        probe.setDocumentMargin(self.document().documentMargin())
        probe.setTextWidth(max(1, width))
        return probe

    def _floor_pt(self) -> int:
        return max(9, round(self._base_pt() * MIN_FONT_SCALE))

    def _candidates(self, notes):
        """(pt, columns, note) from the most to the least comfortable: the fullest note at
        nearly full size, then the shortest note and then none, each down to the floor
        (large type with the essential note reads better from the back than all of it small)."""
        options = tuple(notes) + ((),)
        base, floor = self._base_pt(), self._floor_pt()
        for k, note in enumerate(options):
            low = floor if k >= len(options) - 2 else max(floor, round(base * 0.9))
            for pt in range(base, low - 1, -1):
                for columns in (1, 2):
                    yield pt, columns, note

    def _variants(self, phase) -> list[list[str]]:
        """The phase's lines written out, then (for weight updates) the compact form."""
        variants = [self.lines(phase)[1]]
        if phase.kind == "update" and not self.session.perceptron:
            variants.append(self.lines(phase, compact=True)[1])
        return variants

    def _fits(self, probe, title, variants, notes, width, height) -> tuple | None:
        for lines in variants:
            for pt, columns, note in self._candidates(notes):
                probe.setHtml(self._html(title, lines, note, pt, columns))
                if probe.idealWidth() <= width and probe.size().height() <= height:
                    return pt, columns, note, lines
        return None

    def _ask_for_room(self) -> None:
        """A minimum height that holds the busiest phase of this step at the floor size (its note
        too), at most MOST_OF_THE_WINDOW of the window: the splitter gives it that room."""
        width, _ = self._room()
        session = self.session
        key = (session.step, tuple(session.sizes), session.spec.example, width, self._base_pt(),
               self.window().height())
        if key == self._need_key or width < 50:
            return
        self._need_key = key
        cap = max(120, round(MOST_OF_THE_WINDOW * self.window().height()))
        probe = self._probe(width)
        need = 0.0
        for phase in session.phases():
            title = phase.title
            notes = self._notes(phase)
            # the shortest layout at the floor size that holds the fullest note that is as wide
            # as the room (or holds no note), written out if that fits under the cap
            for lines in self._variants(phase):
                best = None
                for note in tuple(notes) + ((),):
                    for columns in (1, 2):
                        probe.setHtml(self._html(title, lines, note, self._floor_pt(), columns))
                        if probe.idealWidth() <= width:
                            height = probe.size().height()
                            best = height if best is None else min(best, height)
                    if best is not None:
                        break
                if best is not None and best + self.height() - self._room()[1] <= cap:
                    break
            need = max(need, best or 0.0)
        frame = self.height() - self._room()[1]
        self.setMinimumHeight(int(min(cap, max(120, math.ceil(need) + frame))))

    def _notes(self, phase) -> tuple[tuple[str, ...], ...]:
        example = self.session.example
        return note_paragraphs(example, phase, self.session.step) if example is not None else ()

    def _show(self) -> None:
        title, variants, notes = self._content
        width, height = self._room()
        if not self.isVisible():  # no room to measure yet: all of it, until it shows
            chosen = (self._base_pt(), 1, notes[0] if notes else (), variants[0])
        else:
            chosen = self._fits(self._probe(width), title, variants, notes, width, height)
        if chosen is None:  # it scrolls: the floor size, one column, no note, compact
            chosen = (self._floor_pt(), 1, (), variants[-1])
        self.font_pt, self.columns, self.note, lines = chosen
        self.setHtml(self._html(title, lines, self.note, self.font_pt, self.columns))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._content[0]:
            self._show()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._content[0]:
            self._need_key = None
            self._ask_for_room()
            self._show()

    def refresh(self, *_) -> None:
        title = self.lines()[0]
        if not title:
            self._content = ("", [], ())
            self.setHtml(f"<p>{html.escape(MAXOUT_STEP_THROUGH)}.</p>" if self.session.network.pieces > 1 else
                         "<p>Step-through is off. Turn it on to walk one backpropagation pass "
                         "phase by phase with →.</p>")
            return
        phase = self.session.current_phase
        self._content = (title, self._variants(phase), self._notes(phase))
        self._ask_for_room()
        self._show()
