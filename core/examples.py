"""The slides' worked examples: each one a network with the slide's weights, its data,
its hyperparameters, and the numbers the slide prints, recomputed by the engine.

`EXAMPLES[name].build()` gives an `ExampleSetup` (network, X, T, hyperparameters);
`EXAMPLES[name].compute()` recomputes every printed number with the engine
(forward, backward, the optimizers, the perceptron rule); `printed` holds the
slide's digits as strings, so a test can round to exactly the printed places.
Where the slide has a slip, `printed` holds the correct value, `slips` the
slide's, and the description says what happened.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from valley.core.network import Network
from valley.core.optimizers import make_optimizer
from valley.core.training import train, train_perceptron


@dataclass
class ExampleSetup:
    """What the app loads: the network (slide's weights), data, and hyperparameters."""

    network: Network
    X: np.ndarray
    T: np.ndarray
    hyperparameters: dict = field(default_factory=dict)


@dataclass
class Example:
    name: str
    title: str
    slide: str
    description: str
    build: Callable[[], ExampleSetup]
    compute: Callable[[], dict]
    printed: dict = field(default_factory=dict)  # key -> the slide's digits, e.g. ".552"
    slips: dict = field(default_factory=dict)    # key -> what the slide wrote instead


def decimals(printed: str) -> int:
    """Places after the point in a printed number: '.0172' -> 4, '2' -> 0."""
    return len(printed.split(".")[1]) if "." in printed else 0


def _network(sizes, weights, biases, **options) -> Network:
    net = Network(sizes, init="constant", **options)
    net.weights = [np.array(W, float) for W in weights]
    net.biases = [np.array(b, float) for b in biases]
    return net


# --- slide 002: Backprop Example -------------------------------------------------------

def _backprop_build() -> ExampleSetup:
    net = Network([2, 2, 1], activation="sigmoid", output_activation="sigmoid", loss="mse",
                  init="constant", init_scale=0.1)
    return ExampleSetup(net, np.array([[1.0, 0.0]]), np.array([[0.9]]),
                        {"optimizer": "momentum", "lr": 0.2, "momentum": 0.9, "mode": "online",
                         "test_X": [[1.0, 1.0], [0.0, 1.0]], "test_T": [[0.8], [-0.3]]})


def _backprop_compute() -> dict:
    s = _backprop_build()
    net, h = s.network, s.hyperparameters
    rec = net.forward(s.X)
    back = net.backward(rec, s.T)
    obj = net.objective(s.X, s.T)
    theta = net.get_params()
    optimizer = make_optimizer("momentum", lr=h["lr"], momentum=h["momentum"])
    new = optimizer.step(theta, obj)
    step = new - theta  # Δw = −η ∂E/∂w + α Δw(t−1), the slides' Δw with the sign of the update
    i = net.param_index
    after = net.copy()
    after.set_params(new)
    # "Time step 2, so the momentum term will be nonzero": the same example again.
    rec2 = after.forward(s.X)
    back2 = after.backward(rec2, s.T)
    step2 = optimizer.step(new, obj) - new
    return {"h1": rec.a[1][0, 0], "h2": rec.a[1][0, 1], "o": rec.a[2][0, 0],
            "h1_step2": rec2.a[1][0, 0], "o_step2": rec2.a[2][0, 0],
            "delta_k_step2": -back2.delta[2][0, 0], "delta_j1_step2": -back2.delta[1][0, 0],
            "dw2_k0": step2[i(1, 0)], "dw2_k1": step2[i(1, 0, 0)], "dw2_j0": step2[i(0, 0)],
            "dw2_j2": step2[i(0, 0, 1)],
            # the slides' δ is (t − o)·o(1 − o) = −∂E/∂z
            "delta_k": -back.delta[2][0, 0], "delta_j1": -back.delta[1][0, 0],
            "delta_j2": -back.delta[1][0, 1],
            "dw_k0": step[i(1, 0)], "dw_k1": step[i(1, 0, 0)], "dw_k2": step[i(1, 0, 1)],
            "dw_j0": step[i(0, 0)], "dw_j1": step[i(0, 0, 0)], "dw_j2": step[i(0, 0, 1)],
            "w_k0": new[i(1, 0)], "w_k1": new[i(1, 0, 0)], "w_j0": new[i(0, 0)],
            "w_j1": new[i(0, 0, 0)], "w_j2": new[i(0, 0, 1)],
            "o_after": after.predict(s.X)[0, 0]}


BACKPROP_EXAMPLE = Example(
    name="backprop_example", title="Backprop Example (one step with momentum)", slide="002",
    description=(
        "Two inputs, two sigmoid hidden units, one sigmoid output; every weight and bias "
        "starts at .1. The training example is x = (1, 0) with label .9; learning rate "
        "η = .2 and momentum α = .9 (the momentum term is 0 at the first step). Forward: "
        "h = σ(.1 + .1·1 + .1·0) = .55, o = σ(.1 + .1·.55 + .1·.55) = .552. Backward: "
        "δk = o(1 − o)(t − o) = .086, δj = h(1 − h)·w·δk = .002. Updates: Δw = η·δ·input: "
        ".0172 for the output bias, .0095 for each hidden-to-output weight, .0004 for the "
        "hidden biases and the weights from x1, 0 from x2.\n"
        "A slip on the slide: with δ = (t − o)·…, Δw already points downhill, so the "
        "update is w + Δw: .1 + .0172 = .1172 and .1 + .0095 = .1095. The slide writes "
        ".1 − .0172 = .0828 and .1 − .0095 = .0905 (moving uphill), and for the hidden "
        "layer '.1 − .0004 = .9996' (which is also a typo for .0996); the correct new "
        "hidden weights are .1004. Here the engine takes the step with the momentum "
        "optimizer and shows the correct values.\n"
        "Step 2 (the slide stops at 'this is time step 2, so the momentum term will be "
        "nonzero'): the same example again gives o = .5591, δk = .0840, and "
        "Δw = η·δ·input + α·Δw(1): .2·.0840 + .9·.0172 = .0323 for the output bias."),
    build=_backprop_build, compute=_backprop_compute,
    printed={"h1": ".55", "h2": ".55", "o": ".552", "delta_k": ".086", "delta_j1": ".002",
             "delta_j2": ".002", "dw_k0": ".0172", "dw_k1": ".0095", "dw_k2": ".0095",
             "dw_j0": ".0004", "dw_j1": ".0004", "dw_j2": "0", "w_k0": ".1172",
             "w_k1": ".1095", "w_j0": ".1004", "w_j1": ".1004", "w_j2": ".1",
             # step 2 is not on the slide: our numbers, shown in the description
             "o_step2": ".5591", "delta_k_step2": ".0840", "dw2_k0": ".0323"},
    slips={"w_k0": ".0828", "w_k1": ".0905", "w_j0": ".9996", "w_j1": ".9996"})


# --- slide 003: the perceptron learns OR ----------------------------------------------

def _perceptron_or_build() -> ExampleSetup:
    net = _network([2, 1], [[[1.0, -1.0]]], [[0.0]], output_activation="step", loss="mse")
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return ExampleSetup(net, X, np.array([[0.0], [1.0], [1.0], [1.0]]),
                        {"rule": "perceptron", "lr": 1.0, "shuffle": False, "max_epochs": 20})


def _perceptron_or_compute() -> dict:
    s = _perceptron_or_build()
    history = train_perceptron(s.network, s.X, s.T, lr=1.0, max_epochs=20)
    return {"rows": [r.as_row() for r in history.rows], "status": history.status,
            "steps": len(history.rows), "final_weights": tuple(history.rows[-1].new_weights[0])}


def _perceptron_step_build() -> ExampleSetup:
    net = _network([2, 1], [[[0.5, 0.3]]], [[-1.0]], output_activation="step", loss="mse")
    return ExampleSetup(net, np.array([[2.0, 1.0]]), np.array([[0.0]]),
                        {"rule": "perceptron", "lr": 1.0, "shuffle": False, "max_epochs": 1})


def _perceptron_step_compute() -> dict:
    s = _perceptron_step_build()
    history = train_perceptron(s.network, s.X, s.T, lr=1.0, max_epochs=1)
    row = history.rows[0]
    again = s.network.forward(s.X)
    return {"sum": row.weighted_sum[0], "u": row.output[0], "w0": row.new_weights[0, 0],
            "w1": row.new_weights[0, 1], "w2": row.new_weights[0, 2],
            "sum_again": again.z[1][0, 0], "u_again": again.a[1][0, 0]}


PERCEPTRON_STEP = Example(
    name="perceptron_step", title="One step of the perceptron learning rule", slide="003",
    description=(
        "Inputs x1 = 2, x2 = 1 with the bias input x0 = 1; weights w0 = −1, w1 = .5, w2 = .3; "
        "desired output y = 0, learning rate c = 1. The weighted sum is 2(.5) + 1(.3) − 1 = .3 "
        "> 0, so the perceptron outputs u = 1: wrong. The rule Δwᵢ = c(y − u)xᵢ gives "
        "w0 = −1 + (0 − 1)·1 = −2, w1 = .5 + (0 − 1)·2 = −1.5, w2 = .3 + (0 − 1)·1 = −.7. "
        "Presented again, the input gives the sum −5.7 and the output 0, as the slide says."),
    build=_perceptron_step_build, compute=_perceptron_step_compute,
    printed={"sum": ".3", "u": "1", "w0": "-2", "w1": "-1.5", "w2": "-.7", "sum_again": "-5.7",
             "u_again": "0"})


# (step, w0, w1, w2, input x0x1x2, Σ w_i x_i, output u, label y, new w0, w1, w2)
PERCEPTRON_OR_TABLE = [
    (1, 0, 1, -1, "100", 0, 0, 0, 0, 1, -1),
    (2, 0, 1, -1, "101", -1, 0, 1, 1, 1, 0),
    (3, 1, 1, 0, "110", 2, 1, 1, 1, 1, 0),
    (4, 1, 1, 0, "111", 2, 1, 1, 1, 1, 0),
    (5, 1, 1, 0, "100", 1, 1, 0, 0, 1, 0),
    (6, 0, 1, 0, "101", 0, 0, 1, 1, 1, 1),
    (7, 1, 1, 1, "110", 2, 1, 1, 1, 1, 1),
    (8, 1, 1, 1, "111", 3, 1, 1, 1, 1, 1),
    (9, 1, 1, 1, "100", 1, 1, 0, 0, 1, 1),
    (10, 0, 1, 1, "101", 1, 1, 1, 0, 1, 1),
]

PERCEPTRON_OR = Example(
    name="perceptron_or", title="The perceptron learns OR, step by step", slide="003",
    description=(
        "A perceptron with a bias input x0 = 1 and two binary inputs, step output "
        "(1 if Σ wᵢxᵢ > 0, else 0), learning rate c = 1 and initial weights w0 = 0, w1 = 1, "
        "w2 = −1. The four examples of OR come in binary order, epoch after epoch; each "
        "step applies Δwᵢ = c(y − u)xᵢ. The slide's table shows the first ten steps; the "
        "weights (0, 1, 1) found at step 9 never change again, and training stops at the "
        "end of the first epoch without a mistake (step 16)."),
    build=_perceptron_or_build, compute=_perceptron_or_compute,
    printed={"rows": PERCEPTRON_OR_TABLE, "final_weights": (0.0, 1.0, 1.0)})


# --- slide 003: Exercise 2 -------------------------------------------------------------

def _exercise2_build() -> ExampleSetup:
    # Neurons 1, 2 are inputs, 3, 4 hidden, 5 the output; w(0, j) is neuron j's bias.
    net = _network([2, 2, 1], [[[0.1, 0.3], [-0.2, 0.4]], [[0.5, -0.4]]],
                   [[0.2, -0.3], [0.4]], activation="sigmoid", output_activation="sigmoid",
                   loss="mse")
    return ExampleSetup(net, np.array([[1.0, 1.0]]), np.array([[0.0]]),
                        {"optimizer": "sgd", "lr": 1.0, "mode": "online"})


def _exercise2_compute() -> dict:
    s = _exercise2_build()
    net = s.network
    rec = net.forward(s.X)
    back = net.backward(rec, s.T)
    new = make_optimizer("sgd", lr=1.0).step(net.get_params(), net.objective(s.X, s.T))
    after = net.copy()
    after.set_params(new)
    W0, b0, W1, b1 = after.weights[0], after.biases[0], after.weights[1], after.biases[1]
    return {"u3": rec.a[1][0, 0], "u4": rec.a[1][0, 1], "u5": rec.a[2][0, 0],
            "delta5": -back.delta[2][0, 0], "delta3": -back.delta[1][0, 0],
            "delta4": -back.delta[1][0, 1],
            "w03": b0[0], "w13": W0[0, 0], "w23": W0[0, 1], "w04": b0[1], "w14": W0[1, 0],
            "w24": W0[1, 1], "w05": b1[0], "w35": W1[0, 0], "w45": W1[0, 1],
            "u5_after": after.predict(s.X)[0, 0], "E": net.loss(s.X, s.T),
            "E_after": after.loss(s.X, s.T)}


EXERCISE_2 = Example(
    name="exercise_2", title="Exercise 2: one backpropagation step by hand", slide="003",
    description=(
        "Inputs 1 and 2, hidden neurons 3 and 4, output 5, all sigmoid; w(0, j) is the bias "
        "of neuron j. Weights: w(0,3) = .2, w(1,3) = .1, w(2,3) = .3, w(0,4) = −.3, "
        "w(1,4) = −.2, w(2,4) = .4, w(0,5) = .4, w(3,5) = .5, w(4,5) = −.4. Input (1, 1), "
        "target y = 0, c = 1, MSE. Forward: u3 = σ(.6) = .6457, u4 = σ(−.1) = .4750, "
        "u5 = σ(.5328) = .6301. Errors δ5 = (y − u5)u5(1 − u5) = −.1469, "
        "δ3 = u3(1 − u3)·w(3,5)·δ5 = −.0168, δ4 = u4(1 − u4)·w(4,5)·δ5 = .0146. Each weight "
        "moves by c·δ_j·x_i, e.g. w(3,5) = .5 + (−.1469)(.6457) = .4052; after the step "
        "the output falls to .5700 (the error ½(y − u5)² from .1985 to .1624). The slide "
        "leaves the answer as an exercise: these are our numbers."),
    build=_exercise2_build, compute=_exercise2_compute,
    printed={"u3": ".6457", "u4": ".4750", "u5": ".6301", "delta5": "-.1469",
             "delta3": "-.0168", "delta4": ".0146", "w03": ".1832", "w13": ".0832",
             "w23": ".2832", "w04": "-.2854", "w14": "-.1854", "w24": ".4146", "w05": ".2531",
             "w35": ".4052", "w45": "-.4698", "u5_after": ".5700", "E": ".1985",
             "E_after": ".1624"})


# --- slide 003: softmax, cross-entropy, MSE --------------------------------------------

def _softmax_build() -> ExampleSetup:
    net = _network([3, 3], [np.eye(3)], [np.zeros(3)], output_activation="softmax",
                   loss="cross_entropy")
    return ExampleSetup(net, np.array([[-2.0, 3.0, 1.0]]), np.array([[0.0, 1.0, 0.0]]))


def _softmax_compute() -> dict:
    s = _softmax_build()
    p = s.network.predict(s.X)[0]
    return {"p1": p[0], "p2": p[1], "p3": p[2], "p1_code": p[0], "p2_code": p[1],
            "p3_code": p[2], "cross_entropy": s.network.loss(s.X, s.T),
            "J": float(-s.X[0, 1] + np.log(np.sum(np.exp(s.X[0]))))}


SOFTMAX = Example(
    name="softmax_cross_entropy", title="Softmax and cross-entropy of u = (−2, 3, 1)",
    slide="003",
    description=(
        "The network's raw outputs u = (−2, 3, 1) go through softmax, p_j = e^{u_j}/Σe^{u_k}, "
        "giving (.0059, .876, .118); the true class is the second (y = (0, 1, 0)), so the "
        "cross-entropy is −ln p₂ = .1328, the same as the combined form "
        "J(u, t) = −u_t + ln Σ e^{u_j}. The slide's table truncates instead of rounding: "
        "it shows .0058 and .87 where the code on the same slide prints .00589975 and "
        ".8756006."),
    build=_softmax_build, compute=_softmax_compute,
    printed={"p1": ".0059", "p2": ".876", "p3": ".118", "p1_code": ".00589975",
             "p2_code": ".8756006", "p3_code": ".11849965", "cross_entropy": ".1328",
             "J": ".1328"},
    slips={"p1": ".0058", "p2": ".87"})


def _mse_build() -> ExampleSetup:
    net = _network([2, 2], [np.eye(2)], [np.zeros(2)], output_activation="linear", loss="mse")
    return ExampleSetup(net, np.array([[1.0, 0.0]]), np.array([[0.8, 0.5]]))


MSE_EXAMPLE = Example(
    name="mse_example", title="Squared error of one regression example", slide="003",
    description=(
        "One example with two outputs, u = (1, 0), and targets y = (.8, .5): "
        "E = ½[(1 − .8)² + (0 − .5)²] = .145."),
    build=_mse_build, compute=lambda: (lambda s: {"E": s.network.loss(s.X, s.T)})(_mse_build()),
    printed={"E": ".145"})


# --- slide 004: cross-entropy of a good and a poor prediction; a computational graph ----

def _ce_build() -> ExampleSetup:
    net = _network([4, 4], [np.eye(4)], [np.zeros(4)], output_activation="linear",
                   loss="cross_entropy")
    X = np.array([[0.01, 0.01, 0.01, 0.96], [0.25, 0.25, 0.25, 0.25]])
    return ExampleSetup(net, X, np.array([[0.0, 0, 0, 1], [0.0, 0, 0, 1]]))


def _ce_compute() -> dict:
    s = _ce_build()
    net = s.network
    per_sample = net.loss_function.per_sample(net.predict(s.X), s.T)
    return {"good": per_sample[0], "poor": per_sample[1]}


CROSS_ENTROPY_GOOD_POOR = Example(
    name="cross_entropy_good_poor", title="Cross-entropy of a good and a poor prediction",
    slide="004",
    description=(
        "Target (0, 0, 0, 1). The good prediction (.01, .01, .01, .96) costs −ln .96 = .04; "
        "the poor one, (.25, .25, .25, .25), costs −ln .25 = 1.39. Only the probability "
        "given to the true class counts."),
    build=_ce_build, compute=_ce_compute, printed={"good": ".04", "poor": "1.39"})


class Node:
    """A scalar in a computational graph that knows its local gradients (micrograd-style)."""

    def __init__(self, value: float, parents=(), local_grads=(), label: str = ""):
        self.value = float(value)
        self.parents = tuple(parents)
        self.local_grads = tuple(local_grads)
        self.label = label
        self.grad = 0.0

    def __add__(self, other):
        other = other if isinstance(other, Node) else Node(other)
        return Node(self.value + other.value, (self, other), (1.0, 1.0))

    __radd__ = __add__

    def __mul__(self, other):
        other = other if isinstance(other, Node) else Node(other)
        return Node(self.value * other.value, (self, other), (other.value, self.value))

    __rmul__ = __mul__

    def backward(self):
        """Fill .grad of every node with ∂self/∂node (reverse mode, each node once)."""
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node.parents:
                    visit(parent)
                order.append(node)

        visit(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += local * node.grad


def _graph_compute() -> dict:
    a, b = Node(2.0, label="a"), Node(1.0, label="b")
    c = a + b
    d = b + 1
    e = c * d
    e.backward()
    return {"c": c.value, "d": d.value, "e": e.value, "de_dc": c.grad, "de_dd": d.grad,
            "de_da": a.grad, "de_db": b.grad}


COMPUTATIONAL_GRAPH = Example(
    name="computational_graph", title="Backprop on e = (a + b)(b + 1)", slide="004",
    description=(
        "With c = a + b and d = b + 1, e = c·d. At a = 2, b = 1: c = 3, d = 2, e = 6. Local "
        "gradients ∂e/∂c = d = 2, ∂e/∂d = c = 3; the chain rule sums over paths: "
        "∂e/∂a = 1·2 = 2 and ∂e/∂b = 1·2 + 1·3 = 5."),
    build=lambda: ExampleSetup(_network([2, 1], [[[1.0, 1.0]]], [[0.0]],
                                        output_activation="linear"),
                               np.array([[2.0, 1.0]]), np.array([[6.0]])),
    compute=_graph_compute,
    printed={"c": "3", "d": "2", "e": "6", "de_dc": "2", "de_dd": "3", "de_da": "2",
             "de_db": "5"})


# --- slide 002: XOR --------------------------------------------------------------------

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_T = np.array([[0.0], [1.0], [1.0], [0.0]])


def _xor_build() -> ExampleSetup:
    net = Network([2, 2, 1], activation="relu", output_activation="linear", loss="mse",
                  init="uniform", init_scale=1.0, seed=0)
    return ExampleSetup(net, XOR_X.copy(), XOR_T.copy(),
                        {"optimizer": "adam", "lr": 0.05, "steps": 500, "mode": "batch"})


def _xor_compute() -> dict:
    s = _xor_build()
    h = s.hyperparameters
    history = train(s.network, (s.X, s.T), make_optimizer(h["optimizer"], lr=h["lr"]), h["steps"])
    perceptron = _network([2, 1], [[[0.0, 0.0]]], [[0.0]], output_activation="step")
    stuck = train_perceptron(perceptron, s.X, s.T, max_epochs=50)
    book = _network([2, 2, 1], [[[1, 1], [1, 1]], [[1, -2]]], [[0, -1], [0]],
                    activation="relu", output_activation="linear")
    out = book.predict(s.X)[:, 0]
    return {"accuracy": s.network.accuracy(s.X, s.T), "final_loss": history.train_loss[-1],
            "perceptron_status": stuck.status,
            "perceptron_errors": stuck.errors_per_epoch[-1],
            "book_00": out[0], "book_01": out[1], "book_10": out[2], "book_11": out[3]}


XOR_RELU = Example(
    name="xor_relu", title="XOR: not linearly separable, learned by a 2-2-1 ReLU network",
    slide="002",
    description=(
        "XOR's four points cannot be split by one line, so a perceptron never gets all four "
        "right (its mistakes per epoch settle and it stops by the 'stable' rule). A hidden "
        "layer of two ReLUs, f(x) = wᵀmax{0, Wᵀx + c} + b, maps the points to a space where "
        "they are separable. The textbook solution behind the slide (Goodfellow et al., "
        "Deep Learning §6.1): W = [[1, 1], [1, 1]], c = (0, −1), w = (1, −2), b = 0 gives "
        "exactly 0, 1, 1, 0. From a seeded random start (uniform(−1, 1), seed 0), Adam "
        "(lr .05, 500 full-batch steps, MSE) finds a solution too. Try other seeds: many "
        "get stuck with a dead ReLU at loss .083 or .125 — a small net's local minima."),
    build=_xor_build, compute=_xor_compute,
    printed={"accuracy": "1", "book_00": "0", "book_01": "1", "book_10": "1", "book_11": "0"})


EXAMPLES: dict[str, Example] = {e.name: e for e in (
    BACKPROP_EXAMPLE, PERCEPTRON_STEP, PERCEPTRON_OR, EXERCISE_2, SOFTMAX, MSE_EXAMPLE, CROSS_ENTROPY_GOOD_POOR,
    COMPUTATIONAL_GRAPH, XOR_RELU)}
