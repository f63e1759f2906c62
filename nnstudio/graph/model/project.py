"""A project: the network document plus everything needed to reopen and resume it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnstudio.graph.model.document import Document


@dataclass
class Project:
    """Everything a ``*.nnstudio`` file holds.

    dataset: the dataset choice, e.g. ``{"source": "builtin", "name": "xor", "params": {...}}``;
    training: training settings; preprocessing: the fitted scaler etc. (all JSON-able and
    interpreted by ``nnstudio.training``). history: one JSON-able record per epoch.
    optimizer_state: ``{"meta": json-able, "arrays": {name: ndarray}}`` as an optimizer's
    state dict returns it (empty before training). ensemble: one state dict per bagging member.
    ui: view state (zoom, scroll, panel layout).
    """

    graph: Document = field(default_factory=Document)
    name: str = "Untitled"
    description: str = ""
    dataset: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    preprocessing: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    optimizer_state: dict[str, Any] = field(default_factory=dict)
    ensemble: list[dict[str, np.ndarray]] = field(default_factory=list)
    ui: dict[str, Any] = field(default_factory=dict)

    def same_as(self, other: Project) -> bool:
        """Equal content: same graph (incl. arrays), settings, history and states.

        NaN equals NaN here, so a diverged run compares equal to its reloaded copy.
        """
        if not self.graph.same_as(other.graph):
            return False
        plain = ("name", "description", "dataset", "training", "preprocessing", "seed",
                 "history", "ui")
        if not all(same_value(getattr(self, n), getattr(other, n)) for n in plain):
            return False
        if len(self.ensemble) != len(other.ensemble):
            return False
        if not all(same_value(a, b) for a, b in zip(self.ensemble, other.ensemble, strict=True)):
            return False
        return same_value(self.optimizer_state, other.optimizer_state)


def same_value(a: Any, b: Any) -> bool:
    """Deep equality of JSON-like data and arrays (dtype, shape, NaN-aware values)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
                and a.dtype == b.dtype and a.shape == b.shape
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f")))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return bool(type(a) is type(b) and a == b)
