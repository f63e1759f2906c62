"""The compiler: document → Plan (see ``nnstudio.graph.compile`` for the step IR)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nnstudio.graph.compiler.build import Builder
from nnstudio.graph.compiler.gradcheck import check_gradients
from nnstudio.graph.compiler.ir import OutputHead, ScalarRef, Step
from nnstudio.graph.compiler.plan import Plan
from nnstudio.graph.compiler.values import initialise
from nnstudio.graph.document import Document
from nnstudio.graph.errors import GraphError
from nnstudio.graph.signature import DataSignature

__all__ = ["GraphError", "OutputHead", "Plan", "ScalarRef", "Step", "check_gradients",
           "compile_graph"]


def compile_graph(doc: Document, data: DataSignature | None = None, *,
                  dtype: Any = np.float32, seed: int = 0) -> Plan:
    """Validate ``doc`` and build its Plan; raises GraphError with the first problem."""
    from nnstudio.graph.validation import validate

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
