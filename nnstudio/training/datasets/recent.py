"""The most recently loaded file dataset, kept so that loading the same spec again (the
import dialog in the background, then the window, the training panel and the backprop view)
does not read the file again.

A hit needs an equal spec (with its paths resolved) and unchanged files: the same device,
inode, size and modification time. A file modified less than ``RACY_S`` seconds before it
was read is not kept, since a second write within the clock's resolution could leave its
time unchanged. Datasets are read-only, so sharing one is safe. Only one dataset is kept;
``clear()`` drops it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nnstudio.training.datasets.dataset import Dataset

RACY_S = 2.0
_lock = threading.Lock()
_kept: tuple[Any, Dataset] | None = None


def _key(spec_key: str, paths: Sequence[Path], settled: bool = False) -> Any | None:
    """The cache key, or None when a file cannot be stat'ed (or, with ``settled``, was
    modified within the last ``RACY_S`` seconds)."""
    try:
        stats = [os.stat(p) for p in paths]
    except (OSError, ValueError):
        return None
    if settled and any(s.st_mtime_ns > time.time_ns() - RACY_S * 1e9 for s in stats):
        return None
    return spec_key, tuple((s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns) for s in stats)


def recall(spec_key: str, paths: Sequence[Path]) -> Dataset | None:
    """The dataset kept for ``spec_key`` if its files are unchanged, else None."""
    key = _key(spec_key, paths)
    with _lock:
        if key is not None and _kept is not None and _kept[0] == key:
            return _kept[1]
    return None


def keep(spec_key: str, paths: Sequence[Path], dataset: Dataset) -> None:
    """Remember ``dataset`` as loaded from ``paths`` under ``spec_key``."""
    global _kept
    key = _key(spec_key, paths, settled=True)
    with _lock:
        _kept = None if key is None else (key, dataset)


def clear() -> None:
    """Forget the kept dataset."""
    global _kept
    with _lock:
        _kept = None
