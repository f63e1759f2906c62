"""``nnstudio new --data FILE OUT``: a new, ready-to-train project from a CSV, NPZ or IDX file.

Input and Output are sized to the data, a hidden stack of Dense + ReLU layers sits
between them, and the loss fits the task. Exit codes: 0 created, 1 the data or the
options are not usable, 2 OUT cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Register the ``new`` subcommand."""
    parser = subparsers.add_parser(
        "new", help="create a project from a CSV, NPZ or IDX dataset",
        description="Create a project whose network fits a dataset: Input and Output sized "
        "to the data, hidden Dense + ReLU layers, the right loss and training settings.")
    parser.add_argument("out", metavar="OUT", help="the project file to write (.nnstudio)")
    parser.add_argument("--data", required=True, metavar="FILE",
                        help="a .csv or .npz file, or an MNIST-style IDX file (its partner "
                        "images or labels file beside it)")
    parser.add_argument("--target", metavar="COLUMN",
                        help="the CSV column to predict (default: the last column)")
    parser.add_argument("--hidden", default="32,16", metavar="UNITS",
                        help="hidden layer sizes, comma-separated (default 32,16; '' = none)")
    parser.add_argument("--task", choices=("classification", "regression"),
                        help="override the automatic choice of task")
    parser.add_argument("--force", action="store_true", help="overwrite OUT if it exists")


def run(args: argparse.Namespace) -> int:
    """Create ``args.out``; returns the exit code."""
    try:
        return _new(args)
    except KeyboardInterrupt:
        raise
    except Exception as error:  # the promise: one sentence, never a traceback
        print(f"nnstudio new: unexpected error ({type(error).__name__}: {error}).",
              file=sys.stderr)
        return 1


def _new(args: argparse.Namespace) -> int:
    from nnstudio.graph.files.project_file import ProjectFileError, save_project
    from nnstudio.training import TrainingError
    from nnstudio.training.new_project import new_project_from_data, parse_hidden

    out = Path(args.out)
    try:
        hidden = parse_hidden(args.hidden)
    except ValueError as error:
        print(f"nnstudio new: --hidden: {error}", file=sys.stderr)
        return 1
    if out.exists() and not args.force:
        print(f"nnstudio new: {out} already exists (use --force to overwrite it).",
              file=sys.stderr)
        return 1
    data = Path(args.data)  # a missing or special file gets the loader's sentence
    try:
        project = new_project_from_data(data, target=args.target, hidden=hidden,
                                        task=args.task, project_dir=out.parent)
    except TrainingError as error:
        print(f"nnstudio new: {error}", file=sys.stderr)
        return 1
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        save_project(project, out)
    except (ProjectFileError, OSError) as error:
        print(f"nnstudio new: cannot write {out}: {error}", file=sys.stderr)
        return 2
    print(f"Created {out}: {project.description}")
    return 0
