"""Step time of a hand-drawn hidden layer of 64 neurons against the same network as Dense(…, 64).

Both graphs: FEATURES inputs → 64 units (+ bias) → tanh → 1 unit (+ bias) → MSE, float32,
one training step = forward + loss + backward + SGD step. Prints the median step time of
each and their ratio (target: neurons / dense ≤ 1.5). Run: ``python bench/neurons_vs_dense.py``.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnstudio.engine import SGD
from nnstudio.graph.compiler import Plan, compile_graph
from nnstudio.graph.model.document import Document

FEATURES, HIDDEN, BATCH, STEPS, WARMUP = 10, 64, 128, 400, 50


def hand_drawn() -> Document:
    doc = Document()
    xs = [doc.add_node("neuron.input_feature", params={"column": i}) for i in range(FEATURES)]
    bias = doc.add_node("neuron.bias")
    top = doc.add_node("neuron.neuron")
    for _ in range(HIDDEN):
        n = doc.add_node("neuron.neuron")
        act = doc.add_node("activation", params={"function": "tanh"})
        for x in xs:
            doc.connect(x, "out", n, "in")
        doc.connect(bias, "out", n, "in")
        doc.connect(n, "out", act, "in")
        doc.connect(act, "out", top, "in")
    doc.connect(bias, "out", top, "in")
    out = doc.add_node("neuron.output", params={"loss": "mse"})
    doc.connect(top, "out", out, "in")
    return doc


def dense() -> Document:
    doc = Document()
    ids = [doc.add_node("layer.input", params={"features": FEATURES}),
           doc.add_node("layer.dense", params={"units": HIDDEN}),
           doc.add_node("activation", params={"function": "tanh"}),
           doc.add_node("layer.dense", params={"units": 1}),
           doc.add_node("layer.output", params={"loss": "mse"})]
    for a, b in itertools.pairwise(ids):
        doc.connect(a, "out", b, "in")
    return doc


def step_times(plan: Plan, x: np.ndarray, y: np.ndarray) -> list[float]:
    opt = SGD(0.01)
    times = []
    for i in range(WARMUP + STEPS):
        start = time.perf_counter()
        plan.zero_grad()
        plan.forward(x, training=True)
        plan.loss(y)
        plan.backward()
        opt.step(plan.params, plan.grads)
        if i >= WARMUP:
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH, FEATURES)).astype(np.float32)
    y = np.tanh(x.sum(axis=1)).astype(np.float32)
    neurons, layers = compile_graph(hand_drawn()), compile_graph(dense())
    print(f"neuron graph steps: {[s.op for s in neurons.steps]}")
    # interleave the two measurements so machine load affects both alike
    t_neurons: list[float] = []
    t_dense: list[float] = []
    for _ in range(3):
        t_neurons += step_times(neurons, x, y)
        t_dense += step_times(layers, x, y)
    med_n, med_d = statistics.median(t_neurons), statistics.median(t_dense)
    print(f"hand-drawn {HIDDEN} neurons: {med_n * 1e6:8.1f} µs/step (median)")
    print(f"Dense({FEATURES}, {HIDDEN}):        {med_d * 1e6:8.1f} µs/step (median)")
    print(f"ratio neurons / dense: {med_n / med_d:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    main()
