"""Sample projects for the project-file tests (built by hand, no trainer needed)."""

from __future__ import annotations

import numpy as np

from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.registry import NODE_TYPES
from nnstudio.graph.model.runs import Run, RunWeights


def every_type_document() -> Document:
    """A connected graph that uses every node type at least once, with non-default settings."""
    doc = Document()
    image = doc.add_node("layer.input", (0, 0), {"kind": "image", "channels": 1, "height": 8,
                                                  "width": 8}, title="Picture")
    conv = doc.add_node("layer.conv2d", (120, 0), {"out_channels": 2, "kernel_size": 3,
                                                   "padding": 1, "penalty": "l2", "l2": 0.01})
    maxpool = doc.add_node("layer.maxpool2d", (240, 0), {"kernel_size": 2})
    avgpool = doc.add_node("layer.avgpool2d", (360, 0), {"kernel_size": 2, "stride": 1})
    norm = doc.add_node("layer.batchnorm", (480, 0))
    flat = doc.add_node("layer.flatten", (600, 0))
    drop = doc.add_node("layer.dropout", (720, 0), {"p": 0.25})
    dense = doc.add_node("layer.dense", (840, 0), {"units": 3, "initializer": "he_normal",
                                                   "penalty": "l1_l2", "l1": 0.5, "l2": 0.25})
    act = doc.add_node("activation", (960, 0), {"function": "leaky_relu", "negative_slope": 0.2})
    split = doc.add_node("layer.split", (1080, 0), {"size": 3})
    bias = doc.add_node("neuron.bias", (1080, 200), title="+1")
    feature = doc.add_node("neuron.input_feature", (0, 300), {"column": 1})
    neurons = [doc.add_node("neuron.neuron", (1200, 100 * i), {"initializer": "zeros"})
               for i in range(2)]
    sig = doc.add_node("activation", (1320, 0), {"function": "sigmoid"})
    stack = doc.add_node("layer.stack", (1440, 0))
    dense2 = doc.add_node("layer.dense", (1560, 0), {"units": 2, "use_bias": False})
    add = doc.add_node("layer.add", (1680, 0))
    concat = doc.add_node("layer.concatenate", (1800, 0))
    soft = doc.add_node("layer.softmax", (1920, 0))
    out = doc.add_node("layer.output", (2040, 0), {"loss": "mse"})
    scalar_out = doc.add_node("neuron.output", (1440, 300), {"target_column": 2,
                                                            "loss": "bce_with_logits"})
    for src, dst in [(image, conv), (conv, maxpool), (maxpool, avgpool), (avgpool, norm),
                     (norm, flat), (flat, drop), (drop, dense), (dense, act), (act, split)]:
        doc.connect(src, "out", dst, "in")
    weight = 0.1
    for i, neuron in enumerate(neurons):
        for src, port in [(split, "out0"), (split, "out1"), (feature, "out"), (bias, "out")]:
            doc.connect(src, port, neuron, "in", weight=None if i == 1 and port == "out1"
                        else weight)
            weight = -weight * 1.5
    doc.connect(neurons[0], "out", sig, "in")
    doc.connect(sig, "out", stack, "in")
    doc.connect(neurons[1], "out", stack, "in")
    doc.connect(stack, "out", dense2, "in")
    doc.connect(stack, "out", add, "in")
    doc.connect(dense2, "out", add, "in")
    doc.connect(add, "out", concat, "in")
    doc.connect(stack, "out", concat, "in")
    doc.connect(concat, "out", soft, "in")
    doc.connect(soft, "out", out, "in")
    doc.connect(split, "out2", scalar_out, "in")
    used = {node.type_id for node in doc.nodes.values()}
    assert used == set(NODE_TYPES), set(NODE_TYPES) - used
    return doc


def trained_document(seed: int = 0) -> Document:
    """``every_type_document`` with learned arrays on its weighted nodes."""
    rng = np.random.default_rng(seed)
    doc = every_type_document()
    for node in list(doc.nodes.values()):
        if node.type_id == "layer.conv2d":
            doc.set_values(node.id, {"weight": rng.normal(size=(2, 1, 3, 3)).astype(np.float32),
                                     "bias": rng.normal(size=2).astype(np.float32)})
        elif node.type_id == "layer.dense":
            units = node.params["units"]
            values = {"weight": rng.normal(size=(units, 4))}
            if node.params["use_bias"]:
                values["bias"] = rng.normal(size=units)
            doc.set_values(node.id, values)
        elif node.type_id == "layer.batchnorm":
            doc.set_values(node.id, {"weight": np.ones(2, np.float32),
                                     "bias": np.zeros(2, np.float32),
                                     "running_mean": rng.normal(size=2).astype(np.float32),
                                     "running_var": np.array([0.5, 2.0], np.float32)})
    for edge in doc.edges.values():
        if doc.nodes[edge.target.node_id].type_id == "neuron.neuron":
            doc.set_edge_weight(edge.id, float(rng.normal()))
    return doc


def trained_project(seed: int = 0) -> Project:
    """A project with weights, history, optimizer state and a bagging ensemble."""
    rng = np.random.default_rng(seed + 1)
    history = [{"epoch": i + 1, "train_loss": float(1.0 / (i + 1)), "val_loss": 1.5 / (i + 1),
                "accuracy": 0.5 + i / 20, "lr": 0.1, "member": None} for i in range(5)]
    history.append({"epoch": 6, "train_loss": float("nan"), "val_loss": float("inf")})
    return Project(
        graph=trained_document(seed),
        name="Every node type",
        description="A graph that uses every node type, with learned values.",
        dataset={"source": "builtin", "name": "xor", "params": {"n_samples": 400,
                                                                 "noise": 0.1}},
        training={"optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True,
                  "batch_size": 32, "epochs": 100, "schedule": "step", "step_size": 10,
                  "early_stopping": True, "patience": 5},
        preprocessing={"scaler": "standard", "mean": [0.5, -0.25], "std": [1.0, 2.0]},
        seed=1234,
        runs=[Run("r1", "Run 1 · SGD 0.05", started="2026-12-01T10:00:00Z",
                  ended="2026-12-01T10:01:30Z", settings={"optimizer": "sgd", "lr": 0.05},
                  dataset={"source": "builtin", "name": "xor"}, seed=1234,
                  fingerprint="0123456789abcdef", history=tuple(history[:3]),
                  outcome="stopped", message="Training stopped by the user in epoch 3.",
                  weights_dropped=True),
              Run("r2", "Run 2 · SGD 0.05 · L2 0.01", started="2026-12-01T11:00:00Z",
                  ended=None, settings={"optimizer": "sgd", "lr": 0.05},
                  message="é ✓",
                  seed=1234, history=tuple(history), outcome="diverged",
                  preprocessing={"scaler": "standard", "mean": [0.5]},
                  weights=RunWeights({"n8": {"weight": rng.normal(size=(3, 4))}},
                                     {"e1": 0.25, "e2": -1.5},
                                     ({"n8/weight": np.ones((3, 4), np.float32)},)),
                  parent="r1")],
        active_run="r2",
        run_weights_limit_mb=12,
        optimizer_state={"meta": {"kind": "sgd", "step": 60, "momentum": 0.9},
                         "arrays": {"n8/weight": rng.normal(size=(3, 4)),
                                    "n8/bias": rng.normal(size=3),
                                    "e1": np.array(0.5)}},
        ensemble=[{"n8/weight": rng.normal(size=(3, 4)).astype(np.float32),
                   "n5/running_var": np.ones(2, np.float32)} for _ in range(3)],
        ui={"zoom": 1.25, "scroll": [10, -20], "panels": ["loss", "weights"]},
    )


def unpack(data: bytes) -> tuple[dict, dict[str, bytes]]:
    """(project.json as data, {member name: raw .npy bytes} of arrays.npz) of a file."""
    import io
    import json
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as outer:
        meta = json.loads(outer.read("project.json"))
        with zipfile.ZipFile(io.BytesIO(outer.read("arrays.npz"))) as inner:
            arrays = {name: inner.read(name) for name in inner.namelist()}
    return meta, arrays


def pack(meta: object, arrays: dict[str, bytes], *, json_text: str | None = None,
         extra: dict[str, bytes] | None = None) -> bytes:
    """A project file from its parts (the inverse of ``unpack``; no checks)."""
    import io
    import json
    import zipfile

    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, raw in arrays.items():
            archive.writestr(name, raw)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        text = json_text if json_text is not None else json.dumps(meta)
        archive.writestr("project.json", text.encode("utf-8", "surrogatepass"))
        archive.writestr("arrays.npz", inner.getvalue())
        for name, raw in (extra or {}).items():
            archive.writestr(name, raw)
    return out.getvalue()


def npy_bytes(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    """The ``.npy`` bytes of ``array``."""
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()
