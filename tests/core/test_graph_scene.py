"""Graph scenes: the [graph] table is checked by the loader, each problem with file, line and key."""
import pytest

from valley.core.scene import GraphSpec, Scene
from valley.core.scene_io import dumps_scene, loads_scene
from valley.core.scene_schema import SceneError

GOOD = """version = 1
title = "e = (a + b)(b + 1)"
kind = "graph"

[graph]
expression = "(a + b) * (b + 1)"
input = "b"
note = "slide 004"

[graph.values]
a = 2
b = 1.0
"""


def test_a_graph_scene_loads_and_round_trips():
    scene = loads_scene(GOOD, "g.toml")
    assert scene.kind == "graph" and scene.optimizers == [] and scene.network is None
    assert scene.graph == GraphSpec("(a + b) * (b + 1)", {"a": 2.0, "b": 1.0}, "b", "slide 004")
    assert loads_scene(dumps_scene(scene)) == scene
    written = Scene(kind="graph", graph=GraphSpec("c = a + b; d = a * c", {"a": 4.0, "b": 3.0}))
    assert loads_scene(dumps_scene(written)) == written


@pytest.mark.parametrize("old, new, where", [
    ('"(a + b) * (b + 1)"', '"(a + b) * (b ^ 1)"', "g.toml:6: graph.expression: "),
    ('"(a + b) * (b + 1)"', '"__import__(1)"', "g.toml:6: graph.expression: "),
    ('b = 1.0', 'c = 1.0', "g.toml:12: graph.values.c: "),
    ('b = 1.0', 'b = "one"', "g.toml:12: graph.values.b: "),
    ('input = "b"', 'input = "q"', "g.toml:7: graph.input: "),
    ('note = "slide 004"', 'colour = 1', "g.toml:8: graph.colour: "),
    ('kind = "graph"', 'kind = "network"\n[network]', "graph: expected a graph scene"),
])
def test_a_bad_graph_table_names_file_line_and_key(old, new, where):
    with pytest.raises(SceneError) as caught:
        loads_scene(GOOD.replace(old, new), "g.toml")
    assert where in str(caught.value)


def test_every_input_needs_a_value_and_the_graph_needs_an_expression():
    with pytest.raises(SceneError, match="graph.values: expected a value for every input.*none for b"):
        loads_scene(GOOD.replace("b = 1.0", ""), "g.toml")
    with pytest.raises(SceneError, match="graph.expression: expected a key 'expression'"):
        loads_scene(GOOD.replace('expression = "(a + b) * (b + 1)"', ""), "g.toml")
    with pytest.raises(SceneError, match="graph: expected a key 'graph'"):
        loads_scene('version = 1\nkind = "graph"\n', "g.toml")


def test_remarks_belong_to_nodes_the_expression_names():
    text = GOOD.replace('note = "slide 004"', 'note = "slide 004"\n\n[graph.remarks]\nb = "the slide adds two paths"')
    scene = loads_scene(text, "g.toml")
    assert scene.graph.remarks == {"b": "the slide adds two paths"} and loads_scene(dumps_scene(scene)) == scene
    with pytest.raises(SceneError, match=r"g.toml:\d+: graph.remarks.q: expected a node the expression names"):
        loads_scene(text.replace('b = "the slide', 'q = "the slide'), "g.toml")
    with pytest.raises(SceneError, match=r"graph.remarks.b: expected a string"):
        loads_scene(text.replace('b = "the slide adds two paths"', "b = 5"), "g.toml")
    with pytest.raises(SceneError, match=r"graph.remarks.c: expected a node the expression names \(a, b\)"):
        loads_scene(text.replace('b = "the slide', 'c = "the slide'), "g.toml")  # c is a letter it gave
