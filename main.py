"""Entry point: the one place that knows both the core and the Qt UI.

``python main.py`` opens the bench window; the ``station`` console script lands here too, so
``station gui`` can start the window while every other subcommand stays Qt-free.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from station.cli import main as cli_main
from station.settings import Settings


def run_gui(settings: Settings) -> int:
    from ui.app import run_bench

    return run_bench(settings)


def cli(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, gui=run_gui)


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(cli(args if args else ["gui"]))
