"""One forward + backward pass that KEEPS every intermediate gradient (for teaching views).

``Plan.backward`` drops the gradient of a value as soon as it has been passed on, which is
right for training. The backprop trace needs dL/d(value) for every value of the plan, so it
runs ``Plan.backward(keep_value_grads=True)``. It reads the plan's internals (same package)
but changes nothing but the plan's ``grads`` (zeroed, then filled exactly as in training) and
the layers' forward caches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnstudio.engine.base import Array
from nnstudio.graph.compiler.ir import ParamKey
from nnstudio.graph.compiler.plan import Plan


@dataclass(frozen=True)
class ValuePass:
    """The result of one traced pass over a batch of N samples.

    values / grads: value name -> forward array ``(N, ...)`` / dL/d(value) of the same shape
    (absent where no gradient is needed, e.g. the input ``"x"`` or the constant ``"ones"``).
    node_refs: node id -> (value name, column or None); the node's output is
    ``values[name][:, column]`` (scalar nodes) or the whole value. ``""`` = the constant +1.
    head_grads: output node id -> dL/d(prediction) ``(N, P_head)``.
    """

    loss: float
    values: dict[str, Array]
    grads: dict[str, Array]
    node_refs: dict[str, tuple[str, int | None]]
    head_grads: dict[str, Array]
    param_grads: dict[ParamKey, Array]


def traced_pass(plan: Plan, x: Array, y: Array, training: bool = True) -> ValuePass:
    """forward(x), loss(y) and backward on ``plan``, keeping all value gradients.

    ``plan.grads`` afterwards hold exactly what ``zero_grad(); backward()`` would give.
    """
    program = plan._p
    plan.zero_grad()
    plan.forward(x, training=training)
    loss = plan.loss(y)
    values = dict(plan._values)
    head_grads = {head.node_id: grad
                  for head, grad in zip(plan.heads, plan._dheads, strict=True)}
    grads = plan.backward(keep_value_grads=True)
    return ValuePass(loss, values, grads, dict(program.node_values), head_grads,
                     {k: g.copy() for k, g in plan.grads.items()})


def penalty_grad(plan: Plan, key: ParamKey) -> Array:
    """The weight-penalty part of the gradient of ``plan.params[key]`` (zeros if none)."""
    result = np.zeros_like(plan.params[key])
    for pkey, penalty, rows in plan._p.penalties:
        if pkey == key:
            result[rows] += penalty.grad(plan.params[key][rows])
    return result


def edge_slot(plan: Plan, edge_id: str) -> tuple[ParamKey, int]:
    """Where a neuron-level edge's weight lives: (param key, flat index)."""
    return plan._p.edge_slots[edge_id]
