"""GIF frames go to the disk as they come: memory stays flat in the number of frames."""
import os

import numpy as np
import pytest
from PIL import Image

from valley.app.export import ExportError, GifWriter


def frame(k: int, size=(96, 64)) -> np.ndarray:
    rgb = np.zeros((size[1], size[0], 3), np.uint8)
    rgb[:, : 8 * (k + 1)] = (230, 159, 0)  # a bar that grows one step a frame
    rgb[k % size[1], :] = (86, 180, 233)
    return rgb


def part_size(folder) -> int:
    (part,) = [name for name in os.listdir(folder) if name.endswith(".part.gif")]
    return os.path.getsize(folder / part)


def test_each_frame_is_on_the_disk_before_the_next_and_decodes_as_given(tmp_path):
    out = tmp_path / "run.gif"
    writer = GifWriter(out, fps=10, size=(96, 64), palette_frame=frame(9))
    sizes = []
    for k in range(10):
        writer.add(frame(k))
        sizes.append(part_size(tmp_path))
    assert all(after > before for before, after in zip(sizes, sizes[1:]))
    assert not out.exists()
    writer.finish()
    assert os.listdir(tmp_path) == ["run.gif"]
    with Image.open(out) as gif:
        assert gif.n_frames == 10
        for k in range(10):
            gif.seek(k)
            np.testing.assert_array_equal(np.asarray(gif.convert("RGB")), frame(k))


def test_an_aborted_gif_leaves_the_old_file_and_no_part(tmp_path):
    out = tmp_path / "run.gif"
    out.write_bytes(b"old")
    writer = GifWriter(out, fps=10, size=(96, 64))
    writer.add(frame(0))
    writer.abort()
    assert out.read_bytes() == b"old" and os.listdir(tmp_path) == ["run.gif"]
    with pytest.raises(ExportError, match="no frames"):
        GifWriter(out, fps=10, size=(96, 64)).finish()
    assert os.listdir(tmp_path) == ["run.gif"]
