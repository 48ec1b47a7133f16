"""The `valley` command: the window by default, or a headless sub-command."""
from __future__ import annotations

import os
import sys

SUBCOMMANDS = {
    "race": "valley.app.race_cli",      # print a race table, no window
    "export": "valley.app.export_cli",  # render a scene to png/svg/gif/mp4, no display needed
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        import importlib

        module = importlib.import_module(SUBCOMMANDS[argv[0]])
        return module.main(argv[1:])
    from valley.app.launch import main as launch_window

    return launch_window(argv)


def run() -> None:
    """The `valley` process: main(), then exit without the interpreter's teardown.

    The windows, views and background jobs are closed and deleted in order by the commands
    themselves (the file is written and flushed by then). What is left for the interpreter's
    exit are Qt's wrappers, destroyed in no defined order: PyQt then released the QApplication
    while other wrappers still existed and crashed (exit 139) in a few exports in a hundred.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 1)


if __name__ == "__main__":
    run()
