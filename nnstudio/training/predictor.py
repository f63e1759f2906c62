"""Predictions of a project's stored weights for single inputs (the draw-a-digit pad),
without its dataset: the compiled network (every bagging member), and the saved scaler."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnstudio.graph.compiler import Plan, compile_graph
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.signature import DataSignature
from nnstudio.training import bagging
from nnstudio.training.datasets import DatasetError, Scaler


@dataclass(frozen=True, eq=False)
class Predictor:
    """plans: one per bagging member; scaler: the run's fitted scaler."""

    plans: tuple[Plan, ...]
    scaler: Scaler
    input_shape: tuple[int, ...]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Raw inputs (N, *input_shape) -> predictions (N, P), the members' average."""
        scaled = self.scaler.transform(np.asarray(x, dtype=np.float32))
        return bagging.average_predictions([p.predict(scaled) for p in self.plans])


def make_predictor(project: Project, signature: DataSignature | None) -> Predictor | None:
    """The project's stored weights ready to predict, or None when there are none (no
    current run) or they cannot be used (no saved scaler, a network that does not build)."""
    if project.active_run is None:
        return None
    scaler_data = project.preprocessing.get("scaler")
    try:
        scaler = Scaler.from_dict(scaler_data) if isinstance(scaler_data, dict) else None
        if scaler is None:
            return None
        members = max(len(project.ensemble), 1)
        plans = tuple(compile_graph(project.graph, signature, seed=int(project.seed) + k)
                      for k in range(members))
        for plan, state in zip(plans, project.ensemble, strict=False):
            plan.load_state_dict(state)
    except (GraphError, DatasetError, ValueError, TypeError):
        return None
    return Predictor(plans, scaler, tuple(plans[0].input_shape))
