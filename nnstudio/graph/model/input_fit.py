"""An Input node that follows the data: its settings for a dataset's shape.

A new Input takes the shape of the project's data, and choosing another dataset refits
the Inputs that no longer match (in the same undo step), so a student never meets a
2-feature vector Input on 1×8×8 digits.
"""

from __future__ import annotations

from typing import Any

from nnstudio.graph.model.document_types import GraphView
from nnstudio.graph.model.edits import Edit, SetParam
from nnstudio.graph.model.signature import DataSignature


def input_params(data: DataSignature) -> dict[str, Any]:
    """The settings of a ``layer.input`` that reads ``data`` (kind and its sizes)."""
    shape = tuple(data.input_shape)
    if len(shape) == 3:
        return {"kind": "image", "channels": shape[0], "height": shape[1], "width": shape[2]}
    return {"kind": "vector", "features": int(shape[0]) if shape else 1}


def refit_inputs(doc: GraphView, data: DataSignature) -> list[Edit]:
    """SetParam edits making every ``layer.input`` of ``doc`` read ``data``."""
    wanted = input_params(data)
    edits: list[Edit] = []
    for node in doc.nodes.values():
        if node.type_id != "layer.input":
            continue
        edits += [SetParam(node.id, name, value) for name, value in wanted.items()
                  if node.params.get(name) != value]
    return edits
