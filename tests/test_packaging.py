"""What `pip install` puts into site-packages: one package, `valley`, presets included."""
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"core": "valley.core", "app": "valley.app", "resources": "valley.resources"}


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_folder_of_the_repository_is_installed_under_valley():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = {"valley"}
    for folder, package in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((package, *parts)))
    assert found == listed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    # built from a clean copy: setuptools reuses a build/ folder and would pack files since renamed
    source = tmp_path_factory.mktemp("source") / "valley"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        "build", ".git", "*.egg-info", "__pycache__", ".pytest_cache"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(out), str(source)], check=True, capture_output=True)
    return next(out.glob("valley-*.whl"))


def test_the_wheel_holds_one_top_level_package_with_the_presets(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"valley"}
    presets = [n for n in names if n.startswith("valley/resources/scenes/") and n.endswith(".toml")]
    assert len(presets) == len(list((ROOT / "resources" / "scenes").glob("*.toml"))) > 0
    assert "valley/resources/decks/course.toml" in names


def test_a_plain_install_runs_from_anywhere(wheel, tmp_path):
    env_dir = tmp_path / "env"
    venv.create(env_dir, system_site_packages=True, with_pip=False)
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                    str(wheel)], check=True, capture_output=True)
    where = subprocess.run([python, "-c", "import valley.core.surfaces as s; print(s.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert str(env_dir) in where
    race = subprocess.run([python, "-m", "valley", "race", "--surface", "booth", "--optimizers", "adam",
                           "--steps", "5"], cwd=tmp_path, capture_output=True, text=True)
    assert race.returncode == 0, race.stderr
    assert "adam" in race.stdout
    preset = subprocess.run([python, "-c", "from valley.core.scene_io import list_presets; "
                             "print(len(list_presets()))"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert preset.returncode == 0, preset.stderr
    assert int(preset.stdout) == len(list((ROOT / "resources" / "scenes").glob("*.toml")))
