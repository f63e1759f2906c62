"""``nnstudio export PROJECT --to FORMAT OUT``: write a project's network, training or history.

pytorch writes ``OUT`` (a ``.py`` script) and its weights beside it (``.npz``); onnx writes
an ONNX model; pytorch-project writes the folder ``OUT`` with the model, the data and a
``train.py`` that trains it as NN Studio does (on CPU, GPU or with torchrun); csv writes the
training history. A bagging project exports its whole ensemble. Exit codes: 0 written, 1
the export failed (invalid network, no history, missing ``onnx`` package, unwritable path),
2 the project file cannot be read. Errors are one sentence on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_WRITTEN = 0
EXIT_FAILED = 1
EXIT_UNREADABLE = 2


def add_parser(subparsers: Any) -> None:
    """Register the ``export`` subcommand."""
    parser = subparsers.add_parser(
        "export", help="export a project's network to PyTorch or ONNX, its training to a "
        "PyTorch project, or its history to CSV",
        description="Export the network of a project file with its learned weights: "
        "'pytorch' writes a Python script with an nn.Module plus an .npz of weights beside it, "
        "'onnx' an ONNX model (needs the onnx package), 'pytorch-project' a folder with "
        "model.py, data.py and a train.py that trains it as NN Studio does (see its "
        "README.md), 'csv' the training history.")
    parser.add_argument("project", help="a .nnstudio project file")
    parser.add_argument("--to", dest="format", required=True,
                        choices=("pytorch", "onnx", "pytorch-project", "csv"),
                        help="the export format")
    parser.add_argument("out", help="the file or folder to write (e.g. model.py, model.onnx, "
                        "digits_pytorch/, history.csv)")


def run(args: argparse.Namespace) -> int:
    """Export ``args.project`` as ``args.format`` to ``args.out``; returns the exit code."""
    name = str(args.project)
    try:
        return _export(Path(args.project), str(args.format), Path(args.out), name)
    except KeyboardInterrupt:
        raise
    except Exception as error:  # the promise: one sentence, never a traceback
        print(f"nnstudio export: {name}: unexpected error ({type(error).__name__}: {error}).",
              file=sys.stderr)
        return EXIT_FAILED


def _export(path: Path, fmt: str, out: Path, name: str) -> int:
    from nnstudio.export import ExportError, export_project
    from nnstudio.export.project_export import export_note
    from nnstudio.graph.files.project_file import ProjectFileError, load_project

    try:
        project = load_project(path)
    except ProjectFileError as error:
        print(str(error), file=sys.stderr)
        return EXIT_UNREADABLE
    data = None if fmt in ("csv", "pytorch-project") else data_signature(project, path.parent)
    try:
        written = export_project(project, fmt, out, data=data, base_dir=path.parent,
                                 project_file=path)
    except ExportError as error:
        print(f"nnstudio export: {name}: {error}", file=sys.stderr)
        return EXIT_FAILED
    for file in written:
        print(f"wrote {file}")
    note = export_note(project, fmt)
    if note:
        print(note)
    return EXIT_WRITTEN


def data_signature(project: Any, folder: Path | None) -> Any:
    """The DataSignature of the project's dataset, or None when it cannot be loaded (the
    input shape then comes from the graph alone)."""
    from nnstudio.training.prepared import data_signature as signature_of

    return signature_of(project, folder)[0]
