"""The project's dataset, read, split and scaled exactly as NN Studio does it.

    import data
    splits = data.load_splits()                  # or data.load_splits("/bigger/data/folder")
    x, y = splits["train"]                       # scaled float32 inputs, targets
    splits["val"], splits.get("test")

x: (N, F) for tables or (N, C, H, W) for images, scaled as ``(x - offset) / scale`` per
feature or per channel. y: (N,) int64 class labels for classification, else (N, T)
float32. The split and the scaler NN Studio used are stored in ``data/split.npz``; when the
data have a different number of rows (you pointed ``--data-dir`` at a bigger copy), the
split is drawn and the scaler fitted anew with NN Studio's rules and the project's seed.

Run ``python data.py`` to print the parts' sizes. Needs only NumPy.
"""

from __future__ import annotations

import csv
import gzip
import math
import sys
from pathlib import Path

import numpy as np

# --- NN Studio writes the settings below ---
DATASET: dict = {"source": "arrays", "file": "data/dataset.npz"}
TASK = "classification"
CLASS_NAMES: list[str] = []
SEED = 0
VAL_FRACTION = 0.2
TEST_FRACTION = 0.0
SCALING = "standardize"
# --- end of NN Studio's settings ---

HERE = Path(__file__).resolve().parent
SPLIT_FILE = HERE / "data" / "split.npz"
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
MAX_AUTO_CLASSES = 20
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


# --- reading ---------------------------------------------------------------------------

def read_dataset(data_dir: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the whole dataset, before splitting and scaling. ``data_dir``: look for the
    data files (by their names) in this folder instead of where the project had them."""
    source = DATASET["source"]
    if source == "arrays":
        with np.load(HERE / DATASET["file"], allow_pickle=False) as arrays:
            return np.asarray(arrays["x"], dtype=np.float32), _targets(arrays["y"])
    if source == "npz":
        return _read_npz(_file(DATASET["path"], data_dir))
    if source == "idx":
        return _read_idx_pair(_file(DATASET["images"], data_dir),
                              _file(DATASET["labels"], data_dir))
    if source == "csv":
        return _read_csv(_file(DATASET["path"], data_dir))
    raise ValueError(f"unknown dataset source {source!r}")


def _file(path: str, data_dir: str | Path | None) -> Path:
    return Path(data_dir) / Path(path).name if data_dir is not None else Path(path)


def _targets(y: np.ndarray) -> np.ndarray:
    """y as NN Studio keeps it: (N,) int64 labels for classification, else (N, T) float32."""
    y = np.asarray(y)
    if TASK == "classification":
        return y.reshape(len(y)).astype(np.int64)
    return y.astype(np.float32).reshape(len(y), -1)


def _read_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(path, allow_pickle=False) as arrays:
        x_key = next(k for k in ("X", "x") if k in arrays.files)
        y_key = next(k for k in ("y", "Y") if k in arrays.files)
        x, y = np.asarray(arrays[x_key]), np.asarray(arrays[y_key])
    if x.ndim == 3:
        x = x[:, None, :, :]
    return x.astype(np.float32), _targets(y)


def read_idx(path: Path) -> np.ndarray:
    """The array of an IDX file (MNIST format, raw or gzipped)."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] or raw[1] or raw[2] not in IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file")
    dtype, ndim = np.dtype(IDX_TYPES[raw[2]]), raw[3]
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    count = math.prod(shape)
    if len(raw) != 4 + 4 * ndim + count * dtype.itemsize:
        raise ValueError(f"{path} does not hold the {shape} values its header announces")
    values = np.frombuffer(raw, dtype=dtype, count=count, offset=4 + 4 * ndim)
    return values.reshape(shape).astype(dtype.newbyteorder("="))


def _read_idx_pair(images: Path, labels: Path) -> tuple[np.ndarray, np.ndarray]:
    x = read_idx(images).astype(np.float32) / 255.0
    return x[:, None, :, :], read_idx(labels).astype(np.int64)


def _read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """A CSV table read with NN Studio's rules: sniffed delimiter (, ; TAB), blank lines
    skipped, cells stripped, the header found as NN Studio finds it, the project's columns."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            "\n".join(lines[:20]), delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [(number, [c.strip() for c in cells])
            for number, cells in enumerate(csv.reader(lines, dialect), start=1)
            if any(c.strip() for c in cells)]
    header = DATASET.get("header")
    header = _has_header(rows) if header is None else header
    width = len(rows[0][1])
    names = [n or f"column {i + 1}" for i, n in enumerate(rows[0][1])] if header else \
        [f"column {i + 1}" for i in range(width)]
    rows = rows[1:] if header else rows
    targets = [_column(ref, names) for ref in DATASET["targets"] or [width - 1]]
    features = ([_column(ref, names) for ref in DATASET["features"]]
                if DATASET["features"] is not None
                else [i for i in range(width) if i not in targets])
    x = np.array([[_number(cells[c], line) for c in features] for line, cells in rows],
                 dtype=np.float64).astype(np.float32)
    if DATASET["kind"] == "numeric":
        y = np.array([[_number(cells[c], line) for c in targets] for line, cells in rows],
                     dtype=np.float64)
        return x, _targets(y)
    index = {name: i for i, name in enumerate(CLASS_NAMES)}
    try:
        labels = [index[cells[targets[0]]] for _, cells in rows]
    except KeyError as error:
        raise ValueError(f"{path} has a class {error} that the project does not know "
                         f"(classes: {', '.join(CLASS_NAMES)})") from None
    return x, _targets(np.array(labels, dtype=np.int64))


def _number(cell: str, line: int) -> float:
    try:
        value = float(cell)
    except ValueError:
        value = math.nan
    if cell.lower() in MISSING or not math.isfinite(value):
        raise ValueError(f"line {line}: {cell!r} is not a number")
    return value


def _is_number(cell: str) -> bool:
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False


def _has_header(rows: list[tuple[int, list[str]]]) -> bool:
    first, rest = rows[0][1], [cells for _, cells in rows[1:]]
    for col, cell in enumerate(first):
        if _is_number(cell) or cell.lower() in MISSING:
            continue
        below = [r[col] for r in rest if col < len(r) and r[col].lower() not in MISSING]
        if below and all(_is_number(c) for c in below):
            return True
    return not rest and all(not _is_number(c) and c.lower() not in MISSING for c in first)


def _column(ref: str | int, names: list[str]) -> int:
    return ref if isinstance(ref, int) else names.index(ref)


# --- splitting and scaling -------------------------------------------------------------

def split_rows(y: np.ndarray, seed: int = SEED, val_fraction: float = VAL_FRACTION,
               test_fraction: float = TEST_FRACTION) -> dict[str, np.ndarray]:
    """Row indices of the train / val / test parts, drawn as NN Studio draws them:
    a permutation from ``seed``, classes shared out in proportion (stratified) for
    classification and binary tasks. ``test`` is absent without a test fraction."""
    n = len(y)
    n_val, n_test = round(n * val_fraction), round(n * test_fraction)
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    strata = (y if TASK == "classification" else
              y[:, 0].astype(np.int64) if TASK == "binary" else None)
    if strata is None:
        test, val, train = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
    else:
        groups = [order[strata[order] == k] for k in np.unique(strata)]
        counts = np.array([len(g) for g in groups])
        test_counts = _shares(counts, n_test)
        val_counts = _shares(counts - test_counts, n_val)
        parts: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
        for group, t, v in zip(groups, test_counts, val_counts, strict=True):
            parts[0].append(group[:t])
            parts[1].append(group[t:t + v])
            parts[2].append(group[t + v:])
        test, val, train = (rng.permutation(np.concatenate(p)) for p in parts)
    rows = {"train": train, "val": val}
    if test_fraction > 0:
        rows["test"] = test
    return rows


def _shares(counts: np.ndarray, total: int) -> np.ndarray:
    """``total`` shared between groups in proportion to ``counts`` (largest remainder)."""
    if counts.sum() == 0:
        return np.zeros_like(counts)
    exact = counts * (total / counts.sum())
    share = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - share), kind="stable")
    share[order[:total - int(share.sum())]] += 1
    return np.minimum(share, counts)


def fit_scaler(x: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(offset, scale) fitted on training inputs as NN Studio fits them, or None."""
    if SCALING == "none":
        return None
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    data = x.astype(np.float64)
    if SCALING == "standardize":
        offset, spread = data.mean(axis=axes), data.std(axis=axes)
    else:
        offset = data.min(axis=axes)
        spread = data.max(axis=axes) - offset
    return offset, np.where(spread > 1e-12, spread, 1.0)


def scale(x: np.ndarray, scaler: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """(x - offset) / scale per feature or channel, as float32."""
    if scaler is None:
        return np.asarray(x, dtype=np.float32)
    shape = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
    offset, spread = scaler
    return ((x - offset.reshape(shape)) / spread.reshape(shape)).astype(np.float32)


def load_splits(data_dir: str | Path | None = None) -> dict:
    """{"train": (x, y), "val": (x, y), "test": (x, y) if asked, "scaler": (offset, scale)
    or None, "rows": {part: row indices}}: the parts NN Studio trains and evaluates on."""
    x, y = read_dataset(data_dir)
    with np.load(SPLIT_FILE, allow_pickle=False) as stored:
        if int(stored["n_rows"]) == len(x):
            rows = {part: np.asarray(stored[part]) for part in ("train", "val", "test")
                    if part in stored.files}
            scaler = ((np.asarray(stored["offset"]), np.asarray(stored["scale"]))
                      if "offset" in stored.files else None)
        else:
            print(f"data.py: {len(x)} rows instead of {int(stored['n_rows'])}: drawing a new "
                  "split and fitting the scaler anew", file=sys.stderr)
            rows = split_rows(y)
            scaler = fit_scaler(x[rows["train"]])
    splits: dict = {part: (scale(x[index], scaler), y[index]) for part, index in rows.items()}
    splits["scaler"] = scaler
    splits["rows"] = rows
    return splits


if __name__ == "__main__":
    parts = load_splits(sys.argv[1] if len(sys.argv) > 1 else None)
    for name in ("train", "val", "test"):
        if name in parts:
            print(f"{name}: x {parts[name][0].shape}, y {parts[name][1].shape}")
