"""Learned values in both directions: initial values (document first, else drawn) and the
Edit that writes a trained plan back into the document.

Drawing order: one ``np.random.default_rng(seed)``, nodes in insertion order. A layer draws
its weight (and bias) through its engine constructor; a Neuron draws the weights of its
incoming non-Bias edges with its own ``initializer``, ``fan_in`` = those edges and
``fan_out`` = the neurons of its depth (as a Dense layer of that many units would).
Bias edges start at 0. Draws happen even where the document has a value (which then wins),
so adding a value to one node never shifts the initial weights of another.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnstudio.engine.dropout import Dropout
from nnstudio.engine.init import initialize
from nnstudio.graph.compiler.build import Discarded, Program
from nnstudio.graph.compiler.ops import LayerOp, NeuronGroupOp, Op
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.edits import Compound, Edit, SetEdgeWeight, SetValues


def initialise(program: Program, doc: Document, seed: int) -> None:
    """Create every parameterised op of ``program`` with its initial values."""
    rng = np.random.default_rng(seed)
    p = program
    for node_id, node in doc.nodes.items():
        if node_id in p.factories:
            index, factory = p.factories[node_id]
            layer = factory(rng)
            for arrays in (layer.params, layer.buffers):
                p.discarded += _seed_layer(node_id, arrays, node.values)
            p.ops[index] = LayerOp(layer)
            p.layers[node_id] = layer
            if isinstance(layer, Dropout):
                p.dropouts.append(layer)
            for name in layer.params:
                p.params[(node_id, name)] = layer.params[name]
                p.grads[(node_id, name)] = layer.grads[name]
            for name in layer.buffers:
                p.buffers[(node_id, name)] = layer.buffers[name]
        elif node_id in p.rows:
            row = p.rows[node_id]
            group = p.groups[row.group]
            fan_in = len(row.columns)
            drawn = initialize(str(node.params["initializer"]), (fan_in,), fan_in, row.fan_out,
                               rng, p.dtype)
            group.weight[row.row, row.columns] = drawn
    for group in p.groups.values():
        _seed_group(program, doc, group.owner)
        op = NeuronGroupOp(group.weight, group.bias, group.mask, group.bias_mask)
        p.ops[group.step_index] = op
        for name in op.params:
            p.params[(group.owner, name)] = op.params[name]
            p.grads[(group.owner, name)] = op.grads[name]
    for step, maybe_op in zip(p.steps, p.ops, strict=True):
        assert maybe_op is not None, f"step {step.output} has no op"
        maybe_op.need_grad = [p.requires_grad[v] for v in step.inputs]
        if isinstance(maybe_op, LayerOp):
            # A layer that reads the data (or only values computed from it without
            # parameters) computes no dL/dx at all: a quarter of an MLP step.
            maybe_op.layer.input_grad = maybe_op.need_grad[0]


def _seed_layer(node_id: str, arrays: dict[str, Any], values: dict[str, np.ndarray]
                ) -> list[Discarded]:
    """Copy the document's values into a new layer's arrays; a value of another shape is
    not used (the drawn one stays) and is returned, so it can be reported."""
    discarded = []
    for name, array in arrays.items():
        value = values.get(name)
        if value is None:
            continue
        if np.shape(value) == array.shape:
            array[...] = value
        else:
            discarded.append(Discarded(node_id, name, tuple(np.shape(value)), array.shape))
    return discarded


def _seed_group(program: Program, doc: Document, owner: str) -> None:
    group = program.groups[owner]
    targets = {"weight": group.weight.reshape(-1), "bias": group.bias}
    for edge_id, (key, flat) in program.edge_slots.items():
        if key[0] != owner:
            continue
        weight = doc.edges[edge_id].weight
        target = targets[key[1]]
        if weight is not None and target is not None:
            target[flat] = weight


def ops_of(program: Program) -> list[Op]:
    """The ops, all present after ``initialise``."""
    return [op for op in program.ops if op is not None]


def write_back(program: Program) -> Edit:
    """One Compound edit storing every learned value: layer arrays (params and buffers,
    e.g. batch-norm running statistics) as SetValues, neuron weights as SetEdgeWeight."""
    edits: list[Edit] = []
    for node_id, layer in program.layers.items():
        values = {name: a.copy() for name, a in {**layer.params, **layer.buffers}.items()}
        if values:
            edits.append(SetValues(node_id, values))
    for edge_id, value in edge_weights(program).items():
        edits.append(SetEdgeWeight(edge_id, value))
    return Compound(tuple(edits), "Store learned values")


def edge_weights(program: Program, grads: bool = False) -> dict[str, float]:
    """Neuron-level edge id -> its weight (or gradient), read from the group matrices."""
    store = program.grads if grads else program.params
    by_key: dict[tuple[str, str], tuple[list[str], list[int]]] = {}
    for edge_id, (key, flat) in program.edge_slots.items():
        ids, flats = by_key.setdefault(key, ([], []))
        ids.append(edge_id)
        flats.append(flat)
    result: dict[str, float] = {}
    for key, (ids, flats) in by_key.items():
        picked = store[key].reshape(-1)[np.array(flats, dtype=np.intp)].tolist()
        result.update(zip(ids, picked, strict=True))
    return {edge_id: result[edge_id] for edge_id in program.edge_slots}
