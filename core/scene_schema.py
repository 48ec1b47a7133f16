"""What a scene file may hold: every key's type, range and registry, each problem with its line.

Names are checked against core's registries (surfaces, optimizers and their hyperparameters,
datasets, features, activations, losses, examples, schedules), numbers against
valley.core.limits, and a formula goes through valley.core.expression's whitelist parser:
validating a scene never runs code. Every problem is collected, so one message lists them all.
"""
from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from valley.core import limits
from valley.core.activations import ACTIVATIONS
from valley.core.datasets import ALL_DATASETS, FEATURES, OWN_POINTS, DatasetError, own_points_dataset
from valley.core.examples import EXAMPLES
from valley.core.expression import parse_formula
from valley.core.graph import Graph
from valley.core.limits import Range
from valley.core.losses import LOSSES
from valley.core.network import INITS, REGULARIZATIONS, Network, NetworkError, parameter_count
from valley.core.optimizers import OPTIMIZERS, make_optimizer
from valley.core.preprocessing import PREPROCESSING
from valley.core.scene import (
    ANNOTATION_PLACES,
    ARROWS,
    KINDS,
    NETWORK_PLANES,
    SCENE_VERSION,
    THEMES,
    Annotation,
    GraphSpec,
    NetworkSpec,
    OptimizerSpec,
    Scene,
    SurfaceSpec,
    ViewSpec,
    places_shown_by,
)
from valley.core.schedules import SCHEDULE_TITLES, make_schedule
from valley.core.surfaces import SURFACES, get_surface
from valley.core.toml_lines import KeyPath, LineIndex, format_key

_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_^*]{0,63}")
_ANY = Range(-math.inf, math.inf)
_INVALID = object()  # a value that failed validation (its problem is already recorded)


@dataclass(frozen=True)
class SceneProblem:
    """One thing wrong with a scene file: where (file, key path, line) and what."""

    file: str
    key: str
    line: int | None
    expected: str
    found: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" {self.key}:" if self.key else ""
        text = f"{where}:{key} expected {self.expected}, found {self.found}"
        return f"{text} ({self.hint})" if self.hint else text


class SceneError(ValueError):
    """A scene that cannot be loaded; `.problems` lists every SceneProblem found."""

    def __init__(self, problems: list[SceneProblem]):
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = str(self.problems[0])
        else:
            message = f"{len(self.problems)} problems in the scene:\n" + "\n".join(
                f"  {p}" for p in self.problems)
        super().__init__(message)


def describe_value(value: Any) -> str:
    """A short, safe rendering of a found value."""
    kind = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "table"}.get(type(value), type(value).__name__)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return f"an array of {len(value)}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kind} {text}"


class _Validator:
    """Checks values one key at a time and records each problem with its line; never raises."""

    def __init__(self, source: str, text: str, prefix: KeyPath = ()):
        self.source = source
        self.index = LineIndex(text)
        self.prefix = tuple(prefix)  # where the scene sits in its file (a deck's inline scene)
        self.problems: list[SceneProblem] = []

    def problem(self, path: KeyPath, expected: str, found: str, hint: str = "") -> object:
        path = self.prefix + tuple(path)
        self.problems.append(SceneProblem(self.source, format_key(path), self.index.line_of(path),
                                          expected, found, hint))
        return _INVALID

    # --- scalars
    def integer(self, value, path, allowed: Range):
        expected = (f"the integer {allowed.lo}" if allowed.lo == allowed.hi
                    else f"an integer {allowed.describe()}")
        if isinstance(value, bool) or not isinstance(value, int) or not allowed.contains(value):
            return self.problem(path, expected, describe_value(value))
        return value

    def number(self, value, path, allowed: Range = _ANY, as_float=True):
        """A finite number in range; as_float=False keeps a TOML integer an int (engine options)."""
        rng = "" if allowed == _ANY else f" {allowed.describe()}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return self.problem(path, f"a number{rng}", describe_value(value))
        if isinstance(value, int) and abs(value) > 2**53:
            return self.problem(path, f"a finite number{rng}", describe_value(value))
        if not allowed.contains(float(value)):
            return self.problem(path, f"a finite number{rng}", describe_value(value))
        return float(value) if as_float or isinstance(value, float) else value

    def boolean(self, value, path):
        if not isinstance(value, bool):
            return self.problem(path, "true or false", describe_value(value))
        return value

    def string(self, value, path, max_len=limits.TEXT_LENGTH):
        if not isinstance(value, str):
            return self.problem(path, "a string", describe_value(value))
        if len(value) > max_len:
            return self.problem(path, f"a string of at most {max_len} characters",
                                f"{len(value)} characters")
        return value

    def choice(self, value, path, names, what="one of"):
        if not isinstance(value, str):
            return self.problem(path, f"a name ({_names_text(names)})", describe_value(value))
        if value not in names:
            return self.problem(path, f"{what} {_names_text(names)}", describe_value(value),
                                _hint(value, names))
        return value

    def identifier(self, value, path):
        """A plain name (letters, digits, _), for what a later check gives its meaning."""
        if not isinstance(value, str) or not _NAME.fullmatch(value):
            return self.problem(path, "a name (letters, digits, _)", describe_value(value))
        return value

    def color(self, value, path):
        if not isinstance(value, str) or not _COLOR.fullmatch(value):
            return self.problem(path, "a colour #RRGGBB", describe_value(value))
        return value

    def point(self, value, path):
        if not isinstance(value, list) or len(value) != 2:
            return self.problem(path, "a point [x, y]", describe_value(value))
        x, y = (self.number(v, path + (i,)) for i, v in enumerate(value))
        return _INVALID if _INVALID in (x, y) else (x, y)

    def bounds(self, value, path):
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, list) and len(v) == 2 for v in value)):
            return self.problem(path, "bounds [[xmin, xmax], [ymin, ymax]]", describe_value(value))
        out = []
        for axis, (lo, hi) in enumerate(value):
            lo = self.number(lo, path + (axis, 0))
            hi = self.number(hi, path + (axis, 1))
            if _INVALID in (lo, hi):
                return _INVALID
            if not lo < hi:
                return self.problem(path + (axis,), f"{'xy'[axis]}min < {'xy'[axis]}max",
                                    f"[{lo:g}, {hi:g}]")
            if not (limits.COORDINATE.contains(lo) and limits.COORDINATE.contains(hi)):
                return self.problem(path + (axis,), f"bounds {limits.COORDINATE.describe()}",
                                    f"[{lo:g}, {hi:g}]")
            if hi - lo < limits.MIN_SPAN:
                return self.problem(path + (axis,), f"a range at least {limits.MIN_SPAN:g} wide",
                                    f"[{lo:g}, {hi:g}]")
            out.append((lo, hi))
        return tuple(out)

    # --- tables
    def table(self, data, path, schema: dict[str, Callable], required=()) -> dict | object:
        """Validate a table against {key: check(value, path)}; report unknown and missing keys."""
        if not isinstance(data, dict):
            return self.problem(path, "a table", describe_value(data))
        out = {}
        for key in required:
            if key not in data:
                self.problem(path + (key,), f"a key {key!r}", "nothing")
        for key, value in data.items():
            if key not in schema:
                self.problem(path + (key,), f"one of the keys {_names_text(schema)}",
                             f"unknown key {key!r}", _hint(key, schema))
                continue
            checked = schema[key](value, path + (key,))
            if checked is not _INVALID:
                out[key] = checked
        return out


def _names_text(names) -> str:
    names = list(names)
    if len(names) > 12:
        return ", ".join(names[:12]) + f", ... ({len(names)} in all)"
    return ", ".join(names)


def _hint(value: str, names) -> str:
    close = difflib.get_close_matches(str(value), [str(n) for n in names], n=1, cutoff=0.5)
    return f"did you mean {close[0]!r}?" if close else ""


def _validate(data: dict, v: _Validator) -> Scene | None:
    """Turn parsed TOML into a Scene, recording every problem in v; None if any."""
    # version first: a newer file gets one clear message rather than a list of unknown keys
    if "version" not in data:
        v.problem(("version",), f"a key 'version' (this Valley writes version = {SCENE_VERSION})",
                  "nothing")
    else:
        version = data["version"]
        if isinstance(version, int) and not isinstance(version, bool) and version > SCENE_VERSION:
            v.problem(("version",), f"version {SCENE_VERSION} or older",
                      f"version {version}: this scene was written by a newer Valley; update Valley "
                      "to open it")
            return None
        v.integer(version, ("version",), Range(1, SCENE_VERSION, integer=True))

    kind = data.get("kind", "landscape")
    v.choice(kind, ("kind",), KINDS)
    if not (isinstance(kind, str) and kind in KINDS):
        kind = None  # its problem is recorded; the rest is still checked, as for no particular kind

    def optimizer(value, path):
        spec = v.table(value, path, {
            "kind": lambda x, p: v.choice(x, p, OPTIMIZERS, "an optimizer:"),
            "label": lambda x, p: v.string(x, p, limits.TITLE_LENGTH),
            "color": v.color,
            "hyperparameters": lambda x, p: hyperparameters(x, p, value.get("kind", OptimizerSpec.kind)),
            "start": v.point,
            "visible": v.boolean,
        })
        if spec is _INVALID or len(spec) != len(value):
            return _INVALID
        result = OptimizerSpec(**spec)
        try:
            make_optimizer(result.kind, **result.hyperparameters)
        except Exception as error:  # the engine's word on a combination we cannot know here
            v.problem(path + ("hyperparameters",), f"hyperparameters that {result.kind} accepts",
                      str(error) or type(error).__name__)
            return _INVALID
        return result

    def hyperparameters(value, path, kind):
        if not isinstance(value, dict):
            return v.problem(path, "a table of hyperparameters", describe_value(value))
        if not isinstance(kind, str) or kind not in OPTIMIZERS:
            return _INVALID  # the kind's own problem is reported at its key
        specs = {h.name: h for h in OPTIMIZERS[kind].hyperparameter_specs()}
        hp_names = (*specs, "schedule")
        out = {}
        for key, item in value.items():
            if key not in hp_names:
                v.problem(path + (key,), f"a hyperparameter of {kind} ({_names_text(hp_names)})",
                          f"unknown key {key!r}", _hint(key, hp_names))
            elif key == "schedule":
                checked = _schedule(item, path + (key,))
                if checked is not _INVALID:
                    out[key] = checked
            else:
                checked = v.number(item, path + (key,), as_float=False)
                if checked is _INVALID:
                    continue
                if not specs[key].check.contains(checked):
                    v.problem(path + (key,), f"a number {specs[key].check.describe()}", describe_value(item))
                    continue
                out[key] = checked
        return out

    def _schedule(value, path):
        # Shape here (a name, or a table of names and numbers); meaning from valley.core.schedules,
        # so a bad schedule is reported at its own key rather than at the optimizer's table.
        checked = _schedule_shape(value, path)
        if checked is _INVALID or (isinstance(checked, dict) and len(checked) != len(value)):
            return _INVALID
        try:
            make_schedule(checked)
        except ValueError as error:
            return v.problem(path, f"a schedule ({_names_text(SCHEDULE_TITLES)}) with its options",
                             str(error) or type(error).__name__)
        return checked

    def _schedule_shape(value, path):
        if isinstance(value, str):
            return v.identifier(value, path)
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if not _NAME.fullmatch(key):
                    v.problem(path + (key,), "a schedule option name", describe_value(key))
                elif isinstance(item, str):
                    checked = v.identifier(item, path + (key,))
                    if checked is not _INVALID:
                        out[key] = checked
                else:
                    checked = v.number(item, path + (key,), as_float=False)
                    if checked is not _INVALID:
                        out[key] = checked
            return out
        return v.problem(path, "a schedule name or table", describe_value(value))

    def optimizers(value, path):
        lo = limits.OPTIMIZERS.lo if kind == "landscape" else 0
        if not isinstance(value, list):
            return v.problem(path, "an array of [[optimizers]] tables", describe_value(value))
        if not lo <= len(value) <= limits.OPTIMIZERS.hi:
            return v.problem(path, f"{lo} to {limits.OPTIMIZERS.hi} optimizers", f"{len(value)}")
        out = [optimizer(item, path + (i,)) for i, item in enumerate(value)]
        return _INVALID if _INVALID in out else out

    def surface(value, path):
        spec = v.table(value, path, {
            "name": lambda x, p: v.choice(x, p, (*SURFACES, "formula"), "a surface:"),
            "params": lambda x, p: surface_params(x, p, value.get("name", SurfaceSpec.name)),
            "formula": lambda x, p: v.string(x, p, limits.FORMULA_LENGTH),
        })
        if spec is _INVALID or len(spec) != len(value):
            return _INVALID
        result = SurfaceSpec(**spec)
        if result.name == "formula":
            if not result.formula.strip():
                return v.problem(path + ("formula",), "a formula f(x, y) when name = 'formula'",
                                 "nothing")
            try:
                parse_formula(result.formula)
            except Exception as error:  # FormulaError and anything else the parser says
                return v.problem(path + ("formula",), "a formula f(x, y) (numbers, x, y, operators,"
                                 " math functions)", f"{result.formula!r}: {error}")
        elif result.formula:
            return v.problem(path + ("formula",), "no formula unless name = 'formula'",
                             describe_value(result.formula))
        else:
            try:
                get_surface(result.name, **result.params)
            except Exception as error:
                return v.problem(path + ("params",), f"parameters that {result.name} accepts",
                                 str(error) or type(error).__name__)
        return result

    def surface_params(value, path, name):
        if not isinstance(value, dict):
            return v.problem(path, "a table of surface parameters", describe_value(value))
        # A formula or an unknown name (reported at its key) leaves the parameter names open.
        known = tuple(SURFACES[name].defaults) if isinstance(name, str) and name in SURFACES else None
        out = {}
        for key, item in value.items():
            if known is not None and key not in known:
                v.problem(path + (key,), f"a parameter of {name} ({_names_text(known) or 'none'})",
                          f"unknown key {key!r}", _hint(key, known))
                continue
            if not _NAME.fullmatch(key):
                v.problem(path + (key,), "a parameter name", describe_value(key))
                continue
            checked = v.number(item, path + (key,))
            if checked is not _INVALID:
                out[key] = checked
        return out

    def network(value, path):
        def hidden(x, p):
            if not isinstance(x, list) or not limits.HIDDEN_LAYERS.contains(len(x)):
                return v.problem(p, f"an array of layer widths, {limits.HIDDEN_LAYERS.describe()} "
                                 "of them", describe_value(x))
            out = [v.integer(n, p + (i,), limits.NEURONS) for i, n in enumerate(x)]
            return _INVALID if _INVALID in out else out

        def feature_list(x, p):
            if not isinstance(x, list) or not limits.FEATURES.contains(len(x)):
                return v.problem(p, f"an array of feature names, {limits.FEATURES.describe()} "
                                 "of them", describe_value(x))
            out = [v.choice(f, p + (i,), FEATURES) for i, f in enumerate(x)]
            return _INVALID if _INVALID in out else out

        def typed_weights(x, p):
            if not isinstance(x, list):
                return v.problem(p, "an array of [layer, j, i, value] (i = -1 for a bias)", describe_value(x))
            out = []
            for k, entry in enumerate(x):
                if not isinstance(entry, list) or len(entry) != 4:
                    v.problem(p + (k,), "[layer, j, i, value] (i = -1 for a bias)", describe_value(entry))
                    continue
                where = [v.integer(n, p + (k, m), Range(lo, limits.NEURONS.hi, integer=True))
                         for m, (n, lo) in enumerate(zip(entry[:3], (0, 0, -1)))]
                number = v.number(entry[3], p + (k, 3), limits.TYPED_WEIGHT)
                if _INVALID not in (*where, number):
                    out.append([*where, number])
            return out if len(out) == len(x) else _INVALID

        def own_points(x, p):
            shape = "an array of [x1, x2, label or target, part] (part 0: train, 1: test)"
            if not isinstance(x, list) or not limits.SAMPLES.contains(len(x)):
                return v.problem(p, f"{shape}, {limits.SAMPLES.describe()} of them", describe_value(x))
            out = []
            for k, row in enumerate(x):
                if not isinstance(row, list) or len(row) != 4:
                    v.problem(p + (k,), shape, describe_value(row))
                    continue
                numbers = [v.number(c, p + (k, m), limits.COORDINATE) for m, c in enumerate(row)]
                if _INVALID not in numbers:
                    out.append(numbers)
            return out if len(out) == len(x) else _INVALID

        spec = v.table(value, path, {
            "example": lambda x, p: x if x == "" else v.choice(x, p, EXAMPLES),
            "hidden": hidden,
            "activation": lambda x, p: v.choice(x, p, ACTIVATIONS),
            "output_activation": lambda x, p: v.choice(x, p, ACTIVATIONS),
            "loss": lambda x, p: v.choice(x, p, LOSSES),
            "init": lambda x, p: v.choice(x, p, INITS),
            "init_scale": lambda x, p: v.number(x, p, limits.INIT_SCALE),
            "leaky_slope": lambda x, p: v.number(x, p, limits.LEAKY_SLOPE),
            "elu_alpha": lambda x, p: v.number(x, p, limits.ELU_ALPHA),
            "swish_beta": lambda x, p: v.number(x, p, limits.SWISH_BETA),
            "maxout_pieces": lambda x, p: v.integer(x, p, limits.MAXOUT_PIECES),
            "dropout": lambda x, p: v.number(x, p, limits.DROPOUT),
            "batch_norm": v.boolean,
            "early_stopping": lambda x, p: x if type(x) is int and x == 0 else v.integer(x, p, limits.PATIENCE),
            "validation_fraction": lambda x, p: v.number(x, p, limits.VALIDATION_FRACTION),
            "restore_best": v.boolean,
            "jitter": lambda x, p: v.number(x, p, limits.INPUT_JITTER),
            "preprocessing": lambda x, p: v.choice(x, p, PREPROCESSING),
            "typed_weights": typed_weights,
            "dataset": lambda x, p: v.choice(x, p, ALL_DATASETS),
            "classes": lambda x, p: v.integer(x, p, limits.CLASSES),
            "points": own_points,
            "points_kind": lambda x, p: v.choice(x, p, ("classification", "regression")),
            "samples": lambda x, p: v.integer(x, p, limits.SAMPLES),
            "noise": lambda x, p: v.number(x, p, limits.NOISE),
            "train_fraction": lambda x, p: v.number(x, p, limits.TRAIN_FRACTION),
            "features": feature_list,
            "regularization": lambda x, p: v.choice(x, p, REGULARIZATIONS),
            "reg_rate": lambda x, p: v.number(x, p, limits.REG_RATE),
            "batch_size": lambda x, p: v.integer(x, p, limits.BATCH_SIZE),
            "optimizer": optimizer,
        })
        if spec is _INVALID or len(spec) != len(value):
            return _INVALID
        result = NetworkSpec(**spec)
        if result.example != "":
            return result  # a worked example brings its own network
        if (result.points is not None) != (result.dataset == OWN_POINTS):
            return v.problem(path + ("points",), f"points with dataset = \"{OWN_POINTS}\" and only then",
                             f"dataset {result.dataset!r} {'with' if result.points is not None else 'without'} points")
        if result.points is not None:
            try:
                own_points_dataset(result.points, result.points_kind or "classification")
            except DatasetError as error:
                return v.problem(path + ("points",), "points a network can learn", str(error))
        problem = result.output_problem()
        if problem is not None:
            key, message = problem
            return v.problem(path + (key,), "an output that fits the dataset", message)
        sizes = [len(result.features), *result.hidden, result.output_size()]
        try:  # the engine's word on combinations (softmax is an output activation only)
            shapes = Network(sizes, **result.network_options()).shapes  # a maxout layer: a row per piece
        except NetworkError as error:
            return v.problem(path, "a network core can build", str(error))
        for k, (layer, j, i, _) in enumerate(result.typed_weights):
            if not (layer < len(shapes) and j < shapes[layer][0] and i < shapes[layer][1]):
                return v.problem(path + ("typed_weights", k), f"a weight of the {'-'.join(map(str, sizes))} "
                                 "network", f"[{layer}, {j}, {i}]")
        if OPTIMIZERS[result.optimizer.kind].needs_hessian:
            n = parameter_count(sizes)
            if n > limits.NEWTON_MAX_PARAMS:
                return v.problem(path + ("optimizer", "kind"),
                                 "an optimizer without the exact Hessian, or a network of at most "
                                 f"{limits.NEWTON_MAX_PARAMS} parameters",
                                 f"{result.optimizer.kind} for a network of {n} parameters")
        return result

    def view(value, path):
        spec = v.table(value, path, {
            **{name: v.boolean for name in ("show_3d", "show_loss", "show_readout", "show_network",
                                            "contours", "log_colour", "gradient_field",
                                            "critical_points")},
            "arrows": lambda x, p: v.choice(x, p, ARROWS),
            "theme": lambda x, p: v.choice(x, p, THEMES),
            "speed": lambda x, p: v.number(x, p, limits.SPEED),
            "resolution": lambda x, p: v.integer(x, p, limits.RESOLUTION),
            "basins": lambda x, p: v.string(x, p, limits.TITLE_LENGTH),  # a racer: checked with them below
            "network_landscape": lambda x, p: v.choice(x, p, NETWORK_PLANES),
        })
        if spec is _INVALID or len(spec) != len(value):
            return _INVALID
        return ViewSpec(**spec)

    def annotation(value, path):
        spec = v.table(value, path, {
            "on": lambda x, p: v.choice(x, p, ANNOTATION_PLACES),
            "text": lambda x, p: v.string(x, p, limits.ANNOTATION_TEXT),
            "at": v.point,
            "tail": v.point,
        }, required=("at",))
        if spec is _INVALID or len(spec) != len(value) or "at" not in spec:
            return _INVALID
        note = Annotation(**spec)
        # the diagram's places are fractions of its drawing; the map's are the surface's coordinates
        place = limits.DIAGRAM_FRACTION if note.on == "diagram" else limits.COORDINATE
        for key in ("at", "tail"):
            point = getattr(note, key)
            if point is not None and not all(place.contains(c) for c in point):
                return v.problem(path + (key,), f"a point with coordinates {place.describe()} on the {note.on}",
                                 describe_value(list(point)))
        if not note.is_arrow and not note.text.strip():
            return v.problem(path + ("text",), "the label's text (an arrow, with a 'tail', may have none)",
                             "nothing")
        return note

    def annotations(value, path):
        if not isinstance(value, list):
            return v.problem(path, "an array of [[annotations]] tables", describe_value(value))
        if not limits.ANNOTATIONS.contains(len(value)):
            return v.problem(path, f"{limits.ANNOTATIONS.describe()} annotations", f"{len(value)}")
        out = [annotation(item, path + (i,)) for i, item in enumerate(value)]
        return _INVALID if _INVALID in out else out

    def graph(value, path):
        spec = v.table(value, path, {
            "expression": lambda x, p: v.string(x, p, limits.FORMULA_LENGTH),
            "values": lambda x, p: x if isinstance(x, dict) else v.problem(
                p, "a table of input values, name = number", describe_value(x)),
            "input": lambda x, p: x if x == "" else v.identifier(x, p),
            "note": v.string,
            "remarks": lambda x, p: x if isinstance(x, dict) else v.problem(
                p, "a table of remarks, node name = text", describe_value(x)),
        }, required=("expression",))
        if spec is _INVALID or len(spec) != len(value) or "expression" not in spec:
            return _INVALID
        try:
            parsed = Graph.parse(spec["expression"])
            inputs = list(parsed.inputs)
        except ValueError as error:  # GraphError: what and where in the expression
            return v.problem(path + ("expression",), "an expression over named inputs (numbers, names, "
                             "operators, math functions; or name = expression lines)",
                             f"{spec['expression']!r}: {error}")
        def keyed(table: str, allowed: list, what: str, check) -> dict:
            """The entries of a [graph.<table>] whose keys are among `allowed`, each checked."""
            out = {}
            for key, item in spec.get(table, {}).items():
                if key not in allowed:
                    v.problem(path + (table, key), f"{what} ({_names_text(allowed)})", f"unknown key {key!r}",
                              _hint(key, allowed))
                    continue
                checked = check(item, path + (table, key))
                if checked is not _INVALID:
                    out[key] = checked
            return out

        values = keyed("values", inputs, "an input of the expression", v.number)
        missing = [name for name in inputs if name not in spec.get("values", {})]
        if missing:
            v.problem(path + ("values",), "a value for every input of the expression",
                      f"none for {_names_text(missing)}")
        if spec.get("input", "") not in ("", *inputs):
            v.problem(path + ("input",), f"an input of the expression ({_names_text(inputs)})",
                      describe_value(spec["input"]), _hint(spec["input"], inputs))
        spec["values"] = values
        named = [node.label for node in parsed.nodes if node.named]
        spec["remarks"] = keyed("remarks", named, "a node the expression names", v.string)
        return GraphSpec(**spec)

    schema = {
        "version": lambda x, p: x,  # checked above
        "title": lambda x, p: v.string(x, p, limits.TITLE_LENGTH),
        "description": v.string,
        "kind": lambda x, p: x,  # checked above
        "surface": surface,
        "bounds": v.bounds,
        "start": v.point,
        "steps": lambda x, p: v.integer(x, p, limits.STEPS),
        "seed": lambda x, p: v.integer(x, p, limits.SEED),
        "optimizers": optimizers,
        "network": network,
        "graph": graph,
        "view": view,
        "annotations": annotations,
    }
    required = {"landscape": ("optimizers",), "network": ("network",), "graph": ("graph",)}.get(kind, ())
    values = v.table(data, (), schema, required=required)
    if v.problems or values is _INVALID:
        return None
    view = values.get("view")
    if view is not None and view.basins is not None:
        racers = [name for spec in values.get("optimizers", []) for name in (spec.display_label(), spec.kind)]
        if view.basins not in racers:
            v.problem(("view", "basins"), f"a racer's label or kind ({_names_text(dict.fromkeys(racers))})",
                      describe_value(view.basins))
    if "graph" in values and kind != "graph":
        v.problem(("graph",), 'a graph scene (kind = "graph")', f"a {kind} scene")
    for i, note in enumerate(values.get("annotations", [])):
        if kind not in ANNOTATION_PLACES[note.on]:
            v.problem(("annotations", i, "on"), f"a place a {kind} scene shows "
                      f"({_names_text(places_shown_by(kind)) or 'none'})",
                      describe_value(note.on))
    if view is not None and view.network_landscape is not None and kind != "network":
        v.problem(("view", "network_landscape"), 'a network scene (kind = "network")', f"a {kind} scene")
    if v.problems:
        return None
    values["version"] = SCENE_VERSION
    return Scene(**values)


def validate_scene(data: dict, text: str, source: str, prefix: KeyPath = ()) -> Scene:
    """The Scene that parsed TOML `data` describes; SceneError lists every problem, with lines
    found in `text` and `source` naming the file (`prefix`: the scene's key path in it)."""
    validator = _Validator(source, text, prefix)
    scene = _validate(data, validator)
    if scene is None:
        raise SceneError(validator.problems)
    return scene
