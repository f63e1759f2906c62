"""The chain rule for one parameter, path by path, with the numbers of one batch.

A *unit* is one number per sample: element ``k`` of a node's (flattened) output. From the
unit a parameter feeds, every path to the loss is followed through simple local derivatives
(a neuron edge's weight, an element-wise activation's slope, a dense weight, routing ops with
slope 1, a dropout mask) and ends at the loss (dL/d prediction). Where a unit feeds an op
without such a simple slope (conv, pooling, batch norm, softmax) or where there would be more
than ``max_paths`` paths, the path ends at that unit with its backpropagated gradient
δ = ∂L/∂unit, which already sums every path beyond it. So Σ over paths of Σ over samples of
the factors' product equals the plan's gradient (plus the weight penalty's part).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnstudio.engine.activations import make_activation
from nnstudio.engine.base import Array
from nnstudio.graph.compiler.plan import Plan
from nnstudio.graph.compiler.structure import Structure
from nnstudio.graph.compiler.value_grads import ValuePass
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import Edge

Unit = tuple[str, int]
ROUTING = ("layer.stack", "layer.flatten", "layer.split", "layer.add", "layer.concatenate")
SLOPES = {"identity": "1", "sigmoid": "σ(z)(1−σ(z))", "tanh": "1 − tanh²(z)",
          "relu": "[z > 0]", "leaky_relu": "1 or slope", "swish": "swish′(z)",
          "gelu": "gelu′(z)"}


@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule product: ``scale · values`` per sample.

    values: ``(N,)``, or ``(N, M)`` when the factor runs over M positions (conv) that are
    summed as well. symbol: "∂g/∂h"; formula: what it is ("w2", "xᵢ", "eᵢ").
    scale/scale_text: a constant in front, e.g. −2/N of the MSE (1.0 / "" if none).
    """

    symbol: str
    formula: str
    values: Array
    scale: float = 1.0
    scale_text: str = ""
    note: str = ""     # e.g. "eᵢ = yᵢ − gᵢ"

    @property
    def effective(self) -> Array:
        return self.scale * self.values


@dataclass(frozen=True)
class PathTerm:
    """One path from the parameter to the loss; ``factors`` in the lecture's order
    (loss side first). ``units``: the symbols of the units along it, parameter side first."""

    units: tuple[str, ...]
    factors: tuple[Factor, ...]
    per_sample: Array = field(repr=False)     # (N,) the product for every sample
    total: float = 0.0                        # Σ over samples (and positions)


def make_term(units: list[str], factors: list[Factor]) -> PathTerm:
    product = np.ones_like(factors[0].values, dtype=np.float64)
    for f in factors:
        product = product * f.effective
    per_sample = product.sum(axis=1) if product.ndim == 2 else product
    return PathTerm(tuple(units), tuple(factors), per_sample, float(per_sample.sum()))


class ChainRuleSolver:
    """Local derivatives and path expansion over a document's units (float64 pass)."""

    def __init__(self, doc: Document, plan: Plan, vp: ValuePass, symbols: dict[str, str],
                 weight_symbols: dict[str, str], max_paths: int = 16) -> None:
        self.doc = doc
        self.weight_symbols = weight_symbols
        self.edge_weights = plan.edge_weights()
        self.plan = plan
        self.vp = vp
        self.symbols = symbols
        self.max_paths = max_paths
        self.structure = Structure(doc)
        self.n = next(iter(vp.values.values())).shape[0]
        self._counts: dict[Unit, int] = {}

    # --- node arrays -------------------------------------------------------------------

    def output(self, node_id: str) -> Array:
        """A node's output per sample, flattened: ``(N, size)``."""
        value, column = self.vp.node_refs[node_id]
        if value == "":
            return np.ones((self.n, 1))
        array = self.vp.values[value]
        return array[:, column:column + 1] if column is not None else array.reshape(self.n, -1)

    def grad(self, node_id: str) -> Array | None:
        """dL/d(node output) per sample ``(N, size)``, None where no gradient flows."""
        value, column = self.vp.node_refs[node_id]
        array = self.vp.grads.get(value) if value else None
        if array is None:
            return None
        return array[:, column:column + 1] if column is not None else array.reshape(self.n, -1)

    def shape(self, node_id: str) -> tuple[int, ...]:
        value, column = self.vp.node_refs[node_id]
        if value == "" or column is not None:
            return ()
        return tuple(self.vp.values[value].shape[1:])

    def unit_symbol(self, unit: Unit) -> str:
        node_id, k = unit
        shape = self.shape(node_id)
        name = self.symbols[node_id]
        if not shape or self.doc.nodes[node_id].type_id == "layer.split":
            return name if not shape else f"{name}[{k}]"
        index = ",".join(str(int(i)) for i in np.unravel_index(k, shape))
        return f"{name}[{index}]"

    def input_value(self, node_id: str) -> Array:
        """The flattened input ``(N, S)`` of a single-input layer node (as its step reads it)."""
        for step in self.plan.steps:
            if step.node_id == node_id and step.op != "output":
                return self.vp.values[step.inputs[0]].reshape(self.n, -1)
        raise KeyError(node_id)

    # --- local derivatives ---------------------------------------------------------------

    def _edges_of_unit(self, unit: Unit) -> list[Edge]:
        node_id, k = unit
        if self.doc.nodes[node_id].type_id == "layer.split":
            return self.doc.outgoing(node_id, f"out{k}")
        return self.doc.outgoing(node_id, "out")

    def _carries_tensor(self, edge: Edge) -> bool:
        return self.structure.kinds.get(edge.source) == "tensor"

    def _in_index(self, edge: Edge, k: int) -> int:
        """Where unit ``k`` carried by ``edge`` lands in the target's (stacked) input."""
        into = self.structure.edges_into(edge.target.node_id, edge.target.port)
        target_type = self.doc.nodes[edge.target.node_id].type_id
        if target_type == "layer.concatenate":
            offset = 0
            for e in into:
                if e.id == edge.id:
                    break
                offset += self.output(e.source.node_id).shape[1] if self._carries_tensor(e) \
                    else 1
            return offset + (k if self._carries_tensor(edge) else 0)
        if self._carries_tensor(edge):
            return k
        if target_type == "layer.add":
            return 0
        return [e.id for e in into].index(edge.id)

    def consumers(self, unit: Unit) -> list[tuple[str, Unit | None, Factor | None]]:
        """("unit", next unit, ∂next/∂unit) | ("loss", None, ∂L/∂unit) | ("opaque", ...)."""
        result: list[tuple[str, Unit | None, Factor | None]] = []
        here = self.unit_symbol(unit)
        values = self.output(unit[0])[:, unit[1]]
        for edge in self._edges_of_unit(unit):
            target = edge.target.node_id
            kind = self.doc.nodes[target].type_id
            params = self.doc.nodes[target].params
            idx = self._in_index(edge, unit[1])
            if kind == "neuron.neuron":
                weight = self.edge_weights[edge.id]
                nxt: Unit = (target, 0)
                result.append(("unit", nxt, Factor(
                    f"∂{self.unit_symbol(nxt)}/∂{here}", self.weight_symbols[edge.id],
                    np.full(self.n, weight))))
            elif kind == "activation":
                nxt = (target, idx)
                fn = str(params["function"])
                kwargs: dict[str, Any] = ({"negative_slope": float(params["negative_slope"])}
                                          if fn == "leaky_relu" else {})
                layer = make_activation(fn, **kwargs)
                layer.forward(values.copy(), True)
                slope = layer.backward(np.ones_like(values))
                result.append(("unit", nxt, Factor(
                    f"∂{self.unit_symbol(nxt)}/∂{here}",
                    f"{fn}′({here}ᵢ) = {SLOPES.get(fn, '')}", slope)))
            elif kind in ("neuron.output", "layer.output"):
                result.append(("loss", None, self.loss_factor(target, idx, here)))
            elif kind in ROUTING or kind == "layer.dropout":
                nxt = (target, idx)
                slope = np.ones(self.n)
                formula = "1 (passes the value on)"
                if kind == "layer.dropout":
                    layer = self.plan.layers[target]
                    mask = layer.backward(np.ones_like(self.vp.values[target]))
                    slope = mask.reshape(self.n, -1)[:, idx]
                    formula = "dropout mask ÷ (1 − p)"
                result.append(("unit", nxt, Factor(
                    f"∂{self.unit_symbol(nxt)}/∂{here}", formula, slope)))
            elif kind == "layer.dense":
                matrix = self.plan.params[(target, "weight")]
                for j in range(matrix.shape[0]):
                    nxt = (target, j)
                    result.append(("unit", nxt, Factor(
                        f"∂{self.unit_symbol(nxt)}/∂{here}",
                        f"W[{j},{idx}] of {self.symbols[target]}",
                        np.full(self.n, matrix[j, idx]))))
            else:
                result.append(("opaque", None, None))
        return result

    def loss_factor(self, head_id: str, column: int, here: str) -> Factor:
        """∂L/∂(prediction column) of one head; MSE written as the lecture's −2/N·eᵢ."""
        grad = self.vp.head_grads[head_id][:, column]
        loss = str(self.doc.nodes[head_id].params["loss"])
        symbol = f"∂L/∂{here}"
        if loss == "mse":
            width = self.vp.head_grads[head_id].shape[1]
            n_terms = self.n * width
            scale = -2.0 / n_terms
            text = "−2/N" if width == 1 else f"−2/(N·{width})"
            return Factor(symbol, "eᵢ", grad / scale, scale, text, f"eᵢ = yᵢ − {here}ᵢ")
        formulas = {"binary_cross_entropy": f"({here}ᵢ − yᵢ) / ({here}ᵢ(1 − {here}ᵢ)·N)",
                    "bce_with_logits": f"(σ({here}ᵢ) − yᵢ) / N",
                    "multilabel": f"(σ({here}ᵢ) − yᵢ) / N",
                    "cross_entropy": f"(softmaxᵢ − [yᵢ = {column}]) / N"}
        return Factor(symbol, formulas.get(loss, "dL/dŷ"), grad)

    # --- paths ---------------------------------------------------------------------------

    def count(self, unit: Unit) -> int:
        """How many paths leave ``unit`` (1 when it must end with its δ)."""
        if unit not in self._counts:
            found = self.consumers(unit)
            if not found or any(kind == "opaque" for kind, _, _ in found):
                self._counts[unit] = 1
            else:
                self._counts[unit] = sum(1 if nxt is None else self.count(nxt)
                                         for _, nxt, _ in found)
        return self._counts[unit]

    def paths(self, unit: Unit, prefix: list[Factor], units: list[str]) -> list[PathTerm]:
        """Every path from ``unit`` to the loss; ``prefix`` holds the factors so far
        (parameter side first); returned terms list their factors loss side first."""
        units = [*units, self.unit_symbol(unit)]
        found = self.consumers(unit)
        opaque = not found or any(kind == "opaque" for kind, _, _ in found)
        if opaque or self.count(unit) > self.max_paths:
            grad = self.grad(unit[0])
            delta = np.zeros(self.n) if grad is None else grad[:, unit[1]]
            here = units[-1]
            last = Factor(f"∂L/∂{here}", f"δ({here}), backpropagated", delta)
            return [make_term(units, [last, *reversed(prefix)])]
        terms: list[PathTerm] = []
        for _, nxt, factor in found:
            assert factor is not None
            if nxt is None:
                terms.append(make_term(units, [factor, *reversed(prefix)]))
            else:
                terms.extend(self.paths(nxt, [*prefix, factor], units))
        return terms
