"""Export a whole project: compile its network with its learned values, then write a file.

    export_project(project, "pytorch", Path("model.py"), data=signature)   # -> written paths

``data`` (the dataset's DataSignature) fixes the input shape where the graph alone does not
(e.g. Input-feature nodes that read some columns of a wider table); without it the shape
comes from the graph. Nodes without learned values get the initial values the project's
seed gives them, as training would start from.
"""

from __future__ import annotations

from pathlib import Path

from nnstudio.export.common import ExportError
from nnstudio.export.history_csv import write_history_csv
from nnstudio.export.onnx_export import write_onnx
from nnstudio.export.pytorch import write_pytorch
from nnstudio.graph.compiler import Plan, compile_graph
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.signature import DataSignature

#: Export formats and the file suffix each writes.
FORMATS: dict[str, str] = {"pytorch": ".py", "onnx": ".onnx", "csv": ".csv"}


def export_plan(project: Project, data: DataSignature | None = None) -> Plan:
    """The project's network compiled (float32) with its learned values."""
    try:
        return compile_graph(project.graph, data, seed=project.seed)
    except GraphError as error:
        raise ExportError(f"The network cannot be exported: {error}") from None


def node_titles(project: Project) -> dict[str, str]:
    """node id -> title, to name the exported layers."""
    return {node_id: node.title for node_id, node in project.graph.nodes.items()}


def ensemble_note(project: Project) -> str:
    """A warning for bagging projects: the export holds the graph's own weights."""
    if len(project.ensemble) < 2:
        return ""
    return (f"Note: the project trained a bagging ensemble of {len(project.ensemble)} "
            "members; this export holds the weights of the network on the canvas only, "
            "not the ensemble's average prediction.")


def export_project(project: Project, fmt: str, out: str | Path, *,
                   data: DataSignature | None = None) -> list[Path]:
    """Write ``project`` as ``fmt`` (pytorch, onnx or csv) to ``out``; returns the files."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format '{fmt}' (use {', '.join(FORMATS)}).")
    if fmt == "csv":
        return [write_history_csv(project.history, out)]
    plan = export_plan(project, data)
    name = project.name or Path(out).stem
    if fmt == "pytorch":
        script, weights = write_pytorch(plan, out, titles=node_titles(project), name=name,
                                        preprocessing=project.preprocessing,
                                        note=ensemble_note(project))
        return [script, weights]
    return [write_onnx(plan, out, titles=node_titles(project), name=name)]
