"""The 8x8 handwritten digits shipped in ``resources/digits.npz`` (UCI optical digits)."""

from __future__ import annotations

import numpy as np

from nnstudio.training.datasets.dataset import Dataset
from nnstudio.training.datasets.errors import DatasetError
from nnstudio.training.datasets.resources import resources_dir

DIGITS_FILE = "digits.npz"


def digits(rng: np.random.Generator) -> Dataset:
    """x: (1797, 1, 8, 8) float32 in [0, 1] (pixel counts 0..16 / 16); y: (1797,) int64 0..9.

    ``rng`` is unused: the set is fixed (splits shuffle it).
    """
    del rng
    path = resources_dir() / DIGITS_FILE
    try:
        with np.load(path, allow_pickle=False) as data:
            images = np.asarray(data["images"])
            labels = np.asarray(data["labels"])
    except (OSError, KeyError, ValueError) as exc:
        raise DatasetError(f"Cannot read the digits data {path}: {exc}.", path=path) from exc
    if images.shape[1:] != (8, 8) or labels.shape != images.shape[:1]:
        raise DatasetError(f"The digits data {path} has unexpected array shapes.", path=path)
    return Dataset(
        name="digits",
        x=(images.astype(np.float32) / 16.0)[:, None, :, :],
        y=labels.astype(np.int64),
        task="classification",
        feature_names=(),
        class_names=tuple(str(d) for d in range(10)),
        description=(
            "1,797 handwritten digits as 8x8 grey images (each pixel counts the ink in a 4x4 "
            "block, 0..16, shown here as 0..1), classes 0-9. A dense network reaches about 95 % "
            "accuracy; a small convolutional network does better because it shares weights "
            "across positions. Data: E. Alpaydin and C. Kaynak, UCI Machine Learning "
            "Repository (CC BY 4.0), as distributed with scikit-learn."
        ),
    )
