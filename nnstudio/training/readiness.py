"""Whether a project can be trained now, and if not, the one sentence that says why.

The window disables Train with this sentence as its tooltip (and in the status bar), and
pressing Train's shortcut anyway shows the node the sentence is about. Only what is known
before a run starts counts: a dataset chosen, settings that check, a network without
errors (against the data's shape when it is known, and within the memory a training step
with these settings needs).
"""

from __future__ import annotations

from dataclasses import dataclass

from nnstudio.graph.checks.validation import Problem, validate
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.signature import DataSignature
from nnstudio.training.settings import TrainingError, TrainingSettings


@dataclass(frozen=True)
class Blocker:
    """Why training cannot start: ``reason`` (a sentence) and the node it is about."""

    reason: str
    node_id: str | None = None


def problem_sentence(project: Project, problem: Problem) -> str:
    """The problem's sentence, naming its node's title when the sentence does not."""
    node = project.graph.nodes.get(problem.node_id) if problem.node_id else None
    if node is None or f"'{node.title}'" in problem.message:
        return problem.message
    return f"{node.title}: {problem.message}"


def training_blocker(project: Project, data: DataSignature | None) -> Blocker | None:
    """None when Train may start, else why not (the first thing to fix)."""
    if not project.graph.nodes:
        return Blocker("The network is empty; drag nodes from the palette to build one.")
    # with the settings: the memory a training step needs counts too (as in check)
    errors = [p for p in validate(project.graph, data, project.training)
              if p.severity == "error"]
    if errors:
        return Blocker(problem_sentence(project, errors[0]), errors[0].node_id)
    if not project.dataset:
        return Blocker("No dataset is chosen; pick one under Training › Data.")
    try:
        TrainingSettings.from_dict(project.training)
    except TrainingError as error:
        return Blocker(str(error))
    return None
