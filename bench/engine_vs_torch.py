"""Training-step time of the NumPy engine against PyTorch CPU, float32, same thread count.

Run: ``python bench/engine_vs_torch.py [--reps N] [--seconds S]``

A step is forward + loss + backward + optimizer step (+ clearing gradients) for:
  (a) MLP 784-256-128-10, ReLU, softmax cross-entropy, SGD momentum 0.9, batch 128
  (b) 2-8-8-1, tanh, MSE, plain SGD, batch 10
  (c) CNN 1×28×28, batch 64: conv(1→8,3,p1)-ReLU-maxpool2-conv(8→16,3,p1)-ReLU-maxpool2-
      flatten-dense(784→10), softmax cross-entropy, SGD momentum 0.9
Both frameworks start from the same weights and data. Repetitions interleave the engine and
torch (alternating which goes first) so that noise from other processes hits both alike;
the script prints the median over repetitions of (engine time / torch time) per case.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnstudio.engine import (
    SGD,
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    ReLU,
    Sequential,
    Tanh,
    cross_entropy,
    mse_loss,
)

TARGETS = {"a": 1.0, "b": 0.5, "c": 1.5}
TITLES = {
    "a": "MLP 784-256-128-10, batch 128",
    "b": "2-8-8-1 tanh, batch 10",
    "c": "CNN 1x28x28, batch 64",
}


def numpy_threads() -> int:
    """Threads numpy's BLAS uses: threadpoolctl if installed, else env vars, else cores."""
    try:
        from threadpoolctl import threadpool_info

        counts = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
        if counts:
            return int(max(counts))
    except ImportError:
        pass
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return os.cpu_count() or 1


def engine_nets(rng: np.random.Generator) -> dict[str, Sequential]:
    nets = {
        "a": Sequential(
            [
                Dense(784, 256, rng=rng),
                ReLU(),
                Dense(256, 128, rng=rng),
                ReLU(),
                Dense(128, 10, rng=rng),
            ]
        ),
        "b": Sequential(
            [Dense(2, 8, rng=rng), Tanh(), Dense(8, 8, rng=rng), Tanh(), Dense(8, 1, rng=rng)]
        ),
        "c": Sequential(
            [
                Conv2D(1, 8, 3, padding=1, rng=rng),
                ReLU(),
                MaxPool2D(2),
                Conv2D(8, 16, 3, padding=1, rng=rng),
                ReLU(),
                MaxPool2D(2),
                Flatten(),
                Dense(784, 10, rng=rng),
            ]
        ),
    }
    for net in nets.values():  # the data needs no gradient (PyTorch skips it as well)
        net.layers[0].input_grad = False
    return nets


def data(rng: np.random.Generator) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {
        "a": (rng.standard_normal((128, 784), dtype=np.float32), rng.integers(0, 10, 128)),
        "b": (
            rng.standard_normal((10, 2), dtype=np.float32),
            rng.standard_normal((10, 1), dtype=np.float32),
        ),
        "c": (rng.standard_normal((64, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, 64)),
    }


def engine_step(case: str, net: Sequential, x: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    loss_fn = mse_loss if case == "b" else cross_entropy
    opt = SGD(0.01) if case == "b" else SGD(0.01, momentum=0.9)

    def step() -> None:
        net.zero_grad()
        out = net.forward(x, True)
        _, grad = loss_fn(out, y)
        net.backward(grad)
        opt.step(net.params, net.grads)

    return step


def torch_step(case: str, net: Sequential, x: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    import torch
    from torch import nn

    modules: list[nn.Module] = []
    for layer in net.layers:
        if isinstance(layer, Dense):
            m: nn.Module = nn.Linear(layer.in_features, layer.out_features)
        elif isinstance(layer, Conv2D):
            m = nn.Conv2d(
                layer.in_channels,
                layer.out_channels,
                layer.kernel_size,
                layer.stride,
                layer.padding,
            )
        elif isinstance(layer, MaxPool2D):
            m = nn.MaxPool2d(layer.kernel_size, layer.stride, layer.padding)
        else:
            m = {"ReLU": nn.ReLU, "Tanh": nn.Tanh, "Flatten": nn.Flatten}[type(layer).__name__]()
        with torch.no_grad():
            for name, p in m.named_parameters():
                p.copy_(torch.from_numpy(layer.params[name].copy()))
        modules.append(m)
    model = nn.Sequential(*modules)
    tx = torch.from_numpy(x)
    ty = torch.from_numpy(y)
    if case == "b":
        loss_fn: Callable[..., torch.Tensor] = nn.functional.mse_loss
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
    else:
        loss_fn = nn.functional.cross_entropy
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step() -> None:
        opt.zero_grad()
        loss = loss_fn(model(tx), ty)
        loss.backward()
        opt.step()

    return step


def time_block(step: Callable[[], None], count: int, settle: float = 0.0) -> float:
    """Mean seconds per step over ``count`` steps, after ``settle`` seconds of rest and one
    untimed step (the rest lets the other library's BLAS/OpenMP threads stop spinning)."""
    if settle:
        time.sleep(settle)
        step()
    start = time.perf_counter()
    for _ in range(count):
        step()
    return (time.perf_counter() - start) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15, help="interleaved repetitions per case")
    parser.add_argument(
        "--seconds", type=float, default=0.25, help="approximate length of one timed block"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=0.15,
        help="rest before each block so idle threads stop spinning",
    )
    args = parser.parse_args()
    import torch

    threads = numpy_threads()
    torch.set_num_threads(threads)
    print(f"numpy {np.__version__}, torch {torch.__version__}, {threads} thread(s) each, float32")
    print(f"load average before: {os.getloadavg()[0]:.2f} (other processes make timings noisy)")
    rng = np.random.default_rng(0)
    nets, batches = engine_nets(rng), data(rng)
    failed = False
    for case in ("a", "b", "c"):
        x, y = batches[case]
        net = nets[case]
        runners = {"engine": engine_step(case, net, x, y), "torch": torch_step(case, net, x, y)}
        per_step = {}
        for name, step in runners.items():  # warm up and size the blocks
            time_block(step, 3)
            per_step[name] = time_block(step, 5)
        counts = {n: max(3, int(args.seconds / t)) for n, t in per_step.items()}
        ratios: list[float] = []
        times: dict[str, list[float]] = {"engine": [], "torch": []}
        for rep in range(args.reps):
            order = ("engine", "torch") if rep % 2 == 0 else ("torch", "engine")
            block = {n: time_block(runners[n], counts[n], args.settle) for n in order}
            ratios.append(block["engine"] / block["torch"])
            for n in order:
                times[n].append(block[n])
        ratio = statistics.median(ratios)
        ok = ratio <= TARGETS[case]
        failed |= not ok
        print(
            f"({case}) {TITLES[case]:<30} engine {statistics.median(times['engine']) * 1e3:8.3f} ms"
            f"  torch {statistics.median(times['torch']) * 1e3:8.3f} ms"
            f"  ratio {ratio:5.2f} (target <= {TARGETS[case]:.1f}, "
            f"range {min(ratios):.2f}-{max(ratios):.2f}, best/best "
            f"{min(times['engine']) / min(times['torch']):.2f}) {'ok' if ok else 'MISSED'}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
