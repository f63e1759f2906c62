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
from nnstudio.export.project_fields import (
    ensemble_of,
    history_of,
    member_count,
    name_of,
    preprocessing_of,
    seed_of,
)
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
        return compile_graph(project.graph, data, seed=seed_of(project))
    except GraphError as error:
        raise ExportError(f"The network cannot be exported: {error}") from None


def member_plans(project: Project, data: DataSignature | None = None) -> list[Plan]:
    """The networks NN Studio averages: one plan, or one per bagging member (member k
    compiled with seed + k, then the saved ensemble's values when it has every member, as
    the trainer builds them)."""
    count = member_count(project)
    plans = [export_plan(project, data)]
    seed = seed_of(project)
    try:
        plans += [compile_graph(project.graph, data, seed=seed + k) for k in range(1, count)]
        ensemble = ensemble_of(project)
        if count > 1 and len(ensemble) == count:
            for plan, state in zip(plans, ensemble, strict=True):
                plan.load_state_dict(state)
    except GraphError as error:
        raise ExportError(f"The bagging ensemble cannot be exported: {error}") from None
    return plans


def node_titles(project: Project) -> dict[str, str]:
    """node id -> title, to name the exported layers."""
    return {node_id: node.title for node_id, node in project.graph.nodes.items()}


def ensemble_note(members: int) -> str:
    """The sentence an ensemble export's docstring carries."""
    if members < 2:
        return ""
    return (f"The project trains a bagging ensemble of {members} members; this export holds "
            "all of them and averages their predictions, as NN Studio does.")


def export_project(project: Project, fmt: str, out: str | Path, *,
                   data: DataSignature | None = None,
                   base_dir: Path | None = None) -> list[Path]:
    """Write ``project`` as ``fmt`` (pytorch, onnx or csv) to ``out``; returns the files
    written. ``base_dir``: the project's folder (relative data paths)."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format '{fmt}' (use {', '.join(FORMATS)}).")
    if fmt == "csv":
        return [write_history_csv(history_of(project), out)]
    plans = member_plans(project, data)
    name = name_of(project) or Path(out).stem
    if fmt == "pytorch":
        script, weights = write_pytorch(plans, out, titles=node_titles(project), name=name,
                                        preprocessing=preprocessing_of(project),
                                        note=ensemble_note(len(plans)))
        return [script, weights]
    return [write_onnx(plans, out, titles=node_titles(project), name=name)]
