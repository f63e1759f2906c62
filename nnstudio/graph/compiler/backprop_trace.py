"""Step-through backpropagation: the numbers of one forward and backward pass, node by node.

    trace = trace_backprop(plan, doc, x, y)      # x: (N, *input_shape), y: targets
    trace.forward_order                          # node ids, topological
    trace.steps                                  # NodeTrace per node, REVERSE topological
    trace.explain_edge("e1").sentence()          # ∂L/∂w1 = ∂L/∂g · ∂g/∂h · ∂h/∂w1 = …

The pass runs in float64 on a copy of the plan, in training mode (dropout masks and batch
statistics as in a training step). Each chain rule's total equals the plan's gradient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from nnstudio.engine.base import Array
from nnstudio.graph.compiler.chain_rule import ChainRuleSolver, Factor, PathTerm, make_term
from nnstudio.graph.compiler.ir import ParamKey
from nnstudio.graph.compiler.plan import Plan
from nnstudio.graph.compiler.structure import Structure
from nnstudio.graph.compiler.value_grads import edge_slot, penalty_grad, traced_pass
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.document import Document

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
MAX_SHOWN_SAMPLES = 4


@dataclass(frozen=True)
class NodeTrace:
    """One node in one pass. value/grad: ``(N, size)`` per sample, flattened output;
    grad is None where no gradient flows (inputs, Bias constants)."""

    node_id: str
    title: str
    symbol: str
    type_id: str
    shape: tuple[int, ...]
    value: Array
    grad: Array | None
    incoming: tuple[str, ...]

    @property
    def value_mean(self) -> Array:
        """Mean over the batch: ``(size,)``."""
        return self.value.mean(axis=0)

    @property
    def grad_mean(self) -> Array | None:
        return None if self.grad is None else self.grad.mean(axis=0)


@dataclass(frozen=True)
class ChainRule:
    """∂L/∂(one parameter) as a sum over paths; ``total`` = Σ terms + penalty."""

    target: str
    key: ParamKey
    index: int
    terms: tuple[PathTerm, ...]
    penalty: float
    total: float
    plan_gradient: float
    n_samples: int

    def lines(self) -> str:
        """The same as ``sentence`` with one equals sign per line (for a panel)."""
        notes: list[str] = []

        def keep(found: re.Match[str]) -> str:
            notes.append(found.group(0))
            return f"\x00{len(notes) - 1}\x00"

        text = re.sub(r" \(where [^)]*\)", keep, self.sentence()).replace(" = ", "\n    = ")
        for i, note in enumerate(notes):
            text = text.replace(f"\x00{i}\x00", "\n      " + note.strip())
        return text

    def sentence(self) -> str:
        """The lecture's form with this batch's numbers (one line per path if several)."""
        head = f"∂L/∂{self.target}"
        if len(self.terms) == 1:
            text = f"{head} = {_term_text(self.terms[0], self.n_samples)}"
        else:
            parts = [f"  path {i + 1} ({' → '.join(t.units)} → L): "
                     f"{_term_text(t, self.n_samples)}" for i, t in enumerate(self.terms)]
            text = (f"{head} = sum over {len(self.terms)} paths = "
                    f"{' + '.join(_num(t.total) for t in self.terms)}\n" + "\n".join(parts))
        if self.penalty:
            text += f"\n  + weight penalty {_num(self.penalty)}"
        ok = np.isclose(self.total, self.plan_gradient, rtol=1e-6, atol=1e-12)
        return (text + f"\n  total {_num(self.total)}; backprop in the network gives "
                f"{_num(self.plan_gradient)} {'✓' if ok else '✗'}")


def _num(value: float) -> str:
    return f"{value:.4g}".replace("-", "−")


def _term_text(term: PathTerm, n: int) -> str:
    symbolic = " · ".join(f.symbol for f in term.factors)
    scale = 1.0
    scale_text = ""
    for f in term.factors:
        if f.scale_text:
            scale, scale_text = scale * f.scale, (scale_text + " " + f.scale_text).strip()
    closed = " · ".join(f.formula for f in term.factors)
    closed = f"{scale_text} Σᵢ {closed}" if scale_text else f"Σᵢ {closed}"
    notes = [f.note for f in term.factors if f.note]
    if notes:
        closed += f" (where {', '.join(notes)})"
    numbers = _numbers(term.factors, n)
    scale_numbers = f"{scale_text.replace('N', str(n))} · " if scale_text else ""
    return f"{symbolic} = {closed} = {scale_numbers}{numbers} = {_num(term.total)}"


def _numbers(factors: tuple[Factor, ...], n: int) -> str:
    if any(f.values.ndim != 1 for f in factors):
        return "(Σ over samples and positions)"
    shown = min(n, MAX_SHOWN_SAMPLES)
    products = ["·".join(f"({_num(float(f.values[i]))})" for f in factors)
                for i in range(shown)]
    more = f" + … ({n - shown} more)" if n > shown else ""
    return "[" + " + ".join(products) + more + "]"


class BackpropTrace:
    """The forward values and backward gradients of one batch, per node."""

    def __init__(self, doc: Document, plan: Plan, x: Array, y: Array) -> None:
        self.doc = doc.copy()
        self.plan = plan.astype(np.float64)
        self.x = np.asarray(x, dtype=np.float64)
        self.y = np.asarray(y)
        self.n_samples = int(self.x.shape[0])
        vp = traced_pass(self.plan, self.x, self.y, training=True)
        self.loss = vp.loss
        self.symbols = node_symbols(self.doc)
        self.weight_symbols = {e.id: weight_symbol(self.doc, e.id, self.symbols)
                               for e in self.doc.edges.values()
                               if self.doc.nodes[e.target.node_id].type_id == "neuron.neuron"}
        self.solver = ChainRuleSolver(self.doc, self.plan, vp, self.symbols, self.weight_symbols)
        self.forward_order: tuple[str, ...] = tuple(Structure(self.doc).order)
        self.nodes: dict[str, NodeTrace] = {}
        for node_id in self.forward_order:
            node = self.doc.nodes[node_id]
            self.nodes[node_id] = NodeTrace(
                node_id, node.title, self.symbols[node_id], node.type_id,
                self.solver.shape(node_id), self.solver.output(node_id),
                self.solver.grad(node_id), tuple(e.id for e in self.doc.incoming(node_id)))
        self.steps: tuple[NodeTrace, ...] = tuple(self.nodes[n]
                                                  for n in reversed(self.forward_order))
        self.edge_weights: dict[str, float] = self.plan.edge_weights()
        self.edge_grads: dict[str, float] = self.plan.edge_grads()
        self.param_grads: dict[ParamKey, Array] = vp.param_grads

    @property
    def backward_order(self) -> tuple[str, ...]:
        """Nodes the gradient reaches, output first (inputs and Bias constants skipped)."""
        return tuple(s.node_id for s in self.steps if s.grad is not None)

    # --- chain rule ------------------------------------------------------------------------

    def explain_edge(self, edge_id: str) -> ChainRule:
        """∂L/∂(weight of a neuron-level edge), path by path."""
        if edge_id not in self.weight_symbols:
            raise GraphError("Only connections into a Neuron carry a weight of their own.")
        edge = self.doc.edges[edge_id]
        source, neuron = edge.source.node_id, edge.target.node_id
        symbol = self.weight_symbols[edge_id]
        unit = (neuron, 0)
        is_bias = self.doc.nodes[source].type_id == "neuron.bias"
        first = Factor(f"∂{self.symbols[neuron]}/∂{symbol}",
                       "1" if is_bias else f"{self.symbols[source]}ᵢ",
                       self.solver.output(source)[:, 0])
        terms = self.solver.paths(unit, [first], [symbol])
        key, flat = edge_slot(self.plan, edge_id)
        return self._rule(symbol, key, flat, terms, self.edge_grads[edge_id])

    def explain_param(self, node_id: str, name: str, index: int) -> ChainRule:
        """∂L/∂(element ``index`` of the flattened array ``name`` of a layer node)."""
        key = (node_id, name)
        if key not in self.plan.params:
            raise GraphError(f"The node has no trainable array called '{name}'.")
        array = self.plan.params[key]
        if not 0 <= index < array.size:
            raise GraphError(f"'{name}' has {array.size} entries; {index} is out of range.")
        where = ",".join(str(int(i)) for i in np.unravel_index(index, array.shape))
        symbol = f"{self.symbols[node_id]}.{name}[{where}]"
        kind = self.doc.nodes[node_id].type_id
        if kind == "layer.dense":
            terms = self._dense_terms(node_id, name, index, symbol)
        elif kind in ("layer.conv2d", "layer.batchnorm"):
            terms = [self._spatial_term(node_id, name, index, symbol)]
        else:
            raise GraphError("Chain rules are shown for Dense, Conv2D and BatchNorm arrays.")
        gradient = float(self.param_grads[key].reshape(-1)[index])
        return self._rule(symbol, key, index, terms, gradient)

    def _rule(self, symbol: str, key: ParamKey, flat: int, terms: list[PathTerm],
              gradient: float) -> ChainRule:
        penalty = float(penalty_grad(self.plan, key).reshape(-1)[flat])
        total = sum(t.total for t in terms) + penalty
        return ChainRule(symbol, key, flat, tuple(terms), penalty, total, gradient,
                         self.n_samples)

    def _dense_terms(self, node_id: str, name: str, index: int, symbol: str) -> list[PathTerm]:
        inputs = self.solver.input_value(node_id)
        j, k = divmod(index, inputs.shape[1]) if name == "weight" else (index, -1)
        out = self.solver.unit_symbol((node_id, j))
        if name == "weight":
            first = Factor(f"∂{out}/∂{symbol}", f"input[{k}]ᵢ", inputs[:, k])
        else:
            first = Factor(f"∂{out}/∂{symbol}", "1", np.ones(self.n_samples))
        return self.solver.paths((node_id, j), [first], [symbol])

    def _spatial_term(self, node_id: str, name: str, index: int, symbol: str) -> PathTerm:
        """Conv and batch-norm arrays: one term summed over samples and positions."""
        grad = self.solver.grad(node_id)
        assert grad is not None
        shape = self.solver.shape(node_id)
        delta = grad.reshape(self.n_samples, *shape)
        step = next(s for s in self.plan.steps if s.node_id == node_id)
        x = self.plan_value(step.inputs[0])
        me = self.symbols[node_id]
        if self.doc.nodes[node_id].type_id == "layer.conv2d":
            weight_shape = self.plan.params[(node_id, "weight")].shape
            o, c, a, b = (np.unravel_index(index, weight_shape) if name == "weight"
                          else (index, 0, 0, 0))
            d = delta[:, o].reshape(self.n_samples, -1)
            dsym = f"∂L/∂{me}[{o},h,w]"
            if name == "bias":
                return make_term([symbol, me], [Factor(dsym, f"δ({me}) at every (h,w)", d),
                                                Factor(f"∂{me}/∂{symbol}", "1", np.ones_like(d))])
            s, p = int(step.attrs["stride"]), int(step.attrs["padding"])
            padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
            h, w = shape[1], shape[2]
            patch = padded[:, c, a:a + s * (h - 1) + 1:s, b:b + s * (w - 1) + 1:s]
            return make_term([symbol, me], [
                Factor(dsym, f"δ({me}) at every (h,w)", d),
                Factor(f"∂{me}[{o},h,w]/∂{symbol}", f"x[{c}, h·{s}+{a}−{p}, w·{s}+{b}−{p}]",
                       patch.reshape(self.n_samples, -1))])
        channel = index
        axes = (0,) if x.ndim == 2 else (0, 2, 3)
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True)
        x_hat = (x - mean) / np.sqrt(var + float(step.attrs["eps"]))
        d = delta[:, channel].reshape(self.n_samples, -1)
        xh = x_hat[:, channel].reshape(self.n_samples, -1)
        dsym = f"∂L/∂{me}[{channel}]"
        local = Factor(f"∂{me}/∂{symbol}", "x̂ (normalised input)", xh) if name == "weight" \
            else Factor(f"∂{me}/∂{symbol}", "1", np.ones_like(d))
        return make_term([symbol, me], [Factor(dsym, f"δ({me})", d), local])

    def plan_value(self, value: str) -> Array:
        return self.solver.vp.values[value]


def trace_backprop(plan: Plan, doc: Document, x: Array, y: Array) -> BackpropTrace:
    """Run one traced forward/backward pass of ``plan`` (compiled from ``doc``) on (x, y)."""
    return BackpropTrace(doc, plan, x, y)


# --- names ---------------------------------------------------------------------------------

def short_symbol(title: str) -> str:
    """"h = w1·x + b1" → "h"; "x (chocolate)" → "x"; other titles stay as they are."""
    text = title.split(" = ")[0] if " = " in title else title
    text = text.split(" (")[0].strip()
    return text or title


def node_symbols(doc: Document) -> dict[str, str]:
    """A short unique symbol per node (its id is appended where two would clash)."""
    symbols = {n: short_symbol(node.title) for n, node in doc.nodes.items()}
    seen: dict[str, int] = {}
    for s in symbols.values():
        seen[s] = seen.get(s, 0) + 1
    return {n: s if seen[s] == 1 else f"{s}#{n}" for n, s in symbols.items()}


def weight_symbol(doc: Document, edge_id: str, symbols: dict[str, str]) -> str:
    """The name of an edge weight: taken from the neuron's title ("h = w1·x + b1" names
    x's weight w1 and the Bias b1) where it says so, else w(source→neuron) / b(neuron)."""
    edge = doc.edges[edge_id]
    source, neuron = edge.source.node_id, edge.target.node_id
    title = doc.nodes[neuron].title
    src = symbols[source]
    if doc.nodes[source].type_id == "neuron.bias":
        if re.search(rf"(?<!\w){re.escape(src)}(?!\w)", title.split(" = ")[-1]):
            return src
        return f"b({symbols[neuron]})"
    found = re.search(rf"(\w+)\s*·\s*{re.escape(src)}(?!\w)", title)
    return found.group(1) if found else f"w({src}→{symbols[neuron]})"


def subscript(i: int) -> str:
    return str(i).translate(_SUB)
