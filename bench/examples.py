"""Train every example project headless and check the lecture's targets.

Run from the repository root:  ``python bench/examples.py [NAME ...]``. Prints, per
example, the epochs run, the final metrics and the wall time, and whether its target
(issue 4's acceptance list) holds; the exit code is 1 when any target fails.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnstudio.graph.files.project_file import load_project  # noqa: E402
from nnstudio.training import Finished, Trainer  # noqa: E402

TIME_LIMIT_S = 120.0

Check = Callable[[list[dict[str, Any]]], bool]


def _acc(level: float) -> Check:
    return lambda h: (h[-1].get("val_accuracy") or 0.0) >= level


def _falls(h: list[dict[str, Any]]) -> bool:
    return h[-1]["train_loss"] < h[0]["train_loss"]


def _r2(level: float) -> Check:
    return lambda h: (h[-1].get("val_r2") or 0.0) >= level


def _ensemble(h: list[dict[str, Any]]) -> bool:
    return all(r["val_loss"] <= r["member_mean_val_loss"] + 1e-12 for r in h)


TARGETS: dict[str, tuple[str, Check]] = {
    "chocolate_happiness": ("loss falls", _falls),
    "linear_regression": ("val R² ≥ 0.9", _r2(0.9)),
    "logistic_regression": ("val accuracy ≥ 98 %", _acc(0.98)),
    "xor": ("val accuracy ≥ 98 %", _acc(0.98)),
    "spiral_regularization": ("val accuracy ≥ 90 %", _acc(0.90)),
    "digits_mlp": ("val accuracy ≥ 95 %", _acc(0.95)),
    "digits_cnn": ("val accuracy ≥ 97 %", _acc(0.97)),
    "bagging": ("ensemble val loss ≤ members' mean every epoch", _ensemble),
}


def train_example(name: str) -> tuple[list[dict[str, Any]], Finished, float]:
    """Train ``examples/<name>.nnstudio`` with its own settings; (history, end, seconds)."""
    project = load_project(ROOT / "examples" / f"{name}.nnstudio")
    start = time.perf_counter()
    trainer = Trainer(project, base_dir=ROOT / "examples")
    finished = None
    for record in trainer.run():
        if isinstance(record, Finished):
            finished = record
    assert finished is not None
    return trainer.history, finished, time.perf_counter() - start


def _fmt(record: dict[str, Any]) -> str:
    keys = ("train_loss", "val_loss", "val_accuracy", "val_mae", "val_r2")
    return "  ".join(f"{k}={record[k]:.4f}" for k in keys if record.get(k) is not None)


def main(names: list[str]) -> int:
    failed = 0
    for name in names or list(TARGETS):
        label, check = TARGETS[name]
        history, finished, seconds = train_example(name)
        ok = check(history) and seconds <= TIME_LIMIT_S
        failed += not ok
        print(f"{name:22s} {'PASS' if ok else 'FAIL'}  {seconds:6.1f} s  "
              f"{finished.epochs_run:4d} epochs ({finished.reason})  {_fmt(history[-1])}  "
              f"[target: {label}, ≤ {TIME_LIMIT_S:.0f} s]", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
