"""Atomic writes: the new bytes all at once, the old file's mode kept, nothing left on failure."""
import os
import stat

import pytest

from valley.core.atomic import write_atomic


def test_a_new_file_gets_its_bytes_and_a_readable_mode(tmp_path):
    write_atomic(tmp_path / "a.txt", b"hello")
    assert (tmp_path / "a.txt").read_bytes() == b"hello"
    assert stat.S_IMODE(os.stat(tmp_path / "a.txt").st_mode) == 0o644
    assert os.listdir(tmp_path) == ["a.txt"]


def test_replacing_keeps_the_old_mode(tmp_path):
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")
    os.chmod(target, 0o600)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new" and stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["a.txt"]


def test_links_that_name_each_other_are_refused_and_stay_links(tmp_path):
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.symlink_to(second.name)
    second.symlink_to(first.name)
    with pytest.raises(OSError, match="symbolic links"):
        write_atomic(first, b"new")
    assert first.is_symlink() and second.is_symlink() and sorted(os.listdir(tmp_path)) == ["a.toml", "b.toml"]


def test_a_link_to_a_file_not_written_yet_creates_it_and_stays_a_link(tmp_path):
    (tmp_path / "slides").mkdir()
    link = tmp_path / "figure.toml"
    link.symlink_to("slides/figure.toml")
    write_atomic(link, b"new")
    assert link.is_symlink() and (tmp_path / "slides" / "figure.toml").read_bytes() == b"new"
