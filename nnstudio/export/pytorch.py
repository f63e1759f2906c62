"""Export a compiled plan as a readable PyTorch script plus an ``.npz`` of its weights.

    write_pytorch(plan, "model.py", titles=titles, name="XOR")  # -> model.py, model.npz

The script defines ``class Network(nn.Module)`` whose attributes mirror the graph: one
``nn.Linear``/``nn.Conv2d``/... per layer node, one ``nn.Linear`` per group of neurons of
the same depth (the dense-equivalent weight: zeros where a neuron has no connection) and
Split/Stack/Concat/Add as tensor operations in ``forward``. ``Network()(x)`` returns what
``Plan.forward(x, training=False)`` returns: the heads side by side (logits for
cross-entropy heads). Writing needs no torch; running the script needs torch and numpy.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nnstudio.export.codegen import comment_line, docstring_line, one_line, py_literal, py_str
from nnstudio.export.common import (
    ExportError,
    column_runs,
    contiguous,
    describe,
    head_steps,
    head_table,
    saved_scaler,
    value_names,
)
from nnstudio.graph.compiler import Plan, Step

_ACTIVATIONS = {"identity": "nn.Identity()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()",
                "relu": "nn.ReLU()", "swish": "nn.SiLU()  # x·σ(x)",
                "gelu": 'nn.GELU(approximate="tanh")'}
_MODULE_OPS = ("dense", "conv2d", "maxpool2d", "avgpool2d", "dropout", "batchnorm",
               "activation", "softmax", "neuron_group")
_TENSOR_OPS = ("conv2d", "maxpool2d", "avgpool2d")
#: The weights file's entry that maps each state-dict key to (member, NN Studio's
#: ``"owner/name"``), so weights trained elsewhere find their way back after renames.
KEY_MAP = "nnstudio.params"


def write_pytorch(plans: Plan | Sequence[Plan], path: str | Path, *,
                  titles: Mapping[str, str] | None = None, name: str = "Network",
                  preprocessing: Mapping[str, Any] | None = None,
                  note: str = "") -> tuple[Path, Path]:
    """Write ``path`` (a ``.py`` script) and its weights beside it (same stem, ``.npz``).

    plans: the network, or the members of a bagging ensemble (then the script's
    ``load_model`` gives an ``Ensemble`` averaging them as NN Studio does); titles: node id
    -> title (names the layers); preprocessing: the project's fitted input scaling, exported
    as a ``preprocess`` function; note: a sentence for the script's docstring.
    Returns (script path, weights path).
    """
    members = [plans] if isinstance(plans, Plan) else list(plans)
    script = Path(path)
    if script.suffix != ".py":
        script = script.with_name(script.name + ".py")
    weights = script.with_suffix(".npz")
    scaler = saved_scaler(preprocessing)
    source = pytorch_source(members, titles=titles or {}, name=name,
                            weights_file=weights.name, has_scaler=scaler is not None,
                            note=note)
    keys = state_keys(members, titles or {})
    arrays = {key: array for key, (_, array) in keys.items()}
    arrays[KEY_MAP] = np.array(json.dumps(
        {key: list(where) for key, (where, _) in keys.items() if where is not None},
        ensure_ascii=True))
    if scaler is not None:
        arrays["preprocessing.offset"], arrays["preprocessing.scale"] = scaler
    try:
        script.write_text(source, encoding="utf-8")
        with weights.open("wb") as handle:
            np.savez(handle, allow_pickle=False, **arrays)
    except OSError as error:
        raise ExportError(f"Cannot write the PyTorch export to {script.parent}: "
                          f"{error.strerror or error}.") from None
    return script, weights


def pytorch_state(plans: Plan | Sequence[Plan],
                  titles: Mapping[str, str]) -> dict[str, np.ndarray]:
    """The generated model's state dict as NumPy arrays: keys ``"<attribute>.weight"``…
    for one network, ``"members.<k>.<attribute>.weight"``… for an ensemble."""
    return {key: array for key, (_, array) in state_keys(plans, titles).items()}


def state_keys(plans: Plan | Sequence[Plan], titles: Mapping[str, str]
               ) -> dict[str, tuple[tuple[int, str] | None, np.ndarray]]:
    """Generated state-dict key -> ((member, plan state key ``"owner/name"``) or None for
    bookkeeping entries, a copy of the array)."""
    members = [plans] if isinstance(plans, Plan) else list(plans)
    names = value_names(members[0], titles)
    state: dict[str, tuple[tuple[int, str] | None, np.ndarray]] = {}
    for k, plan in enumerate(members):
        prefix = f"members.{k}." if len(members) > 1 else ""
        for step in plan.steps:
            attr = prefix + names[step.output]
            for role, (owner, pname) in step.param_keys.items():
                state[f"{attr}.{role}"] = ((k, f"{owner}/{pname}"),
                                          np.array(plan.params[(owner, pname)]))
            if step.op == "batchnorm":
                node = step.node_id or ""
                for buffer in ("running_mean", "running_var"):
                    state[f"{attr}.{buffer}"] = ((k, f"{node}/{buffer}"),
                                                np.array(plan.buffers[(node, buffer)]))
                state[f"{attr}.num_batches_tracked"] = (None, np.array(0, dtype=np.int64))
    return state


def pytorch_source(plans: Plan | Sequence[Plan], *, titles: Mapping[str, str], name: str,
                   weights_file: str, has_scaler: bool = False, note: str = "") -> str:
    """The text of the generated script."""
    members = [plans] if isinstance(plans, Plan) else list(plans)
    plan = members[0]
    names = value_names(plan, titles)
    ndim = {"x": len(plan.input_shape) + 1}
    init: list[str] = []
    body: list[str] = []
    for step in plan.steps:
        ndim[step.output] = _ndim(step, ndim)
        if step.op in _MODULE_OPS:
            init.append(f"        {comment_line(describe(step, titles))}")
            init.extend(f"        {comment_line(line)}" for line in _module_notes(step, names))
            init.append(f"        self.{names[step.output]} = "
                        f"{_module(step, ndim[step.inputs[0]])}")
        body.append(f"        {names[step.output]} = {_expression(step, names)}")
    heads = [names[s.output] for s in head_steps(plan)]
    if not heads:
        raise ExportError("The network has no output node, so there is nothing to export.")
    body.append(f"        return {_cat(heads)}")
    count = len(members)
    note_lines = [docstring_line(line) for line in textwrap.wrap(one_line(note, 2000), 90)]
    masked = any(s.op == "neuron_group" and _masks(s) != (None, None) for s in plan.steps)
    return _TEMPLATE.format(
        name=docstring_line(name), weights_doc=docstring_line(weights_file),
        weights_literal=py_str(weights_file),
        what=(f"a bagging ensemble of {count} copies of the network" if count > 1
              else "the network"),
        input_doc="\n".join([_input_doc(plan, has_scaler), *note_lines]),
        heads_doc=_heads_doc(plan, titles, count),
        input_shape=repr(tuple(plan.input_shape)),
        heads=_heads_literal(plan, titles),
        members=f"MEMBERS = {count}  # bagging members, averaged\n" if count > 1 else "",
        masked=_MASKED_LINEAR if masked else "",
        init="\n".join(init) or "        pass", forward="\n".join(body),
        ensemble=_ENSEMBLE if count > 1 else "",
        model_class="Ensemble" if count > 1 else "Network",
        preprocess=_PREPROCESS if has_scaler else _NO_PREPROCESS,
        shown="outputs" if count > 1 else "probabilities(outputs)",
    )


def _masks(step: Step) -> tuple[list[list[int]] | None, list[bool] | None]:
    """A neuron group's connections: connected columns per neuron (None = all) and which
    neurons have a bias (None = all, or no bias at all)."""
    mask = np.asarray(step.attrs["mask"], dtype=bool)
    rows = None if mask.all() else [np.flatnonzero(r).tolist() for r in mask]
    bias_mask = np.asarray(step.attrs["bias_mask"], dtype=bool)
    has_bias = "bias" in step.param_keys
    biases = None if not has_bias or bias_mask.all() else bias_mask.tolist()
    return rows, biases


def _ndim(step: Step, ndim: dict[str, int]) -> int:
    if step.op in _TENSOR_OPS:
        return 4
    if step.op in ("activation", "dropout", "batchnorm", "softmax", "add", "concat"):
        return ndim[step.inputs[0]]
    return 2


def _module(step: Step, in_ndim: int) -> str:
    a = step.attrs
    op = step.op
    if op == "dense":
        return f"nn.Linear({a['in_features']}, {a['out_features']}, bias={a['use_bias']})"
    if op == "neuron_group":
        k, s = np.shape(a["mask"])
        rows, biases = _masks(step)
        if rows is None and biases is None:
            return f"nn.Linear({s}, {k}, bias={'bias' in step.param_keys})"
        with_bias = py_literal(biases) if biases is not None else "bias" in step.param_keys
        return f"MaskedLinear({s}, {k}, connections={py_literal(rows)}, biases={with_bias})"
    if op == "conv2d":
        return (f"nn.Conv2d({a['in_channels']}, {a['out_channels']}, "
                f"kernel_size={a['kernel_size']}, stride={a['stride']}, "
                f"padding={a['padding']}, bias={a['use_bias']})")
    if op == "maxpool2d":
        return (f"nn.MaxPool2d(kernel_size={a['kernel_size']}, stride={a['stride']}, "
                f"padding={a['padding']})")
    if op == "avgpool2d":
        return (f"nn.AvgPool2d(kernel_size={a['kernel_size']}, stride={a['stride']}, "
                f"padding={a['padding']}, count_include_pad=True)")
    if op == "dropout":
        return f"nn.Dropout(p={a['p']!r})  # identity in eval mode"
    if op == "batchnorm":
        kind = "BatchNorm2d" if in_ndim == 4 else "BatchNorm1d"
        return f"nn.{kind}({a['num_features']}, eps={a['eps']!r}, momentum={a['momentum']!r})"
    if op == "softmax":
        return f"nn.Softmax(dim={a.get('axis', 1)})"
    if op == "activation":
        fn = str(a["function"])
        if fn == "leaky_relu":
            return f"nn.LeakyReLU(negative_slope={float(a['negative_slope'])!r})"
        if fn not in _ACTIVATIONS:
            raise ExportError(f"The activation '{fn}' cannot be exported to PyTorch.")
        return _ACTIVATIONS[fn]
    raise ExportError(f"The operation '{op}' cannot be exported to PyTorch.")


def _module_notes(step: Step, names: Mapping[str, str]) -> list[str]:
    if step.op != "neuron_group":
        return []
    sources = ", ".join(f"{names.get(v, v)}[:, {c}]" for v, c in step.attrs["sources"])
    notes = [f"inputs (columns of {names[step.inputs[0]]}): {sources}"]
    mask = np.asarray(step.attrs["mask"], dtype=bool)
    if not mask.all():
        notes.append(f"only {int(mask.sum())} of the {mask.size} weights are connections; "
                     "MaskedLinear keeps the others at 0")
    return notes


def _expression(step: Step, names: Mapping[str, str]) -> str:
    ins = [names[v] for v in step.inputs]
    op = step.op
    if op in _MODULE_OPS:
        return f"self.{names[step.output]}({ins[0]})"
    if op in ("flatten", "split", "output"):
        return f"torch.flatten({ins[0]}, 1)"
    if op == "ones":
        return f"torch.ones({ins[0]}.shape[0], 1, dtype={ins[0]}.dtype, device={ins[0]}.device)"
    if op == "stack":
        parts = [_columns(names[v], cols) for v, cols in column_runs(step.attrs["refs"])]
        return _cat(parts)
    if op == "add":
        return " + ".join(ins)
    if op == "concat":
        return f"torch.cat([{', '.join(ins)}], dim={step.attrs.get('axis', 1)})"
    raise ExportError(f"The operation '{op}' cannot be exported to PyTorch.")


def _columns(value: str, cols: list[int]) -> str:
    if contiguous(cols):
        return f"{value}[:, {cols[0]}:{cols[0] + len(cols)}]"
    return f"{value}[:, {cols}]"


def _cat(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"torch.cat([{', '.join(parts)}], dim=1)"


def _input_doc(plan: Plan, has_scaler: bool) -> str:
    shape = ", ".join(["N", *(str(s) for s in plan.input_shape)])
    note = ("scaled as in training: use preprocess(raw)" if has_scaler
            else "unscaled (the project stores no input scaling)")
    return f"Input:  x of shape ({shape}), float32, {note}."


def _heads_doc(plan: Plan, titles: Mapping[str, str], members: int) -> str:
    rows = head_table(plan, titles)
    width = rows[-1]["columns"][1] if rows else 0
    if members > 1:
        lines = [f"Output of Network: (N, {width}), the output heads side by side (below);",
                 f"the Ensemble (load_model) returns the mean of its {members} members'",
                 "predictions instead: probabilities for classification heads (softmax or",
                 "sigmoid applied), values for regression heads, as NN Studio averages them."]
    else:
        lines = [f"Output: (N, {width}), the output heads side by side:"]
    for row in rows:
        start, stop = row["columns"]
        lines.append("    " + docstring_line(f"columns {start}:{stop}  '{row['title']}' "
                                            f"({row['loss']}): {row['values']}"))
    return "\n".join(lines)


def _heads_literal(plan: Plan, titles: Mapping[str, str]) -> str:
    rows = head_table(plan, titles)
    return "\n".join(f"    {py_literal((row['title'], row['loss'], *row['columns']))},"
                     for row in rows)


_PREPROCESS = '''

def preprocess(x: np.ndarray, weights: str | Path = WEIGHTS) -> np.ndarray:
    """Raw inputs -> the scaled inputs the network was trained on: (x - offset) / scale,
    per feature (N, F) or per channel (N, C, H, W)."""
    with np.load(weights, allow_pickle=False) as arrays:
        offset, scale = arrays["preprocessing.offset"], arrays["preprocessing.scale"]
    shape = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
    return ((x - offset.reshape(shape)) / scale.reshape(shape)).astype(np.float32)
'''

_NO_PREPROCESS = '''

def preprocess(x: np.ndarray, weights: str | Path = WEIGHTS) -> np.ndarray:
    """Raw inputs -> network inputs: unchanged (the project stores no input scaling)."""
    del weights  # the same call as with scaling
    return np.asarray(x, dtype=np.float32)
'''

_MASKED_LINEAR = '''

class MaskedLinear(nn.Linear):
    """Hand-wired neurons as one Linear layer: a weight (or bias) that is no connection in
    the graph is masked out, so it stays 0 however the layer is trained."""

    def __init__(self, in_features: int, out_features: int, connections: list[list[int]] | None,
                 biases: list[bool] | bool) -> None:
        super().__init__(in_features, out_features, bias=bool(biases))
        mask = torch.zeros(out_features, in_features)
        for row, columns in enumerate(connections or [list(range(in_features))] * out_features):
            mask[row, columns] = 1.0
        bias_mask = torch.tensor(biases if isinstance(biases, list) else [1.0] * out_features,
                                 dtype=torch.float32)
        self.register_buffer("mask", mask, persistent=False)
        self.register_buffer("bias_mask", bias_mask, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bias = None if self.bias is None else self.bias * self.bias_mask
        return nn.functional.linear(x, self.weight * self.mask, bias)
'''

_ENSEMBLE = '''

class Ensemble(nn.Module):
    """NN Studio's bagging ensemble: MEMBERS copies of Network, each trained on its own
    bootstrap sample; forward returns the mean of the members' predictions (probabilities
    for classification heads, values for regression heads), as NN Studio averages them."""

    def __init__(self, members: int = MEMBERS) -> None:
        super().__init__()
        self.members = nn.ModuleList(Network() for _ in range(members))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([probabilities(member(x)) for member in self.members]).mean(dim=0)
'''

_TEMPLATE = '''"""PyTorch version of the NN Studio network "{name}" (generated by NN Studio).

load_model() gives {what} with the trained weights from "{weights_doc}" beside
this file (the state dict as a NumPy .npz). Run this file for a demo:
python this_file.py [inputs.npy]

{input_doc}
{heads_doc}
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

WEIGHTS = Path(__file__).with_name({weights_literal})
INPUT_SHAPE = {input_shape}
HEADS = [  # (title, loss, first column, end column) of the outputs
{heads}
]
{members}{masked}

class Network(nn.Module):
    """The network as drawn in NN Studio; forward returns the heads side by side."""

    def __init__(self) -> None:
        super().__init__()
{init}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
{forward}
{ensemble}

def load_model(weights: str | Path = WEIGHTS) -> {model_class}:
    """The {model_class} in eval mode with the exported weights."""
    model = {model_class}()
    with np.load(weights, allow_pickle=False) as arrays:
        state = {{key: torch.from_numpy(arrays[key]) for key in arrays.files
                 if not key.startswith(("preprocessing.", "nnstudio."))}}
    model.load_state_dict(state)
    return model.eval()
{preprocess}

def probabilities(outputs: torch.Tensor) -> torch.Tensor:
    """Network outputs -> NN Studio's predictions: softmax on cross-entropy heads, sigmoid
    on logit heads, the other columns unchanged."""
    parts = []
    for _title, loss, start, stop in HEADS:
        block = outputs[:, start:stop]
        if loss == "cross_entropy":
            block = torch.softmax(block, dim=1)
        elif loss in ("bce_with_logits", "multilabel"):
            block = torch.sigmoid(block)
        parts.append(block)
    return torch.cat(parts, dim=1)


def main(argv: list[str]) -> None:
    """Run the model on inputs from a .npy file, or on 4 random samples."""
    model = load_model()
    if len(argv) > 1:
        x = preprocess(np.load(argv[1], allow_pickle=False))
    else:
        x = np.random.default_rng(0).standard_normal((4, *INPUT_SHAPE)).astype(np.float32)
    with torch.no_grad():
        outputs = model(torch.from_numpy(x))
    print(model)
    print(f"inputs {{tuple(x.shape)}} -> outputs {{tuple(outputs.shape)}}")
    print({shown})


if __name__ == "__main__":
    main(sys.argv)
'''
