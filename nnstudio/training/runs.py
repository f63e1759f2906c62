"""Run records from training: which run a Train belongs to, and the ONE project edit that
stores what a run learned (weights, history, optimizer state, scaler, run record).

    start = begin_run(project)                     # continue the current run, or a new one
    trainer = Trainer(run_project(project, start)) # a copy that trains as that run
    ... train ...
    project.apply(results_edit(project, start, trainer.results(), finished))

The command line and the window both go through here, so a run is recorded the same way.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnstudio.graph.compiler import Plan
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.edits import Compound, Edit, SetEdgeWeight, SetValues
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.project_edits import (
    AddRun,
    AnyEdit,
    ProjectCompound,
    ReplaceRun,
    SetField,
)
from nnstudio.graph.model.registry import dropout_rate
from nnstudio.graph.model.runs import Run, RunWeights, network_settings, next_run_id
from nnstudio.training import bagging, metrics
from nnstudio.training.prepared import prepare_run
from nnstudio.training.records import Finished, TrainingResults

RESULTS_TEXT = "Training results"
RESET_TEXT = "Reset weights"
_OPTIMIZER_NAMES = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop"}


@dataclass(frozen=True)
class RunStart:
    """Which run a training belongs to.

    continues: True appends to the project's current run ``run_id``; False starts the new
    run ``run_id`` (``parent``: the run whose weights it starts from, if any).
    """

    run_id: str
    name: str
    started: str
    continues: bool
    parent: str | None = None


def utc_now() -> str:
    """The current time as ISO 8601 UTC, to the second ("2026-12-03T04:05:06Z")."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


def begin_run(project: Project, *, new: bool = False, started: str | None = None) -> RunStart:
    """Continue the current run, or start a new one when there is none or ``new`` is set
    (e.g. after a change of the network's parameter shapes)."""
    active = project.active
    when = started or utc_now()
    if active is not None and not new:
        return RunStart(active.id, active.name, when, continues=True)
    run_id = next_run_id(project.runs)
    name = default_run_name(int(run_id[1:]), project)
    parent = active.id if active is not None else None
    return RunStart(run_id, name, when, continues=False, parent=parent)


def run_project(project: Project, start: RunStart) -> Project:
    """A copy of ``project`` to train as the run ``start``: a new run begins with an empty
    history and a fresh optimizer (the network's stored weights are kept where they fit)."""
    copy = project.copy()
    if not start.continues:
        copy.active_run = None
        copy.optimizer_state = {}
        copy.ensemble = []
    return copy


def default_run_name(number: int, project: Project) -> str:
    """"Run 3 · Adam 0.01 · dropout 0.1 · L2 0.0001": the number and the settings a
    student compares runs by."""
    training = project.training
    optimizer = _OPTIMIZER_NAMES.get(str(training.get("optimizer", "sgd")), "SGD")
    parts = [f"Run {number}", f"{optimizer} {float(training.get('lr', 0.1)):g}"]
    dropout = [dropout_rate(n.params) for n in project.graph.nodes.values()
               if n.type_id == "layer.dropout"]
    if any(p > 0 for p in dropout):
        parts.append(f"dropout {max(dropout):g}")
    for kind in ("l1", "l2"):
        strengths = [float(n.params.get(kind, 0.0)) for n in project.graph.nodes.values()
                     if str(n.params.get("penalty", "none")) in (kind, "l1_l2")]
        if any(s > 0 for s in strengths):
            parts.append(f"{kind.upper()} {max(strengths):g}")
    if int(training.get("bagging_members", 1)) > 1:
        parts.append(f"bagging ×{int(training['bagging_members'])}")
    return " · ".join(parts)


def plan_fingerprint(plan: Plan) -> str:
    """A short hash of the plan's parameter and buffer names and shapes: equal for two
    networks whose learned arrays fit each other."""
    shapes = sorted([f"{o}/{n}", list(a.shape)] for (o, n), a in
                    {**plan.params, **plan.buffers}.items())
    return hashlib.sha256(json.dumps(shapes).encode()).hexdigest()[:16]


def weights_of(edit: Edit) -> RunWeights:
    """The learned values a plan's write-back edit stores, as a run's weights."""
    values: dict[str, dict[str, np.ndarray]] = {}
    edges: dict[str, float] = {}
    parts = edit.edits if isinstance(edit, Compound) else (edit,)
    for part in parts:
        if isinstance(part, SetValues):
            values[part.node_id] = {k: np.array(v) for k, v in part.values.items()}
        elif isinstance(part, SetEdgeWeight) and part.weight is not None:
            edges[part.edge_id] = float(part.weight)
    return RunWeights(values, edges)


def results_edit(project: Project, start: RunStart, results: TrainingResults,
                 finished: Finished, ended: str | None = None) -> ProjectCompound:
    """One edit storing a run's results: the weights into the network, the optimizer
    state, ensemble and scaler, the run record (added or extended) made current, and
    older runs' weights dropped beyond the project's size cap."""
    weights = dataclasses.replace(weights_of(results.weights_edit),
                                  ensemble=tuple(results.ensemble))
    base = (project.run(start.run_id) if start.continues else
            Run(id=start.run_id, name=start.name, started=start.started,
                settings=dict(project.training), dataset=dict(project.dataset),
                seed=int(project.seed), network=network_settings(project.graph.nodes),
                parent=start.parent))
    run = dataclasses.replace(
        base, ended=ended or utc_now(), history=tuple(results.history),
        outcome=finished.reason, message=finished.message,
        preprocessing=dict(results.preprocessing), weights=weights, weights_dropped=False,
        fingerprint=results.fingerprint)
    edits: list[AnyEdit] = [results.weights_edit,
                            ReplaceRun(run) if start.continues else AddRun(run)]
    edits += [SetField("optimizer_state", results.optimizer_state),
              SetField("ensemble", list(results.ensemble)),
              SetField("preprocessing", dict(results.preprocessing)),
              SetField("active_run", run.id)]
    others = [r for r in project.runs if r.id != run.id]
    edits += _weights_cap_edits([*others, run], project.run_weights_limit_mb, keep=run.id)
    return ProjectCompound(tuple(edits), RESULTS_TEXT)


def _weights_cap_edits(runs: list[Run], limit_mb: float, keep: str) -> list[AnyEdit]:
    """Drop the weights of the oldest runs (never ``keep``) until the rest fit the cap."""
    total = sum(r.weights.nbytes for r in runs if r.weights is not None)
    limit = limit_mb * 2**20
    edits: list[AnyEdit] = []
    for run in runs:
        if total <= limit:
            break
        if run.id == keep or run.weights is None:
            continue
        total -= run.weights.nbytes
        edits.append(ReplaceRun(dataclasses.replace(run, weights=None, weights_dropped=True)))
    return edits


def weights_cap_edit(project: Project, limit_mb: int) -> ProjectCompound:
    """Change the project's cap and drop what no longer fits (one undo step)."""
    keep = project.active_run or ""
    return ProjectCompound((SetField("run_weights_limit_mb", int(limit_mb)),
                            *_weights_cap_edits(list(project.runs), limit_mb, keep)),
                           "Change the run storage limit")


def clear_weights_edits(doc: Document) -> list[Edit]:
    """Edits that forget every learned value and edge weight of ``doc``."""
    edits: list[Edit] = [SetValues(n.id, {}) for n in doc.nodes.values() if n.values]
    edits += [SetEdgeWeight(e.id, None) for e in doc.edges.values() if e.weight is not None]
    return edits


def reset_edit(project: Project) -> ProjectCompound:
    """Fresh weights: the network's learned values, optimizer state, ensemble and scaler
    are cleared and no run is current (the runs themselves are kept)."""
    edits: list[AnyEdit] = [*clear_weights_edits(project.graph),
                            SetField("optimizer_state", {}), SetField("ensemble", []),
                            SetField("preprocessing", {}), SetField("active_run", None)]
    return ProjectCompound(tuple(edits), RESET_TEXT)


def restore_edit(project: Project, run_id: str) -> ProjectCompound:
    """Put a run's final weights (and its scaler and ensemble) back into the network and
    make it current; raises ValueError with a sentence when its weights are not stored."""
    run = project.run(run_id)
    if run.weights is None:
        reason = ("the project's size limit dropped them" if run.weights_dropped
                  else "they were not stored")
        raise ValueError(f"{run.name} has no stored weights: {reason}.")
    doc = project.graph
    edits: list[AnyEdit] = list(clear_weights_edits(doc))
    edits += [SetValues(node_id, dict(values)) for node_id, values in run.weights.values.items()
              if node_id in doc.nodes]
    edits += [SetEdgeWeight(edge_id, weight) for edge_id, weight
              in run.weights.edge_weights.items() if edge_id in doc.edges]
    edits += [SetField("optimizer_state", {}),
              SetField("ensemble", [dict(m) for m in run.weights.ensemble]),
              SetField("preprocessing", dict(run.preprocessing)),
              SetField("active_run", run.id)]
    return ProjectCompound(tuple(edits), f"Restore the weights of {run.name}")


def missing_nodes(weights: RunWeights, doc: Document) -> list[str]:
    """Node ids whose stored weights have no node in ``doc`` any more."""
    return sorted(set(weights.values) - set(doc.nodes))


def summary(run: Run) -> Mapping[str, float | int | None]:
    """Best and final validation loss and accuracy, and the epochs of a run."""
    best, final = run.best(), run.final()

    def get(record: Mapping[str, object] | None, key: str) -> float | None:
        value = None if record is None else record.get(key)
        return float(value) if isinstance(value, int | float) else None

    return {"epochs": run.epochs, "best_epoch": None if best is None else int(best["epoch"]),
            "best_val_loss": get(best, "val_loss"), "final_val_loss": get(final, "val_loss"),
            "best_val_accuracy": get(best, "val_accuracy"),
            "final_val_accuracy": get(final, "val_accuracy")}


def validation_loss(project: Project, base_dir: Path | None = None) -> float | None:
    """The validation loss of the network's stored weights (every bagging member averaged,
    as a run's epoch records measure it); None without a validation split."""
    prepared = prepare_run(project, base_dir)
    val = prepared.split.val
    if not val.n_samples:
        return None
    plans = prepared.plans
    for plan, state in zip(plans, project.ensemble, strict=False):
        plan.load_state_dict(state)
    predictions = bagging.average_predictions([plan.predict(val.x) for plan in plans])
    return metrics.eval_loss(prepared.plan.heads, predictions, prepared.targets["val"])
