"""nnstudio.training: the trainer loop, its settings and progress records, datasets (no Qt).

See ``/work/team/TRAINER_API.md``-style usage in :mod:`nnstudio.training.trainer`.
"""

from nnstudio.training.control import TrainingControl
from nnstudio.training.records import (
    EpochRecord,
    Finished,
    GridPrediction,
    Progress,
    Snapshot,
    StepRecord,
    TrainingResults,
)
from nnstudio.training.settings import TrainingError, TrainingSettings
from nnstudio.training.trainer import Trainer

__all__ = [
    "EpochRecord",
    "Finished",
    "GridPrediction",
    "Progress",
    "Snapshot",
    "StepRecord",
    "Trainer",
    "TrainingControl",
    "TrainingError",
    "TrainingResults",
    "TrainingSettings",
]
