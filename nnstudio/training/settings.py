"""Training settings as the project file stores them, checked into one frozen dataclass."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nnstudio.graph.model.fields import (
    OPTIMIZER_NAMES,
    SCALINGS,
    SCHEDULES,
    TRAINING_FIELDS,
    FieldError,
    check_value,
    short,
)

__all__ = ["FIELD_LABELS", "OPTIMIZER_NAMES", "SCALINGS", "SCHEDULES", "TrainingError",
           "TrainingSettings"]


class TrainingError(Exception):
    """A problem the user can fix (invalid graph, dataset mismatch, bad settings): one sentence."""


FIELD_LABELS = {name: f.label for name, f in TRAINING_FIELDS.items()
                if f.kind in ("int", "float")}
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
        unknown = sorted(str(k) for k in set(d) - set(TRAINING_FIELDS))
        if unknown:
            shown = ", ".join(short(k) for k in unknown[:3]) + (", …" if len(unknown) > 3
                                                               else "")
            raise TrainingError(f"Unknown training setting(s): {shown}.")
        return cls(**{name: value for name, value in d.items()})

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


def _check(s: TrainingSettings) -> None:
    """Each setting within its declared bounds (``graph.model.fields``), then the rules
    that join several settings."""
    def fail(text: str) -> None:
        raise TrainingError(text)

    for name, field in TRAINING_FIELDS.items():
        value = getattr(s, name)
        if field.kind == "choice" and isinstance(value, str) and value.lower() in field.choices:
            object.__setattr__(s, name, value.lower())
            continue
        try:
            object.__setattr__(s, name, check_value(field, value))
        except FieldError as error:
            fail(f"The {field.label} {error}.")
    if s.nesterov and s.optimizer == "sgd" and s.momentum <= 0:
        fail("Nesterov momentum needs a momentum above zero.")
    if s.val_fraction + s.test_fraction >= 1:
        fail("The validation and test fractions together must leave data for training.")
    if s.early_stopping and s.val_fraction == 0:
        fail("Early stopping needs a validation split (a validation fraction above 0).")
