"""Leaving NN Studio: a network as PyTorch code or ONNX, the training history as CSV (no Qt).

Every exporter reads a compiled ``Plan`` (``nnstudio.graph.compiler``), walks its steps and
reproduces ``Plan.forward(x, training=False)``. ``onnx`` is an optional dependency, imported
only when an ONNX file is written; torch is never needed to write the PyTorch export.
"""

from nnstudio.export.common import ExportError
from nnstudio.export.history_csv import history_csv_text, write_history_csv
from nnstudio.export.onnx_export import onnx_model, write_onnx
from nnstudio.export.project_export import FORMATS, export_plan, export_project, node_titles
from nnstudio.export.pytorch import pytorch_source, pytorch_state, write_pytorch

__all__ = [
    "FORMATS",
    "ExportError",
    "export_plan",
    "export_project",
    "history_csv_text",
    "node_titles",
    "onnx_model",
    "pytorch_source",
    "pytorch_state",
    "write_history_csv",
    "write_onnx",
    "write_pytorch",
]
