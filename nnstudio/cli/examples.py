"""``nnstudio examples [NAME] [--copy-to DIR]``: where the bundled example projects are.

Installed from a wheel, the examples live inside the package (``nnstudio/examples``), not
in a folder the user knows; this prints them, so that
``nnstudio train "$(nnstudio examples xor)" --epochs 1`` works without a checkout.
``--copy-to DIR`` copies one (or all) into DIR and prints the copies' paths: a copy to edit
or train in place, and the way out of the one-file app, whose bundled files live in a
temporary folder only while it runs. Exit codes: 0 done, 1 no such example, no examples
installed, or the copy failed.
"""

from __future__ import annotations

import argparse
import shutil
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
    parser.add_argument("--copy-to", metavar="DIR", type=Path,
                        help="copy the example (all of them without NAME) into DIR, an "
                        "existing folder, and print the copies' paths")


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
        chosen = [path for path in files if path.stem == wanted]
        if not chosen:
            names = ", ".join(path.stem for path in files)
            print(f"nnstudio examples: there is no example named {wanted!r}; "
                  f"the examples are: {names}.", file=sys.stderr)
            return 1
        files = chosen
    if args.copy_to is not None:
        return _copy(files, Path(args.copy_to))
    if args.name:
        print(files[0])
        return 0
    width = max(len(path.stem) for path in files)
    for path in files:
        print(f"{path.stem:<{width}}  {path}")
    return 0


def _copy(files: list[Path], folder: Path) -> int:
    """Copy ``files`` into the existing ``folder``; print each copy's path."""
    if not folder.is_dir():
        print(f"nnstudio examples: {folder} is not an existing folder.", file=sys.stderr)
        return 1
    for path in files:
        target = folder / path.name
        try:
            shutil.copyfile(path, target)
        except OSError as error:
            print(f"nnstudio examples: cannot write {target}: {error.strerror or error}.",
                  file=sys.stderr)
            return 1
        print(target)
    return 0


def bundled_examples() -> list[Path]:
    """The bundled ``*.nnstudio`` files, sorted by name (empty if none are installed)."""
    folder = examples_dir()
    return sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []
