"""Training settings as the project file stores them, checked into one frozen dataclass."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class TrainingError(Exception):
    """A problem the user can fix (invalid graph, dataset mismatch, bad settings): one sentence."""


OPTIMIZER_NAMES = ("sgd", "adam", "rmsprop")
SCHEDULES = ("constant", "step", "exponential", "cosine", "plateau")
SCALINGS = ("none", "standardize", "minmax")

_LABELS = {
    "lr": "learning rate", "momentum": "momentum", "weight_decay": "weight decay",
    "beta1": "Adam's beta1", "beta2": "Adam's beta2", "alpha": "RMSprop's alpha",
    "eps": "epsilon", "batch_size": "batch size", "epochs": "number of epochs",
    "step_size": "schedule step size", "gamma": "schedule factor gamma",
    "plateau_patience": "plateau patience", "plateau_factor": "plateau factor",
    "min_lr": "minimum learning rate", "val_fraction": "validation fraction",
    "test_fraction": "test fraction", "patience": "early-stopping patience",
    "min_delta": "early-stopping minimum improvement",
    "bagging_members": "number of bagging members",
}
FIELD_LABELS = _LABELS
"""Readable names of the numeric settings ("learning rate" for ``lr``)."""


@dataclass(frozen=True)
class TrainingSettings:
    """How to train. ``batch_size`` 1 = stochastic, 0 = the whole training set, else mini-batch."""

    optimizer: str = "sgd"
    lr: float = 0.1
    momentum: float = 0.0
    nesterov: bool = False
    weight_decay: float = 0.0
    beta1: float = 0.9
    beta2: float = 0.999
    alpha: float = 0.99
    eps: float = 1e-8
    batch_size: int = 32
    epochs: int = 100
    shuffle: bool = True
    schedule: str = "constant"
    step_size: int = 30
    gamma: float = 0.5
    plateau_patience: int = 5
    plateau_factor: float = 0.5
    min_lr: float = 0.0
    val_fraction: float = 0.2
    test_fraction: float = 0.0
    scaling: str = "standardize"
    early_stopping: bool = False
    patience: int = 10
    min_delta: float = 0.0
    restore_best: bool = True
    bagging_members: int = 1

    def __post_init__(self) -> None:
        _check(self)

    def to_dict(self) -> dict[str, Any]:
        """All settings as a JSON-able dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TrainingSettings:
        """Settings from a project's dict; missing keys take defaults, bad ones raise."""
        if not isinstance(d, Mapping):
            raise TrainingError("The training settings must be a JSON object.")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - set(fields))
        if unknown:
            raise TrainingError(f"Unknown training setting(s): {', '.join(map(str, unknown))}.")
        values: dict[str, Any] = {}
        for name, value in d.items():
            values[name] = _coerce(name, type(getattr(cls(), name)), value)
        return cls(**values)

    def descent_kind(self, n_train: int) -> str:
        """The lecture's name: "batch", "stochastic" or "mini-batch" gradient descent."""
        if self.batch_size == 0 or self.batch_size >= n_train:
            return "batch"
        if self.batch_size == 1:
            return "stochastic"
        return "mini-batch"

    def effective_batch_size(self, n_train: int) -> int:
        """Samples per step for a training set of ``n_train`` samples."""
        if self.batch_size == 0:
            return max(n_train, 1)
        return max(1, min(self.batch_size, n_train))


def _coerce(name: str, kind: type, value: Any) -> Any:
    label = _LABELS.get(name, name)
    if kind is bool:
        if not isinstance(value, bool):
            raise TrainingError(f"The setting '{name}' must be true or false, not {value!r}.")
        return value
    if kind is str:
        if not isinstance(value, str):
            raise TrainingError(f"The setting '{name}' must be text, not {value!r}.")
        return value.lower()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TrainingError(f"The {label} must be a number, not {value!r}.")
    if kind is int:
        if not math.isfinite(value) or float(value) != int(value):
            raise TrainingError(f"The {label} must be a whole number, not {value!r}.")
        return int(value)
    return float(value)


def _check(s: TrainingSettings) -> None:
    def fail(text: str) -> None:
        raise TrainingError(text)

    for name in _LABELS:
        value = getattr(s, name)
        if not math.isfinite(value):
            fail(f"The {_LABELS[name]} must be a finite number.")
    if s.optimizer not in OPTIMIZER_NAMES:
        fail(f"Unknown optimizer '{s.optimizer}' (use sgd, adam or rmsprop).")
    if s.schedule not in SCHEDULES:
        fail(f"Unknown learning-rate schedule '{s.schedule}' (use {', '.join(SCHEDULES)}).")
    if s.scaling not in SCALINGS:
        fail(f"Unknown scaling '{s.scaling}' (use none, standardize or minmax).")
    if s.lr <= 0:
        fail("The learning rate must be above zero.")
    for name in ("momentum", "weight_decay", "min_lr", "min_delta"):
        if getattr(s, name) < 0:
            fail(f"The {_LABELS[name]} must not be negative.")
    if s.nesterov and s.optimizer == "sgd" and s.momentum <= 0:
        fail("Nesterov momentum needs a momentum above zero.")
    for name in ("beta1", "beta2"):
        if not 0 <= getattr(s, name) < 1:
            fail(f"{_LABELS[name]} must lie in [0, 1).")
    if not 0 <= s.alpha <= 1:
        fail("RMSprop's alpha must lie between 0 and 1.")
    if s.eps <= 0:
        fail("Epsilon must be above zero.")
    if s.batch_size < 0:
        fail("The batch size must be 0 (the whole training set) or a positive number.")
    for name in ("epochs", "step_size", "plateau_patience", "patience", "bagging_members"):
        if getattr(s, name) < 1:
            fail(f"The {_LABELS[name]} must be at least 1.")
    for name in ("gamma", "plateau_factor"):
        if not 0 < getattr(s, name) <= 1:
            fail(f"The {_LABELS[name]} must lie in (0, 1].")
    if not 0 <= s.val_fraction < 1 or not 0 <= s.test_fraction < 1:
        fail("The validation and test fractions must lie between 0 and 1.")
    if s.val_fraction + s.test_fraction >= 1:
        fail("The validation and test fractions together must leave data for training.")
    if s.early_stopping and s.val_fraction == 0:
        fail("Early stopping needs a validation split (a validation fraction above 0).")
