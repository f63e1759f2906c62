"""The settings block of ``train.py``: what NN Studio's trainer knows beyond the module.

Parameters are named as the generated module names them (``dense_64.weight``); the
history's norm columns keep NN Studio's node ids, in the order of ``Plan.node_weights``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import numpy as np

from nnstudio.export.common import value_names
from nnstudio.graph.compiler import Plan
from nnstudio.graph.compiler.build import penalty_of
from nnstudio.graph.model.document import Document
from nnstudio.training.settings import TrainingSettings

Param = tuple[str, list[int] | None]          # (module parameter, flat indices or all)


def heads(plan: Plan) -> list[tuple[str, int, int, int | None]]:
    """(loss, first column, end column, target column or None) per output head."""
    return [(h.loss, int(h.columns.start), int(h.columns.stop),
             None if h.target_column is None else int(h.target_column)) for h in plan.heads]


def penalties(plan: Plan, doc: Document, titles: Mapping[str, str]
              ) -> list[tuple[str, float, float, list[int] | None]]:
    """(parameter, l1, l2, rows or None for all) for every weight a node penalises: a
    Dense or Conv2D node's weight, and the rows of a neuron group whose Neurons ask."""
    names = value_names(plan, titles)
    found: list[tuple[str, float, float, list[int] | None]] = []
    for step in plan.steps:
        attr = names[step.output]
        if step.op in ("dense", "conv2d") and step.node_id is not None:
            penalty = penalty_of(doc.nodes[step.node_id].params)
            if penalty is not None:
                found.append((f"{attr}.weight", penalty.l1, penalty.l2, None))
        elif step.op == "neuron_group":
            rows: dict[tuple[float, float], list[int]] = defaultdict(list)
            neurons = step.attrs["neurons"]
            for row, node_id in enumerate(neurons):
                penalty = penalty_of(doc.nodes[node_id].params)
                if penalty is not None:
                    rows[(penalty.l1, penalty.l2)].append(row)
            for (l1, l2), picked in rows.items():
                found.append((f"{attr}.weight", l1, l2,
                              None if len(picked) == len(neurons) else picked))
    return found


def norms(plan: Plan, titles: Mapping[str, str]) -> list[tuple[str, list[Param]]]:
    """(node id, its parameters) in the order of NN Studio's norm columns: a layer's
    whole weight; a Neuron's connected weights and its bias."""
    names = value_names(plan, titles)
    layers = {s.node_id: names[s.output] for s in plan.steps if s.node_id is not None}
    rows: dict[str, list[Param]] = {}
    for step in plan.steps:
        if step.op != "neuron_group":
            continue
        attr = names[step.output]
        mask = np.asarray(step.attrs["mask"], dtype=bool)
        bias_mask = np.asarray(step.attrs["bias_mask"], dtype=bool)
        width = mask.shape[1]
        for row, node_id in enumerate(step.attrs["neurons"]):
            parts: list[Param] = [(f"{attr}.weight",
                                   [row * width + int(c) for c in np.flatnonzero(mask[row])])]
            if "bias" in step.param_keys and bias_mask[row]:
                parts.append((f"{attr}.bias", [row]))
            rows[node_id] = parts
    return [(node_id, rows[node_id] if node_id in rows else [(f"{layers[node_id]}.weight", None)])
            for node_id in plan.node_weights()]


def has_unused_parameters(plan: Plan) -> bool:
    """Whether a step with parameters feeds no output head (a dangling layer): then
    DistributedDataParallel must look for parameters without gradients."""
    needed = {s.output for s in plan.steps if s.op == "output"}
    for step in reversed(plan.steps):
        if step.output in needed:
            needed.update(step.inputs)
    return any(step.param_keys and step.output not in needed for step in plan.steps)


def train_settings(plans: list[Plan], doc: Document, titles: Mapping[str, str],
                   settings: TrainingSettings, *, name: str, seed: int, task: str,
                   n_classes: int) -> dict[str, Any]:
    """The settings block of ``train.py``."""
    plan = plans[0]
    needs_labels = any(h.loss == "cross_entropy" for h in plan.heads)
    return {
        "NAME": name,
        "SEED": seed,
        "SETTINGS": settings.to_dict(),
        "MEMBERS": len(plans),
        "HEADS": heads(plan),
        "PENALTIES": penalties(plan, doc, titles),
        "NORMS": norms(plan, titles),
        "TASK": task,
        "ENCODING": "labels" if needs_labels else "one_hot",
        "N_CLASSES": n_classes,
        "UNUSED_PARAMETERS": has_unused_parameters(plan),
    }
