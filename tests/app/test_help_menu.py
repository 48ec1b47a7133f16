
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
