"""``nnstudio import-weights PROJECT WEIGHTS``: weights trained by an exported PyTorch
project (``output/trained.npz``, or any ``model.npz`` of an export) back into PROJECT.

The file is checked against the project (network, bagging members, input scaling) before
anything changes; see ``nnstudio.export.weights_import``. The result is saved to
``--save OUT`` or back into PROJECT with ``--in-place``; without either only the check
runs. Exit codes: 0 imported, 1 the weights do not fit the project, 2 the project file
cannot be read or written. Errors are one sentence on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNREADABLE = 2


def add_parser(subparsers: Any) -> None:
    """Register the ``import-weights`` subcommand."""
    parser = subparsers.add_parser(
        "import-weights", help="import weights trained by an exported PyTorch project",
        description="Put weights trained outside NN Studio (the trained.npz that an "
        "exported PyTorch project's train.py writes) into a project, after checking that "
        "they fit its network, bagging members and input scaling.")
    parser.add_argument("project", help="a .nnstudio project file")
    parser.add_argument("weights", help="the weights file (.npz)")
    parser.add_argument("--save", metavar="OUT", help="save the project with the weights to OUT")
    parser.add_argument("--in-place", action="store_true",
                        help="save the project with the weights back into PROJECT")


def run(args: argparse.Namespace) -> int:
    """Import ``args.weights`` into ``args.project``; returns the exit code."""
    try:
        return _import(args)
    except KeyboardInterrupt:
        raise
    except Exception as error:  # the promise: one sentence, never a traceback
        print(f"nnstudio import-weights: unexpected error ({type(error).__name__}: {error}).",
              file=sys.stderr)
        return EXIT_FAILED


def _import(args: argparse.Namespace) -> int:
    from nnstudio.cli.saving import save_result, save_target
    from nnstudio.export import ExportError
    from nnstudio.export.weights_import import apply_weights, read_weights
    from nnstudio.graph.files.project_file import ProjectFileError, load_project

    if args.save and args.in_place:
        print("nnstudio import-weights: use either --save OUT or --in-place, not both.",
              file=sys.stderr)
        return EXIT_FAILED
    path = Path(args.project)
    try:
        project = load_project(path)
    except ProjectFileError as error:
        print(f"nnstudio import-weights: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        imported = read_weights(project, Path(args.weights), base_dir=path.parent)
    except ExportError as error:
        print(f"nnstudio import-weights: {path.name}: {error}", file=sys.stderr)
        return EXIT_FAILED
    apply_weights(project, imported)
    print(imported.summary())
    target = save_target(args, path)
    if target is None:
        print("Not saved (use --save OUT or --in-place to keep the weights).")
        return EXIT_OK
    if not save_result(project, path, target, "import-weights"):
        return EXIT_UNREADABLE
    print(f"Saved the project with the imported weights to {target}.")
    return EXIT_OK
