"""Generate the PyTorch golden data that ``tests/engine/test_golden.py`` compares against.

Run from the repository root (needs torch; the tests that read the output do not):

    python tests/engine/golden/make_golden.py

It writes four small ``.npz`` files beside this script: ``layers.npz``, ``losses.npz``,
``penalties.npz`` and ``optimizers.npz``. Everything is float64. Inputs come from
``numpy.random.default_rng`` seeded per case (a CRC of the case name), so adding a case
never changes the others. PyTorch computes the expected outputs and gradients.

Layout of every file (plain arrays only, loadable with ``allow_pickle=False``):

- ``meta__torch_version``: 0-d string, ``torch.__version__`` used.
- ``meta__script_sha256``: 0-d string, SHA-256 of this script (line endings normalised).
- ``meta__cases``: 1-d string array, the case names in this file.
- ``<case>__config``: 0-d JSON string (engine class or function name and its arguments).
- ``<case>__<array>``: the arrays of that case (inputs, parameters, expected results).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as nnf

HERE = Path(__file__).resolve().parent
DT = torch.float64
TORCH_VERSION = "2.13.0"

Arrays = dict[str, np.ndarray]
Case = tuple[dict[str, Any], Arrays]


def script_sha256() -> str:
    """SHA-256 of this file with ``\\r\\n`` normalised to ``\\n``."""
    text = Path(__file__).read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(text).hexdigest()


def rng_for(name: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(name.encode()))


def t(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(a, dtype=DT, requires_grad=grad)


def n(x: torch.Tensor | None) -> np.ndarray:
    assert x is not None, "missing gradient"
    return x.detach().numpy().astype(np.float64).copy()


# ---------------------------------------------------------------------------- layers


def run_layer(
    fn: Callable[..., torch.Tensor],
    x: np.ndarray,
    params: Arrays,
    rng: np.random.Generator,
) -> Arrays:
    """Forward ``fn(x, **params)``, backward with a random upstream gradient ``dy``."""
    xt = t(x, grad=True)
    pt = {k: t(v, grad=True) for k, v in params.items()}
    y = fn(xt, **pt)
    dy = rng.standard_normal(tuple(y.shape))
    y.backward(t(dy))
    out: Arrays = {"x": x, "dy": dy, "y": n(y), "dx": n(xt.grad)}
    for k, v in pt.items():
        out[f"param_{k}"] = params[k]
        out[f"grad_{k}"] = n(v.grad)
    return out


def dense_case(name: str, batch: int, fin: int, fout: int) -> tuple[str, Case]:
    rng = rng_for(name)
    x = rng.standard_normal((batch, fin))
    params = {
        "weight": rng.standard_normal((fout, fin)) / np.sqrt(fin),
        "bias": rng.standard_normal(fout),
    }
    arrays = run_layer(lambda x, weight, bias: nnf.linear(x, weight, bias), x, params, rng)
    cfg = {"kind": "Dense", "args": [fin, fout], "kwargs": {}, "training": True}
    return name, (cfg, arrays)


def pair(v: int | list[int]) -> list[int]:
    return [v, v] if isinstance(v, int) else list(v)


def conv_case(
    name: str,
    batch: int,
    cin: int,
    cout: int,
    hw: tuple[int, int],
    kernel: int | list[int],
    stride: int | list[int] = 1,
    padding: int | list[int] = 0,
) -> tuple[str, Case]:
    rng = rng_for(name)
    kh, kw = pair(kernel)
    x = rng.standard_normal((batch, cin, *hw))
    params = {
        "weight": rng.standard_normal((cout, cin, kh, kw)) / np.sqrt(cin * kh * kw),
        "bias": rng.standard_normal(cout),
    }

    def fn(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        return nnf.conv2d(x, weight, bias, stride=pair(stride), padding=pair(padding))

    arrays = run_layer(fn, x, params, rng)
    cfg = {
        "kind": "Conv2D",
        "args": [cin, cout],
        "kwargs": {"kernel_size": kernel, "stride": stride, "padding": padding},
        "training": True,
    }
    return name, (cfg, arrays)


def pool_case(
    name: str,
    kind: str,
    shape: tuple[int, ...],
    kernel: int,
    stride: int | None = None,
    padding: int = 0,
) -> tuple[str, Case]:
    """Pooling; AvgPool2D divides by kh·kw, counting padded zeros, as the engine
    documents (PyTorch's default ``count_include_pad=True``)."""
    rng = rng_for(name)
    x = rng.standard_normal(shape)

    def fn(x: torch.Tensor) -> torch.Tensor:
        if kind == "MaxPool2D":
            return nnf.max_pool2d(x, kernel, stride=stride, padding=padding)
        return nnf.avg_pool2d(x, kernel, stride=stride, padding=padding, count_include_pad=True)

    arrays = run_layer(fn, x, {}, rng)
    kwargs: dict[str, Any] = {"kernel_size": kernel, "padding": padding}
    if stride is not None:
        kwargs["stride"] = stride
    cfg = {"kind": kind, "args": [], "kwargs": kwargs, "training": True}
    return name, (cfg, arrays)


def simple_case(
    name: str,
    kind: str,
    fn: Callable[[torch.Tensor], torch.Tensor],
    shape: tuple[int, ...],
    kwargs: dict[str, Any] | None = None,
    scale: float = 2.0,
    training: bool = True,
) -> tuple[str, Case]:
    rng = rng_for(name)
    x = scale * rng.standard_normal(shape)
    arrays = run_layer(fn, x, {}, rng)
    cfg = {"kind": kind, "args": [], "kwargs": kwargs or {}, "training": training}
    return name, (cfg, arrays)


def batchnorm_case(name: str, shape: tuple[int, ...], training: bool) -> tuple[str, Case]:
    """BatchNorm with non-trivial affine parameters and running statistics."""
    rng = rng_for(name)
    c = shape[1]
    x = 1.5 + 2.0 * rng.standard_normal(shape)
    params = {"weight": 1.0 + 0.5 * rng.standard_normal(c), "bias": rng.standard_normal(c)}
    mean0 = rng.standard_normal(c)
    var0 = rng.uniform(0.5, 2.0, c)
    running_mean = t(mean0)
    running_var = t(var0)

    def fn(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        return nnf.batch_norm(
            x,
            running_mean,
            running_var,
            weight,
            bias,
            training=training,
            momentum=0.1,
            eps=1e-5,
        )

    arrays = run_layer(fn, x, params, rng)
    arrays["buffer_running_mean"] = mean0
    arrays["buffer_running_var"] = var0
    arrays["new_running_mean"] = n(running_mean)
    arrays["new_running_var"] = n(running_var)
    cfg = {"kind": "BatchNorm", "args": [c], "kwargs": {}, "training": training}
    return name, (cfg, arrays)


def layer_cases() -> dict[str, Case]:
    cases: list[tuple[str, Case]] = [
        dense_case("dense_b4_5to3", 4, 5, 3),
        dense_case("dense_b1_7to2", 1, 7, 2),
        # Convolutions: kernel 1/3/5, stride 1/2, padding 0/1/2, channels 1/3/4,
        # odd image sizes, batch 1 and 3, kernel larger than stride, pair arguments.
        conv_case("conv_k1_s1_p0_c3to4_b3", 3, 3, 4, (7, 9), 1),
        conv_case("conv_k3_s1_p1_c1to3_b1", 1, 1, 3, (7, 9), 3, 1, 1),
        conv_case("conv_k3_s2_p1_c3to4_b3", 3, 3, 4, (7, 9), 3, 2, 1),
        conv_case("conv_k3_s2_p0_c4to4_b3", 3, 4, 4, (9, 7), 3, 2, 0),
        conv_case("conv_k5_s1_p2_c3to1_b1", 1, 3, 1, (7, 9), 5, 1, 2),
        conv_case("conv_k5_s2_p2_c4to3_b3", 3, 4, 3, (9, 7), 5, 2, 2),
        conv_case("conv_k5_s1_p0_c1to4_b3", 3, 1, 4, (7, 9), 5, 1, 0),
        conv_case("conv_k1_s2_p1_c4to1_b1", 1, 4, 1, (7, 9), 1, 2, 1),
        conv_case("conv_k3x5_s2x1_p1x2_c3to3_b3", 3, 3, 3, (7, 9), [3, 5], [2, 1], [1, 2]),
        # Pooling (stride defaults to the kernel size).
        pool_case("maxpool_k2_default_p0", "MaxPool2D", (3, 2, 7, 9), 2),
        pool_case("maxpool_k3_default_p1", "MaxPool2D", (1, 3, 7, 9), 3, None, 1),
        pool_case("maxpool_k2_s1_p0", "MaxPool2D", (3, 1, 7, 9), 2, 1),
        pool_case("maxpool_k3_s1_p1", "MaxPool2D", (1, 4, 7, 9), 3, 1, 1),
        pool_case("maxpool_k3_s2_p0", "MaxPool2D", (3, 3, 9, 7), 3, 2),
        pool_case("maxpool_k3_s2_p1", "MaxPool2D", (3, 3, 7, 9), 3, 2, 1),
        pool_case("avgpool_k2_default_p0", "AvgPool2D", (3, 2, 7, 9), 2),
        pool_case("avgpool_k3_default_p1", "AvgPool2D", (1, 3, 7, 9), 3, None, 1),
        pool_case("avgpool_k2_s1_p0", "AvgPool2D", (3, 1, 7, 9), 2, 1),
        pool_case("avgpool_k3_s1_p1", "AvgPool2D", (1, 4, 7, 9), 3, 1, 1),
        pool_case("avgpool_k3_s2_p0", "AvgPool2D", (3, 3, 9, 7), 3, 2),
        pool_case("avgpool_k3_s2_p1", "AvgPool2D", (3, 3, 7, 9), 3, 2, 1),
        simple_case("flatten_4d", "Flatten", torch.nn.Flatten(), (2, 3, 4, 5)),
        simple_case("flatten_2d", "Flatten", torch.nn.Flatten(), (3, 4)),
        batchnorm_case("batchnorm_nc_train", (6, 4), training=True),
        batchnorm_case("batchnorm_nc_eval", (6, 4), training=False),
        batchnorm_case("batchnorm_nchw_train", (3, 2, 5, 7), training=True),
        batchnorm_case("batchnorm_nchw_eval", (3, 2, 5, 7), training=False),
        batchnorm_case("batchnorm_nc_train_b2", (2, 3), training=True),
        # Activations on a 2-d and a 4-d input.
        simple_case("identity", "Identity", lambda x: x * 1.0, (4, 6)),
        simple_case("sigmoid", "Sigmoid", torch.sigmoid, (4, 6)),
        simple_case("sigmoid_4d", "Sigmoid", torch.sigmoid, (2, 3, 4, 5)),
        simple_case("tanh", "Tanh", torch.tanh, (4, 6)),
        simple_case("relu", "ReLU", nnf.relu, (4, 6)),
        simple_case("relu_4d", "ReLU", nnf.relu, (2, 3, 4, 5)),
        simple_case("leaky_relu_default", "LeakyReLU", lambda x: nnf.leaky_relu(x, 0.01), (4, 6)),
        simple_case(
            "leaky_relu_0.2",
            "LeakyReLU",
            lambda x: nnf.leaky_relu(x, 0.2),
            (4, 6),
            kwargs={"negative_slope": 0.2},
        ),
        simple_case("softmax_last", "Softmax", lambda x: nnf.softmax(x, dim=-1), (4, 6)),
        simple_case(
            "softmax_last_3d",
            "Softmax",
            lambda x: nnf.softmax(x, dim=-1),
            (2, 4, 3),
            kwargs={"axis": -1},
        ),
        simple_case(
            "softmax_axis1_3d",
            "Softmax",
            lambda x: nnf.softmax(x, dim=1),
            (2, 4, 3),
            kwargs={"axis": 1},
        ),
        simple_case(
            "softmax_axis1_4d",
            "Softmax",
            lambda x: nnf.softmax(x, dim=1),
            (2, 3, 2, 4),
            kwargs={"axis": 1},
        ),
        simple_case(
            "softmax_large_logits",
            "Softmax",
            lambda x: nnf.softmax(x, dim=-1),
            (3, 5),
            scale=300.0,
        ),
        simple_case("swish", "Swish", nnf.silu, (4, 6)),
        simple_case("gelu_tanh", "GELU", lambda x: nnf.gelu(x, approximate="tanh"), (4, 6)),
        simple_case(
            "gelu_tanh_4d", "GELU", lambda x: nnf.gelu(x, approximate="tanh"), (2, 3, 4, 5)
        ),
        simple_case(
            "dropout_eval",
            "Dropout",
            lambda x: nnf.dropout(x, 0.5, training=False),
            (4, 6),
            kwargs={"p": 0.5},
            training=False,
        ),
    ]
    return dict(cases)


# ---------------------------------------------------------------------------- losses


def loss_case(
    name: str,
    kind: str,
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    prediction: np.ndarray,
    target: np.ndarray,
) -> tuple[str, Case]:
    pt = t(prediction, grad=True)
    tt = torch.tensor(target) if target.dtype.kind == "i" else t(target)
    loss = fn(pt, tt)
    loss.backward()
    arrays = {
        "prediction": prediction,
        "target": target,
        "loss": np.array(loss.item()),
        "grad": n(pt.grad),
    }
    return name, ({"kind": kind}, arrays)


def loss_cases() -> dict[str, Case]:
    r = rng_for
    cases = [
        loss_case(
            "mse_2d",
            "mse_loss",
            nnf.mse_loss,
            r("mse_2d").standard_normal((5, 3)),
            r("mse_2d_t").standard_normal((5, 3)),
        ),
        loss_case(
            "mse_col",
            "mse_loss",
            nnf.mse_loss,
            r("mse_col").standard_normal((7, 1)),
            r("mse_col_t").standard_normal((7, 1)),
        ),
        loss_case(
            "bce_hard",
            "binary_cross_entropy",
            nnf.binary_cross_entropy,
            r("bce_hard").uniform(0.02, 0.98, (6, 1)),
            r("bce_hard_t").integers(0, 2, (6, 1)).astype(np.float64),
        ),
        loss_case(
            "bce_soft_multi",
            "binary_cross_entropy",
            nnf.binary_cross_entropy,
            r("bce_soft_multi").uniform(0.02, 0.98, (4, 3)),
            r("bce_soft_multi_t").uniform(0.0, 1.0, (4, 3)),
        ),
        loss_case(
            "bce_logits_col",
            "binary_cross_entropy_with_logits",
            nnf.binary_cross_entropy_with_logits,
            3.0 * r("bce_logits_col").standard_normal((6, 1)),
            r("bce_logits_col_t").integers(0, 2, (6, 1)).astype(np.float64),
        ),
        loss_case(
            "bce_logits_multi",
            "binary_cross_entropy_with_logits",
            nnf.binary_cross_entropy_with_logits,
            3.0 * r("bce_logits_multi").standard_normal((5, 4)),
            r("bce_logits_multi_t").integers(0, 2, (5, 4)).astype(np.float64),
        ),
        loss_case(
            "bce_logits_large",
            "binary_cross_entropy_with_logits",
            nnf.binary_cross_entropy_with_logits,
            np.array([[-200.0, 150.0], [40.0, -60.0], [0.5, -0.25]]),
            np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]),
        ),
        loss_case(
            "cross_entropy",
            "cross_entropy",
            nnf.cross_entropy,
            2.0 * r("cross_entropy").standard_normal((6, 4)),
            r("cross_entropy_t").integers(0, 4, 6).astype(np.int64),
        ),
        loss_case(
            "cross_entropy_b1",
            "cross_entropy",
            nnf.cross_entropy,
            r("cross_entropy_b1").standard_normal((1, 10)),
            np.array([7], dtype=np.int64),
        ),
        loss_case(
            "cross_entropy_large_logits",
            "cross_entropy",
            nnf.cross_entropy,
            300.0 * r("cross_entropy_large").standard_normal((4, 3)),
            np.array([0, 1, 2, 1], dtype=np.int64),
        ),
        loss_case(
            "cross_entropy_probs",
            "cross_entropy",
            nnf.cross_entropy,
            2.0 * r("cross_entropy_probs").standard_normal((5, 3)),
            r("cross_entropy_probs_t").dirichlet(np.ones(3), 5),
        ),
    ]
    return dict(cases)


# ---------------------------------------------------------------------------- penalties

# The formula the engine documents (nnstudio/engine/penalties.py), per chosen array w:
#   penalty(w) = l1 * sum(|w|) + l2 * sum(w ** 2)   (L1: l2 = 0, L2: l1 = 0, ElasticNet: both)
# summed over the chosen arrays; torch autograd gives the gradient.


def penalty_case(name: str, kind: str, l1: float, l2: float) -> tuple[str, Case]:
    rng = rng_for(name)
    params = {"weight": rng.standard_normal((3, 4)), "conv": rng.standard_normal((2, 1, 3, 3))}
    pt = {k: t(v, grad=True) for k, v in params.items()}
    value = torch.zeros((), dtype=DT)
    for p in pt.values():
        value = value + l1 * p.abs().sum() + l2 * (p**2).sum()
    value.backward()
    arrays: Arrays = {"value": np.array(value.item())}
    for k, p in pt.items():
        arrays[f"param_{k}"] = params[k]
        arrays[f"grad_{k}"] = n(p.grad)
    return name, ({"kind": kind, "l1": l1, "l2": l2}, arrays)


def penalty_cases() -> dict[str, Case]:
    return dict(
        [
            penalty_case("l1", "L1", 0.03, 0.0),
            penalty_case("l2", "L2", 0.0, 0.05),
            penalty_case("l1_l2", "ElasticNet", 0.02, 0.07),
        ]
    )


# ---------------------------------------------------------------------------- optimizers

OPT_STEPS = 20


def opt_problem() -> Arrays:
    """A fixed least-squares problem: loss(W, b) = mean((x @ W.T + b - y) ** 2)."""
    rng = rng_for("opt_problem")
    x = rng.standard_normal((8, 4))
    y = rng.standard_normal((8, 3))
    weight = 0.5 * rng.standard_normal((3, 4))
    bias = 0.5 * rng.standard_normal(3)
    return {"x": x, "y": y, "weight": weight, "bias": bias}


def optimizer_case(name: str, kind: str, kwargs: dict[str, Any]) -> tuple[str, Case]:
    prob = opt_problem()
    weight = t(prob["weight"], grad=True)
    bias = t(prob["bias"], grad=True)
    x, y = t(prob["x"]), t(prob["y"])
    torch_kwargs = dict(kwargs)
    if "betas" in torch_kwargs:
        torch_kwargs["betas"] = tuple(torch_kwargs["betas"])
    opt_cls = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "RMSprop": torch.optim.RMSprop}
    opt = opt_cls[kind]([weight, bias], **torch_kwargs)
    weights, biases, grad_w, grad_b = [], [], [], []
    for _ in range(OPT_STEPS):
        opt.zero_grad()
        loss = ((x @ weight.T + bias - y) ** 2).mean()
        loss.backward()
        grad_w.append(n(weight.grad))
        grad_b.append(n(bias.grad))
        opt.step()
        weights.append(n(weight))
        biases.append(n(bias))
    arrays = {
        "x": prob["x"],
        "y": prob["y"],
        "weight0": prob["weight"],
        "bias0": prob["bias"],
        "weights": np.stack(weights),
        "biases": np.stack(biases),
        "grads_weight": np.stack(grad_w),
        "grads_bias": np.stack(grad_b),
    }
    return name, ({"kind": kind, "kwargs": kwargs}, arrays)


def optimizer_cases() -> dict[str, Case]:
    return dict(
        [
            optimizer_case("sgd", "SGD", {"lr": 0.1}),
            optimizer_case("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}),
            optimizer_case("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
            optimizer_case("sgd_weight_decay", "SGD", {"lr": 0.1, "weight_decay": 0.05}),
            optimizer_case(
                "sgd_momentum_weight_decay",
                "SGD",
                {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.05},
            ),
            optimizer_case("adam", "Adam", {"lr": 0.05}),
            optimizer_case("adam_betas", "Adam", {"lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-6}),
            optimizer_case("adam_weight_decay", "Adam", {"lr": 0.05, "weight_decay": 0.1}),
            optimizer_case("rmsprop", "RMSprop", {"lr": 0.01}),
            optimizer_case("rmsprop_alpha", "RMSprop", {"lr": 0.02, "alpha": 0.9}),
            optimizer_case("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9}),
            optimizer_case(
                "rmsprop_weight_decay",
                "RMSprop",
                {"lr": 0.01, "momentum": 0.5, "weight_decay": 0.1},
            ),
        ]
    )


# ---------------------------------------------------------------------------- output


def write(path: Path, cases: dict[str, Case]) -> None:
    out: dict[str, np.ndarray] = {
        "meta__torch_version": np.array(torch.__version__),
        "meta__script_sha256": np.array(script_sha256()),
        "meta__cases": np.array(sorted(cases)),
    }
    for name, (cfg, arrays) in cases.items():
        assert "__" not in name, name
        out[f"{name}__config"] = np.array(json.dumps(cfg, sort_keys=True))
        for key, value in arrays.items():
            value = np.asarray(value)
            assert value.dtype in (np.float64, np.int64), (name, key, value.dtype)
            out[f"{name}__{key}"] = value
    np.savez_compressed(path, **out)  # type: ignore[arg-type]
    print(f"{path.name}: {len(cases)} cases, {path.stat().st_size} bytes")


def main() -> None:
    if not torch.__version__.startswith(TORCH_VERSION):
        raise SystemExit(f"make_golden.py needs torch {TORCH_VERSION}, found {torch.__version__}.")
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    write(HERE / "layers.npz", layer_cases())
    write(HERE / "losses.npz", loss_cases())
    write(HERE / "penalties.npz", penalty_cases())
    write(HERE / "optimizers.npz", optimizer_cases())


if __name__ == "__main__":
    main()
