"""Export a whole project: compile its network with its learned values, then write a file.

    export_project(project, "pytorch", Path("model.py"), data=signature)   # -> written paths

``data`` (the dataset's DataSignature) fixes the input shape where the graph alone does not
(e.g. Input-feature nodes that read some columns of a wider table); without it the shape
comes from the graph. Nodes without learned values get the initial values the project's
seed gives them, as training would start from. A bagging project exports its whole
ensemble (``member_plans``), averaged as NN Studio averages it.
"""

from __future__ import annotations

from pathlib import Path

from nnstudio.export.common import ExportError
from nnstudio.export.history_csv import write_history_csv
from nnstudio.export.onnx_export import write_onnx
from nnstudio.export.plans import ensemble_note, export_plan, member_plans, node_titles
from nnstudio.export.project_fields import history_of, member_count, name_of, preprocessing_of
from nnstudio.export.pytorch import write_pytorch
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.signature import DataSignature

__all__ = ["FORMATS", "ensemble_note", "export_note", "export_plan", "export_project",
           "member_plans", "node_titles"]

#: Export formats and the file suffix each writes ("" = a folder).
FORMATS: dict[str, str] = {"pytorch": ".py", "onnx": ".onnx", "csv": ".csv",
                           "pytorch-project": ""}


def export_note(project: Project, fmt: str) -> str:
    """A sentence for the user about what an export holds beyond one network (a bagging
    ensemble), or ""."""
    if fmt == "csv":
        return ""
    try:
        members = member_count(project)
    except ExportError:
        return ""
    if members < 2:
        return ""
    return (f"The export holds the project's bagging ensemble of {members} members and "
            "averages their predictions, as NN Studio does.")


def export_project(project: Project, fmt: str, out: str | Path, *,
                   data: DataSignature | None = None, base_dir: Path | None = None,
                   project_file: Path | None = None) -> list[Path]:
    """Write ``project`` as ``fmt`` (pytorch, onnx, csv or pytorch-project) to ``out``;
    returns the files written. ``base_dir``: the project's folder (relative data paths);
    ``project_file``: the project's file, named in a PyTorch project's README."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format '{fmt}' (use {', '.join(FORMATS)}).")
    if fmt == "csv":
        return [write_history_csv(history_of(project), out)]
    if fmt == "pytorch-project":
        from nnstudio.export.torch_project import write_torch_project

        return write_torch_project(project, Path(out), base_dir=base_dir,
                                   project_file=project_file)
    plans = member_plans(project, data)
    name = name_of(project) or Path(out).stem
    if fmt == "pytorch":
        script, weights = write_pytorch(plans, out, titles=node_titles(project), name=name,
                                        preprocessing=preprocessing_of(project),
                                        note=ensemble_note(len(plans)))
        return [script, weights]
    return [write_onnx(plans, out, titles=node_titles(project), name=name)]
