"""What a dataset looks like to a graph: the facts validation needs, no arrays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TargetKind = Literal["regression", "binary", "classification", "multilabel"]


@dataclass(frozen=True)
class DataSignature:
    """Shapes of one dataset, without the batch dimension.

    input_shape: ``(features,)`` for tables, ``(channels, height, width)`` for images.
    target_kind: ``regression`` (real targets), ``binary`` (0/1 targets),
        ``classification`` (integer class labels), ``multilabel`` (several 0/1 targets).
    n_targets: target columns for regression/binary/multilabel; number of classes
        for classification.
    feature_names: one name per input feature (tables only; empty for images).
    target_min, target_max: the smallest and largest target value over all target columns
        (regression/binary/multilabel), or None when unknown or for class labels.
    n_samples: the number of samples (None when unknown), for the memory estimate of
        batch gradient descent.
    """

    input_shape: tuple[int, ...]
    target_kind: TargetKind
    n_targets: int
    feature_names: tuple[str, ...] = ()
    target_min: float | None = None
    target_max: float | None = None
    n_samples: int | None = None
