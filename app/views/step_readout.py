"""Step-through text: the numbers of the current backpropagation phase, written as the slides do."""
from __future__ import annotations

import html

import numpy as np
from PyQt6.QtWidgets import QTextBrowser

from valley.app.views.diverging import fmt
from valley.app.views.network_diagram import feature_label, neuron_name

MAX_LISTED = 8  # neurons / weights listed per layer before "…"
SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "linear": "", "step": "step",
          "leaky_relu": "LReLU", "elu": "ELU", "swish": "swish", "softplus": "softplus", "softmax": "softmax"}


def signed(v: float) -> str:
    return f"+{fmt(v)}" if v > 0 else fmt(v)


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


class StepReadout(QTextBrowser):
    """Shows the phase title and its equations with the live numbers; empty when step-through is off."""

    def __init__(self, session, parent=None, theme=None):
        super().__init__(parent)
        self.session = session
        self.setOpenLinks(False)
        self.setMinimumHeight(120)
        self._set_style(theme)
        for signal in (session.phaseChanged, session.timeline.stepChanged, session.resultsChanged,
                       session.sampleChanged, session.networkChanged):
            signal.connect(self.refresh)
        self.refresh()

    def _set_style(self, theme) -> None:
        size = theme.font_size + 3 if theme is not None else 14
        light = theme is not None and theme.name == "light"
        note = "#7a5c00" if light else "#e0b84a"  # amber that keeps its contrast on either background
        self.document().setDefaultStyleSheet(f"body {{ font-size: {size}pt; }} "
                                             f"h3 {{ margin: 0 0 4px 0; }} .note {{ color: {note}; }}")

    def apply_theme(self, theme) -> None:
        self._set_style(theme)
        self.refresh()

    def lines(self) -> tuple[str, list[str]]:
        """(title, lines) of the current phase in plain text (tests read these)."""
        session = self.session
        phase = session.current_phase
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
            out.append(f"loss E ({net.loss_name}) = {fmt(rec.loss)}")
        elif phase.kind == "delta":
            l = phase.layer
            act = net.activation_of(l).name
            delta = -rec.delta[l][row]  # the slides' sign: δ = −∂E/∂z
            for j in range(min(sizes[l], MAX_LISTED)):
                n = name(l, j)
                v = a[l][j]
                if l == L and act == "sigmoid" and net.loss_name == "mse":
                    t = rec.T[row, j]
                    out.append(f"δ_{n} = {n}(1 − {n})(t − {n}) = {fmt(v)}·{fmt(1 - v)}·{fmt(t - v)}"
                               f" = {fmt(delta[j])}")
                elif l == L:
                    out.append(f"δ_{n} = −∂E/∂z = {fmt(delta[j])}")
                else:
                    W = net.weights[l]
                    ks = range(sizes[l + 1])
                    after = -rec.delta[l + 1][row]
                    if sizes[l + 1] <= 3:
                        total = " + ".join(f"{fmt(W[k, j])}·{fmt(after[k])}" for k in ks)
                    else:
                        total = "Σ w·δ"
                    deriv = f"{n}(1 − {n})" if act == "sigmoid" else f"{SYMBOL.get(act, act)}′(z)"
                    out.append(f"δ_{n} = {deriv}·({total}) = {fmt(delta[j])}")
            if sizes[l] > MAX_LISTED:
                out.append("…")
            out.append("(δ = −∂E/∂z, the slides' sign; core's ∂E/∂z is its negative)")
        elif phase.kind == "update":
            if rec.update_weights is None:
                out.append("This is the last recorded step: no update follows.")
            else:
                opt = session.spec.optimizer
                hyper = ", ".join(f"{k} = {fmt(v) if isinstance(v, float) else v}"
                                  for k, v in opt.hyperparameters.items())
                out.append(f"{opt.kind} ({hyper}); Δw = new − old")
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
                            out.append(f"w({name(l, j)} ← {source}): Δw = {signed(d)},  "
                                       f"{fmt(old)} → {fmt(old + d)}")
                            listed += 1
                if listed >= 2 * MAX_LISTED:
                    out.append("…")
        return phase.title, out

    def refresh(self, *_) -> None:
        title, lines = self.lines()
        if not title:
            self.setHtml("<p>Step-through is off. Turn it on to walk one backpropagation pass "
                         "phase by phase with →.</p>")
            return
        index = self.session.phase + 1
        total = len(self.session.phases())
        body = "<br>".join(html.escape(line) for line in lines)
        note = ""
        example = self.session.example
        if example is not None and self.session.current_phase.kind in ("update", "delta"):
            note = f"<p class='note'>{html.escape(example.description)}</p>"
        self.setHtml(f"<h3>{index}/{total} · {html.escape(title)} "
                     f"<span style='font-weight:normal'>(step {self.session.step})</span></h3>"
                     f"<p>{body}</p>{note}")
