"""The ``nnstudio`` command: no arguments opens the app, subcommands work headless.

Each subcommand lives in its own module of ``nnstudio.cli`` with two functions:
``add_parser(subparsers)`` declares its arguments and ``run(args) -> int`` does the work
and returns the exit code. Errors a user can cause print one sentence on stderr, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

#: Subcommand name -> module under ``nnstudio.cli`` that implements it.
SUBCOMMANDS: dict[str, str] = {
    "check": "check",
    "train": "train",
    "new": "new",
    "export": "export",
    "examples": "examples",
    "import-weights": "import_weights",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnstudio",
        description="NN Studio: build, train and understand neural networks visually. "
        "Without a subcommand the desktop app opens.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = subparsers.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument("project", nargs="?", help="a project file to open")
    for name, module_name in SUBCOMMANDS.items():
        module = importlib.import_module(f"nnstudio.cli.{module_name}")
        module.add_parser(subparsers)
        assert name in subparsers.choices, f"{module_name} did not register {name!r}"
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nnstudio`` script; returns the process exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    first = args_list[0] if args_list else ""
    if not first or (first not in SUBCOMMANDS and first != "gui" and not first.startswith("-")):
        # ``nnstudio`` or ``nnstudio FILE`` opens the app.
        return gui_main(args_list[:1])
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command in (None, "gui"):
        return gui_main([args.project] if getattr(args, "project", None) else [])
    module = importlib.import_module(f"nnstudio.cli.{SUBCOMMANDS[args.command]}")
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        print("nnstudio: interrupted", file=sys.stderr)
        return 130


def gui_main(argv: Sequence[str] | None = None) -> int:
    """Open the desktop app, optionally on a project file."""
    from nnstudio.ui.app import run_app

    return run_app(list(sys.argv[1:] if argv is None else argv))
