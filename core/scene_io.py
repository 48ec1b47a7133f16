"""Scenes as TOML files: load with validation that names file, key path and line; save atomically.

A scene file is data only: valley.core.scene_schema checks every value (loading a scene never
runs code), valley.core.toml_lines finds the line of each problem.

The format (every key but `version` is optional and defaults as in core.scene):

    version = 1
    title = "Rosenbrock's banana valley"
    description = "One line for the Lecture menu."
    kind = "landscape"              # or "network" (then a [network] table, racers optional),
                                    # or "graph" (then a [graph] table: expression, values, input, note, remarks)
    steps = 1500                    # every range is in valley.core.limits
    seed = 0
    start = [-1.5, 2.0]             # shared start; bounds = [[xmin, xmax], [ymin, ymax]]
    [surface]
    name = "rosenbrock"             # core.surfaces.SURFACES, or "formula" with formula = "..."
    [surface.params]
    b = 100.0
    [view]                          # ViewSpec fields: theme, contours, log_colour, arrows, ...
    log_colour = true
    [[optimizers]]                  # one table per racer
    kind = "adam"
    label = "Adam"
    color = "#009E73"
    [optimizers.hyperparameters]
    lr = 0.05                       # plus schedule = {kind = "linear", lr_end = 0.001, tau = 250}
"""
from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import fields
from pathlib import Path

import tomli_w

from valley.core import limits
from valley.core.atomic import write_atomic
from valley.core.scene import SCENE_VERSION, Scene
from valley.core.scene_schema import SceneError, SceneProblem, describe_value, validate_scene


def loads_scene(text: str, source: str = "<string>") -> Scene:
    """Parse and validate TOML text; raise SceneError listing every problem."""
    if not isinstance(text, str):
        raise SceneError([SceneProblem(source, "", None, "TOML text", describe_value(text))])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(match.group(1)) if match else (text.count("\n") + 1 if "end of document" in message
                                                  else None)
        if match:
            message = message[: match.start()].strip() + f" at column {match.group(2)}"
        raise SceneError([SceneProblem(source, "", line, "valid TOML", message)]) from None
    except RecursionError:
        raise SceneError([SceneProblem(source, "", None, "valid TOML",
                                       "arrays or tables nested too deeply")]) from None
    return validate_scene(data, text, source)


def load_scene(path: str | os.PathLike) -> Scene:
    """Read and validate a scene file; unreadable files raise SceneError too."""
    return loads_scene(read_scene_text(path), source=str(Path(path)))


def read_scene_text(path: str | os.PathLike) -> str:
    """The text of a scene (or deck) file; SceneError when it cannot be read.

    Only a regular file of at most limits.SCENE_FILE_BYTES is read: a device (/dev/zero,
    /dev/urandom), a pipe or a huge file is refused before a byte is read, instead of hanging
    or filling the memory. A UTF-8 byte-order mark (as some Windows editors write) is skipped.
    """
    path = Path(path)

    def refuse(reason: str) -> SceneError:
        return SceneError([SceneProblem(str(path), "", None, "a readable UTF-8 TOML file", reason)])

    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise refuse("a folder")
        if not stat.S_ISREG(info.st_mode):
            raise refuse("not a regular file (a device, a pipe or a socket)")
        if info.st_size > limits.SCENE_FILE_BYTES:
            raise refuse(f"{info.st_size:,} bytes; a scene file is at most {limits.SCENE_FILE_BYTES:,}")
        with open(path, "rb") as file:
            data = file.read(limits.SCENE_FILE_BYTES + 1)
        if len(data) > limits.SCENE_FILE_BYTES:  # it grew since it was measured
            raise refuse(f"more than {limits.SCENE_FILE_BYTES:,} bytes")
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise refuse(reason) from None
    return text


def scene_to_dict(scene: Scene) -> dict:
    """The TOML-ready dict of a scene: no None values, tuples as lists, defaults kept explicit."""

    def clean(value):
        if isinstance(value, (tuple, list)):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items() if v is not None}
        return value

    def spec_dict(spec) -> dict:
        return {f.name: clean(getattr(spec, f.name)) for f in fields(spec)
                if getattr(spec, f.name) is not None}

    out = {
        "version": SCENE_VERSION,
        "title": scene.title,
        "description": scene.description,
        "kind": scene.kind,
        "steps": scene.steps,
        "seed": scene.seed,
        "start": clean(scene.start),
    }
    if scene.bounds is not None:
        out["bounds"] = clean(scene.bounds)
    out["surface"] = spec_dict(scene.surface)
    out["view"] = spec_dict(scene.view)
    if scene.network is not None:
        network = spec_dict(scene.network)
        network["optimizer"] = spec_dict(scene.network.optimizer)
        out["network"] = network
    if scene.graph is not None:
        out["graph"] = spec_dict(scene.graph)
    out["optimizers"] = [spec_dict(spec) for spec in scene.optimizers]
    if scene.annotations:
        out["annotations"] = [spec_dict(note) for note in scene.annotations]
    return out


def dumps_scene(scene: Scene) -> str:
    """TOML text for a scene; loads_scene(dumps_scene(s)) == s for every valid scene."""
    return tomli_w.dumps(scene_to_dict(scene))


def save_scene(scene: Scene, path: str | os.PathLike) -> None:
    """Write a scene atomically: a temporary file beside the target, then os.replace."""
    write_atomic(Path(path), dumps_scene(scene).encode("utf-8"))


# ----------------------------------------------------------------------------- presets
def list_presets() -> list[tuple[str, str, str]]:
    """The lecture presets shipped in resources/scenes: (path, title, description), by file name."""
    from importlib import resources

    out = []
    folder = resources.files("valley.resources.scenes")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        try:
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
            continue  # a broken preset is caught by the tests, not shown in a menu
        out.append((str(entry), str(data.get("title", entry.name)), str(data.get("description", ""))))
    return out
