"""The engine against PyTorch golden data (float64, rtol 1e-6), without needing torch.

The data under ``tests/engine/golden/`` was written by ``golden/make_golden.py`` with
PyTorch: forward outputs, input gradients and every parameter gradient of each layer and
activation, the value and gradient of each loss and penalty, and 20-step parameter
trajectories of each optimizer. Regenerate with ``python tests/engine/golden/make_golden.py``.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Hashable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nnstudio.engine as engine

GOLDEN = Path(__file__).resolve().parent / "golden"
FILES = ("layers", "losses", "penalties", "optimizers")
RTOL = 1e-6
ATOL = 1e-9

Case = tuple[dict[str, Any], dict[str, np.ndarray]]

# Layers whose constructor takes a ``dtype`` keyword (the ones with parameters).
HAS_DTYPE = {"Dense", "Conv2D", "BatchNorm"}

# AvgPool2D: the engine documents that padded zeros count in the window (divisor kh·kw),
# PyTorch's default ``count_include_pad=True``; the golden cases are made that way.


@cache
def load(name: str) -> tuple[dict[str, str], dict[str, Case]]:
    """Read ``golden/<name>.npz`` → (metadata, {case: (config, arrays)})."""
    with np.load(GOLDEN / f"{name}.npz", allow_pickle=False) as data:
        raw = {key: data[key] for key in data.files}
    meta = {
        "torch_version": str(raw.pop("meta__torch_version")),
        "script_sha256": str(raw.pop("meta__script_sha256")),
    }
    names = [str(c) for c in raw.pop("meta__cases")]
    cases: dict[str, Case] = {}
    for case in names:
        cfg = json.loads(str(raw.pop(f"{case}__config")))
        prefix = f"{case}__"
        arrays = {k[len(prefix) :]: v for k, v in raw.items() if k.startswith(prefix)}
        cases[case] = (cfg, arrays)
    for key in [k for k in raw if any(k.startswith(f"{c}__") for c in names)]:
        del raw[key]
    assert not raw, f"arrays without a listed case in {name}.npz: {sorted(raw)}"
    return meta, cases


def case_ids(name: str) -> list[str]:
    return list(load(name)[1])


def close(actual: Any, expected: np.ndarray, what: str) -> None:
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    assert actual.dtype == np.float64, f"{what}: dtype {actual.dtype}, expected float64"
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=what)


def tuples(value: Any) -> Any:
    """JSON lists back to tuples (kernel/stride/padding pairs, Adam betas)."""
    return tuple(value) if isinstance(value, list) else value


# ---------------------------------------------------------------------------- provenance


def test_golden_files_were_made_by_the_committed_script() -> None:
    script = (GOLDEN / "make_golden.py").read_bytes().replace(b"\r\n", b"\n")
    digest = hashlib.sha256(script).hexdigest()
    total = 0
    for name in FILES:
        path = GOLDEN / f"{name}.npz"
        total += path.stat().st_size
        meta, cases = load(name)
        assert meta["torch_version"].startswith("2.13.0"), meta
        assert meta["script_sha256"] == digest, (
            f"{name}.npz is stale: rerun python tests/engine/golden/make_golden.py"
        )
        assert cases, name
    assert total < 2_000_000


def test_golden_cases_cover_the_whole_engine() -> None:
    layers = load("layers")[1]
    kinds = {cfg["kind"] for cfg, _ in layers.values()}
    assert kinds >= {
        "Dense",
        "Conv2D",
        "MaxPool2D",
        "AvgPool2D",
        "Flatten",
        "BatchNorm",
        "Identity",
        "Sigmoid",
        "Tanh",
        "ReLU",
        "LeakyReLU",
        "Softmax",
        "Swish",
        "GELU",
    }

    convs = [(cfg, a) for cfg, a in layers.values() if cfg["kind"] == "Conv2D"]
    kernels = {k for cfg, _ in convs for k in np.ravel(cfg["kwargs"]["kernel_size"])}
    strides = {s for cfg, _ in convs for s in np.ravel(cfg["kwargs"]["stride"])}
    paddings = {p for cfg, _ in convs for p in np.ravel(cfg["kwargs"]["padding"])}
    channels = {c for cfg, _ in convs for c in cfg["args"]}
    batches = {a["x"].shape[0] for _, a in convs}
    odd_sizes = {a["x"].shape[2:] for _, a in convs if a["x"].shape[2] % 2 == 1}
    assert kernels >= {1, 3, 5} and strides >= {1, 2} and paddings >= {0, 1, 2}
    assert channels >= {1, 3, 4} and batches >= {1, 3} and odd_sizes
    assert any(
        min(np.ravel(cfg["kwargs"]["kernel_size"])) > max(np.ravel(cfg["kwargs"]["stride"])) > 1
        for cfg, _ in convs
    )

    for kind in ("MaxPool2D", "AvgPool2D"):
        pools = [cfg["kwargs"] for cfg, _ in layers.values() if cfg["kind"] == kind]
        assert {p["kernel_size"] for p in pools} >= {2, 3}
        assert {p.get("stride") for p in pools} >= {None, 1, 2}
        assert {p["padding"] for p in pools} >= {0, 1}

    slopes = {
        cfg["kwargs"].get("negative_slope", 0.01)
        for cfg, _ in layers.values()
        if cfg["kind"] == "LeakyReLU"
    }
    assert slopes >= {0.01, 0.2}
    axes = {
        (cfg["kwargs"].get("axis", -1), a["x"].ndim)
        for cfg, a in layers.values()
        if cfg["kind"] == "Softmax"
    }
    assert (-1, 2) in axes and (1, 3) in axes
    norms = {
        (a["x"].ndim, cfg["training"]) for cfg, a in layers.values() if cfg["kind"] == "BatchNorm"
    }
    assert norms >= {(2, True), (2, False), (4, True), (4, False)}

    losses = {cfg["kind"] for cfg, _ in load("losses")[1].values()}
    assert losses >= {
        "mse_loss",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
        "cross_entropy",
    }
    assert any(
        cfg["kind"] == "binary_cross_entropy_with_logits" and a["target"].shape[1] > 1
        for cfg, a in load("losses")[1].values()
    )
    penalties = {(cfg["l1"] > 0, cfg["l2"] > 0) for cfg, _ in load("penalties")[1].values()}
    assert penalties >= {(True, False), (False, True), (True, True)}
    assert set(case_ids("optimizers")) >= {
        "sgd",
        "sgd_momentum",
        "sgd_nesterov",
        "sgd_weight_decay",
        "adam",
        "adam_weight_decay",
        "rmsprop",
        "rmsprop_momentum",
    }


# ---------------------------------------------------------------------------- layers


def make_layer(cfg: dict[str, Any]) -> Any:
    kwargs = {k: tuples(v) for k, v in cfg["kwargs"].items()}
    if cfg["kind"] in HAS_DTYPE:
        kwargs["dtype"] = np.float64
    return getattr(engine, cfg["kind"])(*cfg["args"], **kwargs)


@pytest.mark.parametrize("case", case_ids("layers"))
def test_layer_matches_torch(case: str) -> None:
    cfg, a = load("layers")[1][case]
    layer = make_layer(cfg)
    param_names = sorted(k[len("param_") :] for k in a if k.startswith("param_"))
    assert sorted(layer.params) == param_names
    for key in param_names:
        layer.params[key][...] = a[f"param_{key}"]
    for key in ("running_mean", "running_var"):
        if f"buffer_{key}" in a:
            layer.buffers[key][...] = a[f"buffer_{key}"]
    layer.zero_grad()

    x = a["x"].copy()
    y = layer.forward(x, training=cfg["training"])
    close(y, a["y"], f"{case}: forward output")
    dx = layer.backward(a["dy"].copy())
    close(dx, a["dx"], f"{case}: dx")
    for key in param_names:
        close(layer.grads[key], a[f"grad_{key}"], f"{case}: grad of {key}")
    for key in ("running_mean", "running_var"):
        if f"new_{key}" in a:
            close(layer.buffers[key], a[f"new_{key}"], f"{case}: {key} after forward")
    np.testing.assert_array_equal(x, a["x"], err_msg=f"{case}: forward changed its input")


# ---------------------------------------------------------------------------- losses


@pytest.mark.parametrize("case", case_ids("losses"))
def test_loss_matches_torch(case: str) -> None:
    cfg, a = load("losses")[1][case]
    loss, grad = getattr(engine, cfg["kind"])(a["prediction"].copy(), a["target"].copy())
    assert np.ndim(loss) == 0
    np.testing.assert_allclose(float(loss), float(a["loss"]), rtol=RTOL, atol=ATOL)
    close(grad, a["grad"], f"{case}: gradient w.r.t. the prediction")


# ---------------------------------------------------------------------------- penalties


def make_penalty(cfg: dict[str, Any]) -> Any:
    if cfg["kind"] == "L1":
        return engine.L1(cfg["l1"])
    if cfg["kind"] == "L2":
        return engine.L2(cfg["l2"])
    return engine.ElasticNet(l1=cfg["l1"], l2=cfg["l2"])


@pytest.mark.parametrize("case", case_ids("penalties"))
def test_penalty_matches_torch(case: str) -> None:
    """apply_penalty returns the penalty and adds its gradient to the chosen arrays only."""
    cfg, a = load("penalties")[1][case]
    names = sorted(k[len("param_") :] for k in a if k.startswith("param_"))
    rng = np.random.default_rng(5)
    params: dict[Hashable, np.ndarray] = {name: a[f"param_{name}"].copy() for name in names}
    params["not_chosen"] = rng.standard_normal(4)
    data_grads = {name: rng.standard_normal(p.shape) for name, p in params.items()}
    grads: dict[Hashable, np.ndarray] = {name: g.copy() for name, g in data_grads.items()}
    value = engine.apply_penalty(make_penalty(cfg), params, grads, keys=names)
    np.testing.assert_allclose(value, float(a["value"]), rtol=RTOL, atol=ATOL)
    for name in names:
        close(grads[name] - data_grads[name], a[f"grad_{name}"], f"{case}: gradient of {name}")
    np.testing.assert_array_equal(grads["not_chosen"], data_grads["not_chosen"])


# ---------------------------------------------------------------------------- optimizers


def make_optimizer(cfg: dict[str, Any]) -> Any:
    kwargs = {k: tuples(v) for k, v in cfg["kwargs"].items()}
    return getattr(engine, cfg["kind"])(**kwargs)


def least_squares_grads(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray, bias: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of mean((x Wᵀ + b − y)²) with respect to W and b."""
    r = 2.0 * (x @ weight.T + bias - y) / y.size
    return r.T @ x, r.sum(axis=0)


@pytest.mark.parametrize("case", case_ids("optimizers"))
def test_optimizer_trajectory_matches_torch(case: str) -> None:
    cfg, a = load("optimizers")[1][case]
    opt = make_optimizer(cfg)
    wkey, bkey = ("dense", "weight"), ("dense", "bias")  # any hashable key works
    params = {wkey: a["weight0"].copy(), bkey: a["bias0"].copy()}
    w_before, b_before = params[wkey], params[bkey]
    for step in range(a["weights"].shape[0]):
        gw, gb = least_squares_grads(a["x"], a["y"], params[wkey], params[bkey])
        close(gw, a["grads_weight"][step], f"{case}: step {step + 1} gradient (test setup)")
        opt.step(params, {wkey: gw, bkey: gb})
        close(params[wkey], a["weights"][step], f"{case}: weight after step {step + 1}")
        close(params[bkey], a["biases"][step], f"{case}: bias after step {step + 1}")
    assert params[wkey] is w_before and params[bkey] is b_before, "step must update in place"


def json_and_npz_round_trip(state: dict[str, Any]) -> dict[str, Any]:
    """The optimizer state as a project file would store it: meta as JSON, arrays as npz."""
    buffer = io.BytesIO()
    np.savez(buffer, **state["arrays"])
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    return {"meta": json.loads(json.dumps(state["meta"])), "arrays": arrays}


@pytest.mark.parametrize("case", ["sgd_nesterov", "adam_weight_decay", "rmsprop_momentum"])
def test_optimizer_state_round_trip_continues_the_trajectory(case: str) -> None:
    """Save the state after 10 steps (through JSON), restore it into a fresh optimizer."""
    cfg, a = load("optimizers")[1][case]
    wkey, bkey = ("dense", "weight"), ("dense", "bias")
    params = {wkey: a["weight0"].copy(), bkey: a["bias0"].copy()}
    opt = make_optimizer(cfg)
    steps = a["weights"].shape[0]
    for step in range(steps):
        if step == steps // 2:
            state = opt.state_dict()
            opt = make_optimizer({"kind": cfg["kind"], "kwargs": {}})
            opt.load_state_dict(json_and_npz_round_trip(state))
        gw, gb = least_squares_grads(a["x"], a["y"], params[wkey], params[bkey])
        opt.step(params, {wkey: gw, bkey: gb})
    close(params[wkey], a["weights"][-1], f"{case}: final weight after a state round trip")
    close(params[bkey], a["biases"][-1], f"{case}: final bias after a state round trip")
