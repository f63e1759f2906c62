"""``nnstudio check FILE``: open a project file and print the problems of its network.

Exit codes: 0 the network is valid (warnings allowed), 1 it (or its training settings) has
errors, 2 the file cannot be read. Problems go to stdout, one per line (``FILE: node 'Title'
(id): sentence``, memory estimates among them); a file that cannot be read gives one
sentence on stderr. Never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2


def add_parser(subparsers: Any) -> None:
    """Register the ``check`` subcommand."""
    parser = subparsers.add_parser(
        "check", help="check a project file and print the problems of its network",
        description="Open a project file, validate its network (against its dataset when the "
        "dataset can be loaded) and print one line per problem. Exit code 0: valid, "
        "1: the network has errors, 2: the file cannot be read.")
    parser.add_argument("file", help="a .nnstudio project file")


def run(args: argparse.Namespace) -> int:
    """Check ``args.file``; returns the exit code."""
    name = str(args.file)
    try:
        return _check(Path(args.file), name)
    except KeyboardInterrupt:
        raise
    except Exception as error:  # the promise: one sentence, never a traceback
        print(f"nnstudio check: {name}: unexpected error ({type(error).__name__}: {error}).",
              file=sys.stderr)
        return EXIT_UNREADABLE


def _check(path: Path, name: str) -> int:
    from nnstudio.graph.checks.validation import validate
    from nnstudio.graph.files.project_file import ProjectFileError, load_project

    try:
        project = load_project(path)
    except ProjectFileError as error:
        print(str(error), file=sys.stderr)
        return EXIT_UNREADABLE
    signature, warning = _data_signature(project, path.parent)
    if warning:
        print(f"{name}: warning: {warning}")
    problems = validate(project.graph, signature, project.training)
    for problem in problems:
        print(f"{name}: {_problem_line(project.graph, problem)}")
    errors = sum(1 for p in problems if p.severity == "error")
    settings_problem = _settings_problem(project)
    if settings_problem:
        print(f"{name}: training settings: {settings_problem}")
        errors += 1
    warnings = len(problems) - errors
    doc = project.graph
    if errors:
        print(f"{name}: the network has {_count(errors, 'error')} and "
              f"{_count(warnings, 'warning')}.")
        return EXIT_INVALID
    print(f"{name}: the network is valid ({_count(len(doc.nodes), 'node')}, "
          f"{_count(len(doc.edges), 'connection')}, {_count(warnings, 'warning')}).")
    return EXIT_VALID


def _data_signature(project: Any, folder: Path) -> tuple[Any, str]:
    """The dataset's DataSignature, or None and a warning saying why not."""
    from nnstudio.training.prepared import data_signature

    if not project.dataset:
        return None, "the project has no dataset chosen; checked without the data's shapes."
    signature, reason = data_signature(project, folder)
    if signature is None:
        return None, (f"the dataset could not be loaded ({reason}); "
                      "checked without the data's shapes.")
    return signature, ""


def _settings_problem(project: Any) -> str:
    """The sentence of settings that cannot train together ("" when they can)."""
    from nnstudio.training.settings import TrainingError, TrainingSettings

    try:
        TrainingSettings.from_dict(project.training)
    except TrainingError as error:
        return str(error)
    return ""


def _problem_line(doc: Any, problem: Any) -> str:
    prefix = "warning: " if problem.severity == "warning" else ""
    node = doc.nodes.get(problem.node_id) if problem.node_id is not None else None
    if node is None:
        return f"{prefix}{problem.message}"
    return f"{prefix}node '{node.title}' ({node.id}): {problem.message}"


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
