"""The project fields the exporters read, each through one small function.

The project model is changing (runs kept as records; ``project.history`` becomes the
current run's history), so exports never touch those fields directly: when the model
changes, one line here changes with it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnstudio.export.common import ExportError
from nnstudio.graph.model.project import Project

#: More bagging members than this are not exported (each is a whole copy of the network).
MAX_MEMBERS = 100


def history_of(project: Project) -> list[dict[str, Any]]:
    """The epoch records of the project's current run."""
    return list(project.history)


def ensemble_of(project: Project) -> list[dict[str, np.ndarray]]:
    """The current run's bagging members as plan state dicts (empty without bagging)."""
    return list(project.ensemble)


def preprocessing_of(project: Project) -> dict[str, Any]:
    """The current run's fitted preprocessing (``{"scaler": {...}}``), or {}."""
    return dict(project.preprocessing) if isinstance(project.preprocessing, dict) else {}


def training_of(project: Project) -> dict[str, Any]:
    """The training settings as the project stores them (JSON)."""
    return dict(project.training) if isinstance(project.training, dict) else {}


def dataset_of(project: Project) -> dict[str, Any]:
    """The dataset spec (``{"source": ...}``), or {} when none is chosen."""
    return dict(project.dataset) if isinstance(project.dataset, dict) else {}


def seed_of(project: Project) -> int:
    """The project's seed (checked: NumPy cannot use a negative one)."""
    seed = project.seed
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise ExportError(f"The project's seed must be a whole number from 0 on, not {seed!r}.")
    return seed


def name_of(project: Project) -> str:
    return str(project.name or "")


def member_count(project: Project) -> int:
    """How many bagging members NN Studio trains and averages for this project (1 = no
    bagging); read on its own, so other invalid settings do not hide an ensemble."""
    value = training_of(project).get("bagging_members", 1)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ExportError(f"The number of bagging members must be a whole number from 1 on, "
                          f"not {value!r}.")
    if value > MAX_MEMBERS:
        raise ExportError(f"The project asks for {value} bagging members; an export holds at "
                          f"most {MAX_MEMBERS}.")
    return value
