"""A scene: everything needed to reproduce what is on screen (data only; TOML I/O lives in scene_io)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from valley.core import datasets

SCENE_VERSION = 1
KINDS = ("landscape", "network", "graph")
ARROWS = ("none", "gradient", "velocity", "step")  # what the racers' arrows show
THEMES = ("dark", "light")
NETWORK_PLANES = ("random", "pca")  # the planes through a network's loss that a scene can show
# Where an annotation sits: on the 2-D map, in the surface's coordinates; on the network diagram,
# in fractions of the drawing's width and height (so it stays beside what it points at when the
# window, or the drawing's scale, changes).
# The places, each with the kinds of scene that show it.
ANNOTATION_PLACES = {"map": ("landscape", "network"), "diagram": ("network",)}

# Eight colours that stay distinct on dark and light backgrounds and for the common
# colour-vision deficiencies (Okabe-Ito, with white/black swapped for a magenta and a teal).
PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
           "#00C2A8"]

# One colour per optimizer kind, so a racer keeps it in presets, in new scenes and when added.
# The five hue families (orange, blue, green, yellow, pink) go to the five kinds of the default
# race; the rest keep apart from the kinds they are usually raced against (AdaGrad, RMSProp,
# Adam; Newton, damped and saddle-free Newton). Eleven kinds share eight colours: where two
# racers would get the same one, the newcomer gets an unused colour (`colour_for`).
KIND_COLOURS = {
    "sgd": "#E69F00",  # orange
    "momentum": "#56B4E9",  # sky blue
    "nesterov": "#0072B2",  # blue: momentum's family
    "adagrad": "#CC79A7",  # reddish purple
    "rmsprop": "#D55E00",  # vermillion
    "adadelta": "#0072B2",
    "adam": "#009E73",  # bluish green
    "amsgrad": "#00C2A8",  # teal: Adam's family
    "newton": "#F0E442",  # yellow
    "damped_newton": "#00C2A8",
    "saddle_free_newton": "#CC79A7",
    "newton_cg": "#D55E00",  # vermillion: beside Adam's green in their race
}


# The palette's hue families: two shades of one family read as relatives, not as rivals.
HUE_FAMILIES = {"#E69F00": "orange", "#D55E00": "orange", "#56B4E9": "blue", "#0072B2": "blue",
                "#009E73": "green", "#00C2A8": "green", "#F0E442": "yellow", "#CC79A7": "pink"}


def colour_for(kind: str, used=()) -> str:
    """The colour a new racer of `kind` gets beside racers wearing the colours `used`.

    Its kind's colour when free; otherwise an unused colour of a hue family nobody wears,
    then any unused colour (with eight racers at most, one is always free).
    """
    used = {c.upper() for c in used}
    own = KIND_COLOURS.get(kind, PALETTE[0])
    if own not in used:
        return own
    free = [c for c in PALETTE if c not in used]
    families = {HUE_FAMILIES.get(c) for c in used}
    return next((c for c in free if HUE_FAMILIES[c] not in families), free[0] if free else own)


@dataclass
class OptimizerSpec:
    """One racer: which optimizer, its hyperparameters, its colour, label and start."""

    kind: str = "sgd"
    label: str = ""
    color: str = PALETTE[0]
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    start: tuple[float, float] | None = None  # None: the scene's start
    visible: bool = True

    def display_label(self) -> str:
        return self.label or self.kind


@dataclass
class SurfaceSpec:
    """A catalogue surface with its parameters, or a user formula when name == 'formula'."""

    name: str = "saddle"
    params: dict[str, float] = field(default_factory=dict)
    formula: str = ""


@dataclass
class NetworkSpec:
    """A small network learning a 2-D dataset (the training playground)."""

    example: str = ""  # a worked example from valley.core.examples; "" for a free network
    hidden: list[int] = field(default_factory=lambda: [4, 4])
    activation: str = "tanh"
    output_activation: str = "sigmoid"
    loss: str = "bce"
    init: str = "xavier"
    init_scale: float | None = None  # the init's spread; None: the init's own (core.network)
    leaky_slope: float = 0.01  # the shaped activations' knobs (core.activations.KNOBS)
    elu_alpha: float = 1.0
    swish_beta: float = 1.0
    maxout_pieces: int = 2
    # Initial weights typed on the diagram, each [layer, j, i, value]: w[layer][j, i] (i = -1: the
    # bias of neuron j of layer + 1); they replace the drawn (or the worked example's) ones.
    typed_weights: list[list[float]] = field(default_factory=list)
    dataset: str = "circles"
    classes: int | None = None  # classes of a multi-class dataset (limits.CLASSES); None: its default
    # Your own points (dataset "points"): [x1, x2, label or target, 0 train / 1 test] each, and what
    # the third number is: "classification" (labels 0, 1, ...) or "regression"; None elsewhere.
    points: list[list[float]] | None = None
    points_kind: str | None = None
    samples: int = 200
    noise: float = 0.1
    train_fraction: float = 0.7
    features: list[str] = field(default_factory=lambda: ["x1", "x2"])
    regularization: str = "none"  # valley.core.network.REGULARIZATIONS
    reg_rate: float = 0.0
    dropout: float = 0.0  # the dropout rate of every hidden layer while training
    batch_norm: bool = False  # every hidden layer's net input normalized over the batch (core.batch_norm)
    early_stopping: int = 0  # patience in steps (0: off): stop when the validation loss stops improving
    validation_fraction: float = 0.2  # share of the training samples held out for early stopping
    restore_best: bool = True  # put back the weights of the best validation step
    jitter: float = 0.0  # σ of the Gaussian noise added to the inputs of every training step
    preprocessing: str = "none"  # core.preprocessing.PREPROCESSING, fitted on the training inputs
    batch_size: int = 0  # 0: full batch
    optimizer: OptimizerSpec = field(default_factory=lambda: OptimizerSpec(
        kind="adam", label="Adam", hyperparameters={"lr": 0.03}))

    def learned_classes(self) -> int | None:
        """How many classes the net tells apart (None: a regression)."""
        return datasets.learned_classes(self.dataset, self.classes, self.points, self.points_kind)

    def output_size(self) -> int:
        return datasets.output_size(self.learned_classes())

    def output_problem(self) -> tuple[str, str] | None:
        """(the setting at fault, why) when the output and loss do not fit the data; None when they do."""
        return datasets.output_problem(self.dataset, self.classes, self.output_activation, self.loss,
                                       self.learned_classes())

    def activation_knobs(self) -> dict[str, float]:
        """The knobs as core.activations.make_activation takes them."""
        return dict(slope=self.leaky_slope, alpha=self.elu_alpha, beta=self.swish_beta, pieces=self.maxout_pieces)

    def network_options(self) -> dict[str, Any]:
        """The keywords core.network.Network takes from this spec (besides the layer sizes)."""
        return dict(activation=self.activation, output_activation=self.output_activation, loss=self.loss,
                    init=self.init, init_scale=self.init_scale, regularization=self.regularization,
                    reg_rate=float(self.reg_rate), leaky_slope=self.leaky_slope, elu_alpha=self.elu_alpha,
                    swish_beta=self.swish_beta, maxout_pieces=int(self.maxout_pieces), dropout=float(self.dropout),
                    batch_norm=bool(self.batch_norm))


@dataclass
class GraphSpec:
    """A computational graph (the Graph tab): an expression over named inputs, and their values."""

    expression: str = "(a + b) * (b + 1)"  # valley.core.graph's text: one expression, or name = ... lines
    values: dict[str, float] = field(default_factory=lambda: {"a": 2.0, "b": 1.0})  # one per input
    input: str = ""  # the input whose paths the paths panel counts ("": the first)
    note: str = ""  # said beside the paths (a slide's slip, and the correct value)
    # said in the caption when the backward pass reaches a node the text names: {"y9": "..."}
    remarks: dict[str, str] = field(default_factory=dict)


@dataclass
class ViewSpec:
    """Which views are shown and how."""

    show_3d: bool = True
    show_loss: bool = True
    show_readout: bool = True
    show_network: bool = True
    contours: bool = True
    log_colour: bool = False
    gradient_field: bool = False
    critical_points: bool = True
    arrows: str = "none"  # one of ARROWS
    theme: str = "dark"  # one of THEMES
    speed: float = 30.0  # steps per second
    resolution: int = 256
    # Results drawn over the views (a scene file leaves them out while they are None):
    basins: str | None = None  # label or kind of the racer whose basin map the 2-D view shows
    network_landscape: str | None = None  # "random" | "pca": the plane of the network's loss


def places_shown_by(kind: str) -> list[str]:
    """Where a scene of `kind` can hold annotations."""
    return [place for place, kinds in ANNOTATION_PLACES.items() if kind in kinds]


@dataclass
class Annotation:
    """A label the lecturer placed on a view, or an arrow from `tail` to `at` with its text at the tail."""

    on: str = "map"  # one of ANNOTATION_PLACES
    text: str = ""
    at: tuple[float, float] = (0.0, 0.0)  # the label's centre, or the arrow's tip
    tail: tuple[float, float] | None = None  # an arrow starts here; None: a label

    @property
    def is_arrow(self) -> bool:
        return self.tail is not None


@dataclass
class Scene:
    """A whole lecture moment."""

    version: int = SCENE_VERSION
    title: str = "Untitled"
    description: str = ""
    kind: str = "landscape"  # one of KINDS
    surface: SurfaceSpec = field(default_factory=SurfaceSpec)
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None  # None: the surface's
    start: tuple[float, float] = (0.0, 0.0)
    steps: int = 300
    seed: int = 0
    optimizers: list[OptimizerSpec] = field(default_factory=list)
    network: NetworkSpec | None = None
    graph: GraphSpec | None = None  # kind = "graph"
    view: ViewSpec = field(default_factory=ViewSpec)
    annotations: list[Annotation] = field(default_factory=list)

    def start_of(self, spec: OptimizerSpec) -> tuple[float, float]:
        return spec.start if spec.start is not None else self.start


def default_scene() -> Scene:
    """What `valley` opens on: four optimizers racing from just off a saddle."""
    specs = [
        ("sgd", "SGD", {"lr": 0.05}),
        ("momentum", "Momentum", {"lr": 0.02, "momentum": 0.9}),
        ("adam", "Adam", {"lr": 0.05}),
        ("newton", "Newton", {"lr": 1.0}),
        ("saddle_free_newton", "Saddle-free Newton", {"lr": 0.2, "damping": 0.001}),
    ]
    return Scene(
        title="Saddle point: who escapes?",
        description=("Two valleys and a saddle between them. Newton jumps onto the saddle "
                     "and stays; saddle-free Newton, momentum and Adam roll off into a valley."),
        surface=SurfaceSpec(name="double_well"),
        start=(-1.6, 0.03),
        steps=200,
        optimizers=[OptimizerSpec(kind=k, label=label, color=KIND_COLOURS[k], hyperparameters=h)
                    for k, label, h in specs],
    )
