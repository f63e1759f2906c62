"""``nnstudio examples [NAME]``: where the bundled example projects are.

Installed from a wheel, the examples live inside the package (``nnstudio/examples``), not
in a folder the user knows; this prints them, so that
``nnstudio train "$(nnstudio examples xor)" --epochs 1`` works without a checkout.
Exit codes: 0 found, 1 no such example or no examples installed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from nnstudio.paths import EXAMPLES, candidates, examples_dir

SUFFIX = ".nnstudio"


def add_parser(subparsers: Any) -> None:
    """Register the ``examples`` subcommand."""
    parser = subparsers.add_parser(
        "examples", help="list the bundled example projects, or print one's path",
        description="Without NAME, print each bundled example's name and path; with NAME "
        "(e.g. xor), print only that example's path.")
    parser.add_argument("name", nargs="?", help="an example's name, e.g. xor")


def run(args: argparse.Namespace) -> int:
    """Print the examples (or one); returns the exit code."""
    files = bundled_examples()
    if not files:
        tried = ", ".join(str(folder) for folder in candidates(EXAMPLES))
        print(f"nnstudio examples: no bundled examples were found (looked in: {tried}).",
              file=sys.stderr)
        return 1
    if args.name:
        wanted = str(args.name).removesuffix(SUFFIX)
        for path in files:
            if path.stem == wanted:
                print(path)
                return 0
        names = ", ".join(path.stem for path in files)
        print(f"nnstudio examples: there is no example named {wanted!r}; "
              f"the examples are: {names}.", file=sys.stderr)
        return 1
    width = max(len(path.stem) for path in files)
    for path in files:
        print(f"{path.stem:<{width}}  {path}")
    return 0


def bundled_examples() -> list[Path]:
    """The bundled ``*.nnstudio`` files, sorted by name (empty if none are installed)."""
    folder = examples_dir()
    return sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []
