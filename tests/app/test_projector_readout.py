"""The update-rule readout as the class sees it: at 1280×720 in presentation, on a narrow
laptop panel, with the numbers and symbols of the slides."""
from __future__ import annotations

import pytest
from models import race_model
from PyQt6.QtGui import QColor, QImage, QPainter, QTextDocument

from valley.app.main_window import MainWindow
from valley.app.views.readout import HAT_IN_A_FONT_THAT_DRAWS_IT, Readout, num

LINE_SEPARATOR = "\u2028"  # what <br> becomes inside a block


def blocks(readout):
    """(text, laid-out lines) of every block of the readout's document."""
    doc = readout.label.document
    doc.setTextWidth(readout.label.width())
    doc.documentLayout().documentSize()  # lay out
    out = []
    block = doc.begin()
    while block.isValid():
        if block.text():
            out.append((block.text(), block.layout().lineCount()))
        block = block.next()
    return out


def assert_no_line_wraps(readout):
    """Every cell (name or value) lays out exactly as many lines as it has <br>s plus one;
    the rule line and the notes under the table are prose and may wrap."""
    notes = {"The run is over", "All ", "H is ", "Some |", "The gradient was", "θ ← "}
    for text, lines in blocks(readout):
        if any(text.startswith(n) for n in notes):
            continue
        assert lines == text.count(LINE_SEPARATOR) + 1, (text, lines)


def index_of(session, kind):
    return next(i for i, s in enumerate(session.scene.optimizers) if s.kind == kind)


@pytest.fixture
def presented(qtbot):
    """The default scene's window at 1280×720 in presentation mode."""
    session = race_model()
    w = MainWindow(session.document, show_3d=False)
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    qtbot.waitExposed(w)
    w.set_presentation(True, fullscreen=False)
    # The docks of the normal mode hold the window wider until its layout has caught up with
    # their hiding: resize until it takes.
    qtbot.waitUntil(lambda: w.resize(1280, 720) or w.width() == 1280)
    yield w
    w.player.stop()


@pytest.mark.parametrize("kind", ["newton", "adam", "saddle_free_newton"])
def test_at_1280x720_every_row_is_one_line_and_all_fit(qtbot, presented, kind):
    w, session = presented, presented.race
    session.set_selected(index_of(session, kind))
    for t in (0, 2, 30):
        session.timeline.set_step(t)
        qtbot.wait(1)
        readout = w.readout
        viewport = readout.scroll.viewport()
        assert readout.label.heightForWidth(viewport.width()) <= viewport.height(), (kind, t)
        assert not readout.scroll.verticalScrollBar().isVisible()
        assert not readout.scroll.horizontalScrollBar().isVisible()
        assert_no_line_wraps(readout)
        # the type stays projector-sized: at least 12 pt
        assert readout.font_pt >= 12


def test_newton_shows_h_as_a_two_by_two_grid(qtbot, presented):
    session = presented.race
    i = index_of(session, "newton")
    session.set_selected(i)
    session.timeline.set_step(0)
    qtbot.wait(1)
    H = session.trajectories[i].states[0]["H"]
    grid = [text for text, _ in blocks(presented.readout) if text.startswith("[")]
    assert len(grid) == 1
    rows = grid[0].split(LINE_SEPARATOR)
    assert len(rows) == 2
    for row, expected in zip(rows, H):
        values = [float(v.replace("−", "-")) for v in row.strip("[]").split()]
        assert values == pytest.approx(list(expected), rel=1e-3)
    # the columns line up: both rows as long, in a monospace font
    assert len(rows[0]) == len(rows[1])
    names = [text for text, _ in blocks(presented.readout)]
    assert "H\u00a0=\u00a0∇²f(θt)" in names and "eigenvalues\u00a0of\u00a0H" in names


def test_a_narrow_laptop_panel_never_breaks_a_name_inside_a_word(qtbot):
    """The Newton readout squeezed to a 260-px side panel (1366×768 with the docks open)."""
    session = race_model()
    readout = Readout(session)
    qtbot.addWidget(readout)
    session.set_selected(index_of(session, "newton"))
    session.timeline.set_step(2)
    for width in (260, 340, 520):
        readout.resize(width, 420)
        readout.show()
        qtbot.waitExposed(readout)
        qtbot.wait(1)
        assert_no_line_wraps(readout)
        assert not readout.scroll.horizontalScrollBar().isVisible(), width
        names = [text for text, _ in blocks(readout)]
        assert "eigenvalues\u00a0of\u00a0H" in names
    assert readout.mode == "stacked" or readout.label.width() >= 340


def test_a_noisy_gradient_is_written_g_hat_not_nabla_f(qtbot):
    session = race_model()
    i = index_of(session, "adam")
    session.set_hyperparameter(i, "noise", 0.5)
    readout = Readout(session)
    qtbot.addWidget(readout)
    session.set_selected(i)
    session.timeline.set_step(3)
    text = readout.html()
    assert "ĝ = ∇f(θ<sub>t</sub>) + noise".replace(" ", "&nbsp;") in text
    assert "g&nbsp;=&nbsp;∇f" not in text
    assert "·ĝ²" in text  # the moments average the noisy gradient


def test_small_and_large_numbers_read_as_the_slides_write_them(qtbot):
    assert num(1e-8, signed=False) == "1e−8"
    assert num(3.64e-4) == "+3.64e−4"
    assert num(-2.5e6) == "−2.5e6"
    assert num(0.05, signed=False) == "0.05"
    session = race_model()
    readout = Readout(session)
    qtbot.addWidget(readout)
    session.set_selected(index_of(session, "adam"))
    session.timeline.set_step(1)
    text = readout.html()
    assert "1e−8" in text  # Adam's ε
    assert "0.00000" not in text and "e−08" not in text


def test_the_hats_of_s_hat_and_r_hat_are_drawn(qtbot):
    """r̂ is r + a combining hat, which the usual sans font drops: rendered in the font the
    readout picks for it, the hat puts ink above the plain r."""
    def ink_top(html: str) -> int:
        doc = QTextDocument()
        font = doc.defaultFont()
        font.setPointSize(28)
        doc.setDefaultFont(font)
        doc.setHtml(f"<div style='color:#000000'>{html}</div>")
        image = QImage(120, 80, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        doc.drawContents(painter)
        painter.end()
        for y in range(image.height()):
            if any(image.pixelColor(x, y).lightness() < 128 for x in range(image.width())):
                return y
        return image.height()

    import re

    hat = re.sub(r"\\1", "r\u0302", HAT_IN_A_FONT_THAT_DRAWS_IT)
    plain = HAT_IN_A_FONT_THAT_DRAWS_IT.replace("\\1", "r")
    assert ink_top(hat) < ink_top(plain) - 2
    s_hat, s = ink_top("ŝ"), ink_top("s")
    assert s_hat < s - 2
    session = race_model()
    readout = Readout(session)
    qtbot.addWidget(readout)
    session.set_selected(index_of(session, "adam"))
    session.timeline.set_step(3)
    assert hat in readout.html() and "ŝ" in readout.html()


def test_the_title_is_the_optimizers_name_not_its_key(qtbot):
    session = race_model()
    i = index_of(session, "saddle_free_newton")
    session.set_label(i, "")
    readout = Readout(session)
    qtbot.addWidget(readout)
    session.set_selected(i)
    assert "Saddle-free Newton" in readout.html()
    assert "saddle_free_newton" not in readout.html()
