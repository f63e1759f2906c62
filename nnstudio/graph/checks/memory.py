"""How much memory training a network takes, estimated before anything is built.

    estimate = estimate_memory(doc, shapes, batch=32, optimizer="adam", members=1)
    problems = memory_problems(doc, shapes, training, data)   # refuse above, warn near

Counted in float32 (4 bytes a value), for each bagging member: the parameters and buffers,
their gradients, the optimizer's state (SGD with momentum: one array like the parameters,
RMSprop one, Adam two), one work array of the optimizer and one copy of the last good
values (divergence restores it). Once for the batch: every value the forward pass keeps
(each output port's shape at the batch size) and its gradient, and a convolution's
unrolled windows (``C·k·k`` values per output pixel) with their gradient and the padded
input's. Measured against ``tracemalloc`` while training (MLP 2-1500-1500-2 with Adam,
MLP 2-300-300-2 on 100,000 samples in one batch, two 64-filter convolutions on 8×8
digits at batch 512, data loading included): the estimate was 0.8–1.2× the peak. Data
sets are bounded by their own readers and not counted here.

The limit is the memory free now (``MemAvailable``) or ``$NNSTUDIO_MEMORY_LIMIT_MB``,
whichever is smaller: above it training is refused with a sentence, above half of it a
warning says how close it is.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nnstudio.graph.checks.problems import Problem
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import PortRef
from nnstudio.graph.model.fields import TRAINING_FIELDS
from nnstudio.graph.model.naming import label_start
from nnstudio.graph.model.registry import NODE_TYPES
from nnstudio.graph.model.shapes import Shape, learned_shapes
from nnstudio.graph.model.signature import DataSignature
from nnstudio.safe_io import available_memory, format_bytes

ITEM_BYTES = 4
LIMIT_ENV = "NNSTUDIO_MEMORY_LIMIT_MB"
WARN_SHARE = 0.5
"""A warning once the estimate is above this share of the limit."""
_OPTIMIZER_COPIES = {"sgd": 0, "adam": 2, "rmsprop": 1}
_EXTRA_COPIES = 3
"""Per parameter besides the value itself: its gradient, a work array, a restore copy."""


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes needed to train (see the module docstring); ``largest``: the node holding
    the most of it (None for an empty network)."""

    parameters: int
    optimizer: int
    values: int
    largest: str | None = None

    @property
    def total(self) -> int:
        return self.parameters + self.optimizer + self.values


def memory_limit() -> int | None:
    """Bytes training may use: the memory free now, or ``$NNSTUDIO_MEMORY_LIMIT_MB`` if
    smaller; None when neither is known."""
    limits = []
    override = os.environ.get(LIMIT_ENV, "").strip()
    if override:
        with contextlib.suppress(ValueError, OverflowError):
            limits.append(max(int(float(override) * 2**20), 1))
    free = available_memory()
    if free is not None:
        limits.append(free)
    return min(limits) if limits else None


def estimate_memory(doc: Document, shapes: Mapping[PortRef, Shape], *, batch: int,
                    optimizer: str = "sgd", momentum: float = 0.0,
                    members: int = 1) -> MemoryEstimate:
    """The estimate for ``doc`` with its inferred port ``shapes`` at ``batch`` samples a
    step (see the module docstring)."""
    copies = _OPTIMIZER_COPIES.get(optimizer, 2)
    if optimizer == "sgd" and momentum > 0:
        copies = 1
    per_node: dict[str, int] = {}
    parameters = 0
    values = 0
    weighted_edges = sum(1 for e in doc.edges.values()
                         if doc.nodes.get(e.target.node_id) is not None
                         and doc.nodes[e.target.node_id].type_id == "neuron.neuron")
    parameters += weighted_edges
    for node_id, node in doc.nodes.items():
        kind = NODE_TYPES.get(node.type_id)
        if kind is None:
            continue
        in_shape = shapes.get(PortRef(node_id, "in"))
        count = sum(math.prod(s) for s in learned_shapes(node, in_shape).values())
        parameters += count
        held = 0
        for port in kind.output_ports(node.params):
            out = shapes.get(PortRef(node_id, port.name))
            if out is not None and port.kind != "scalar":
                held += 2 * math.prod(out)                       # value and its gradient
        if node.type_id == "layer.conv2d" and in_shape is not None and len(in_shape) == 3:
            out = shapes.get(PortRef(node_id, "out"))
            k = int(node.params["kernel_size"])
            if out is not None:
                held += 3 * in_shape[0] * k * k * out[1] * out[2]  # windows, gradient, pad
        values += held
        per_node[node_id] = count * members * (1 + _EXTRA_COPIES + copies) + held * batch
    scalars = sum(1 for n in doc.nodes.values() if n.type_id in NODE_TYPES
                  and NODE_TYPES[n.type_id].level == "neuron")
    values += 2 * scalars
    largest = max(per_node, key=lambda n: per_node[n]) if per_node else None
    return MemoryEstimate(
        parameters=parameters * members * (1 + _EXTRA_COPIES) * ITEM_BYTES,
        optimizer=parameters * members * copies * ITEM_BYTES,
        values=values * max(batch, 1) * ITEM_BYTES, largest=largest)


def training_batch(training: Mapping[str, Any], data: DataSignature | None) -> int:
    """Samples in one training step: the batch size, or the training split for 0 (batch
    gradient descent; the data's size when known, else 1)."""
    batch = _setting(training, "batch_size")
    if batch != 0:
        return int(batch)
    n = data.n_samples if data is not None and data.n_samples else 1
    share = 1.0 - float(_setting(training, "val_fraction")) \
        - float(_setting(training, "test_fraction"))
    return max(int(n * max(share, 0.0)), 1)


def _setting(training: Mapping[str, Any], name: str) -> Any:
    field = TRAINING_FIELDS[name]
    value = training.get(name, field.default)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return field.default
    if field.kind in ("int", "float") and not isinstance(value, int | float):
        return field.default
    return value


def memory_problems(doc: Document, shapes: Mapping[PortRef, Shape],
                    training: Mapping[str, Any] | None, data: DataSignature | None,
                    limit: int | None = None) -> list[Problem]:
    """An error when training ``doc`` would need more than ``limit`` bytes (default:
    ``memory_limit()``), a warning above half of it; without ``training`` settings only
    the parameters count (building the network, not training it)."""
    limit = memory_limit() if limit is None else limit
    if limit is None:
        return []
    if training is None:
        estimate = estimate_memory(doc, shapes, batch=0)
        need = estimate.parameters // (1 + _EXTRA_COPIES)
        what = "building this network"
    else:
        members = int(_setting(training, "bagging_members"))
        estimate = estimate_memory(
            doc, shapes, batch=training_batch(training, data),
            optimizer=str(_setting(training, "optimizer")),
            momentum=float(_setting(training, "momentum")), members=max(members, 1))
        need = estimate.total
        what = "training this network"
    if need <= WARN_SHARE * limit:
        return []
    node = doc.nodes.get(estimate.largest) if estimate.largest else None
    where = f" ({label_start(node)} holds most of it)" if node is not None else ""
    if training is None:
        parts = " for its parameters"
    else:
        parts = (f" ({format_bytes(estimate.parameters + estimate.optimizer)} for parameters, "
                 f"gradients and optimizer state, {format_bytes(estimate.values)} for the "
                 "values of one batch)")
    start = f"{what.capitalize()} needs about {format_bytes(need)} of memory{parts}{where}"
    if need > limit:
        return [Problem(estimate.largest, None,
                        f"{start}, more than the {format_bytes(limit)} available; make the "
                        "layers or the batch smaller.")]
    return [Problem(estimate.largest, None,
                    f"{start}, more than half of the {format_bytes(limit)} available.",
                    "warning")]
