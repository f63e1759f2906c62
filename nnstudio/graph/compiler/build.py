"""Document → program: the walk that turns nodes into steps, ops and parameter slots.

Nodes are visited depth by depth (depth = longest path from a source). All Neurons of one
depth become ONE ``neuron_group`` step over the union of their scalar sources, and all scalar
Activations of one depth with the same function become ONE ``activation`` step, so no
forward or backward work is done per neuron or per edge. Initial values are drawn afterwards
in node insertion order (see ``values.py``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from math import prod
from typing import Any

import numpy as np

from nnstudio.engine.activations import make_activation
from nnstudio.engine.base import Array, Layer
from nnstudio.engine.dropout import Dropout
from nnstudio.engine.penalties import Penalty
from nnstudio.graph.compiler.ir import OutputHead, ParamKey, ScalarRef, Step
from nnstudio.graph.compiler.layers import LayerFactory, layer_spec
from nnstudio.graph.compiler.ops import (
    AddOp,
    ConcatOp,
    LayerOp,
    OnesOp,
    Op,
    ReshapeOp,
    StackOp,
)
from nnstudio.graph.compiler.structure import Structure
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import PortRef
from nnstudio.graph.model.registry import dropout_rate
from nnstudio.graph.model.signature import DataSignature

_ENGINE_LAYERS = ("layer.dense", "layer.conv2d", "layer.maxpool2d", "layer.avgpool2d",
                  "layer.flatten", "layer.dropout", "layer.batchnorm", "layer.softmax",
                  "activation")
_OPS = {"layer.dense": "dense", "layer.conv2d": "conv2d", "layer.maxpool2d": "maxpool2d",
        "layer.avgpool2d": "avgpool2d", "layer.flatten": "flatten", "layer.dropout": "dropout",
        "layer.batchnorm": "batchnorm", "layer.softmax": "softmax", "activation": "activation"}


@dataclass(frozen=True)
class Discarded:
    """A stored value that did not fit its layer: ``stored`` shape against ``needed``; the
    layer starts it from drawn values instead."""

    node_id: str
    name: str
    stored: tuple[int, ...]
    needed: tuple[int, ...]


@dataclass
class NeuronRow:
    """One Neuron inside its group: row ``row`` of ``(group, "weight")``."""

    node_id: str
    group: str
    row: int
    columns: list[int]          # columns of the group weight fed by its weight edges
    weight_edges: list[str]     # the edges behind ``columns``, same order
    bias_edge: str | None       # the (first) Bias edge, stored in ``(group, "bias")[row]``
    fan_out: int                # neurons in the group (as ``out_features`` of a Dense)


@dataclass
class NeuronGroup:
    """Arrays of one neuron group before initialisation."""

    owner: str
    step_index: int
    weight: Array
    bias: Array | None
    mask: Array | None
    bias_mask: Array | None


@dataclass
class Program:
    """Everything a Plan runs; built by ``Builder`` and finished by ``values.initialise``."""

    input_shape: tuple[int, ...]
    dtype: np.dtype[Any]
    steps: list[Step] = field(default_factory=list)
    ops: list[Op | None] = field(default_factory=list)
    heads: list[OutputHead] = field(default_factory=list)
    head_values: list[str] = field(default_factory=list)
    params: dict[ParamKey, Array] = field(default_factory=dict)
    grads: dict[ParamKey, Array] = field(default_factory=dict)
    buffers: dict[ParamKey, Array] = field(default_factory=dict)
    layers: dict[str, Layer] = field(default_factory=dict)
    node_values: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    edge_slots: dict[str, tuple[ParamKey, int]] = field(default_factory=dict)
    neuron_edges: dict[str, list[str]] = field(default_factory=dict)
    penalties: list[tuple[ParamKey, Penalty, Any]] = field(default_factory=list)
    dropouts: list[Dropout] = field(default_factory=list)
    requires_grad: dict[str, bool] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)   # output node id -> title
    floats_per_sample: int = 0   # Σ step output sizes of one sample (sizes eval batches)
    discarded: list[Discarded] = field(default_factory=list)  # stored values not used
    # filled by the walk, consumed by values.initialise:
    factories: dict[str, tuple[int, LayerFactory]] = field(default_factory=dict)
    rows: dict[str, NeuronRow] = field(default_factory=dict)
    groups: dict[str, NeuronGroup] = field(default_factory=dict)


def penalty_of(params: dict[str, Any]) -> Penalty | None:
    """The engine Penalty a node asks for (``penalty``, ``l1``, ``l2``), or None."""
    choice = params.get("penalty", "none")
    l1 = float(params.get("l1", 0.0)) if choice in ("l1", "l1_l2") else 0.0
    l2 = float(params.get("l2", 0.0)) if choice in ("l2", "l1_l2") else 0.0
    return Penalty(l1, l2) if (l1 or l2) else None


class Builder:
    """Walks a document once and fills a Program (values are not initialised yet)."""

    def __init__(self, doc: Document, data: DataSignature | None, dtype: Any, seed: int) -> None:
        self.doc = doc
        self._seed = seed
        self.s = Structure(doc)
        self.p = Program(self.s.input_shape(data), np.dtype(dtype))
        self.shapes: dict[str, tuple[int, ...]] = {"x": self.p.input_shape}
        self.scalars: dict[PortRef, ScalarRef] = {}
        self.tensors: dict[PortRef, str] = {}
        self.p.requires_grad["x"] = False
        self._head_steps: list[tuple[str, Step]] = []

    # --- emitting ------------------------------------------------------------------------

    def _emit(self, step: Step, op: Op | None, shape: tuple[int, ...], trainable: bool) -> str:
        self.p.steps.append(step)
        self.p.ops.append(op)
        self.shapes[step.output] = shape
        self.p.floats_per_sample += prod(shape)
        self.p.requires_grad[step.output] = trainable or any(
            self.p.requires_grad[v] for v in step.inputs)
        return step.output

    def _ones(self) -> ScalarRef:
        if "ones" not in self.shapes:
            self._emit(Step(None, "ones", ("x",), "ones"), OnesOp(), (1,), False)
        return ScalarRef("ones", 0)

    def _x2d(self) -> str:
        if len(self.p.input_shape) == 1:
            return "x"
        if "x.flat" not in self.shapes:
            self._emit(Step(None, "flatten", ("x",), "x.flat"), ReshapeOp(),
                       (prod(self.p.input_shape),), False)
        return "x.flat"

    def _ref(self, src: PortRef) -> ScalarRef:
        if self.doc.nodes[src.node_id].type_id == "neuron.bias":
            return self._ones()
        return self.scalars[src]

    def _stack(self, refs: list[ScalarRef], name: str, node_id: str | None) -> str:
        """A 2-D value holding ``refs`` as columns (an existing value when it already is)."""
        first = refs[0].value
        if ([r.value for r in refs] == [first] * len(refs)
                and [r.column for r in refs] == list(range(self.shapes[first][0]))):
            return first
        sources = list(dict.fromkeys(r.value for r in refs))
        columns = [np.array([r.column for r in refs if r.value == v]) for v in sources]
        positions = [np.array([i for i, r in enumerate(refs) if r.value == v]) for v in sources]
        widths = [self.shapes[v][0] for v in sources]
        op = StackOp(columns, positions, widths, len(refs))
        attrs = {"refs": tuple((r.value, r.column) for r in refs)}
        step = Step(node_id, "stack", tuple(sources), name, attrs)
        return self._emit(step, op, (len(refs),), False)

    def _tensor_in(self, node_id: str, port: str = "in") -> str:
        edges = self.s.edges_into(node_id, port)
        if not edges:
            raise GraphError(f"{self._title(node_id)} has no input connected.")
        if len(edges) == 1 and self.s.kinds[edges[0].source] == "tensor":
            return self.tensors[edges[0].source]
        refs = [self._ref(e.source) for e in edges]
        return self._stack(refs, f"{node_id}.{port}.stacked", None)

    def _tensors_in(self, node_id: str) -> list[str]:
        names = []
        for e in self.s.edges_into(node_id, "in"):
            if self.s.kinds[e.source] == "tensor":
                names.append(self.tensors[e.source])
            else:
                names.append(self._stack([self._ref(e.source)], f"{e.id}.stacked", None))
        return names

    def _title(self, node_id: str) -> str:
        node = self.doc.nodes[node_id]
        return f"'{node.title}'"

    # --- the walk ------------------------------------------------------------------------

    def build(self) -> Program:
        by_depth: dict[int, list[str]] = defaultdict(list)
        for node_id in self.doc.nodes:        # insertion order inside each depth
            by_depth[self.s.depth[node_id]].append(node_id)
        for depth in sorted(by_depth):
            nodes = by_depth[depth]
            neurons = [n for n in nodes if self.doc.nodes[n].type_id == "neuron.neuron"]
            acts = [n for n in nodes if self._is_scalar_activation(n)]
            if neurons:
                self._neuron_group(depth, neurons)
            if acts:
                self._activation_groups(depth, acts)
            for node_id in nodes:
                if node_id not in neurons and node_id not in acts:
                    self._node(node_id)
        self._finish_heads()
        return self.p

    def _is_scalar_activation(self, node_id: str) -> bool:
        return self.s.kinds.get(PortRef(node_id, "out")) == "scalar" and (
            self.doc.nodes[node_id].type_id == "activation")

    def _node(self, node_id: str) -> None:
        node = self.doc.nodes[node_id]
        t, out = node.type_id, PortRef(node_id, "out")
        if t == "layer.input":
            self.tensors[out] = "x"
            self.p.node_values[node_id] = ("x", None)
        elif t == "neuron.input_feature":
            ref = ScalarRef(self._x2d(), int(node.params["column"]))
            self.scalars[out] = ref
            self.p.node_values[node_id] = (ref.value, ref.column)
        elif t == "neuron.bias":
            self.p.node_values[node_id] = ("", 0)
        elif t in _ENGINE_LAYERS:
            self._engine_layer(node_id)
        elif t in ("layer.add", "layer.concatenate"):
            self._merge(node_id)
        elif t == "layer.stack":
            refs = [self._ref(e.source) for e in self.s.edges_into(node_id, "in")]
            self.tensors[out] = self._stack(refs, node_id, node_id)
            self.p.node_values[node_id] = (self.tensors[out], None)
        elif t == "layer.split":
            inp = self._tensor_in(node_id)
            size = prod(self.shapes[inp])
            self._emit(Step(node_id, "split", (inp,), node_id, {"size": size}),
                       ReshapeOp(), (size,), False)
            for i in range(size):
                self.scalars[PortRef(node_id, f"out{i}")] = ScalarRef(node_id, i)
            self.p.node_values[node_id] = (node_id, None)
        elif t in ("neuron.output", "layer.output"):
            self._head(node_id)
        else:
            raise GraphError(f"The compiler does not know node type '{t}'.")

    def _merge(self, node_id: str) -> None:
        inputs = self._tensors_in(node_id)
        shapes = [self.shapes[v] for v in inputs]
        if self.doc.nodes[node_id].type_id == "layer.add":
            op: Op = AddOp(len(inputs))
            kind, shape = "add", shapes[0]
        else:
            op = ConcatOp(len(inputs))
            kind, shape = "concat", (sum(s[0] for s in shapes), *shapes[0][1:])
        self._emit(Step(node_id, kind, tuple(inputs), node_id, {"axis": 1} if kind == "concat"
                        else {}), op, shape, False)
        self.tensors[PortRef(node_id, "out")] = node_id
        self.p.node_values[node_id] = (node_id, None)

    def _engine_layer(self, node_id: str) -> None:
        node = self.doc.nodes[node_id]
        inp = self._tensor_in(node_id)
        factory, shape, attrs = layer_spec(node.type_id, node.params, self.shapes[inp],
                                           self.p.dtype, self._title(node_id))
        if node.type_id == "layer.dropout":
            index = list(self.doc.nodes).index(node_id)
            dropout_rng = np.random.default_rng((self._seed, 1, index))
            factory = _dropout_factory(dropout_rate(node.params), dropout_rng)
        trainable = node.type_id in ("layer.dense", "layer.conv2d", "layer.batchnorm")
        keys = {"weight": (node_id, "weight")} if trainable else {}
        if trainable and (node.type_id == "layer.batchnorm" or node.params.get("use_bias")):
            keys["bias"] = (node_id, "bias")
        step = Step(node_id, _OPS[node.type_id], (inp,), node_id, attrs, keys)
        self.p.factories[node_id] = (len(self.p.steps), factory)
        self._emit(step, None, shape, trainable)
        self.tensors[PortRef(node_id, "out")] = node_id
        self.p.node_values[node_id] = (node_id, None)
        penalty = penalty_of(node.params) if trainable else None
        if penalty is not None and node.type_id != "layer.batchnorm":
            self.p.penalties.append(((node_id, "weight"), penalty, ...))

    def _neuron_group(self, depth: int, neurons: list[str]) -> None:
        owner = f"neurons@{depth}"
        sources: dict[PortRef, int] = {}
        rows: list[NeuronRow] = []
        for r, nid in enumerate(neurons):
            row = NeuronRow(nid, owner, r, [], [], None, len(neurons))
            for e in self.s.edges_into(nid, "in"):
                is_bias = self.doc.nodes[e.source.node_id].type_id == "neuron.bias"
                if is_bias and row.bias_edge is None:
                    row.bias_edge = e.id
                    continue
                row.columns.append(sources.setdefault(e.source, len(sources)))
                row.weight_edges.append(e.id)
            rows.append(row)
        refs = [self._ref(src) for src in sources] or [self._ones()]
        k, width = len(neurons), len(refs)
        mask = np.zeros((k, width), dtype=bool)
        bias_mask = np.array([row.bias_edge is not None for row in rows])
        for row in rows:
            mask[row.row, row.columns] = True
        inp = self._stack(refs, f"{owner}.in", None)
        has_bias = bool(bias_mask.any())
        keys = {"weight": (owner, "weight")}
        if has_bias:
            keys["bias"] = (owner, "bias")
        attrs = {"neurons": tuple(neurons), "sources": tuple((r.value, r.column) for r in refs),
                 "mask": mask, "bias_mask": bias_mask}
        dt = self.p.dtype
        group = NeuronGroup(
            owner, len(self.p.steps), np.zeros((k, width), dtype=dt),
            np.zeros(k, dtype=dt) if has_bias else None,
            None if mask.all() else mask.astype(dt),
            None if bias_mask.all() or not has_bias else bias_mask.astype(dt))
        self._emit(Step(None, "neuron_group", (inp,), owner, attrs, keys), None, (k,), True)
        self.p.groups[owner] = group
        by_penalty: dict[tuple[float, float], list[int]] = defaultdict(list)
        for row in rows:
            nid = row.node_id
            self.p.rows[nid] = row
            self.scalars[PortRef(nid, "out")] = ScalarRef(owner, row.row)
            self.p.node_values[nid] = (owner, row.row)
            for col, edge_id in zip(row.columns, row.weight_edges, strict=True):
                self.p.edge_slots[edge_id] = ((owner, "weight"), row.row * width + col)
            if row.bias_edge is not None:
                self.p.edge_slots[row.bias_edge] = ((owner, "bias"), row.row)
            self.p.neuron_edges[nid] = [e.id for e in self.s.edges_into(nid, "in")]
            penalty = penalty_of(self.doc.nodes[nid].params)
            if penalty is not None:
                by_penalty[(penalty.l1, penalty.l2)].append(row.row)
        for (l1, l2), row_ids in by_penalty.items():
            rows_index: Any = ... if len(row_ids) == k else np.array(row_ids)
            self.p.penalties.append(((owner, "weight"), Penalty(l1, l2), rows_index))

    def _activation_groups(self, depth: int, acts: list[str]) -> None:
        groups: dict[tuple[str, float], list[str]] = defaultdict(list)
        for nid in acts:
            params = self.doc.nodes[nid].params
            fn = str(params["function"])
            slope = float(params["negative_slope"]) if fn == "leaky_relu" else 0.0
            groups[(fn, slope)].append(nid)
        for j, ((fn, slope), members) in enumerate(groups.items()):
            owner = f"activations@{depth}.{j}"
            refs = [self._ref(self.s.edges_into(m, "in")[0].source) for m in members]
            inp = self._stack(refs, f"{owner}.in", None)
            kwargs = {"negative_slope": slope} if fn == "leaky_relu" else {}
            attrs = {"function": fn, "negative_slope": slope, "nodes": tuple(members)}
            op = LayerOp(make_activation(fn, **kwargs))
            self._emit(Step(None, "activation", (inp,), owner, attrs), op, (len(members),),
                       False)
            for i, m in enumerate(members):
                self.scalars[PortRef(m, "out")] = ScalarRef(owner, i)
                self.p.node_values[m] = (owner, i)

    def _head(self, node_id: str) -> None:
        node = self.doc.nodes[node_id]
        if node.type_id == "neuron.output":
            edges = self.s.edges_into(node_id, "in")
            if not edges:
                raise GraphError(f"{self._title(node_id)} has no input connected.")
            inp = self._stack([self._ref(edges[0].source)], f"{node_id}.in", None)
        else:
            inp = self._tensor_in(node_id)
        width = prod(self.shapes[inp])
        attrs: dict[str, Any] = {"loss": str(node.params["loss"])}
        step = Step(node_id, "output", (inp,), node_id, attrs)
        self._emit(step, ReshapeOp(), (width,), False)
        self.p.node_values[node_id] = (node_id, None)
        self._head_steps.append((node_id, step))

    def _finish_heads(self) -> None:
        order = {nid: i for i, nid in enumerate(self.doc.nodes)}
        start = 0
        for node_id, step in sorted(self._head_steps, key=lambda h: order[h[0]]):
            node = self.doc.nodes[node_id]
            width = self.shapes[step.output][0]
            target = int(node.params["target_column"]) if node.type_id == "neuron.output" \
                else None
            columns = slice(start, start + width)
            step.attrs["columns"] = (start, start + width)
            step.attrs["target_column"] = target
            self.p.titles[node_id] = node.title
            self.p.heads.append(OutputHead(node_id, step.attrs["loss"], columns, target))
            self.p.head_values.append(step.output)
            start += width


def _dropout_factory(p: float, rng: np.random.Generator) -> LayerFactory:
    def make(_: np.random.Generator) -> Layer:
        return Dropout(p, rng=rng)

    return make
