"""What a scene path may be: a regular file of sane size, read at once; anything else refused before reading."""
import os
import threading

import pytest

from valley.core import limits
from valley.core.scene_io import SceneError, load_scene
from valley.resources.scenes import __file__ as scenes_init

PRESET = os.path.join(os.path.dirname(scenes_init), "03_rosenbrock.toml")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_before_it_is_read(device):
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    with pytest.raises(SceneError, match=f"{device}: .*not a regular file"):
        load_scene(device)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "scene.toml"
    os.mkfifo(fifo)
    outcome = []

    def load():
        try:
            load_scene(fifo)
        except SceneError as error:
            outcome.append(str(error))

    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(timeout=30)
    if reader.is_alive():  # let the blocked open() return before failing
        with open(fifo, "wb"):
            pass
        pytest.fail("load_scene blocked on a FIFO")
    assert outcome and "not a regular file" in outcome[0]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    big = tmp_path / "big.toml"
    with open(big, "wb") as file:  # sparse: no disk used, and never read
        file.truncate(limits.SCENE_FILE_BYTES + 1)

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr("builtins.open", no_reading)
    with pytest.raises(SceneError, match=f"big.toml: .*{limits.SCENE_FILE_BYTES + 1:,} bytes"):
        load_scene(big)


def test_a_folder_is_named_as_one(tmp_path):
    with pytest.raises(SceneError, match="a folder"):
        load_scene(tmp_path)


def test_a_scene_with_a_utf8_byte_order_mark_loads_as_without(tmp_path):
    with open(PRESET, encoding="utf-8") as file:
        text = file.read()
    marked = tmp_path / "windows.toml"
    marked.write_bytes("\ufeff".encode() + text.encode())
    assert load_scene(marked) == load_scene(PRESET)
