
import pytest

from valley.app.main_window import MainWindow
from valley.app.model.document import Document
from valley.core.optimizers import OPTIMIZERS


def test_help_pages_show_the_keys_and_every_update_rule(qtbot):
    window = MainWindow(Document(), show_3d=False)
    qtbot.addWidget(window)
    assert [a.text() for a in window.menus["help"].actions()][:3] == [
        "&Keyboard and mouse", "&Update rules", "&About Valley"]
    window.help_actions["rules"].trigger()
    text = window.help_page.text()
    for cls in OPTIMIZERS.values():
        assert cls.title in text
    assert "ŝ/(√r̂ + eps)" in text and "|H|⁻¹g" in text
    window.help_page.close()
    window.help_actions["shortcuts"].trigger()
    assert "F11" in window.help_page.text() and "Space" in window.help_page.text()
    window.help_page.close()
    window.player.stop()


def test_about_names_the_version(qtbot):
    from valley import __version__

    window = MainWindow(Document(), show_3d=False)
    qtbot.addWidget(window)
    window.help_actions["about"].trigger()
    assert __version__ and __version__ in window.help_page.text()
    window.help_page.close()
    window.player.stop()


@pytest.mark.parametrize("presentation", [False, True])
def test_no_update_rule_wraps_mid_formula_and_the_page_fits_a_laptop(qtbot, presentation):
    from PyQt6.QtGui import QFont

    from valley.app.help_menu import RULE_BREAK, HelpPage, update_rules_html
    from valley.app.theme import get_theme

    page = HelpPage(None, "The update rules", update_rules_html())
    qtbot.addWidget(page)
    font = QFont(page.browser.font())
    font.setPointSize(get_theme("dark", presentation=presentation).font_size)
    page.browser.setFont(font)
    width = page.content_width()
    assert width + page.MARGIN <= (1920 if presentation else 1366) - 40
    document = page._document(width)
    statements = {part: cls for cls in OPTIMIZERS.values() for part in RULE_BREAK.split(cls.rule)}
    seen = set()
    block = document.begin()
    while block.isValid():
        lines = block.text().split("\u2028")  # <br> inside one cell
        if any(line in statements for line in lines):
            document.documentLayout().blockBoundingRect(block)  # lays the block out
            assert block.layout().lineCount() == len(lines), lines  # one line per statement
            seen.update(lines)
        block = block.next()
    assert seen == set(statements)
