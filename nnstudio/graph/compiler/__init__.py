"""The compiler: document → Plan.

    plan = compile_graph(doc, data, dtype=np.float32, seed=0)

The plan's ``steps`` are an IR in execution (topological) order that an exporter can walk to
rebuild the same network in PyTorch or ONNX. Each ``Step(node_id, op, inputs, output, attrs,
param_keys)`` reads the named values ``inputs`` and writes the value ``output``; every value
has a batch axis first. ``param_keys`` maps a role to a key of ``plan.params``
(``"weight"``, ``"bias"``). Values that hold scalars are 2-D ``(N, k)``: a scalar node's
value is one column of such a tensor. Ops:

- ``input``: not a step; the value ``"x"`` is the batch ``(N, *plan.input_shape)``.
- ``flatten``: ``(N, ...)`` → ``(N, prod)``; node_id None for ``"x.flat"`` (the columns
  that Input-feature nodes read when the input is an image).
- ``ones``: the constant ``(N, 1)`` of ones (a Bias node feeding anything but a Neuron, or a
  second Bias into the same Neuron); input ``"x"`` only gives the batch size.
- ``stack``: scalars → ``(N, k)``; ``attrs["refs"]`` = ``((value, column), ...)`` per output
  column (the Stack node, or automatic stacking with node_id None). An identity stack (all
  columns of one value, in order) is not emitted: its users read that value directly.
- ``neuron_group``: Neurons of one depth as one product ``y = x @ weight.T + bias``;
  ``weight: (k, S)`` is the dense-equivalent matrix (out, in), ``bias: (k,)`` (param key
  absent when none of the neurons has a Bias edge). ``attrs``: ``neurons`` (node ids, one per
  output column), ``sources`` (``(value, column)`` of each of the S input columns: which
  scalars feed it), ``mask`` (bool ``(k, S)``: which entries are real connections; the others
  stay 0), ``bias_mask`` (bool ``(k,)``). The input value holds those S columns.
- ``activation``: ``attrs`` ``function`` (identity, sigmoid, tanh, relu, leaky_relu, swish,
  gelu) and ``negative_slope``; for a group of scalar Activations node_id is None and
  ``attrs["nodes"]`` lists them (one per column).
- ``dense``: param keys weight ``(out, in)``, bias ``(out,)`` if ``use_bias``; attrs
  ``in_features``, ``out_features``, ``use_bias``.
- ``conv2d``: weight ``(out_channels, in_channels, k, k)``, bias; attrs ``in_channels``,
  ``out_channels``, ``kernel_size``, ``stride``, ``padding``, ``use_bias``.
- ``maxpool2d`` / ``avgpool2d``: attrs ``kernel_size``, ``stride``, ``padding``.
- ``dropout``: attrs ``p`` (inverted dropout; identity when not training).
- ``batchnorm``: weight (γ), bias (β), ``plan.buffers[(node_id, "running_mean" /
  "running_var")]``; attrs ``num_features``, ``eps`` 1e-5, ``momentum`` 0.1 (PyTorch's).
- ``softmax``: over axis 1 (``attrs["axis"]``).
- ``add``: element-wise sum of the inputs; ``concat``: along ``attrs["axis"]`` = 1.
- ``split``: a tensor → ``(N, size)`` whose columns are the Split node's scalar outputs.
- ``output``: one head: ``(N, ...)`` → ``(N, P_head)``; attrs ``loss``, ``columns``
  (start, stop) in ``plan.forward``'s result, ``target_column`` (Scalar output) or None.

Parameters: layer nodes own ``(node_id, "weight")``/``(node_id, "bias")``; a neuron group
owns ``("neurons@<depth>", "weight"/"bias")``; ``plan.edge_weights()`` maps each neuron edge
to its matrix entry. Losses: total = Σ over heads of the head's mean loss + L1/L2 penalties
of nodes asking for them (``penalty``, ``l1``, ``l2``), on weights only, never on biases.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnstudio.graph.checks.validation import validate
from nnstudio.graph.compiler.build import Builder
from nnstudio.graph.compiler.gradcheck import check_gradients
from nnstudio.graph.compiler.ir import OutputHead, ScalarRef, Step
from nnstudio.graph.compiler.plan import Plan
from nnstudio.graph.compiler.values import initialise
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.signature import DataSignature

__all__ = ["GraphError", "OutputHead", "Plan", "ScalarRef", "Step", "check_gradients",
           "compile_graph"]


def compile_graph(doc: Document, data: DataSignature | None = None, *,
                  dtype: Any = np.float32, seed: int = 0) -> Plan:
    """Validate ``doc`` and build its Plan; raises GraphError with the first problem."""
    errors = [p for p in validate(doc, data) if p.severity == "error"]
    if errors:
        raise GraphError(errors[0].message)
    snapshot = doc.copy()
    return _compile(snapshot, data, np.dtype(dtype), seed)


def _compile(doc: Document, data: DataSignature | None, dtype: np.dtype[Any],
             seed: int) -> Plan:
    program = Builder(doc, data, dtype, seed).build()
    initialise(program, doc, seed)

    def rebuild(new_dtype: Any) -> Plan:
        return _compile(doc, data, np.dtype(new_dtype), seed)

    return Plan(program, rebuild)
