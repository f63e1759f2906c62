"""Declared bounds of a project's plain fields: training settings, seed, dataset choice.

One table, read by the project-file loader (a value outside it is refused with a sentence
naming the file and the field), by ``TrainingSettings`` (the same bounds when a project is
built in code) and by the window's editors (their ranges), so the loader accepts exactly
what the window can show and produce. Integers stay far below 2**31 (a Qt spin box).

``check_value(field, value)`` returns the clean value or raises ``FieldError`` whose text
is a phrase ("must be a whole number from 1 to 1,000,000, not 1000000000000"); callers put
the field's name and the file in front.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

FieldKind = Literal["int", "float", "bool", "choice"]

SEED_MAX = 2**31 - 1
"""Largest project seed (the window's seed box is a 32-bit spin box)."""
MAX_ECHO_CHARS = 40
"""An untrusted value is quoted in a sentence up to about this many characters."""
FLOAT32_MAX = float(np.finfo(np.float32).max)
"""Largest magnitude of a weight: the engine computes in float32."""
MAX_TITLE_CHARS = 1000
"""Longest node title (the canvas and a file both keep at most this)."""
MAX_COORDINATE = 1e9
"""Largest magnitude of a node position on the canvas."""


class FieldError(ValueError):
    """A value outside its declared bounds; ``str(error)`` is a phrase without a subject."""


@dataclass(frozen=True)
class Field:
    """One setting: its kind, default, inclusive bounds (numbers) or choices (text)."""

    name: str
    kind: FieldKind
    default: Any
    label: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


OPTIMIZER_NAMES = ("sgd", "adam", "rmsprop")
SCHEDULES = ("constant", "step", "exponential", "cosine", "plateau")
SCALINGS = ("none", "standardize", "minmax")

_TRAINING: tuple[Field, ...] = (
    Field("optimizer", "choice", "sgd", "optimizer", choices=OPTIMIZER_NAMES),
    Field("lr", "float", 0.1, "learning rate", 1e-6, 1e6),
    Field("momentum", "float", 0.0, "momentum", 0.0, 0.999),
    Field("nesterov", "bool", False, "Nesterov setting"),
    Field("weight_decay", "float", 0.0, "weight decay", 0.0, 100.0),
    Field("beta1", "float", 0.9, "beta1 of Adam", 0.0, 0.999999),
    Field("beta2", "float", 0.999, "beta2 of Adam", 0.0, 0.999999),
    Field("alpha", "float", 0.99, "alpha of RMSprop", 0.0, 1.0),
    Field("eps", "float", 1e-8, "epsilon", 1e-12, 1.0),
    Field("batch_size", "int", 32, "batch size", 0, 1_000_000),
    Field("epochs", "int", 100, "number of epochs", 1, 1_000_000),
    Field("shuffle", "bool", True, "shuffle setting"),
    Field("schedule", "choice", "constant", "learning-rate schedule", choices=SCHEDULES),
    Field("step_size", "int", 30, "schedule step size", 1, 100_000),
    Field("gamma", "float", 0.5, "schedule factor gamma", 0.01, 1.0),
    Field("plateau_patience", "int", 5, "plateau patience", 1, 100_000),
    Field("plateau_factor", "float", 0.5, "plateau factor", 0.01, 1.0),
    Field("min_lr", "float", 0.0, "minimum learning rate", 0.0, 1e6),
    Field("val_fraction", "float", 0.2, "validation fraction", 0.0, 0.9),
    Field("test_fraction", "float", 0.0, "test fraction", 0.0, 0.9),
    Field("scaling", "choice", "standardize", "scaling", choices=SCALINGS),
    Field("early_stopping", "bool", False, "early-stopping setting"),
    Field("patience", "int", 10, "early-stopping patience", 1, 100_000),
    Field("min_delta", "float", 0.0, "early-stopping minimum improvement", 0.0, 1e6),
    Field("restore_best", "bool", True, "restore-best setting"),
    Field("bagging_members", "int", 1, "number of bagging members", 1, 50),
)
TRAINING_FIELDS: dict[str, Field] = {f.name: f for f in _TRAINING}
"""Every training setting (``project.training`` keys), in the panel's order."""

SEED = Field("seed", "int", 0, "seed", 0, SEED_MAX)

# --- the dataset choice (``project.dataset``) -------------------------------------------

DATASET_KEYS: dict[str, frozenset[str]] = {
    "builtin": frozenset({"name", "params", "task"}),
    "csv": frozenset({"path", "feature_columns", "target_column", "target_kind", "task",
                      "header"}),
    "npz": frozenset({"path"}),
    "idx": frozenset({"images", "labels"}),
}
"""The keys each dataset source may have besides ``"source"``."""
MAX_PATH_CHARS = 4096
MAX_NAME_CHARS = 1000
MAX_COLUMNS = 100_000
"""Most columns a dataset spec may list (the CSV reader's own limit)."""
MAX_BUILTIN_PARAMS = 16
BUILTIN_PARAM_LIMIT = 1e6
"""Largest magnitude of a built-in dataset's generator setting (its sample count is
bounded again, and tighter, by the generator)."""


def short(value: Any) -> str:
    """An untrusted value for a sentence, never longer than about ``MAX_ECHO_CHARS``."""
    if isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else "null"
    if isinstance(value, int):
        text = str(value) if abs(value) < 10**15 else f"a {len(str(abs(value)))}-digit number"
        return text
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, str):
        text = repr(value)
        if len(text) <= MAX_ECHO_CHARS:
            return text
        return repr(value[: MAX_ECHO_CHARS - 10]) + f"… ({len(value):,} characters)"
    names: dict[type, str] = {dict: "an object", list: "a list"}
    return names.get(type(value), type(value).__name__)


def _number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 10**15:
        return f"{int(value):,}"
    return f"{value:g}"


def bounds_text(field: Field) -> str:
    """``"from 1 to 1,000,000"``."""
    return f"from {_number(field.minimum or 0)} to {_number(field.maximum or 0)}"


def check_value(field: Field, value: Any) -> Any:
    """``value`` as a clean value of ``field`` (ints stay ints, floats become floats), or
    raise FieldError. Whole floats are accepted for int fields (``32.0``)."""
    if field.kind == "bool":
        if not isinstance(value, bool):
            raise FieldError(f"must be true or false, not {short(value)}")
        return value
    if field.kind == "choice":
        if not isinstance(value, str) or value not in field.choices:
            raise FieldError(f"must be one of {', '.join(field.choices)}, not {short(value)}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(f"must be a number, not {short(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldError("must be a finite number")
    if field.kind == "int":
        if isinstance(value, float) and not value.is_integer():
            raise FieldError(f"must be a whole number, not {short(value)}")
        clean: int | float = int(value)
    else:
        clean = float(value)
    low, high = field.minimum, field.maximum
    if (low is not None and clean < low) or (high is not None and clean > high):
        kind = "a whole number" if field.kind == "int" else "a number"
        raise FieldError(f"must be {kind} {bounds_text(field)}, not {short(value)}")
    return clean
