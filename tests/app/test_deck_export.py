"""`valley export DECK.toml -o DIR/`: a numbered file per entry with its caption drawn in, an
index.html handout that links them all, and DIR as it was when the export fails or stops."""
import os
import signal
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from valley.app import export_cli
from valley.app.export import deck as deck_export
from valley.app.export_cli import main

ROOT = Path(__file__).resolve().parents[2]
SIZE = "480x270"

# The same scene twice: with a caption and without, so the caption is all that differs
# (besides the "1 / 3" in the corner); an entry that cannot be built, one the window refuses.
DECK = """
title = "Lecture <3> & co"
[[entries]]
preset = "saddle_point"
caption = "Newton & the saddle: x < y"
notes = "Ask <why> & wait."
[[entries]]
preset = "saddle_point"
[[entries]]
preset = "no_such_preset"
caption = "never shown"
[[entries]]
preset = "learning_rates"
caption = "refused when opened"
"""


def write_deck(folder: Path, text: str = DECK) -> Path:
    path = folder / "lecture.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run(args, capsys):
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


class Handout(HTMLParser):
    """What a browser would find in the handout: its text, links and any tag not written by us."""

    def __init__(self, text: str):
        super().__init__()
        self.tags, self.links, self.data = [], [], []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag in ("img", "video", "a", "link", "script", "source"):
            for key in ("src", "href"):
                if key in attrs:
                    self.links.append(attrs[key])

    def handle_data(self, data):
        self.data.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.data).split())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.endswith(".part")]


def test_a_deck_exports_a_numbered_picture_per_entry_with_its_caption_and_a_handout(qapp, tmp_path, capsys,
                                                                                   monkeypatch):
    from valley.app.model.document import Document

    replace = Document.replace

    def refusing_learning_rates(self, scene, *args, **kwargs):
        if "Learning rate" in scene.title:
            raise ValueError("that scene does not fit this window")
        return replace(self, scene, *args, **kwargs)

    monkeypatch.setattr(Document, "replace", refusing_learning_rates)
    deck = write_deck(tmp_path)
    out = tmp_path / "slides"
    code, err = run([deck, "-o", f"{out}/", "--size", SIZE], capsys)
    assert code == 0, err
    assert sorted(os.listdir(out)) == ["01-saddle_point.png", "02-saddle_point.png", "index.html"]
    # the bad entry named by file, line and key; the rest exported, a progress line for each
    assert f"{deck}:10: entries[2].preset" in err and "no_such_preset" in err
    assert "entry 3 (preset learning_rates): that scene does not fit this window" in err
    assert "01-saddle_point.png: 100%" in err and "02-saddle_point.png: 100%" in err
    assert f"wrote 2 files and index.html to {out}/" in err

    captioned = np.asarray(Image.open(out / "01-saddle_point.png").convert("RGB")).astype(int)
    plain = np.asarray(Image.open(out / "02-saddle_point.png").convert("RGB")).astype(int)
    assert captioned.shape == plain.shape == (270, 480, 3)
    differs = np.abs(captioned - plain).sum(axis=2) > 30
    height, width = differs.shape
    differs[:height // 5, 3 * width // 4:] = False  # the count: "1 / 3" against "2 / 3"
    rows, columns = np.flatnonzero(differs.any(axis=1)), np.flatnonzero(differs.any(axis=0))
    assert differs.sum() > 500, "no caption drawn over the view"
    # subtitles: one line low over the view, whole, above the player bar; nothing else changed
    assert height // 2 < rows.min() and rows.max() < height - 10
    assert columns.max() - columns.min() > 3 * (rows.max() - rows.min())

    page = (out / "index.html").read_text(encoding="utf-8")
    handout = Handout(page)
    assert sorted(handout.links) == ["01-saddle_point.png", "02-saddle_point.png"]
    for link in handout.links:
        assert not link.startswith(("/", "http:", "https:", "file:")) and (out / link).is_file()
    assert "<style>" in page and "http" not in page  # inline CSS, no network
    # the deck's text arrives as text: no tag made of a caption's "<", "&" shown as written
    assert "Lecture <3> & co" in handout.text
    assert "Newton & the saddle: x < y" in handout.text and "Ask <why> & wait." in handout.text
    assert "why" not in handout.tags and "3" not in handout.tags
    assert "never shown" not in handout.text and "refused when opened" not in handout.text
    assert handout.text.index("Newton & the saddle") < handout.text.index("Saddle point")  # deck order


def test_gif_entries_are_animations_from_the_step_to_the_play_to_mark(qapp, tmp_path, capsys):
    deck = write_deck(tmp_path, """
        title = "Animated"
        [[entries]]
        preset = "saddle_point"
        caption = "Newton stops on the saddle"
        step = 2
        play_to = 6
        [[entries]]
        preset = "learning_rates"
        caption = "four learning rates"
        play_to = 40
        play = "arrival"
        """)
    out = tmp_path / "gifs"
    code, err = run([deck, "-o", out, "--format", "gif", "--size", SIZE, "--frames", "4", "--quiet"], capsys)
    assert code == 0, err
    assert err == ""
    assert sorted(os.listdir(out)) == ["01-saddle_point.gif", "02-learning_rates.gif", "index.html"]
    first = Image.open(out / "01-saddle_point.gif")
    assert first.size == (480, 270) and first.n_frames == 4  # steps 2..6 spread over 4 frames
    frames = []
    for i in range(first.n_frames):
        first.seek(i)
        frames.append(np.asarray(first.convert("RGB")).astype(int))
    assert np.abs(frames[0] - frames[-1]).sum() > 0, "the racers did not move"
    assert Image.open(out / "02-learning_rates.gif").n_frames == 4
    assert sorted(Handout((out / "index.html").read_text()).links) == ["01-saddle_point.gif",
                                                                          "02-learning_rates.gif"]


def test_mp4_entries_are_videos_in_the_handout(qapp, tmp_path, capsys):
    deck = write_deck(tmp_path, '[[entries]]\npreset = "saddle_point"\ncaption = "one"\nplay_to = 3\n')
    out = tmp_path / "videos"
    code, err = run([deck, "-o", out, "--format", "mp4", "--size", SIZE, "--quiet"], capsys)
    assert code == 0, err
    assert sorted(os.listdir(out)) == ["01-saddle_point.mp4", "index.html"]
    assert (out / "01-saddle_point.mp4").read_bytes()[4:8] == b"ftyp"
    handout = Handout((out / "index.html").read_text())
    assert "video" in handout.tags and handout.links[0] == "01-saddle_point.mp4"


@pytest.mark.parametrize("failure, code, message", [
    (OSError(28, "No space left on device"), 1, "export failed: [Errno 28] No space left on device"),
    (deck_export.ExportError("the basin map could not be computed"), 2,
     "entry 2 (preset saddle_point): the basin map could not be computed"),
])
def test_a_failure_in_the_second_entry_leaves_the_folder_as_it_was(qapp, tmp_path, capsys, monkeypatch,
                                                                   failure, code, message):
    deck = write_deck(tmp_path)
    out = tmp_path / "slides"
    out.mkdir()
    (out / "01-saddle_point.png").write_bytes(b"last week's picture")
    (out / "my notes.txt").write_text("not ours")
    before = snapshot(out)
    render, calls = deck_export.render_image, []

    def failing_at_the_second_entry(widget, size, *args, **kwargs):
        calls.append(size)
        if len(calls) == 2:
            raise failure
        return render(widget, size, *args, **kwargs)

    monkeypatch.setattr(deck_export, "render_image", failing_at_the_second_entry)
    exit_code, err = run([deck, "-o", out, "--size", SIZE, "--quiet"], capsys)
    assert exit_code == code
    assert message in err and f"{out} left as it was" in err
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_an_interrupted_export_writes_nothing(qapp, tmp_path, capsys, monkeypatch):
    deck = write_deck(tmp_path)
    out = tmp_path / "slides"
    render, handler = deck_export.render_image, signal.getsignal(signal.SIGTERM)

    def terminated_while_drawing(widget, size, *args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)  # the handler only raises a flag; the export polls it
        return render(widget, size, *args, **kwargs)

    monkeypatch.setattr(deck_export, "render_image", terminated_while_drawing)
    code, err = run([deck, "-o", out, "--size", SIZE, "--quiet"], capsys)
    assert code == 143
    assert "interrupted" in err
    assert not out.exists() and leftovers(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) == handler  # the export's handler is gone again


def test_a_file_that_is_not_a_deck_exits_2_with_the_deck_error(qapp, tmp_path, capsys):
    deck = write_deck(tmp_path, 'colour = "red"\n[[entries]]\npreset = "saddle_point"\n')
    code, err = run([deck, "-o", tmp_path / "out", "--size", SIZE], capsys)
    assert code == 2
    assert f"{deck}:1: colour: expected one of the keys version, title, entries" in err
    every_entry_bad = write_deck(tmp_path, '[[entries]]\npreset = "nope"\n')
    code, err = run([every_entry_bad, "-o", tmp_path / "out", "--size", SIZE], capsys)
    assert code == 2 and f"{every_entry_bad}:2: entries[0].preset" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, message", [
    (["-o", "{tmp}/slide.png"], "into a folder"),
    (["-o", "{tmp}/out", "--view", "landscape"], "--view applies to a scene"),
    (["-o", "{tmp}/out", "--steps", "0:10"], "--steps applies to a scene"),
    (["-o", "{tmp}/out", "--format", "mp4", "--size", "481x270"], "even width and height"),
    (["-o", "{tmp}/lecture.toml"], "it is a file"),
    (["-o", "{tmp}/missing/out"], "does not exist"),
])
def test_what_a_deck_cannot_be_exported_with_is_named(qapp, tmp_path, capsys, args, message):
    deck = write_deck(tmp_path)
    code, err = run([deck] + [a.format(tmp=tmp_path) for a in args], capsys)
    assert code == 2 and message in err, err


def test_a_scene_export_refuses_the_deck_format_flag(qapp, tmp_path, capsys):
    code, err = run(["saddle_point", "-o", tmp_path / "s.png", "--format", "gif"], capsys)
    assert code == 2 and "--format applies to a deck" in err
    assert export_cli.DECK_FORMATS == deck_export.DECK_FORMATS


def test_two_entries_of_the_course_deck_show_their_own_tabs(qapp, tmp_path):
    """The network entry on its Network tab and chart, the graph entry on the Graph tab."""
    from dataclasses import replace

    from PyQt6.QtCore import Qt

    from valley.app.main_window import MainWindow
    from valley.app.model.document import Document
    from valley.core.deck import load_deck

    course = load_deck(ROOT / "resources" / "decks" / "course.toml")
    deck = replace(course, entries=course.entries[1:3])
    document = Document()
    window = MainWindow(document, show_3d=False, remember=False)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    tabs = []
    window.tabs.currentChanged.connect(lambda _: tabs.append(window.tabs.currentWidget()))
    try:
        window.open_deck(deck)
        files = deck_export.export_entries(window.deck, window, tmp_path, "png", (480, 270))
        assert [f.name for f in files] == ["01-xor_hidden_layer.png", "02-graph_chain_rule.png"]
        assert window.network_page in tabs and tabs[-1] is window.graph_page
        first, second = (np.asarray(Image.open(tmp_path / f.name).convert("RGB")) for f in files)
        assert first.shape == second.shape == (270, 480, 3) and (first != second).any()
        deck_export.write_handout(tmp_path / "index.html", deck, files)
        text = Handout((tmp_path / "index.html").read_text(encoding="utf-8")).text
        assert course.entries[1].caption in text and "(3x³ + 2x)⁴" in text  # the notes, unicode kept
    finally:
        window.close()
        document.shutdown()


def test_entry_names_are_safe_file_names_from_what_the_lecturer_wrote(tmp_path):
    from valley.core.deck import loads_deck

    scene_file = tmp_path / "lectures" / "Ω week 3" / "my bowl.toml"
    scene_file.parent.mkdir(parents=True)
    (tmp_path / "deck").mkdir()
    scene_file.write_text('version = 1\noptimizers = [{kind = "sgd"}]\n')

    deck = loads_deck("""
        [[entries]]
        preset = "saddle_point"
        [[entries]]
        scene = {version = 1, title = "Ünïcode / slashes: and * stars", optimizers = [{kind = "sgd"}]}
        [[entries]]
        scene = {version = 1, title = "★★★", optimizers = [{kind = "sgd"}]}
        [[entries]]
        scene = "../lectures/Ω week 3/my bowl.toml"
        """, "d.toml", base=tmp_path / "deck")
    names = [deck_export.entry_name(i + 1, 100, e, "gif") for i, e in enumerate(deck.entries)]
    assert names == ["001-saddle_point.gif", "002-unicode_slashes_and_stars.gif", "003-scene.gif",
                     "004-my_bowl.gif"]


def test_publishing_into_a_folder_puts_everything_back_when_a_move_fails(tmp_path, monkeypatch):
    target = tmp_path / "slides"
    target.mkdir()
    (target / "01-a.png").write_bytes(b"old")
    (target / "keep.txt").write_bytes(b"mine")
    before = snapshot(target)
    with deck_export.StagedFolder(target) as staging:
        for name in ("01-a.png", "02-b.png", "index.html"):
            (staging.path / name).write_bytes(b"new " + name.encode())
        rename = os.rename

        def failing_last(src, dst):
            if Path(dst).parent == target and Path(dst).name == "index.html":
                raise OSError(5, "Input/output error")
            rename(src, dst)

        monkeypatch.setattr(os, "rename", failing_last)
        with pytest.raises(OSError):
            staging.publish()
        monkeypatch.setattr(os, "rename", rename)
    assert snapshot(target) == before
    assert leftovers(tmp_path) == []

    with deck_export.StagedFolder(target) as staging:
        (staging.path / "01-a.png").write_bytes(b"new")
        (staging.path / "index.html").write_bytes(b"<html>")
        staging.publish()
    assert snapshot(target) == {"01-a.png": b"new", "index.html": b"<html>", "keep.txt": b"mine"}
    assert leftovers(tmp_path) == []


def test_a_staging_folder_left_by_a_killed_export_is_removed_by_the_next(tmp_path):
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    stale = tmp_path / f".slides.{gone.stdout.strip()}.0badcafe.part"
    running = tmp_path / f".slides.{os.getppid()}.0badcafe.part"  # another export, still at work
    for folder in (stale, running):
        folder.mkdir()
        (folder / "01-half.png").write_bytes(b"half")
    with deck_export.StagedFolder(tmp_path / "slides") as staging:
        assert not stale.exists() and running.exists()
        (staging.path / "index.html").write_bytes(b"<html>")
        staging.publish()
    assert sorted(leftovers(tmp_path)) == [running.name]
