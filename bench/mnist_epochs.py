"""Whole epochs on MNIST-sized data: NN Studio's trainer against PyTorch CPU, and memory.

Run from the repository root:  ``python bench/mnist_epochs.py [--quick] [--threads 1,2]``

The script makes its own MNIST-sized data (60,000 × 1 × 28 × 28 float32 images of 10
classes, written once as an ``.npz`` into a temporary folder) and, per thread count, starts
one worker process with the BLAS/OpenMP thread variables set before numpy is imported (and
``torch.set_num_threads``). The worker trains four networks with Adam (lr 0.001):

  MLP  Flatten-784-256-ReLU-128-ReLU-10, batch 32 and batch 128
  CNN  conv(1→8,3,p1)-ReLU-maxpool2-conv(8→16,3,p1)-ReLU-maxpool2-flatten-dense(784→10),
       batch 32 and batch 128

NN Studio runs through the path ``nnstudio train`` uses (a ``Trainer`` on a saved project
whose dataset is the ``.npz``: 48,000 training and 12,000 validation samples, standardized);
one epoch is ``trainer.run(epochs=1)``: the shuffled mini-batches, then the evaluation the
trainer does after every epoch (validation pass, training metrics on up to 5,000 samples,
norms). PyTorch runs the same network from the same initial weights on the same scaled
arrays with the same batch order, then one validation pass (loss and accuracy, no grad).
Epochs of the two alternate (NN Studio first, then PyTorch) so noise hits both alike; the
script prints, per case and thread count, the median over epochs of the ratio NN Studio /
PyTorch of each pair of wall times (and the median times), and in brackets the same for
process CPU time: on a shared machine the CPU-time ratio shows what the wall time hides.

Last, it saves the MLP batch-32 project and runs ``nnstudio train PROJECT --epochs 1`` as
a child process, and prints the child's peak resident memory (``wait4``'s ``ru_maxrss``)
over the size of the float32 data (188 MB).

``--quick``: one timed epoch per tool and case (after a short warm-up), one thread only
unless ``--threads`` says otherwise. ``--cases mlp32,cnn128`` times only those cases;
``--no-memory`` skips the memory run. A full run takes about four minutes on a quiet
2-core machine.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
N_SAMPLES, N_CLASSES, SIDE = 60_000, 10, 28
DATA_BYTES = N_SAMPLES * SIDE * SIDE * 4
CASES = (("mlp", 32), ("mlp", 128), ("cnn", 32), ("cnn", 128))
TITLES = {"mlp": "MLP 784-256-128-10", "cnn": "CNN conv8-pool-conv16-pool-dense10"}
TARGET_RATIO = 0.9
TARGET_MEMORY = 2.0
LR = 0.001
SEED = 0


# --- the data and the projects (parent and worker) -----------------------------------------

def write_data(path: Path) -> None:
    """MNIST-sized images of 10 classes in [0, 1], labels int64: a stroke pattern all
    classes share plus a few pixels of its own per class, dimmed per sample, plus noise
    (a nearest-centroid classifier gets about 90 %: learnable, not trivial)."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    shared = rng.random((SIDE, SIDE)) < 0.12
    protos = (shared | (rng.random((N_CLASSES, SIDE, SIDE)) < 0.015)).astype(np.float32)
    y = rng.integers(0, N_CLASSES, N_SAMPLES)
    x = np.empty((N_SAMPLES, 1, SIDE, SIDE), dtype=np.float32)
    for start in range(0, N_SAMPLES, 10_000):  # chunks keep the temporaries small
        rows = slice(start, start + 10_000)
        part = protos[y[rows]] * rng.uniform(0.3, 1.0, (10_000, 1, 1)).astype(np.float32)
        part += rng.normal(0.0, 0.5, part.shape).astype(np.float32)
        x[rows, 0] = np.clip(part, 0.0, 1.0)
    np.savez(path, X=x, y=y.astype(np.int64))


def make_project(kind: str, batch: int, data: Path) -> Any:
    """The project ``nnstudio train`` would run: Adam, standardize, 20 % validation."""
    from nnstudio.graph.model.document import Document
    from nnstudio.graph.model.project import Project
    from nnstudio.training.settings import TrainingSettings

    image = {"kind": "image", "channels": 1, "height": SIDE, "width": SIDE}
    if kind == "mlp":
        chain: list[tuple[str, dict[str, Any]]] = [
            ("layer.input", image), ("layer.flatten", {}),
            ("layer.dense", {"units": 256}), ("activation", {"function": "relu"}),
            ("layer.dense", {"units": 128}), ("activation", {"function": "relu"}),
            ("layer.dense", {"units": 10}), ("layer.output", {"loss": "cross_entropy"})]
    else:
        conv = {"kernel_size": 3, "padding": 1}
        chain = [
            ("layer.input", image),
            ("layer.conv2d", {"out_channels": 8, **conv}), ("activation", {"function": "relu"}),
            ("layer.maxpool2d", {"kernel_size": 2}),
            ("layer.conv2d", {"out_channels": 16, **conv}), ("activation", {"function": "relu"}),
            ("layer.maxpool2d", {"kernel_size": 2}), ("layer.flatten", {}),
            ("layer.dense", {"units": 10}), ("layer.output", {"loss": "cross_entropy"})]
    doc = Document()
    nodes = [doc.add_node(type_id, (200.0 * i, 0.0), params, type_id)
             for i, (type_id, params) in enumerate(chain)]
    for a, b in itertools.pairwise(nodes):
        doc.connect(a, "out", b, "in")
    settings = TrainingSettings(optimizer="adam", lr=LR, batch_size=batch, epochs=1,
                                scaling="standardize", val_fraction=0.2)
    return Project(graph=doc, name=f"{kind} batch {batch}",
                   dataset={"source": "npz", "path": str(data)},
                   training=settings.to_dict(), seed=SEED)


# --- the worker: both tools, one thread count ----------------------------------------------

def torch_model(kind: str, plan: Any) -> Any:
    """The same network in PyTorch, starting from the plan's weights."""
    import torch
    from torch import nn

    if kind == "mlp":
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                              nn.ReLU(), nn.Linear(128, 10))
    else:
        model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(784, 10))
    ours = [(k, a) for k, a in plan.params.items()]
    theirs = list(model.parameters())
    assert len(ours) == len(theirs), "the two networks differ"
    with torch.no_grad():
        for (_, a), p in zip(ours, theirs, strict=True):
            assert tuple(a.shape) == tuple(p.shape), f"{a.shape} vs {p.shape}"
            p.copy_(torch.from_numpy(a.copy()))
    return model


class TorchRun:
    """One PyTorch epoch: the trainer's batch order, then a no-grad validation pass."""

    def __init__(self, kind: str, batch: int, trainer: Any) -> None:
        import numpy as np
        import torch

        self.model = torch_model(kind, trainer.plan)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=LR)
        # writable copies (torch warns about read-only arrays); the worker's memory is
        # not what the memory run measures
        self.x = torch.from_numpy(np.array(trainer.split.train.x))
        self.y = torch.from_numpy(np.array(trainer.split.train.y))
        self.vx = torch.from_numpy(np.array(trainer.split.val.x))
        self.vy = torch.from_numpy(np.array(trainer.split.val.y))
        self.batch = batch
        self.epoch = 0

    def run_epoch(self, limit: int | None = None) -> tuple[float, float]:
        """Train one epoch (or ``limit`` batches); returns (train loss, val accuracy)."""
        import numpy as np
        import torch
        from torch.nn import functional

        self.epoch += 1
        n = len(self.x)
        order = torch.from_numpy(np.random.default_rng([SEED, self.epoch, 0]).permutation(n))
        self.model.train()
        total = 0.0
        batches = order.split(self.batch)
        for rows in batches[:limit]:
            xb, yb = self.x[rows], self.y[rows]
            loss = functional.cross_entropy(self.model(xb), yb)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            total += loss.item() * len(rows)
        if limit is not None:
            return total, 0.0
        self.model.eval()
        correct, val_loss = 0, 0.0
        with torch.no_grad():
            for i in range(0, len(self.vx), 1024):
                logits = self.model(self.vx[i:i + 1024])
                target = self.vy[i:i + 1024]
                val_loss += functional.cross_entropy(logits, target, reduction="sum").item()
                correct += int((logits.argmax(1) == target).sum())
        return total / n, correct / len(self.vx)


def nn_epoch(trainer: Any) -> tuple[float, float]:
    """One NN Studio epoch through ``Trainer.run``; returns (train loss, val accuracy)."""
    from nnstudio.training import EpochRecord, Finished

    loss, acc = float("nan"), 0.0
    for record in trainer.run(epochs=1):
        if isinstance(record, EpochRecord) and record.member is None:
            loss, acc = record.train_loss, record.metrics.get("val_accuracy", 0.0)
        elif isinstance(record, Finished) and record.reason != "completed":
            raise RuntimeError(record.message)
    return loss, acc


def warm_up(trainer: Any, torch_run: TorchRun) -> None:
    """A few batches of each so first-call costs (allocation, thread start) are not timed."""
    from nnstudio.training import StepRecord
    from nnstudio.training.control import TrainingControl

    control = TrainingControl()
    for i, record in enumerate(trainer.run(control, epochs=1)):
        if isinstance(record, StepRecord) and i > 3:
            control.request_stop()
    trainer.epoch = trainer.step = 0
    trainer.history.clear()
    torch_run.run_epoch(limit=20)
    torch_run.epoch = 0


def worker(data: Path, epochs: int, cases: list[tuple[str, int]]) -> dict[str, Any]:
    """Time ``epochs`` alternating epochs of each tool for every case."""
    import numpy as np
    import torch

    from nnstudio.training import Trainer

    threads = int(os.environ["OMP_NUM_THREADS"])
    torch.set_num_threads(threads)
    results: dict[str, Any] = {"threads": threads, "numpy": np.__version__,
                               "torch": torch.__version__, "cases": []}
    for kind, batch in cases:
        trainer = Trainer(make_project(kind, batch, data), base_dir=data.parent)
        torch_run = TorchRun(kind, batch, trainer)
        warm_up(trainer, torch_run)
        ours, theirs, cpu_ours, cpu_theirs, accs = [], [], [], [], []
        for _ in range(epochs):
            start, cpu = time.perf_counter(), time.process_time()
            _, acc = nn_epoch(trainer)
            ours.append(time.perf_counter() - start)
            cpu_ours.append(time.process_time() - cpu)
            start, cpu = time.perf_counter(), time.process_time()
            _, torch_acc = torch_run.run_epoch()
            theirs.append(time.perf_counter() - start)
            cpu_theirs.append(time.process_time() - cpu)
            accs.append((acc, torch_acc))
        results["cases"].append({"kind": kind, "batch": batch, "nn": ours, "torch": theirs,
                                 "cpu_nn": cpu_ours, "cpu_torch": cpu_theirs,
                                 "accuracy": accs[-1]})
        cpu_ratio = paired_ratio(cpu_ours, cpu_theirs)
        print(f"  {threads} thread(s) {kind} batch {batch}: NN Studio "
              f"{statistics.median(ours):.2f} s, PyTorch {statistics.median(theirs):.2f} s "
              f"(CPU-time ratio {cpu_ratio:.2f}), val accuracy {accs[-1][0]:.3f} / "
              f"{accs[-1][1]:.3f}", file=sys.stderr, flush=True)
        del trainer, torch_run
    return results


# --- the parent: workers, the memory run, the table ----------------------------------------

def paired_ratio(ours: list[float], theirs: list[float]) -> float:
    """Median over epochs of ours[i] / theirs[i] (each pair ran back to back)."""
    return statistics.median(a / b for a, b in zip(ours, theirs, strict=True))


def thread_env(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_worker(data: Path, threads: int, epochs: int, cases: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--worker", str(data), "--epochs",
                          str(epochs), "--cases", cases], env=thread_env(threads),
                         stdout=subprocess.PIPE, check=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# Run by a small interpreter of its own: a child's ru_maxrss starts from its parent's
# resident size at the fork, and this script's parent holds the data it wrote.
_MEASURE = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status))  # KiB on Linux
"""


def peak_memory(data: Path, threads: int) -> tuple[float, int]:
    """Peak RSS (bytes) of ``nnstudio train`` on the MLP batch-32 project, and its exit code."""
    from nnstudio.graph.files.project_file import save_project

    project_path = data.parent / "mnist_mlp.nnstudio"
    save_project(make_project("mlp", 32, data), project_path)
    cmd = [sys.executable, "-m", "nnstudio", "train", str(project_path), "--epochs", "1"]
    out = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], env=thread_env(threads),
                         stdout=subprocess.PIPE, check=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one timed epoch per case")
    parser.add_argument("--threads", default=None, help="thread counts, e.g. 1,2")
    parser.add_argument("--epochs", type=int, default=None, help="timed epochs per tool")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory run")
    parser.add_argument("--cases", default="mlp32,mlp128,cnn32,cnn128",
                        help="which cases to time, e.g. mlp32,cnn128")
    parser.add_argument("--worker", metavar="DATA", help=argparse.SUPPRESS)
    args = parser.parse_args()
    epochs = args.epochs or (1 if args.quick else 3)
    cases = [c for c in CASES if f"{c[0]}{c[1]}" in args.cases.split(",")]
    if args.worker:
        print(json.dumps(worker(Path(args.worker), epochs, cases)))
        return 0
    threads = [int(t) for t in (args.threads or ("1" if args.quick else "1,2")).split(",")]
    load = os.getloadavg()[0]
    print(f"MNIST-sized epochs, {time.strftime('%Y-%m-%d')}, load average before "
          f"{load:.2f}, {epochs} timed epoch(s) per tool and case")
    if load > 0.5:
        print("The machine is busy: timings are noisy, and with two threads, where a "
              "library's threads wait for each other, they are not to be trusted.")
    failed = False
    with tempfile.TemporaryDirectory(prefix="nnstudio-mnist-") as tmp:
        data = Path(tmp) / "mnist_like.npz"
        write_data(data)
        results = [run_worker(data, t, epochs, args.cases) for t in threads]
        print(f"numpy {results[0]['numpy']}, torch {results[0]['torch']}, float32, Adam")
        print("NN Studio / PyTorch epoch time: median ratio of wall times (median seconds "
              "NN Studio / PyTorch) [median ratio of CPU times]")
        print(f"{'network, batch':<46}" + "".join(f"{str(t) + ' thread(s)':<34}"
                                                   for t in threads))
        for i, (kind, batch) in enumerate(cases):
            row = f"{TITLES[kind] + ', batch ' + str(batch):<46}"
            for res in results:
                case = res["cases"][i]
                ratio = paired_ratio(case["nn"], case["torch"])
                cpu = paired_ratio(case["cpu_nn"], case["cpu_torch"])
                ours, theirs = statistics.median(case["nn"]), statistics.median(case["torch"])
                mark = "" if ratio <= TARGET_RATIO else "!"
                if res["threads"] == 1 and ratio > TARGET_RATIO:
                    failed = True
                row += f"{ratio:4.2f}{mark:<1} ({ours:5.2f} / {theirs:5.2f}) [{cpu:4.2f}]  "
            print(row)
        if not args.no_memory:
            peak, code = peak_memory(data, threads[0])
            ratio = peak / DATA_BYTES
            print(f"peak RSS of `nnstudio train` (MLP, batch 32, 1 epoch): {peak / 1e6:.0f} MB "
                  f"= {ratio:.2f} × the float32 data ({DATA_BYTES / 1e6:.0f} MB); exit {code}")
            failed |= ratio > TARGET_MEMORY or code != 0
    print(f"targets (one thread): every ratio ≤ {TARGET_RATIO}, memory ≤ {TARGET_MEMORY} × data: "
          + ("FAILED" if failed else "met") + f"; load average after {os.getloadavg()[0]:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
