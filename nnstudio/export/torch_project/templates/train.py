"""Train the network with PyTorch the way NN Studio trains it, on a CPU, a GPU or several.

    python train.py [--device cpu|cuda] [--epochs N] [--out DIR] [--data-dir DIR]
    torchrun --nproc_per_node 2 train.py [--device cpu|cuda] ...

It starts from the weights in model.npz (the project's) and reproduces NN Studio's run:
the split and scaling of data.py, the optimizer and its settings, the learning-rate
schedule, batch size and shuffling (the same batches, drawn from the project's seed), the
epochs, per-layer L1/L2 penalties, dropout, batch norm, early stopping with patience and
restore-best, and bagging members on their bootstrap samples. Under torchrun every global
batch is shared out across the processes (DistributedDataParallel: gloo on CPU, NCCL on
GPU), so the gradients are those of the whole batch.

It writes DIR/history.csv (NN Studio's history columns) and DIR/trained.npz, which
NN Studio imports back: File > Import weights, or ``nnstudio import-weights PROJECT
DIR/trained.npz``.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import sys
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn import functional as F  # noqa: N812 - PyTorch's own convention

import data
import model

# --- NN Studio writes the settings below ---
NAME = "network"
SEED = 0
SETTINGS: dict = {
    "optimizer": "sgd", "lr": 0.1, "momentum": 0.0, "nesterov": False, "weight_decay": 0.0,
    "beta1": 0.9, "beta2": 0.999, "alpha": 0.99, "eps": 1e-08, "batch_size": 32,
    "epochs": 100, "shuffle": True, "schedule": "constant", "step_size": 30, "gamma": 0.5,
    "plateau_patience": 5, "plateau_factor": 0.5, "min_lr": 0.0, "val_fraction": 0.2,
    "test_fraction": 0.0, "scaling": "standardize", "early_stopping": False, "patience": 10,
    "min_delta": 0.0, "restore_best": True, "bagging_members": 1,
}
MEMBERS = 1
HEADS: list[tuple[str, int, int, int | None]] = []   # (loss, start, stop, target column)
PENALTIES: list[tuple[str, float, float, list[int] | None]] = []   # (param, l1, l2, rows)
NORMS: list[tuple[str, list[tuple[str, list[int] | None]]]] = []   # node id, its params
TASK = "classification"
ENCODING = "labels"          # targets for the loss: "labels" or "one_hot"
N_CLASSES = 0
UNUSED_PARAMETERS = False    # a layer feeds no output (DistributedDataParallel must know)
# --- end of NN Studio's settings ---

HERE = Path(__file__).resolve().parent
TRAIN_EVAL_LIMIT = 5000      # training-set metrics use at most this many samples
BOOTSTRAP_STREAM = 7919      # NN Studio's seed stream for the bagging samples
EPS = 1e-7


# --- processes and devices -----------------------------------------------------------------

class Processes:
    """This process's place among ``world`` (1 without torchrun) and its device."""

    def __init__(self, device: str) -> None:
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        local = int(os.environ.get("LOCAL_RANK", "0"))
        if device == "cuda":
            if not torch.cuda.is_available():
                sys.exit("train.py: --device cuda was asked for, but PyTorch sees no CUDA GPU.")
            torch.cuda.set_device(local)
            self.device = torch.device("cuda", local)
        else:
            self.device = torch.device("cpu")
        if self.world > 1:
            dist.init_process_group("nccl" if device == "cuda" else "gloo")

    @property
    def main(self) -> bool:
        return self.rank == 0

    def total(self, value: torch.Tensor) -> torch.Tensor:
        """The sum over all processes."""
        if self.world > 1:
            dist.all_reduce(value)
        return value

    def from_main(self, value: float) -> float:
        """Process 0's number, on every process (so all take the same decisions)."""
        if self.world == 1:
            return value
        tensor = torch.tensor([value], dtype=torch.float64, device=self.device)
        dist.broadcast(tensor, 0)
        return float(tensor.item())

    def wrap(self, member: nn.Module) -> nn.Module:
        if self.world == 1:
            return member
        if self.device.type == "cuda":
            member = nn.SyncBatchNorm.convert_sync_batchnorm(member)
        ids = [self.device.index] if self.device.type == "cuda" else None
        return nn.parallel.DistributedDataParallel(
            member, device_ids=ids, find_unused_parameters=UNUSED_PARAMETERS)

    def wait_for_all(self) -> None:
        """After a finished run, until every process got here: a process that left while
        process 0 was still saving made gloo abort process 0 at exit ("terminate called
        without an active exception", exit -6)."""
        if self.world > 1:
            dist.barrier()

    def close(self) -> None:
        if self.world > 1:
            dist.destroy_process_group()


# --- NN Studio's schedule, early stopping, losses and metrics ------------------------------

class Schedule:
    """The learning rate of each epoch (1-based): constant, step, exponential, cosine or
    reduce-on-plateau, never below min_lr."""

    def __init__(self) -> None:
        self.plateau_lr = SETTINGS["lr"]
        self.best = math.inf
        self.bad_epochs = 0

    def lr_for(self, epoch: int) -> float:
        s, e = SETTINGS, epoch - 1
        if s["schedule"] == "constant":
            lr = s["lr"]
        elif s["schedule"] == "step":
            lr = s["lr"] * s["gamma"] ** (e // s["step_size"])
        elif s["schedule"] == "exponential":
            lr = s["lr"] * s["gamma"] ** e
        elif s["schedule"] == "cosine":
            t = min(e, s["epochs"]) / s["epochs"]
            return s["min_lr"] + (s["lr"] - s["min_lr"]) * 0.5 * (1.0 + math.cos(math.pi * t))
        else:
            lr = self.plateau_lr
        return max(lr, s["min_lr"])

    def observe(self, loss: float | None) -> None:
        if SETTINGS["schedule"] != "plateau" or loss is None or not math.isfinite(loss):
            return
        if loss < self.best:
            self.best, self.bad_epochs = loss, 0
            return
        self.bad_epochs += 1
        if self.bad_epochs >= SETTINGS["plateau_patience"]:
            self.plateau_lr = max(self.plateau_lr * SETTINGS["plateau_factor"],
                                  SETTINGS["min_lr"])
            self.bad_epochs = 0


class EarlyStopping:
    """The best monitored loss so far, its epoch, and the weights then."""

    def __init__(self) -> None:
        self.best_loss = math.inf
        self.best_epoch: int | None = None
        self.epochs_since_best = 0
        self.best_state: list[dict[str, torch.Tensor]] | None = None

    def update(self, epoch: int, loss: float | None, members: list[nn.Module] | None) -> None:
        if (loss is not None and math.isfinite(loss)
                and loss < self.best_loss - SETTINGS["min_delta"]):
            self.best_loss, self.best_epoch, self.epochs_since_best = loss, epoch, 0
            if members is not None:
                self.best_state = [{k: v.detach().clone() for k, v in m.state_dict().items()}
                                   for m in members]
            return
        self.epochs_since_best += 1

    @property
    def should_stop(self) -> bool:
        return self.best_epoch is not None and self.epochs_since_best >= SETTINGS["patience"]


def head_target(loss: str, column: int | None, y: torch.Tensor, width: int) -> torch.Tensor:
    """The targets one head is trained on (as NN Studio's Plan.loss picks them)."""
    n = y.shape[0]
    if loss == "cross_entropy":
        return y.reshape(n).long()
    if column is not None:
        picked = y if y.dim() == 1 and column == 0 else y[:, column]
        return picked.reshape(n, 1).float()
    return y.reshape(n, width).float()


def data_loss_sum(outputs: torch.Tensor, y: torch.Tensor, batch: int) -> torch.Tensor:
    """This process's share of Σ over heads of the head's mean loss over a global batch of
    ``batch`` samples (summing the shares of all processes gives NN Studio's loss)."""
    total = outputs.new_zeros(())
    for loss, start, stop, column in HEADS:
        pred = outputs[:, start:stop]
        target = head_target(loss, column, y, stop - start)
        if loss == "cross_entropy":
            total = total + F.cross_entropy(pred, target, reduction="sum") / batch
        elif loss == "mse":
            total = total + F.mse_loss(pred, target, reduction="sum") / (batch * pred.shape[1])
        elif loss == "binary_cross_entropy":
            total = total + F.binary_cross_entropy(pred, target, reduction="sum") / (
                batch * pred.shape[1])
        else:  # bce_with_logits, multilabel
            total = total + F.binary_cross_entropy_with_logits(pred, target, reduction="sum") / (
                batch * pred.shape[1])
    return total


def penalty(member: nn.Module) -> torch.Tensor:
    """Σ of the L1/L2 penalties the graph puts on weights (never on biases)."""
    params = dict(member.named_parameters())
    total = next(iter(params.values())).new_zeros(())
    for name, l1, l2, rows in PENALTIES:
        w = params[name] if rows is None else params[name][rows]
        if l1:
            total = total + l1 * w.abs().sum()
        if l2:
            total = total + l2 * (w * w).sum()
    return total


def predict(member: nn.Module, x: torch.Tensor) -> np.ndarray:
    """Eval-mode predictions (probabilities for classification heads) as float64."""
    member.eval()
    with torch.no_grad():
        parts = [model.probabilities(member(x[i:i + 1024])) for i in range(0, len(x), 1024)]
    member.train()
    return torch.cat(parts).double().cpu().numpy()


def eval_loss(pred: np.ndarray, y: np.ndarray) -> float:
    """Σ over heads of the mean data loss, on predictions (clipped at 1e-7)."""
    total = 0.0
    for loss, start, stop, column in HEADS:
        block = pred[:, start:stop]
        n = len(y)
        if loss == "cross_entropy":
            target = y.reshape(n).astype(np.int64)
            total += float(-np.mean(np.log(np.clip(block[np.arange(n), target], EPS, 1.0))))
            continue
        if column is not None:
            target = (y if y.ndim == 1 else y[:, column]).reshape(n, 1).astype(np.float64)
        else:
            target = y.reshape(n, block.shape[1]).astype(np.float64)
        if loss == "mse":
            total += float(np.mean((block - target) ** 2))
        else:
            p = np.clip(block, EPS, 1.0 - EPS)
            total += float(-np.mean(target * np.log(p) + (1 - target) * np.log1p(-p)))
    return total


def aligned(pred: np.ndarray, n_targets: int) -> np.ndarray:
    if len(HEADS) == 1 and HEADS[0][3] is None:
        return pred[:, HEADS[0][1]:HEADS[0][2]]
    out = np.zeros((pred.shape[0], n_targets))
    for _, start, stop, column in HEADS:
        first = column if column is not None else 0
        out[:, first:first + stop - start] = pred[:, start:stop]
    return out


def task_metrics(pred: np.ndarray, y: np.ndarray, prefix: str) -> dict[str, float]:
    """Accuracy (classification, binary, multilabel) or MAE and R² (regression)."""
    if len(y) == 0:
        return {}
    n_targets = max(stop for _, _, stop, _ in HEADS)
    if TASK == "classification":
        scores = aligned(pred, n_targets)
        guess = ((scores[:, 0] >= 0.5).astype(np.int64) if scores.shape[1] == 1
                 else scores.argmax(axis=1))
        return {f"{prefix}_accuracy": float(np.mean(guess == y.reshape(-1)))}
    targets = y.reshape(len(y), -1).astype(np.float64)
    scores = aligned(pred, targets.shape[1])
    if TASK in ("binary", "multilabel"):
        if TASK == "binary" and scores.shape[1] == 2:
            guess = scores.argmax(axis=1).reshape(-1, 1)
        else:
            guess = (scores[:, :targets.shape[1]] >= 0.5).astype(np.float64)
        return {f"{prefix}_accuracy": float(np.mean(guess == targets))}
    err = scores[:, :targets.shape[1]] - targets
    ss_tot = float(np.sum((targets - targets.mean(axis=0)) ** 2))
    r2 = 1.0 - float(np.sum(err ** 2)) / ss_tot if ss_tot > 0 else 0.0
    return {f"{prefix}_mae": float(np.mean(np.abs(err))), f"{prefix}_r2": r2}


def norms(member: nn.Module, grads: bool) -> dict[str, float]:
    """node id -> Euclidean norm of its weights (or their gradients), as NN Studio's
    history columns ``weight_norm/<node>`` and ``grad_norm/<node>``."""
    params = dict(member.named_parameters())
    result = {}
    for node, parts in NORMS:
        total = 0.0
        for name, flat in parts:
            p = params[name]
            values = (p.grad if p.grad is not None else torch.zeros_like(p)) if grads else p
            values = values.detach().reshape(-1)
            if flat is not None:
                values = values[flat]
            total += float((values.double() ** 2).sum())
        result[node] = math.sqrt(total)
    return result


def encoded(y: np.ndarray) -> np.ndarray:
    """Targets as the loss wants them: class labels, or one-hot rows for classification
    heads without cross-entropy; other tasks as they are."""
    if TASK != "classification" or ENCODING == "labels":
        return y
    return np.eye(N_CLASSES, dtype=np.float32)[y]


def number(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


# --- the run ---------------------------------------------------------------------------------

def batches(n: int, epoch: int, stream: int) -> list[np.ndarray]:
    """The epoch's batches of row numbers: the whole set at once when the batch size
    covers it, else shuffled (from the seed, the epoch and the member) and cut."""
    size = n if SETTINGS["batch_size"] == 0 else max(1, min(SETTINGS["batch_size"], n))
    if size >= n:
        return [np.arange(n)]
    order = (np.random.default_rng([SEED, epoch, stream]).permutation(n)
             if SETTINGS["shuffle"] else np.arange(n))
    return [order[i:i + size] for i in range(0, n, size)]


def make_optimizer(member: nn.Module) -> torch.optim.Optimizer:
    s = SETTINGS
    params = member.parameters()
    if s["optimizer"] == "sgd":
        return torch.optim.SGD(params, lr=s["lr"], momentum=s["momentum"],
                               nesterov=s["nesterov"], weight_decay=s["weight_decay"])
    if s["optimizer"] == "adam":
        return torch.optim.Adam(params, lr=s["lr"], betas=(s["beta1"], s["beta2"]),
                                eps=s["eps"], weight_decay=s["weight_decay"])
    return torch.optim.RMSprop(params, lr=s["lr"], alpha=s["alpha"], eps=s["eps"],
                               momentum=s["momentum"], weight_decay=s["weight_decay"])


class DivergedError(Exception):
    """The loss or a gradient of member ``member`` became infinite or NaN."""

    def __init__(self, member: int, message: str) -> None:
        super().__init__(message)
        self.member = member


class Run:
    """Everything of one training run: the members, their data, optimizers and records."""

    def __init__(self, args: argparse.Namespace, procs: Processes) -> None:
        self.procs = procs
        splits = data.load_splits(args.data_dir)
        device = procs.device
        self.scaler = splits["scaler"]
        self.parts = {name: (torch.from_numpy(splits[name][0]).to(device), splits[name][1],
                             encoded(splits[name][1]))
                      for name in ("train", "val", "test")
                      if name in splits and len(splits[name][1])}
        x, y = splits["train"]
        y_loss = encoded(y)
        loaded = model.load_model(args.weights).to(device).train()
        self.model = loaded
        self.members = list(loaded.members) if MEMBERS > 1 else [loaded]
        self.wrapped = [procs.wrap(m) for m in self.members]
        self.optimizers = [make_optimizer(m) for m in self.members]
        self.data = []
        self.backups: list[list[torch.Tensor] | None] = [None] * MEMBERS
        for k in range(MEMBERS):
            rows = (np.random.default_rng([SEED, BOOTSTRAP_STREAM, k]).integers(0, len(x), len(x))
                    if MEMBERS > 1 else np.arange(len(x)))
            self.data.append((torch.from_numpy(x[rows]).to(device),
                              torch.from_numpy(np.asarray(y_loss)[rows]).to(device)))
        self.schedule = Schedule()
        self.early = EarlyStopping()
        self.history: list[dict] = []
        self.step = 0

    def train_member(self, k: int, epoch: int) -> float:
        """One epoch of member k; returns the mean training objective over its batches."""
        member, net, opt = self.members[k], self.wrapped[k], self.optimizers[k]
        x, y = self.data[k]
        world, rank = self.procs.world, self.procs.rank
        total, count = 0.0, 0
        for rows in batches(len(x), epoch, 0 if MEMBERS == 1 else k + 1):
            shard, weight = rows[rank::world], 1.0
            if len(shard) == 0:                  # fewer samples than processes
                shard, weight = rows[:1], 0.0
            index = torch.from_numpy(shard).to(x.device)
            share = data_loss_sum(net(x[index]), y[index], len(rows)) * weight
            extra = penalty(member)
            opt.zero_grad(set_to_none=False)
            (share * world + extra).backward()
            loss = float(self.procs.total(share.detach().clone()).item()) + float(extra)
            grads = [p.grad.sum() for p in member.parameters() if p.grad is not None]
            if not math.isfinite(loss) or (grads and not bool(torch.isfinite(
                    torch.stack(grads)).all())):
                raise DivergedError(k, f"Training diverged at epoch {epoch}: the loss or a "
                               "gradient became infinite or NaN. Try a smaller learning rate.")
            self.backups[k] = [p.detach().clone() for p in member.parameters()]
            opt.step()
            self.step += 1
            total += loss * len(rows)
            count += len(rows)
        return total / max(count, 1)

    def evaluate(self, epoch: int, lr: float, train_losses: list[float]) -> dict:
        """The epoch's record with NN Studio's keys (process 0 computes it)."""
        limit = TRAIN_EVAL_LIMIT
        parts = {name: tuple(a[:limit] for a in arrays) if name == "train" else arrays
                 for name, arrays in self.parts.items()}
        preds = [{name: predict(m, x) for name, (x, _, _) in parts.items()}
                 for m in self.members]

        def scores(pred: dict) -> tuple[dict, dict]:
            losses = {"val": None, "test": None}
            found: dict[str, float] = {}
            for name, (_, y, y_loss) in parts.items():
                if name != "train":
                    losses[name] = eval_loss(pred[name], y_loss)
                found.update(task_metrics(pred[name], y, name))
            return losses, found

        if MEMBERS > 1:
            member_losses = [scores(p)[0]["val"] for p in preds]
            losses, found = scores({name: np.mean([p[name] for p in preds], axis=0)
                                    for name in parts})
            valid = [v for v in member_losses if v is not None]
            if valid:
                found["member_mean_val_loss"] = float(np.mean(valid))
                found.update({f"member{k}_val_loss": float(v)
                              for k, v in enumerate(member_losses) if v is not None})
        else:
            losses, found = scores(preds[0])
        record = {"epoch": epoch, "step": self.step,
                  "train_loss": number(float(np.mean(train_losses))),
                  "val_loss": number(losses["val"]), "test_loss": number(losses["test"])}
        record.update({k: number(v) for k, v in found.items()})
        record["lr"] = number(lr)
        record.update({f"grad_norm/{k}": number(v)
                       for k, v in norms(self.members[0], True).items()})
        record.update({f"weight_norm/{k}": number(v)
                       for k, v in norms(self.members[0], False).items()})
        monitored = losses["val"] if losses["val"] is not None else float(np.mean(train_losses))
        return {"record": record, "monitored": monitored}

    def run(self, epochs: int) -> str:
        """Train ``epochs`` epochs; returns the sentence NN Studio would end with."""
        keep = SETTINGS["early_stopping"] and SETTINGS["restore_best"]
        for epoch in range(1, epochs + 1):
            lr = self.schedule.lr_for(epoch)
            for opt in self.optimizers:
                for group in opt.param_groups:
                    group["lr"] = lr
            try:
                train_losses = [self.train_member(k, epoch) for k in range(MEMBERS)]
            except DivergedError as error:     # back to the last weights with a finite loss
                backup = self.backups[error.member]
                if backup is not None:
                    with torch.no_grad():
                        params = self.members[error.member].parameters()
                        for p, saved in zip(params, backup, strict=True):
                            p.copy_(saved)
                return str(error)
            result = self.evaluate(epoch, lr, train_losses) if self.procs.main else None
            monitored = self.procs.from_main(result["monitored"] if result else 0.0)
            self.schedule.observe(monitored)
            self.early.update(epoch, monitored, self.members if keep else None)
            if result is not None:
                record = result["record"]
                record["best_epoch"] = self.early.best_epoch
                record["epochs_since_best"] = self.early.epochs_since_best
                record["member"] = None
                self.history.append(record)
                print(progress_line(record, epochs), flush=True)
            if SETTINGS["early_stopping"] and self.early.should_stop:
                text = (f"Early stopping: the validation loss did not improve for "
                        f"{SETTINGS['patience']} epochs after epoch {self.early.best_epoch}")
                if SETTINGS["restore_best"] and self.early.best_state is not None:
                    for member, state in zip(self.members, self.early.best_state, strict=True):
                        member.load_state_dict(state)
                    return text + "; its weights were restored."
                return text + "."
        return f"Training completed {epochs} epochs."


def progress_line(record: dict, epochs: int) -> str:
    shown = [f"epoch {record['epoch']}/{epochs}"]
    for key in ("train_loss", "val_loss", "val_accuracy", "val_r2", "lr"):
        if record.get(key) is not None:
            shown.append(f"{key} {record[key]:.6g}")
    return "  ".join(shown)


# --- writing the results -------------------------------------------------------------------

def history_csv(history: list[dict]) -> str:
    """The records as NN Studio's history CSV: columns in order of first appearance."""
    columns: dict[str, None] = {"epoch": None}
    for record in history:
        columns.update(dict.fromkeys(record))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in columns])
    for record in history:
        writer.writerow([cell(record.get(c)) for c in columns])
    return out.getvalue()


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return safe_cell(value)


def safe_cell(value: object) -> str:
    """One line, never read by a spreadsheet as a formula."""
    text = " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())
    try:
        numeric = math.isfinite(float(text))
    except ValueError:
        numeric = False
    return "'" + text if text.startswith(("=", "+", "-", "@")) and not numeric else text


def save(run: Run, out: Path) -> None:
    """history.csv and trained.npz (the model's state dict, the scaler, the key map)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "history.csv").write_text(history_csv(run.history), encoding="utf-8")
    arrays = {k: v.detach().cpu().numpy() for k, v in run.model.state_dict().items()}
    with np.load(HERE / "model.npz", allow_pickle=False) as start:
        arrays.update({k: start[k] for k in start.files if k.startswith("nnstudio.")})
    if run.scaler is not None:
        arrays["preprocessing.offset"], arrays["preprocessing.scale"] = run.scaler
    temp = out / "trained.npz.tmp"
    with temp.open("wb") as handle:
        np.savez(handle, allow_pickle=False, **arrays)
    os.replace(temp, out / "trained.npz")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=f"Train the NN Studio network {NAME!r}.")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--epochs", type=int, default=SETTINGS["epochs"])
    parser.add_argument("--out", type=Path, default=HERE / "output",
                        help="folder for history.csv and trained.npz (default: output)")
    parser.add_argument("--data-dir", default=None,
                        help="read the data files (by name) from this folder")
    parser.add_argument("--weights", type=Path, default=HERE / "model.npz",
                        help="start weights (default: the project's, model.npz)")
    parser.add_argument("--threads", type=int, default=0,
                        help="CPU threads per process (default: PyTorch's choice)")
    args = parser.parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    procs = Processes(args.device)
    torch.manual_seed(SEED + procs.rank)     # dropout masks
    try:
        run = Run(args, procs)
        message = run.run(args.epochs)
        if procs.main:
            save(run, args.out)
            print(message)
            print(f"wrote {args.out / 'history.csv'} and {args.out / 'trained.npz'}")
        procs.wait_for_all()
    finally:
        procs.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
