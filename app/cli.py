"""The `valley` command: the window by default, or a headless sub-command."""
from __future__ import annotations

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


if __name__ == "__main__":
    sys.exit(main())
