"""Saving a command's result: ``--save OUT`` or ``--in-place``, shared by ``train`` and
``import-weights``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def save_target(args: Any, path: Path) -> Path | None:
    """Where the result goes: PROJECT with ``--in-place``, OUT with ``--save OUT``, else
    None (nothing is written)."""
    return path if args.in_place else Path(args.save) if args.save else None


def save_result(project: Any, source: Path, target: Path, command: str) -> bool:
    """Save ``project`` (read from ``source``) to ``target``, its data paths rebased when the
    folder changes; False (after one sentence on stderr) when it cannot be written."""
    from nnstudio.graph.files.project_file import ProjectFileError, save_project
    from nnstudio.training.prepared import move_data_paths

    if target != source:
        project.dataset = move_data_paths(project.dataset, source.parent, target.parent)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"nnstudio {command}: cannot save {target}: its folder {target.parent} cannot "
              f"be made ({error.strerror or error}).", file=sys.stderr)
        return False
    try:
        save_project(project, target)
    except ProjectFileError as error:  # its sentence names the file already
        print(f"nnstudio {command}: {error}", file=sys.stderr)
        return False
    return True
