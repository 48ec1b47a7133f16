"""Lecture presets by name: `valley rosenbrock`, `valley export rosenbrock`, the Lecture menu."""
from __future__ import annotations

from pathlib import Path

from valley.core.scene_io import list_presets


def preset_paths() -> list[Path]:
    return [Path(p) for p, _, _ in list_presets()]


def preset_name(path: Path) -> str:
    """'03_rosenbrock.toml' -> 'rosenbrock'."""
    return Path(path).stem.split("_", 1)[-1]


def find_preset(name: str) -> Path:
    """The preset whose file name is or ends with `name`, else the one file name containing it.

    ValueError names the presets when there is none or more than one.
    """
    key = name.lower().replace("-", "_")
    paths = preset_paths()
    matches = [p for p in paths if p.stem.lower() == key or preset_name(p).lower() == key]
    if not matches:
        matches = [p for p in paths if key in p.stem.lower()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValueError(f"{name!r} matches several presets: {', '.join(preset_name(m) for m in matches)}")
    raise ValueError(f"no scene file {name!r}, and no lecture preset of that name "
                     f"(presets: {', '.join(preset_name(p) for p in paths)})")


def resolve_scene_path(name: str) -> Path:
    """A scene file as given, else a preset by name (ValueError when neither)."""
    path = Path(name)
    if path.exists() or path.suffix == ".toml":
        return path
    return find_preset(name)


def is_preset(path) -> bool:
    return any(p.resolve() == Path(path).resolve() for p in preset_paths())
