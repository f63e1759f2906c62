"""validate() is fast enough to run after every edit of a few hundred nodes.

    python bench/validation.py

Times validate + infer_shapes on a network of 300 hand-wired neurons and 600 edges
(median of rounds) against the target of 500 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnstudio.graph.checks.validation import validate
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.shapes import infer_shapes
from nnstudio.graph.model.signature import DataSignature


def build_big_network() -> Document:
    """10 input features, a bias, 14 layers of 20 neurons (2 inputs each + a bias), 9 outputs."""
    doc = Document()
    previous = [doc.add_node("neuron.input_feature", params={"column": i}) for i in range(10)]
    bias = doc.add_node("neuron.bias")
    for _ in range(14):
        layer = [doc.add_node("neuron.neuron") for _ in range(20)]
        for k, neuron in enumerate(layer):
            doc.connect(previous[k % len(previous)], "out", neuron, "in", weight=0.1)
            doc.connect(bias, "out", neuron, "in", weight=0.0)
        previous = layer
    for k in range(9):
        doc.connect(previous[k], "out", doc.add_node("neuron.output",
                                                     params={"target_column": k}), "in")
    return doc


TARGET_S = 0.5


def main() -> int:
    doc = build_big_network()
    assert len(doc.nodes) == 300 and len(doc.edges) == 569
    # top up to 600 edges with extra inputs into the last layer
    neurons = [n for n, node in doc.nodes.items() if node.type_id == "neuron.neuron"]
    for k in range(31):
        doc.connect(neurons[-(k + 40)], "out", neurons[-(k % 20) - 1], "in")
    assert len(doc.edges) == 600
    data = DataSignature((10,), "regression", 9)
    validate(doc, data)  # warm up
    times = []
    for _ in range(7):
        start = time.perf_counter()
        problems = validate(doc, data)
        infer_shapes(doc)
        times.append(time.perf_counter() - start)
    assert [p for p in problems if p.severity == "error"] == []
    median = statistics.median(times)
    ok = median < TARGET_S
    print(f"validate + infer_shapes, 300 nodes / 600 edges: median {median * 1000:.1f} ms "
          f"(target < {TARGET_S * 1000:.0f} ms) {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
