"""Export a compiled plan as an ONNX model (opset 20) with its weights as initializers.

    write_onnx(plan, "model.onnx", titles=titles, name="XOR")

The model has one input ``x: (N, *plan.input_shape)`` float32 and one output
``output: (N, P)``: the heads side by side, exactly as ``Plan.forward(x, training=False)``
(logits for cross-entropy heads); for a bagging ensemble, the mean of the members'
predictions as ``Trainer.predict`` gives it. The per-head meaning is stored in the model's
metadata.
Needs the optional ``onnx`` package (imported only when exporting).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nnstudio.export.codegen import one_line
from nnstudio.export.common import (
    ExportError,
    column_runs,
    contiguous,
    describe,
    head_steps,
    head_table,
    value_names,
)
from nnstudio.graph.compiler import Plan, Step

OPSET = 20          # Gelu (tanh approximation) is an operator from opset 20 on
IR_VERSION = 10     # the IR version that goes with opsets 20/21; ONNX Runtime 1.17+ reads it
_SIMPLE = {"identity": "Identity", "sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu"}


#: The one install hint for the optional package (the README and the ``onnx`` extra in
#: pyproject.toml say the same; it works for a wheel, a plain and an editable install).
ONNX_INSTALL_HINT = 'pip install "onnx>=1.16"'


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ExportError("ONNX export needs the 'onnx' package, which is optional; install "
                          f"it with {ONNX_INSTALL_HINT}") from None
    return onnx


def write_onnx(plans: Plan | Sequence[Plan], path: str | Path, *,
               titles: Mapping[str, str] | None = None, name: str = "Network") -> Path:
    """Write the ONNX model to ``path`` (``.onnx`` appended if missing); returns the path.
    Several plans are a bagging ensemble (see ``onnx_model``)."""
    onnx = _onnx()
    model = onnx_model(plans, titles=titles or {}, name=name)
    target = Path(path)
    if target.suffix != ".onnx":
        target = target.with_name(target.name + ".onnx")
    try:
        onnx.save_model(model, str(target))
    except OSError as error:
        raise ExportError(f"Cannot write the ONNX model to {target}: "
                          f"{error.strerror or error}.") from None
    return target


def onnx_model(plans: Plan | Sequence[Plan], *, titles: Mapping[str, str], name: str) -> Any:
    """The ``onnx.ModelProto`` of a plan (checked with ``onnx.checker``).

    Several plans are the members of a bagging ensemble: each member's nodes and weights
    are prefixed ``m<k>.``, each member's heads become predictions (softmax on
    cross-entropy heads, sigmoid on logit heads) and ``output`` is their ``Mean``, as
    ``Trainer.predict`` averages them.
    """
    onnx = _onnx()
    helper = onnx.helper
    members = [plans] if isinstance(plans, Plan) else list(plans)
    plan = members[0]
    if not head_steps(plan):
        raise ExportError("The network has no output node, so there is nothing to export.")
    nodes: list[Any] = []
    initializers: list[Any] = []
    outputs = []
    for k, member in enumerate(members):
        prefix = f"m{k}." if len(members) > 1 else ""
        names = {v: (v if v == "x" else prefix + n)
                 for v, n in value_names(member, titles, ("output",)).items()}
        builder = _GraphBuilder(onnx, names, member.dtype)
        for step in member.steps:
            builder.step(step, member, titles)
        heads = [builder.names[s.output] for s in head_steps(member)]
        if len(members) > 1:
            heads = [builder.prediction(s, h) for s, h in zip(head_steps(member), heads,
                                                               strict=True)]
        target = "output" if len(members) == 1 else f"{prefix}prediction"
        if len(heads) == 1:
            builder.node("Identity", heads, target, target)
        else:
            builder.node("Concat", heads, target, target, axis=1)
        nodes += builder.nodes
        initializers += builder.initializers
        outputs.append(target)
    if len(members) > 1:
        nodes.append(helper.make_node("Mean", outputs, ["output"], name="output: mean of "
                                      f"the {len(members)} bagging members' predictions"))
    rows = head_table(plan, titles, ensemble=len(members) > 1)
    width = rows[-1]["columns"][1]
    elem = helper.np_dtype_to_tensor_dtype(np.dtype(plan.dtype))
    what = (f"Output: the mean of {len(members)} bagging members' predictions"
            if len(members) > 1 else "Output: the heads side by side")
    graph = helper.make_graph(
        nodes, _graph_name(name),
        [helper.make_tensor_value_info("x", elem, ["N", *plan.input_shape])],
        [helper.make_tensor_value_info("output", elem, ["N", width])],
        initializers, doc_string=one_line(f"NN Studio network '{name}'. {what}."))
    model = helper.make_model(graph, producer_name="NN Studio",
                              opset_imports=[helper.make_opsetid("", OPSET)],
                              doc_string=_heads_text(rows))
    model.ir_version = IR_VERSION
    helper.set_model_props(model, {"nnstudio.heads": json.dumps(rows, ensure_ascii=True),
                                   "nnstudio.members": str(len(members))})
    try:
        onnx.checker.check_model(model, full_check=True)
    except onnx.checker.ValidationError as error:   # a bug here, not the user's doing
        raise ExportError(f"The ONNX model did not pass onnx.checker ({error}).") from None
    return model


def _graph_name(name: str) -> str:
    return one_line(name) or "network"


def _heads_text(rows: list[dict[str, Any]]) -> str:
    return "; ".join(one_line(f"columns {r['columns'][0]}:{r['columns'][1]} '{r['title']}' "
                              f"({r['loss']}): {r['values']}") for r in rows)


class _GraphBuilder:
    """Collects ONNX nodes and initializers while walking the plan's steps."""

    def __init__(self, onnx: Any, names: dict[str, str], dtype: Any) -> None:
        self.onnx = onnx
        self.names = names
        self.dtype = np.dtype(dtype)
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def node(self, op: str, inputs: list[str], output: str, label: str, **attrs: Any) -> str:
        self.nodes.append(self.onnx.helper.make_node(op, inputs, [output], name=label, **attrs))
        return output

    def const(self, name: str, array: np.ndarray) -> str:
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(array), name))
        return name

    def temp(self, base: str) -> str:
        self._count += 1
        return f"{base}/t{self._count}"

    def scalar(self, base: str, value: float) -> str:
        return self.const(self.temp(base), np.array(value, dtype=self.dtype))

    def prediction(self, head: Step, value: str) -> str:
        """A head's output as NN Studio predicts it: softmax on cross-entropy heads,
        sigmoid on logit heads, unchanged otherwise."""
        loss = str(head.attrs["loss"])
        if loss == "cross_entropy":
            return self.node("Softmax", [value], self.temp(value), f"{value} softmax", axis=1)
        if loss in ("bce_with_logits", "multilabel"):
            return self.node("Sigmoid", [value], self.temp(value), f"{value} sigmoid")
        return value

    def step(self, step: Step, plan: Plan, titles: Mapping[str, str]) -> None:
        out = self.names[step.output]
        ins = [self.names[v] for v in step.inputs]
        label = f"{out}: {describe(step, titles)}"
        a, op = step.attrs, step.op
        params = {role: self.const(f"{out}.{role}", plan.params[key])
                  for role, key in step.param_keys.items()}
        if op in ("dense", "neuron_group"):
            inputs = [ins[0], params["weight"]] + ([params["bias"]] if "bias" in params else [])
            self.node("Gemm", inputs, out, label, transB=1)
        elif op == "conv2d":
            k, p = int(a["kernel_size"]), int(a["padding"])
            inputs = [ins[0], params["weight"]] + ([params["bias"]] if "bias" in params else [])
            self.node("Conv", inputs, out, label, kernel_shape=[k, k],
                      strides=[int(a["stride"])] * 2, pads=[p] * 4)
        elif op in ("maxpool2d", "avgpool2d"):
            k, p = int(a["kernel_size"]), int(a["padding"])
            extra = {"count_include_pad": 1} if op == "avgpool2d" else {}
            self.node("MaxPool" if op == "maxpool2d" else "AveragePool", ins, out, label,
                      kernel_shape=[k, k], strides=[int(a["stride"])] * 2, pads=[p] * 4,
                      **extra)
        elif op in ("flatten", "split", "output"):
            self.node("Flatten", ins, out, label, axis=1)
        elif op == "dropout":
            self.node("Identity", ins, out, label)
        elif op == "batchnorm":
            node = step.node_id or ""
            mean = self.const(f"{out}.running_mean", plan.buffers[(node, "running_mean")])
            var = self.const(f"{out}.running_var", plan.buffers[(node, "running_var")])
            self.node("BatchNormalization", [ins[0], params["weight"], params["bias"], mean, var],
                      out, label, epsilon=float(a["eps"]))
        elif op == "softmax":
            self.node("Softmax", ins, out, label, axis=int(a.get("axis", 1)))
        elif op == "activation":
            self._activation(str(a["function"]), float(a["negative_slope"]), ins[0], out, label)
        elif op == "add":
            self.node("Sum", ins, out, label)
        elif op == "concat":
            self.node("Concat", ins, out, label, axis=int(a.get("axis", 1)))
        elif op == "ones":
            self._ones(ins[0], out, label)
        elif op == "stack":
            self._stack(a["refs"], out, label)
        else:
            raise ExportError(f"The operation '{op}' cannot be exported to ONNX.")

    def _activation(self, fn: str, slope: float, x: str, out: str, label: str) -> None:
        if fn in _SIMPLE:
            self.node(_SIMPLE[fn], [x], out, label)
        elif fn == "leaky_relu":
            self.node("LeakyRelu", [x], out, label, alpha=slope)
        elif fn == "swish":     # x·σ(x)
            s = self.node("Sigmoid", [x], self.temp(out), f"{label} σ(x)")
            self.node("Mul", [x, s], out, label)
        elif fn == "gelu":
            self.node("Gelu", [x], out, label, approximate="tanh")
        else:
            raise ExportError(f"The activation '{fn}' cannot be exported to ONNX.")

    def _ones(self, x: str, out: str, label: str) -> None:
        """The constant column (N, 1) of ones, N taken from x."""
        batch = self.node("Shape", [x], self.temp(out), f"{label} batch size", start=0, end=1)
        one = self.const(self.temp(out), np.array([1], dtype=np.int64))
        shape = self.node("Concat", [batch, one], self.temp(out), f"{label} shape", axis=0)
        value = self.onnx.numpy_helper.from_array(np.ones(1, dtype=self.dtype))
        self.node("ConstantOfShape", [shape], out, label, value=value)

    def _stack(self, refs: tuple[tuple[str, int], ...], out: str, label: str) -> None:
        """Columns of several (N, k) values gathered into one (N, len(refs))."""
        parts = []
        for value, cols in column_runs(refs):
            src = self.names[value]
            if contiguous(cols):
                starts = self.const(self.temp(out), np.array([cols[0]], dtype=np.int64))
                ends = self.const(self.temp(out), np.array([cols[-1] + 1], dtype=np.int64))
                axes = self.const(self.temp(out), np.array([1], dtype=np.int64))
                parts.append(self.node("Slice", [src, starts, ends, axes], self.temp(out),
                                       f"{label} columns of {src}"))
            else:
                index = self.const(self.temp(out), np.array(cols, dtype=np.int64))
                parts.append(self.node("Gather", [src, index], self.temp(out),
                                       f"{label} columns of {src}", axis=1))
        if len(parts) == 1:
            self.node("Identity", parts, out, label)
        else:
            self.node("Concat", parts, out, label, axis=1)
