"""Lecture decks: a class's demos in order, as a TOML file validated like a scene.

    version = 1
    title = "Lecture 3: gradient descent and its variants"
    [[entries]]
    preset = "saddle_point"          # a Lecture preset by name, or
    # scene = "my_scene.toml"        # a scene file, relative to the deck, or
    # [entries.scene] ...            # a scene written inline, as in a scene file
    caption = "Newton stops on the saddle"   # one or two lines, shown large over the view
    notes = "Ask the class why before pressing play."
    tab = "landscape"                # landscape, network or graph (default: the scene's kind)
    view = "sharpness"               # the network page's chart: loss, plane, gradients, sharpness
    step = 0                         # the step shown on arrival
    play_to = 200                    # play to this step ...
    play = "click"                   # ... on the next click (PageDown), or on "arrival"

A bad entry does not cost the lecture: `load_deck` keeps every entry it can build and lists
the others' problems (file, line, key) in `Deck.problems`. A deck that is not a deck (not TOML,
no entries, a wrong top-level key) raises DeckError.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from valley.core import limits
from valley.core.scene import Scene
from valley.core.scene_io import list_presets, load_scene, read_scene_text
from valley.core.scene_schema import SceneError, SceneProblem, describe_value, validate_scene
from valley.core.toml_lines import LineIndex, format_key

DECK_VERSION = 1
TABS = {"landscape": (), "network": ("loss", "plane", "gradients", "sharpness"), "graph": ()}
PLAY_ON = ("click", "arrival")
ENTRY_KEYS = ("preset", "scene", "caption", "notes", "tab", "view", "step", "play_to", "play")


@dataclass(frozen=True)
class DeckEntry:
    """One demo of the lecture: its scene and how it is shown."""

    scene: Scene
    origin: str  # "preset saddle_point", "scene file …", "inline scene": what the lecturer wrote
    caption: str = ""
    notes: str = ""
    tab: str = "landscape"
    view: str | None = None
    step: int = 0
    play_to: int | None = None
    play: str = "click"


@dataclass(frozen=True)
class Deck:
    title: str
    entries: tuple[DeckEntry, ...]
    problems: tuple[SceneProblem, ...] = ()  # entries left out, each named by file, line and key
    source: str = "<string>"


class DeckError(SceneError):
    """A file that cannot be read as a deck at all; `.problems` lists why."""


def preset_scene_path(name: str) -> Path | None:
    """The Lecture preset called `name` ("saddle_point" for 01_saddle_point.toml), if any."""
    for path, _, _ in list_presets():
        if Path(path).stem.split("_", 1)[-1] == name:
            return Path(path)
    return None


class _Reader:
    def __init__(self, text: str, source: str, base: Path | None):
        self.text, self.source, self.base = text, source, base
        self.index = LineIndex(text)

    def problem(self, path, expected: str, found: str, hint: str = "") -> SceneProblem:
        return SceneProblem(self.source, format_key(path), self.index.line_of(path), expected, found, hint)

    def text_value(self, data: dict, key: str, path, max_len: int, max_lines: int | None = None) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            raise _Refused(self.problem(path + (key,), "a string", describe_value(value)))
        if len(value) > max_len:
            raise _Refused(self.problem(path + (key,), f"at most {max_len} characters", f"{len(value)} characters"))
        if max_lines is not None and len(value.strip().splitlines()) > max_lines:
            raise _Refused(self.problem(path + (key,), f"at most {max_lines} lines",
                                        f"{len(value.strip().splitlines())} lines"))
        return value.strip()

    def step_value(self, data: dict, key: str, path, default):
        value = data.get(key, default)
        if value is default:
            return value
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limits.STEPS.hi:
            raise _Refused(self.problem(path + (key,), f"a step from 0 to {limits.STEPS.hi}", describe_value(value)))
        return value

    def scene_of(self, data: dict, path) -> tuple[Scene, str]:
        given = [key for key in ("preset", "scene") if key in data]
        if len(given) != 1:
            raise _Refused(self.problem(path, "exactly one of preset = NAME, scene = FILE or an [entries.scene] table",
                                        " and ".join(given) or "neither"))
        if "preset" in data:
            name = data["preset"]
            found = preset_scene_path(name) if isinstance(name, str) else None
            if found is None:
                raise _Refused(self.problem(path + ("preset",), "the name of a Lecture preset", describe_value(name)))
            return load_scene(found), f"preset {name}"
        value = data["scene"]
        if isinstance(value, dict):
            try:
                return validate_scene(value, self.text, self.source, prefix=path + ("scene",)), "inline scene"
            except SceneError as error:
                raise _Refused(*error.problems) from None
        if not isinstance(value, str) or not value:
            raise _Refused(self.problem(path + ("scene",), "a scene file's path or an inline scene table",
                                        describe_value(value)))
        file = Path(value)
        if not file.is_absolute() and self.base is not None:
            file = self.base / file
        try:
            return load_scene(file), f"scene file {value}"
        except SceneError as error:
            raise _Refused(self.problem(path + ("scene",), "a scene file that loads", str(error))) from None

    def entry(self, data, path) -> DeckEntry:
        if not isinstance(data, dict):
            raise _Refused(self.problem(path, "a table", describe_value(data)))
        for key in data:
            if key not in ENTRY_KEYS:
                raise _Refused(self.problem(path + (key,), f"one of the keys {', '.join(ENTRY_KEYS)}",
                                            f"unknown key {key!r}"))
        scene, origin = self.scene_of(data, path)
        tab = data.get("tab", scene.kind)
        if tab not in TABS:
            raise _Refused(self.problem(path + ("tab",), f"one of {', '.join(TABS)}", describe_value(tab)))
        view = data.get("view")
        if view is not None and view not in TABS[tab]:
            choices = ", ".join(TABS[tab]) or "nothing: that tab has one view"
            raise _Refused(self.problem(path + ("view",), f"a view of the {tab} tab ({choices})", describe_value(view)))
        play = data.get("play", "click")
        if play not in PLAY_ON:
            raise _Refused(self.problem(path + ("play",), f"one of {', '.join(PLAY_ON)}", describe_value(play)))
        step = self.step_value(data, "step", path, 0)
        play_to = self.step_value(data, "play_to", path, None)
        if play_to is not None and play_to <= step:
            raise _Refused(self.problem(path + ("play_to",), f"a step after the start ({step})", str(play_to)))
        return DeckEntry(scene=scene, origin=origin,
                         caption=self.text_value(data, "caption", path, limits.TITLE_LENGTH, max_lines=2),
                         notes=self.text_value(data, "notes", path, limits.TEXT_LENGTH),
                         tab=tab, view=view, step=step, play_to=play_to, play=play)


class _Refused(Exception):
    def __init__(self, *problems: SceneProblem):
        super().__init__()
        self.problems = problems


def loads_deck(text: str, source: str = "<string>", base: str | os.PathLike | None = None) -> Deck:
    """A deck from TOML text; scene files are found relative to `base` (the deck's folder)."""
    reader = _Reader(text, source, Path(base) if base is not None else None)

    def refuse(path, expected, found) -> DeckError:
        return DeckError([reader.problem(path, expected, found)])

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DeckError([SceneProblem(source, "", None, "valid TOML", str(error))]) from None
    for key in data:
        if key not in ("version", "title", "entries"):
            raise refuse((key,), "one of the keys version, title, entries", f"unknown key {key!r}")
    if data.get("version", DECK_VERSION) != DECK_VERSION:
        raise refuse(("version",), f"version = {DECK_VERSION}", describe_value(data.get("version")))
    title = data.get("title", "")
    if not isinstance(title, str) or len(title) > limits.TITLE_LENGTH:
        raise refuse(("title",), f"a string of at most {limits.TITLE_LENGTH} characters", describe_value(title))
    entries = data.get("entries")
    if not isinstance(entries, list) or not entries:
        raise refuse(("entries",), "one [[entries]] table or more", describe_value(entries))
    if len(entries) > limits.DECK_ENTRIES:
        raise refuse(("entries",), f"at most {limits.DECK_ENTRIES} entries", f"{len(entries)}")
    built, problems = [], []
    for i, entry in enumerate(entries):
        try:
            built.append(reader.entry(entry, ("entries", i)))
        except _Refused as refused:
            problems.extend(refused.problems)
    if not built:
        raise DeckError(problems)
    return Deck(title=title.strip(), entries=tuple(built), problems=tuple(problems), source=source)


def is_deck(path: str | os.PathLike) -> bool:
    """Whether a readable TOML file is a deck (it has [[entries]]) rather than a scene."""
    try:
        data = tomllib.loads(read_scene_text(path))
    except (SceneError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("entries"), list)


def load_deck(path: str | os.PathLike) -> Deck:
    """Read a deck file (the same file checks as a scene's: a regular file of a sane size)."""
    path = Path(path)
    return loads_deck(read_scene_text(path), str(path), base=path.parent)
