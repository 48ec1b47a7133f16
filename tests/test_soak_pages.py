"""The soak measures the window as it is: one Landscape tab and one Network tab, the second played."""
import bench.soak as soak
import valley.app.main_window as main_window


def test_the_soak_plays_the_windows_own_network_page_once(qapp, monkeypatch, capsys):
    windows = []
    original = main_window.MainWindow

    def keep(*args, **kwargs):
        window = original(*args, **kwargs)
        windows.append(window)
        return window

    monkeypatch.setattr(main_window, "MainWindow", keep)
    assert soak.main(["--minutes", "0.01", "--sample-seconds", "0.2"]) == 0
    (window,) = windows
    names = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert names.count("Network") == 1 and len(names) == len(set(names))
    assert window.tabs.currentWidget() is window.network_page  # the second half played it
    assert "soak:" in capsys.readouterr().out
