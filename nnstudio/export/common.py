"""What the PyTorch and ONNX exporters share: readable names for the values of a plan,
the column runs behind a ``stack`` step, the head order and the saved scaler.

A plan's values are named by the compiler (``"n4"``, ``"neurons@1"``, ``"n7.in.stacked"``);
exports name them after the node titles instead (``dense_1``, ``neurons_1``, ``output_in``)
so the generated code and the ONNX graph read like the canvas.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from nnstudio.export.codegen import one_line
from nnstudio.graph.compiler import Plan, Step


class ExportError(Exception):
    """An export that cannot be done; ``str(e)`` is one sentence for the user."""


#: Names a generated module attribute or variable must not take (nn.Module's own members
#: and the names the generated script imports).
RESERVED = frozenset({
    "x", "self", "torch", "nn", "np", "numpy", "path", "model", "add_module", "apply",
    "bfloat16", "buffers", "children", "compile", "cpu", "cuda", "double", "eval",
    "extra_repr", "float", "forward", "half", "load_state_dict", "modules", "parameters",
    "register_buffer", "register_module", "register_parameter", "state_dict", "to", "train",
    "training", "type", "zero_grad", "requires_grad_", "share_memory", "ipu", "xpu", "mtia",
    "get_submodule", "get_parameter", "get_buffer", "named_buffers", "named_children",
    "named_modules", "named_parameters", "to_empty", "call_super_init", "dump_patches",
})


def identifier(text: str, taken: set[str]) -> str:
    """A fresh snake_case Python identifier made from ``text``; adds it to ``taken``."""
    base = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower() or "value"
    if base[0].isdigit():
        base = f"v_{base}"
    if keyword.iskeyword(base) or base in RESERVED:
        base = f"{base}_"
    name, i = base, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    taken.add(name)
    return name


def value_names(plan: Plan, titles: Mapping[str, str],
                avoid: tuple[str, ...] = ()) -> dict[str, str]:
    """Compiler value name -> readable identifier, for ``"x"`` and every step's output.

    ``titles``: node id -> the node's title on the canvas (may be empty); ``avoid``: names
    kept free for the caller.
    """
    taken: set[str] = {"x", *avoid}
    names = {"x": "x"}
    for step in plan.steps:
        names[step.output] = identifier(_readable(step, titles), taken)
    return names


def _readable(step: Step, titles: Mapping[str, str]) -> str:
    if step.output == "x.flat":
        return "x_flat"
    nodes = step.attrs.get("nodes") if step.op == "activation" else None
    if step.node_id is None and nodes and len(nodes) == 1 and nodes[0] in titles:
        return titles[nodes[0]]
    parts = [p for p in step.output.split(".") if p != "stacked"]
    head = parts[0]
    if head in titles:
        parts[0] = titles[head]
    else:
        parts[0] = head.replace("@", "_")
    return "_".join(parts)


def describe(step: Step, titles: Mapping[str, str]) -> str:
    """One sanitized line about where a step comes from, e.g. ``'Hidden' (n4)``."""
    return one_line(_describe(step, titles))


def _describe(step: Step, titles: Mapping[str, str]) -> str:
    if step.node_id is not None:
        title = one_line(titles.get(step.node_id) or "", 60)
        node = one_line(step.node_id, 40)
        return f"'{title}' ({node})" if title else f"node {node}"
    members = step.attrs.get("neurons") or step.attrs.get("nodes")
    if members:
        shown = ", ".join(f"'{one_line(titles.get(m, m), 40)}'" for m in members[:6])
        more = f" and {len(members) - 6} more" if len(members) > 6 else ""
        kind = "Neurons" if step.op == "neuron_group" else "Activations"
        return f"{kind} {shown}{more}"
    return step.output


def column_runs(refs: tuple[tuple[str, int], ...]) -> list[tuple[str, list[int]]]:
    """``((value, column), ...)`` -> runs of consecutive refs into the same value, in order."""
    runs: list[tuple[str, list[int]]] = []
    for value, column in refs:
        if runs and runs[-1][0] == value:
            runs[-1][1].append(int(column))
        else:
            runs.append((value, [int(column)]))
    return runs


def contiguous(columns: list[int]) -> bool:
    """Whether ``columns`` is an ascending run ``a, a+1, ..., b``."""
    return columns == list(range(columns[0], columns[0] + len(columns)))


def head_steps(plan: Plan) -> list[Step]:
    """The ``output`` steps in the column order of ``Plan.forward``'s result."""
    heads = [s for s in plan.steps if s.op == "output"]
    return sorted(heads, key=lambda s: int(s.attrs["columns"][0]))


def head_table(plan: Plan, titles: Mapping[str, str],
               ensemble: bool = False) -> list[dict[str, Any]]:
    """One JSON-able row per head: title, loss, columns (start, stop), meaning of the values
    (of the network's outputs, or of an ensemble's averaged predictions)."""
    kinds = ENSEMBLE_KIND if ensemble else VALUE_KIND
    rows = []
    for step in head_steps(plan):
        loss = str(step.attrs["loss"])
        start, stop = (int(c) for c in step.attrs["columns"])
        rows.append({"title": titles.get(step.node_id or "", step.output), "loss": loss,
                     "columns": (start, stop), "values": kinds.get(loss, "values")})
    return rows


#: What a head's columns hold for each loss (as Plan.forward returns them).
VALUE_KIND = {
    "mse": "predicted values",
    "binary_cross_entropy": "probabilities",
    "bce_with_logits": "logits (apply a sigmoid for probabilities)",
    "multilabel": "logits (apply a sigmoid for probabilities)",
    "cross_entropy": "logits (apply a softmax for class probabilities)",
}

#: What a head's columns hold in a bagging ensemble's output (the members' mean prediction).
ENSEMBLE_KIND = {
    "mse": "predicted values, the members' mean",
    "binary_cross_entropy": "probabilities, the members' mean",
    "bce_with_logits": "probabilities (sigmoid applied), the members' mean",
    "multilabel": "probabilities (sigmoid applied), the members' mean",
    "cross_entropy": "class probabilities (softmax applied), the members' mean",
}


def saved_scaler(preprocessing: Mapping[str, Any] | None) -> tuple[np.ndarray, np.ndarray] | None:
    """``(offset, scale)`` of the input scaling a trained project stores, or None.

    The trainer keeps ``{"scaler": {"kind", "offset", "scale"}}``; x is scaled as
    ``(x - offset) / scale`` per feature (tables) or per channel (images).
    """
    if not preprocessing:
        return None
    scaler = preprocessing.get("scaler")
    if not isinstance(scaler, Mapping) or scaler.get("kind") in (None, "none"):
        return None
    offset, scale = scaler.get("offset"), scaler.get("scale")
    if offset is None or scale is None:
        return None
    try:
        off = np.asarray(offset, dtype=np.float64)
        sc = np.asarray(scale, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if off.ndim != 1 or off.shape != sc.shape:
        return None
    return off, sc
