"""Scene files: round trips, clear messages for every kind of bad file, atomic saves."""
import os
import tomllib

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valley.core.scene import NetworkSpec, OptimizerSpec, Scene, SurfaceSpec, ViewSpec, default_scene
from valley.core.scene_io import SceneError, dumps_scene, load_scene, loads_scene, save_scene, scene_to_dict

GOOD = """\
version = 1
title = "Three racers"
steps = 50
start = [-1.0, 1.5]

[surface]
name = "rosenbrock"

[surface.params]
a = 1.0
b = 100.0

[[optimizers]]
kind = "sgd"
color = "#E69F00"

[optimizers.hyperparameters]
lr = 0.001

[[optimizers]]
kind = "momentum"
color = "#56B4E9"

[optimizers.hyperparameters]
lr = 0.001
momentum = 0.9

[[optimizers]]
kind = "adam"
color = "#009E73"

[optimizers.hyperparameters]
lr = 0.05
beta1 = 0.9

[view]
theme = "light"
"""


def problems_of(text, source="scene.toml"):
    with pytest.raises(SceneError) as info:
        loads_scene(text, source)
    return info.value.problems


def line_of(text, needle, occurrence=1):
    """1-based line of the n-th line containing needle (how a reader would find it)."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def test_a_good_file_loads_into_the_dataclasses():
    scene = loads_scene(GOOD)
    assert scene.surface == SurfaceSpec(name="rosenbrock", params={"a": 1.0, "b": 100.0})
    assert [o.kind for o in scene.optimizers] == ["sgd", "momentum", "adam"]
    assert scene.optimizers[1].hyperparameters == {"lr": 0.001, "momentum": 0.9}
    assert scene.start == (-1.0, 1.5) and isinstance(scene.start, tuple)
    assert scene.view.theme == "light" and scene.view.contours is True  # default kept
    assert scene.steps == 50 and scene.seed == 0


def full_scene() -> Scene:
    return Scene(
        title="Everything set", description="A scene that uses every field\nover two lines.",
        surface=SurfaceSpec(name="quadratic", params={"condition": 25.0}),
        bounds=((-3.0, 3.0), (-1.5, 2.5)), start=(2.5, 1.0), steps=400, seed=7,
        optimizers=[
            OptimizerSpec(kind="sgd", label="SGD, decaying lr", color="#123ABC",
                          hyperparameters={"lr": 0.05, "clip_norm": 2.0,
                                           "schedule": {"kind": "linear", "lr_end": 0.001,
                                                        "tau": 100}}),
            OptimizerSpec(kind="adam", color="#D55E00", start=(-2.0, -1.0), visible=False,
                          hyperparameters={"lr": 0.1, "beta1": 0.8, "beta2": 0.99}),
        ],
        network=NetworkSpec(hidden=[3], dataset="xor", features=["x1", "x2"], samples=40),
        view=ViewSpec(show_3d=False, arrows="velocity", theme="light", speed=120.0),
    )


@pytest.mark.parametrize("make", [default_scene, full_scene])
def test_dumps_then_loads_gives_the_same_scene(make):
    scene = make()
    assert loads_scene(dumps_scene(scene)) == scene


def test_save_then_load_gives_the_same_scene(tmp_path):
    scene = full_scene()
    save_scene(scene, tmp_path / "s.toml")
    assert load_scene(tmp_path / "s.toml") == scene
    assert os.listdir(tmp_path) == ["s.toml"]


def test_bad_toml_reports_the_parser_message_and_line():
    text = GOOD.replace("steps = 50", "steps = 50 50")
    (problem,) = problems_of(text)
    assert problem.line == line_of(text, "steps = 50 50")
    assert problem.file == "scene.toml" and "TOML" in problem.expected
    assert f"scene.toml:{problem.line}:" in str(problem)
    assert "at column 12" in problem.found  # after "steps = 50 ", where the second 50 starts


def test_a_wrong_type_names_key_path_line_expected_and_found():
    text = GOOD.replace("lr = 0.05", 'lr = "fast"')
    (problem,) = problems_of(text)
    assert problem.key == "optimizers[2].hyperparameters.lr"
    assert problem.line == line_of(text, 'lr = "fast"')
    assert "number" in problem.expected and "'fast'" in problem.found
    message = str(SceneError([problem]))
    assert "scene.toml" in message and "optimizers[2].hyperparameters.lr" in message


def test_the_line_of_a_key_is_found_inside_its_own_table():
    # `lr` appears three times; the third optimizer's one must be reported.
    text = GOOD.replace("lr = 0.05", "lr = -0.05")
    (problem,) = problems_of(text)
    assert problem.line == line_of(text, "lr = ", occurrence=3)
    assert problem.key == "optimizers[2].hyperparameters.lr" and problem.expected == "a number > 0"


def test_unknown_keys_are_reported_with_the_nearest_valid_key():
    text = GOOD.replace("momentum = 0.9", "momentun = 0.9").replace('theme = "light"',
                                                                     'theme = "light"\ncontour = true')
    problems = problems_of(text)
    by_key = {p.key: p for p in problems}
    assert set(by_key) == {"optimizers[1].hyperparameters.momentun", "view.contour"}
    assert "did you mean 'momentum'?" in str(by_key["optimizers[1].hyperparameters.momentun"])
    assert "did you mean 'contours'?" in str(by_key["view.contour"])
    assert by_key["view.contour"].line == line_of(text, "contour = true")
    top = problems_of(GOOD.replace("steps = 50", "stepz = 50"))
    assert [p.key for p in top] == ["stepz"] and "'steps'" in top[0].hint


def test_every_problem_is_reported_at_once():
    text = (GOOD.replace("steps = 50", "steps = 0").replace('color = "#56B4E9"', 'color = "blue"')
            .replace('kind = "adam"', 'kind = "adma"'))
    problems = problems_of(text)
    assert {p.key for p in problems} == {"steps", "optimizers[1].color", "optimizers[2].kind"}
    kind = next(p for p in problems if p.key == "optimizers[2].kind")
    assert kind.hint == "did you mean 'adam'?" and kind.line == line_of(text, '"adma"')


@pytest.mark.parametrize("old, new, key, expected", [
    ("steps = 50", "steps = 100001", "steps", "from 1 to 100000"),
    ("steps = 50", "steps = 2.5", "steps", "integer"),
    ("start = [-1.0, 1.5]", "start = [-1.0]", "start", "a point"),
    ("start = [-1.0, 1.5]", "start = [-1.0, nan]", "start[1]", "finite"),
    ('color = "#E69F00"', 'color = "#E69F0"', "optimizers[0].color", "#RRGGBB"),
    ("b = 100.0", "b = 1e9", "surface.params", "rosenbrock accepts"),
    ("b = 100.0", "c = 1.0", "surface.params.c", "a parameter of rosenbrock"),
    ('name = "rosenbrock"', 'name = "rosenbruck"', "surface.name", "a surface"),
    ('theme = "light"', 'theme = "sepia"', "view.theme", "dark, light"),
    ('theme = "light"', "speed = 0", "view.speed", "[1, 500]"),
    ("momentum = 0.9", "momentum = 1.5", "optimizers[1].hyperparameters.momentum", "[0, 1)"),
    ("beta1 = 0.9", "schedule = \"wobbly\"", "optimizers[2].hyperparameters.schedule",
     "a schedule (constant, linear"),
    ("beta1 = 0.9", "schedule = {kind = \"step\", gamma = 0.5, every = 0}",
     "optimizers[2].hyperparameters.schedule", "a schedule"),
    ("beta1 = 0.9", "schedule = {kind = \"linear\", lr_end = 0.001, tua = 9}",
     "optimizers[2].hyperparameters.schedule", "a schedule"),
    ("title = \"Three racers\"", "title = 3", "title", "a string"),
    ("steps = 50", "seed = -1", "seed", "integer from 0"),
])
def test_out_of_range_and_wrong_values(old, new, key, expected):
    assert old in GOOD
    (problem,) = problems_of(GOOD.replace(old, new, 1))
    assert problem.key == key
    assert expected in problem.expected
    assert problem.line is not None


def test_optimizer_count_must_be_one_to_eight():
    header = GOOD.split("[[optimizers]]")[0]
    racer = '[[optimizers]]\nkind = "sgd"\n'
    assert problems_of(header + racer * 9)[0].expected == "1 to 8 optimizers"
    assert "a key 'optimizers'" in problems_of(header)[0].expected
    assert len(loads_scene(header + racer * 8).optimizers) == 8


def test_version_is_required_and_a_newer_one_says_so():
    (missing,) = problems_of(GOOD.replace("version = 1\n", ""))
    assert missing.key == "version" and missing.found == "nothing"
    (newer,) = problems_of(GOOD.replace("version = 1", "version = 2").replace("steps = 50", "x = 1"))
    assert "newer Valley" in str(newer) and newer.line == 1


def test_bounds_must_be_ordered():
    text = GOOD.replace("steps = 50", "steps = 50\nbounds = [[1.0, -1.0], [0.0, 1.0]]")
    (problem,) = problems_of(text)
    assert problem.key == "bounds[0]" and "xmin < xmax" in problem.expected
    assert loads_scene(text.replace("[1.0, -1.0]", "[-1.0, 1.0]")).bounds == ((-1.0, 1.0), (0.0, 1.0))


FORMULA = GOOD.replace('name = "rosenbrock"', 'name = "formula"\nformula = "{}"').replace(
    "[surface.params]\na = 1.0\nb = 100.0\n", "")


def test_a_formula_attack_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    attack = f"__import__('os').system('touch {marker}')"
    (problem,) = problems_of(FORMULA.replace("{}", attack))
    assert problem.key == "surface.formula" and problem.line == line_of(FORMULA, "formula =")
    assert "__import__" in problem.found
    assert not marker.exists()
    scene = loads_scene(FORMULA.replace("{}", "x**2 - y**2 + 0.1*sin(5*x)"))
    assert scene.surface.formula == "x**2 - y**2 + 0.1*sin(5*x)"


def test_unreadable_files_are_scene_errors_too(tmp_path):
    with pytest.raises(SceneError, match="readable"):
        load_scene(tmp_path / "missing.toml")
    (tmp_path / "binary.toml").write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(SceneError):
        load_scene(tmp_path / "binary.toml")


def test_a_failed_save_keeps_the_older_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "scene.toml"
    target.write_text("old contents")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save_scene(default_scene(), target)
    assert target.read_text() == "old contents"
    assert os.listdir(tmp_path) == ["scene.toml"]


# ----- property-based: any mutation of a valid scene gives a Scene or a SceneError, nothing else
JUNK = st.one_of(st.integers(-10**20, 10**20), st.floats(allow_nan=True), st.text(max_size=12),
                 st.booleans(), st.lists(st.integers(-3, 3), max_size=3),
                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


def _paths(node, prefix=()):
    """Every key path into a nested dict/list structure."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, prefix + (i,))


def _mutate(data, path, action, junk):
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = junk
    elif isinstance(parent, dict):
        parent[f"junk_{last}"] = junk
    else:
        parent.append(junk)


@pytest.mark.parametrize("junk", [[], [1, 2], {}, {"a": 1}], ids=["empty list", "list", "empty table", "table"])
def test_a_list_or_table_at_any_key_is_a_scene_error(junk):
    """Every value of every scene, replaced by a list or a table (unhashable, so a name lookup with it
    raises TypeError unless the schema checks its type first)."""
    for make in (full_scene, default_scene):
        scene_dict = scene_to_dict(make())
        for path in [p for p in _paths(scene_dict) if p]:
            mutated = scene_to_dict(make())
            _mutate(mutated, path, "replace", junk)
            try:
                loads_scene(tomli_w.dumps(mutated))
            except SceneError as error:
                assert error.problems, path


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_scenes_give_only_scene_errors(data):
    scene_dict = scene_to_dict(full_scene() if data.draw(st.booleans()) else default_scene())
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(scene_dict) if p]
        path = data.draw(st.sampled_from(paths))
        _mutate(scene_dict, path, data.draw(st.sampled_from(["delete", "replace", "insert"])),
                data.draw(JUNK))
    try:
        text = tomli_w.dumps(scene_dict)
    except (TypeError, ValueError):
        return  # not representable as TOML (e.g. NaN inside some arrays): nothing to load
    try:
        loads_scene(text)
    except SceneError as error:
        assert error.problems and all(p.file == "<string>" for p in error.problems)


@settings(max_examples=80, deadline=None)
@given(position=st.integers(0, len(GOOD)), junk=st.text(max_size=8))
def test_text_with_junk_inserted_gives_only_scene_errors(position, junk):
    try:
        loads_scene(GOOD[:position] + junk + GOOD[position:])
    except SceneError as error:
        assert str(error)


def test_dumps_writes_plain_toml():
    data = tomllib.loads(dumps_scene(full_scene()))
    assert data["version"] == 1 and data["optimizers"][0]["hyperparameters"]["schedule"]["kind"] == "linear"
    assert "start" not in data["optimizers"][0]  # None is left out, not written


NETWORK = """\
version = 1
kind = "network"

[network]
dataset = "spiral"
hidden = [8, 8]
activation = "tanh"
features = ["x1", "x2"]

[network.optimizer]
kind = "adam"

[network.optimizer.hyperparameters]
lr = 0.03
"""


def test_network_scenes_are_checked_against_core_registries():
    scene = loads_scene(NETWORK)
    assert scene.kind == "network" and scene.network.hidden == [8, 8] and scene.optimizers == []
    assert loads_scene(dumps_scene(scene)) == scene
    cases = {
        'dataset = "spiral"': ('dataset = "spirals"', "network.dataset", "did you mean 'spiral'?"),
        'activation = "tanh"': ('activation = "tanhh"', "network.activation", "did you mean 'tanh'?"),
        "hidden = [8, 8]": ("hidden = [8, 17]", "network.hidden[1]", ""),
        'features = ["x1", "x2"]': ('features = ["x1", "x3"]', "network.features[1]", "did you mean 'x2'?"),
        "lr = 0.03": ("lr = 0", "network.optimizer.hyperparameters.lr", ""),
    }
    for old, (new, key, hint) in cases.items():
        text = NETWORK.replace(old, new)
        (problem,) = problems_of(text)
        assert problem.key == key and problem.hint == hint, (old, problem)
        assert problem.line == line_of(text, new.split(" = ")[0] + " = " + new.split(" = ")[1])
    (problem,) = problems_of(NETWORK.replace('dataset = "spiral"', 'example = "no_such"'))
    assert problem.key == "network.example" and "backprop_example" in problem.expected
    assert "a key 'network'" in problems_of(NETWORK.split("[network]")[0])[0].expected


def readme_section() -> str:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start = text.index("## Scenes and exports")
    return text[start:text.index("\n## ", start + 1)]


def test_the_readme_scene_example_loads_and_round_trips():
    import re

    (example,) = re.findall(r"```toml\n(.*?)```", readme_section(), re.S)
    scene = loads_scene(example, "README.md")
    assert scene.surface.name == "rosenbrock" and scene.bounds == ((-2.0, 2.0), (-1.0, 3.0))
    assert [s.kind for s in scene.optimizers] == ["momentum", "adam"]
    assert scene.optimizers[1].start == (1.5, -0.5)
    assert scene.optimizers[1].hyperparameters["schedule"] == {"kind": "linear", "lr_end": 0.001,
                                                              "tau": 300}
    assert scene.view.theme == "light" and scene.view.show_3d is False
    assert loads_scene(dumps_scene(scene)) == scene


def test_the_basin_map_and_the_network_plane_keys_round_trip_and_are_checked():

    scene = default_scene()
    scene.view.basins = "Adam"
    assert loads_scene(dumps_scene(scene)).view.basins == "Adam"
    scene.view.basins = "Nobody"
    with pytest.raises(SceneError, match=r"view\.basins: expected a racer's label or kind \(SGD, sgd"):
        loads_scene(dumps_scene(scene), "lecture.toml")
    scene.view.basins = None
    scene.view.network_landscape = "pca"
    with pytest.raises(SceneError, match=r"view\.network_landscape: expected a network scene"):
        loads_scene(dumps_scene(scene), "lecture.toml")
    network = Scene(kind="network", network=NetworkSpec())
    network.view.network_landscape = "pca"
    assert loads_scene(dumps_scene(network)).view.network_landscape == "pca"
    network.view.network_landscape = "diagonal"
    with pytest.raises(SceneError, match=r"view\.network_landscape: expected one of random or pca|random, pca"):
        loads_scene(dumps_scene(network), "lecture.toml")
