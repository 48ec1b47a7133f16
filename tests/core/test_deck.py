"""Lecture decks: entries from presets, scene files and inline scenes; a bad entry is named by
file, line and key and the rest of the deck still opens."""
import pytest

from valley.core.deck import DeckError, load_deck, loads_deck
from valley.core.scene_io import dumps_scene, load_scene
from valley.core.scene_schema import SceneError

INLINE = """
[[entries]]
caption = "A bowl of our own"
[entries.scene]
version = 1
title = "Own bowl"
steps = 50
optimizers = [{kind = "sgd"}]
[entries.scene.surface]
name = "formula"
formula = "x**2 + 3*y**2"
"""


def test_presets_scene_files_and_inline_scenes_make_the_entries(tmp_path):
    from valley.app.model.presets import find_preset

    scene_file = tmp_path / "scenes" / "mine.toml"
    scene_file.parent.mkdir()
    scene_file.write_text(dumps_scene(load_scene(find_preset("rosenbrock"))))
    deck_file = tmp_path / "lecture.toml"
    deck_file.write_text('title = "Lecture 3"\n'
                         '[[entries]]\npreset = "saddle_point"\ncaption = "Newton stops on the saddle"\n'
                         'notes = "Ask why first."\nstep = 0\nplay_to = 120\nplay = "arrival"\n'
                         '[[entries]]\nscene = "scenes/mine.toml"\n'
                         '[[entries]]\npreset = "spiral_two_hidden_layers"\nview = "plane"\n'
                         + INLINE)
    deck = load_deck(deck_file)
    assert deck.title == "Lecture 3" and not deck.problems
    saddle, mine, spiral, own = deck.entries
    assert saddle.scene == load_scene(find_preset("saddle_point"))
    assert (saddle.caption, saddle.notes, saddle.play_to, saddle.play) == (
        "Newton stops on the saddle", "Ask why first.", 120, "arrival")
    assert mine.scene == load_scene(scene_file) and mine.origin == "scene file scenes/mine.toml"
    assert (spiral.tab, spiral.view) == ("network", "plane")  # the tab follows the scene's kind
    assert (own.tab, own.scene.title, own.scene.steps, own.scene.surface.formula) == (
        "landscape", "Own bowl", 50, "x**2 + 3*y**2")
    assert own.play == "click" and own.play_to is None


def test_a_bad_entry_is_named_and_the_rest_of_the_deck_opens():
    text = ('title = "t"\n'
            '[[entries]]\npreset = "saddle_point"\n'
            '[[entries]]\npreset = "no_such_demo"\n'
            '[[entries]]\npreset = "rosenbrock"\nview = "sharpness"\n'
            '[[entries]]\npreset = "rosenbrock"\nstep = 50\nplay_to = 10\n'
            '[[entries]]\npreset = "rosenbrock"\ncaption = "one\\ntwo\\nthree"\n'
            '[[entries]]\npreset = "beale"\n')
    deck = loads_deck(text, "lecture.toml")
    assert [e.origin for e in deck.entries] == ["preset saddle_point", "preset beale"]
    found = [(p.line, p.key) for p in deck.problems]
    assert found == [(5, "entries[1].preset"), (8, "entries[2].view"), (12, "entries[3].play_to"),
                     (15, "entries[4].caption")]
    assert all(str(p).startswith(f"lecture.toml:{p.line}: {p.key}:") for p in deck.problems)
    assert "no_such_demo" in str(deck.problems[0]) and "network tab" not in str(deck.problems[1])


def test_an_inline_scenes_problems_name_the_decks_lines():
    deck_text = ('[[entries]]\npreset = "beale"\n'
                 + INLINE.replace("steps = 50", "steps = -3").replace('"x**2 + 3*y**2"', '"x**2 +* y"'))
    deck = loads_deck(deck_text, "lecture.toml")
    assert len(deck.entries) == 1
    keys = {p.key: p.line for p in deck.problems}
    lines = deck_text.splitlines()
    assert "steps = -3" in lines[keys["entries[1].scene.steps"] - 1]
    assert "formula" in lines[keys["entries[1].scene.surface.formula"] - 1]


@pytest.mark.parametrize("text, key", [
    ("title = 'no entries'\n", "entries"),
    ("wrong = 1\n[[entries]]\npreset = 'beale'\n", "wrong"),
    ("version = 2\n[[entries]]\npreset = 'beale'\n", "version"),
    ("[[entries]]\npreset = 'nope'\n[[entries]]\nscene = 'missing.toml'\n", "entries[0].preset"),
    ("[[entries]]\npreset = 'beale'\nscene = 'b.toml'\n", "entries[0]"),
    ("[[entries]]\npreset = 'beale'\ncolour = 'red'\n", "entries[0].colour"),
])
def test_what_is_not_a_deck_is_refused_by_key(text, key):
    with pytest.raises(DeckError) as caught:
        loads_deck(text, "d.toml")
    assert caught.value.problems[0].key == key
    assert isinstance(caught.value, SceneError) and isinstance(caught.value, ValueError)


def test_a_scene_file_that_does_not_load_is_that_entrys_problem(tmp_path):
    (tmp_path / "broken.toml").write_text("version = 1\nsteps = 'many'\n")
    (tmp_path / "deck.toml").write_text('[[entries]]\nscene = "broken.toml"\n[[entries]]\npreset = "beale"\n')
    deck = load_deck(tmp_path / "deck.toml")
    assert len(deck.entries) == 1
    problem = deck.problems[0]
    assert problem.key == "entries[0].scene" and problem.line == 2 and "broken.toml" in problem.found


def test_a_device_is_refused_before_it_is_read():
    with pytest.raises(SceneError, match="not a regular file"):
        load_deck("/dev/zero")


def test_the_course_deck_opens_whole_in_the_slides_order():
    from importlib import resources

    from valley.core.deck import load_deck

    path = resources.files("valley.resources") / "decks" / "course.toml"
    deck = load_deck(str(path))
    assert not deck.problems, [str(p) for p in deck.problems]
    names = [entry.origin.removeprefix("preset ") for entry in deck.entries]
    # neurons, then backpropagation, then gradient descent, then surfaces, then depth
    order = ["perceptron_or", "graph_chain_rule", "backprop_example", "learning_rates", "saddle_point",
             "vanishing_gradients"]
    assert [names.index(name) for name in order] == sorted(names.index(name) for name in order)
    assert all(entry.caption for entry in deck.entries)
    assert {entry.view for entry in deck.entries} >= {"gradients", "sharpness"}
