"""The compiled networks of a project that exports hold: its plan, or one per bagging
member, built as the trainer builds them."""

from __future__ import annotations

from nnstudio.export.common import ExportError
from nnstudio.export.project_fields import ensemble_of, member_count, seed_of
from nnstudio.graph.compiler import Plan, compile_graph
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.signature import DataSignature


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
