"""Datasets for NN Studio: built-in sets, file importers, splits, scaling, target encodings.

No Qt here. Every loader returns a validated, read-only :class:`Dataset`; every problem a
user can cause raises :class:`DatasetError` with one sentence naming the file and the spot.
File loaders take a ``progress(done, total)`` callback that may raise
:class:`LoadCancelledError`.
"""

from nnstudio.training.datasets.builtin import BUILTIN, BuiltinDataset, load_builtin
from nnstudio.training.datasets.csv_import import CsvLayout, csv_layout, import_csv
from nnstudio.training.datasets.dataset import TASKS, Dataset, Task, as_binary
from nnstudio.training.datasets.errors import DatasetError, LoadCancelledError, Progress
from nnstudio.training.datasets.idx_import import idx_partner, import_idx, read_idx
from nnstudio.training.datasets.limits import MAX_CLASSES
from nnstudio.training.datasets.npz_import import NpyHeader, import_npz, npz_headers
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
    "MAX_CLASSES",
    "TASKS",
    "BuiltinDataset",
    "CsvLayout",
    "Dataset",
    "DatasetError",
    "LoadCancelledError",
    "NpyHeader",
    "Progress",
    "Scaler",
    "ScalerKind",
    "Split",
    "SplitIndices",
    "Task",
    "as_binary",
    "csv_layout",
    "encode_categories",
    "idx_partner",
    "import_csv",
    "import_idx",
    "import_npz",
    "labels_from_scores",
    "load_builtin",
    "load_dataset",
    "npz_headers",
    "one_hot",
    "read_idx",
    "resources_dir",
    "saved_or_fitted_scaler",
    "scale_split",
    "split_dataset",
    "split_indices",
    "target_array",
]
