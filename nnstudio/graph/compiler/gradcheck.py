"""The app's "check gradients" button: backprop against finite differences, per array."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nnstudio.engine.base import Array
from nnstudio.engine.gradcheck import numeric_gradient, relative_error

if TYPE_CHECKING:
    from nnstudio.graph.compiler.plan import Plan


def check_gradients(plan: Plan, x: Array, y: Array, max_params_per_array: int = 20,
                    seed: int = 0) -> dict[str, float]:
    """``"owner_id/name"`` -> relative error of the backprop gradient of that array.

    Runs on a float64 copy of ``plan`` in training mode with dropout masks held fixed,
    on up to ``max_params_per_array`` entries per array (chosen by ``seed``; absent
    neuron connections are skipped). About 1e-7 or less means the gradients are right.
    """
    twin = plan.astype(np.float64)
    x64 = np.asarray(x, dtype=np.float64)
    generators = twin.generators()
    states = [g.bit_generator.state for g in generators]
    buffers = {k: a.copy() for k, a in twin.buffers.items()}

    def loss() -> float:
        for g, s in zip(generators, states, strict=True):
            g.bit_generator.state = s
        for k, a in buffers.items():
            twin.buffers[k][...] = a
        twin.forward(x64, training=True)
        return twin.loss(y)

    twin.zero_grad()
    loss()
    twin.backward()
    masks = _trainable_masks(twin)
    rng = np.random.default_rng(seed)
    errors: dict[str, float] = {}
    for key, array in twin.params.items():
        flat = array.reshape(-1)
        candidates = np.flatnonzero(masks.get(key, np.ones(array.shape, bool)).reshape(-1))
        if len(candidates) > max_params_per_array:
            candidates = np.sort(rng.choice(candidates, max_params_per_array, replace=False))
        analytic = twin.grads[key].reshape(-1)[candidates].copy()
        numeric = np.array([numeric_gradient(loss, flat[i:i + 1])[0] for i in candidates])
        errors[f"{key[0]}/{key[1]}"] = relative_error(analytic, numeric)
    return errors


def _trainable_masks(plan: Plan) -> dict[tuple[str, str], Array]:
    masks: dict[tuple[str, str], Array] = {}
    for step in plan.steps:
        if step.op != "neuron_group":
            continue
        masks[step.param_keys["weight"]] = np.asarray(step.attrs["mask"], dtype=bool)
        if "bias" in step.param_keys:
            masks[step.param_keys["bias"]] = np.asarray(step.attrs["bias_mask"], dtype=bool)
    return masks

