"""Choosing a built-in dataset as ONE project edit, with what the choice implies.

The old data's fitted scaler goes; a new project (no batch size or scaling chosen yet)
takes full-batch descent on small sets and the scaling the lecture uses with the set
(chocolate's x is already 0–1, so none); Input nodes are refitted to the new shape.
"""

from __future__ import annotations

from typing import Any

from nnstudio.graph.model.input_fit import refit_inputs
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.project_edits import AnyEdit, ProjectCompound, SetSetting, choose_dataset
from nnstudio.training.datasets import BUILTIN
from nnstudio.training.prepared import data_signature

FULL_BATCH_MAX = 64
"""A new project (no batch size yet) trains sets of at most this many samples full-batch."""


def builtin_choice(project: Project, name: str, text: str | None = None) -> ProjectCompound:
    """The edit that makes ``project`` train on the built-in set ``name``."""
    entry = BUILTIN[name]
    spec: dict[str, Any] = {"source": "builtin", "name": name, "params": {}}
    text = text or f"Use dataset {name}"
    size = entry.defaults.get("n_samples")
    full_batch = ("batch_size" not in project.training and isinstance(size, int)
                  and size <= FULL_BATCH_MAX)
    edits: list[AnyEdit] = list(choose_dataset(spec, text, full_batch).edits)
    if entry.scaling is not None and "scaling" not in project.training:
        edits.append(SetSetting(("training", "scaling"), entry.scaling))
    trial = Project(dataset=spec)
    signature, _why = data_signature(trial)
    if signature is not None:
        edits += refit_inputs(project.graph, signature)
    return ProjectCompound(tuple(edits), text)
