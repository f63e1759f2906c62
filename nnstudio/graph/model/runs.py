"""Training runs as records: what a run used, what it measured and what it learned.

A ``Run`` is an immutable value; changing one means replacing it through a project edit
(``ReplaceRun``), so undo can always put the old record back. Its ``history`` holds one
JSON-able dict per epoch (``EpochRecord.to_json``); its ``weights`` are the final learned
arrays (None when the project's size cap dropped them, or before the run stored any).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

OUTCOMES = ("completed", "stopped", "early_stopped", "diverged", "error")


@dataclass(frozen=True, eq=False)
class RunWeights:
    """A run's final learned state: what "Restore weights" puts back.

    values: node id -> {name: array} (layer weights, biases, BatchNorm buffers);
    edge_weights: neuron-level edge id -> weight; ensemble: one state dict per bagging
    member (empty without bagging).
    """

    values: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=dict)
    edge_weights: Mapping[str, float] = field(default_factory=dict)
    ensemble: tuple[Mapping[str, np.ndarray], ...] = ()

    @property
    def nbytes(self) -> int:
        """Bytes of all arrays (edge weights count 8 each)."""
        arrays = [a for v in self.values.values() for a in v.values()]
        arrays += [a for member in self.ensemble for a in member.values()]
        return sum(int(a.nbytes) for a in arrays) + 8 * len(self.edge_weights)


@dataclass(frozen=True, eq=False)
class Run:
    """One training run of a project.

    started/ended: ISO 8601 UTC times ("2026-12-03T04:05:06Z"; None when unknown);
    settings / dataset / seed: what the run trained with (its first part, for a run that
    was continued); network: each node's type, title and settings then
    (``{node_id: {"type", "title", "params"}}``, see ``network_settings``); fingerprint:
    the compiled network's parameter names and shapes, hashed ("" when unknown); history:
    one dict per epoch; outcome: how it last ended (one of ``OUTCOMES``); message: that
    sentence; preprocessing: the fitted scaler it used; parent: the run whose weights it
    started from (None: fresh weights).
    """

    id: str
    name: str
    started: str | None = None
    ended: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    dataset: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0
    network: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    fingerprint: str = ""
    history: tuple[Mapping[str, Any], ...] = ()
    outcome: str = "completed"
    message: str = ""
    preprocessing: Mapping[str, Any] = field(default_factory=dict)
    weights: RunWeights | None = None
    weights_dropped: bool = False
    parent: str | None = None

    @property
    def epochs(self) -> int:
        """The last epoch number of the run's own history (0 before any)."""
        main = self.main_history
        return int(main[-1].get("epoch", len(main))) if main else 0

    @property
    def main_history(self) -> list[Mapping[str, Any]]:
        """The run's epoch records without the bagging members' own."""
        return [r for r in self.history if r.get("member") is None]

    def best(self) -> Mapping[str, Any] | None:
        """The epoch record with the lowest validation loss (training loss when the run
        had no validation split); None without a finite one."""
        best: Mapping[str, Any] | None = None
        best_loss = math.inf
        for record in self.main_history:
            loss = _monitored(record)
            if loss is not None and loss < best_loss:
                best, best_loss = record, loss
        return best

    def final(self) -> Mapping[str, Any] | None:
        """The last epoch record (None before any)."""
        main = self.main_history
        return main[-1] if main else None


def _monitored(record: Mapping[str, Any]) -> float | None:
    for key in ("val_loss", "train_loss"):
        value = record.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) \
                and math.isfinite(value):
            return float(value)
    return None


def network_settings(nodes: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{node_id: {"type", "title", "params"}}`` of a document's nodes (copies), what a
    run records of the network it trained (dropout rates, penalties, layer sizes)."""
    return {node_id: {"type": node.type_id, "title": node.title, "params": dict(node.params)}
            for node_id, node in nodes.items()}


def next_run_id(runs: list[Run] | tuple[Run, ...]) -> str:
    """"r1", "r2", ...: one more than the highest number in use."""
    numbers = [int(r.id[1:]) for r in runs if r.id[:1] == "r" and r.id[1:].isdigit()]
    return f"r{max(numbers, default=0) + 1}"


def next_run_number(runs: list[Run] | tuple[Run, ...]) -> int:
    """The number the next run's default name gets ("Run 3 · …")."""
    return int(next_run_id(runs)[1:])
