"""Datasets for NN Studio: built-in sets, file importers, splits, scaling, target encodings.

No Qt here. Every loader returns a validated, read-only :class:`Dataset`; every problem a
user can cause raises :class:`DatasetError` with one sentence naming the file and the spot.
"""

from nnstudio.training.datasets.builtin import BUILTIN, BuiltinDataset, load_builtin
from nnstudio.training.datasets.csv_import import import_csv
from nnstudio.training.datasets.dataset import TASKS, Dataset, Task, as_binary
from nnstudio.training.datasets.errors import DatasetError
from nnstudio.training.datasets.idx_import import import_idx, read_idx
from nnstudio.training.datasets.npz_import import import_npz
from nnstudio.training.datasets.resources import resources_dir
from nnstudio.training.datasets.scaling import (
    Scaler,
    ScalerKind,
    saved_or_fitted_scaler,
    scale_split,
)
from nnstudio.training.datasets.spec import load_dataset
from nnstudio.training.datasets.split import Split, SplitIndices, split_dataset, split_indices
from nnstudio.training.datasets.targets import (
    encode_categories,
    labels_from_scores,
    one_hot,
    target_array,
)

__all__ = [
    "BUILTIN",
    "TASKS",
    "BuiltinDataset",
    "Dataset",
    "DatasetError",
    "Scaler",
    "ScalerKind",
    "Split",
    "SplitIndices",
    "Task",
    "as_binary",
    "encode_categories",
    "import_csv",
    "import_idx",
    "import_npz",
    "labels_from_scores",
    "load_builtin",
    "load_dataset",
    "one_hot",
    "read_idx",
    "resources_dir",
    "saved_or_fitted_scaler",
    "scale_split",
    "split_dataset",
    "split_indices",
    "target_array",
]
