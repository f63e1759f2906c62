"""Evaluation losses and metrics computed from a plan's eval-mode predictions.

Losses are computed on probabilities (the form ``Plan.predict`` returns), so averaging
the predictions of several models (bagging) can only lower them (the losses are convex in
the prediction). The numbers match the training losses up to clipping at 1e-7.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnstudio.graph.compiler import OutputHead

_EPS = 1e-7


def head_target(head: OutputHead, y: np.ndarray, n_cols: int) -> np.ndarray:
    """The part of ``y`` that ``head`` predicts: (N,) labels or (N, n_cols) floats."""
    n = y.shape[0]
    if head.loss == "cross_entropy":
        return y.reshape(n).astype(np.int64)
    if head.target_column is not None:
        column = y if y.ndim == 1 else y[:, head.target_column]
        return column.reshape(n, 1).astype(np.float64)
    return y.reshape(n, n_cols).astype(np.float64)


def eval_loss(heads: Sequence[OutputHead], pred: np.ndarray, y: np.ndarray) -> float:
    """Σ over heads of the mean data loss. pred: (N, P) as ``Plan.predict`` returns."""
    total = 0.0
    for head in heads:
        block = pred[:, head.columns].astype(np.float64)
        target = head_target(head, y, block.shape[1])
        if head.loss == "mse":
            total += float(np.mean((block - target) ** 2))
        elif head.loss == "cross_entropy":
            p = np.clip(block[np.arange(len(target)), target], _EPS, 1.0)
            total += float(-np.mean(np.log(p)))
        else:  # binary cross-entropy on probabilities (sigmoid already applied)
            p = np.clip(block, _EPS, 1.0 - _EPS)
            total += float(-np.mean(target * np.log(p) + (1 - target) * np.log1p(-p)))
    return total


def aligned_prediction(heads: Sequence[OutputHead], pred: np.ndarray,
                       n_targets: int) -> np.ndarray:
    """Predictions arranged like the targets: (N, T) (or (N, K) class scores)."""
    if len(heads) == 1 and heads[0].target_column is None:
        return pred[:, heads[0].columns]
    out = np.zeros((pred.shape[0], n_targets), dtype=np.float64)
    for head in heads:
        column = head.target_column if head.target_column is not None else 0
        block = pred[:, head.columns]
        out[:, column:column + block.shape[1]] = block
    return out


def task_metrics(task: str, heads: Sequence[OutputHead], pred: np.ndarray, y: np.ndarray,
                 prefix: str) -> dict[str, float]:
    """``{prefix}_accuracy`` for classification/binary/multilabel, ``{prefix}_mae`` and
    ``{prefix}_r2`` for regression. y: the split's targets as the dataset stores them."""
    if len(y) == 0:
        return {}
    n_targets = int(np.max([h.columns.stop for h in heads]))
    if task == "classification":
        scores = aligned_prediction(heads, pred, n_targets)
        labels = y.reshape(-1).astype(np.int64)
        if scores.shape[1] == 1:  # one probability column for a 2-class set
            guess = (scores[:, 0] >= 0.5).astype(np.int64)
        else:
            guess = scores.argmax(axis=1)
        return {f"{prefix}_accuracy": float(np.mean(guess == labels))}
    targets = y.reshape(len(y), -1).astype(np.float64)
    scores = aligned_prediction(heads, pred, targets.shape[1]).astype(np.float64)
    if task in ("binary", "multilabel"):
        if task == "binary" and scores.shape[1] == 2:  # softmax over two classes
            guess = scores.argmax(axis=1).reshape(-1, 1)
        else:
            guess = (scores[:, : targets.shape[1]] >= 0.5).astype(np.float64)
        return {f"{prefix}_accuracy": float(np.mean(guess == targets))}
    scores = scores[:, : targets.shape[1]]
    err = scores - targets
    ss_res = float(np.sum(err**2))
    ss_tot = float(np.sum((targets - targets.mean(axis=0)) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 0.0
    return {f"{prefix}_mae": float(np.mean(np.abs(err))), f"{prefix}_r2": r2}


def norms(arrays: dict[str, np.ndarray]) -> dict[str, float]:
    """node id -> Euclidean norm of its array."""
    return {k: float(np.sqrt(np.vdot(a, a).real)) for k, a in arrays.items()}
