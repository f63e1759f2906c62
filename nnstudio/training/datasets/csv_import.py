"""Read a CSV table into a :class:`Dataset`.

Rules: the delimiter is sniffed among ``, ; TAB``; blank lines are skipped; the first row
is a header when one of its cells is not a number in a column whose other cells are
numbers (or when ``header`` says so); the target defaults to the last column and the
features to all other columns. Missing values (empty, NA, N/A, NaN, null, ?) in a used
column are errors naming the line and column.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from nnstudio.training.datasets.dataset import TASKS, Dataset, Task
from nnstudio.training.datasets.errors import DatasetError
from nnstudio.training.datasets.targets import encode_categories

TargetKind = Literal["auto", "numeric", "categorical"]
ColumnRef = str | int
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
#: An integer-valued numeric target with at most this many distinct values is categorical.
MAX_AUTO_CLASSES = 20


def _is_missing(cell: str) -> bool:
    return cell.strip().lower() in MISSING


def _to_number(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, cells) for every non-blank row."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise DatasetError(f"The CSV file {path} does not exist.", path=path) from exc
    except UnicodeDecodeError as exc:
        raise DatasetError(f"The CSV file {path} is not UTF-8 text.", path=path) from exc
    except OSError as exc:
        raise DatasetError(f"Cannot read the CSV file {path}: {exc.strerror}.", path=path) from exc
    lines = text.splitlines()
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            "\n".join(lines[:20]), delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    rows = []
    for number, cells in enumerate(csv.reader(lines, dialect), start=1):
        if any(c.strip() for c in cells):
            rows.append((number, [c.strip() for c in cells]))
    return rows


def _detect_header(rows: list[tuple[int, list[str]]]) -> bool:
    first = rows[0][1]
    rest = [cells for _, cells in rows[1:]]
    for col, cell in enumerate(first):
        if _to_number(cell) is not None or _is_missing(cell):
            continue
        below = [r[col] for r in rest if col < len(r) and not _is_missing(r[col])]
        if below and all(_to_number(c) is not None for c in below):
            return True
    return not rest and all(_to_number(c) is None and not _is_missing(c) for c in first)


def _resolve(ref: ColumnRef, names: list[str], path: Path) -> int:
    if isinstance(ref, int) and not isinstance(ref, bool):
        if 0 <= ref < len(names):
            return ref
        raise DatasetError(
            f"The CSV file {path} has no column number {ref} (it has {len(names)}).",
            path=path,
        )
    if ref in names:
        return names.index(ref)
    raise DatasetError(
        f"The CSV file {path} has no column '{ref}' (columns: {', '.join(names)}).",
        path=path,
        column=str(ref),
    )


def _numeric_column(
    rows: list[tuple[int, list[str]]], col: int, name: str, path: Path, role: str
) -> np.ndarray:
    values = np.empty(len(rows), dtype=np.float64)
    for i, (line, cells) in enumerate(rows):
        cell = cells[col]
        if _is_missing(cell):
            raise DatasetError(
                f"In {path}, line {line} has a missing value in column '{name}' "
                f"({cell!r}); fill it in or remove the row.",
                path=path,
                line=line,
                column=name,
            )
        number = _to_number(cell)
        if number is None:
            raise DatasetError(
                f"In {path}, line {line}, {role} column '{name}' holds {cell!r}, "
                "which is not a number.",
                path=path,
                line=line,
                column=name,
            )
        values[i] = number
    return values


def _target_cells(rows: list[tuple[int, list[str]]], col: int, name: str, path: Path) -> list[str]:
    for line, cells in rows:
        if _is_missing(cells[col]):
            raise DatasetError(
                f"In {path}, line {line} has a missing value in target column '{name}' "
                f"({cells[col]!r}); fill it in or remove the row.",
                path=path,
                line=line,
                column=name,
            )
    return [cells[col] for _, cells in rows]


def _choose_kind(cells: list[str], kind: TargetKind, task: Task | None) -> str:
    if task in ("classification", "binary"):
        return "categorical"
    if task in ("regression", "multilabel"):
        return "numeric"
    if kind != "auto":
        return kind
    numbers = [_to_number(c) for c in cells]
    if any(n is None for n in numbers):
        return "categorical"
    distinct = set(numbers)
    integral = all(float(n).is_integer() for n in distinct if n is not None)
    small = len(distinct) <= MAX_AUTO_CLASSES and 2 * len(distinct) <= len(cells)
    return "categorical" if integral and small else "numeric"


def import_csv(
    path: Path | str,
    feature_columns: Sequence[ColumnRef] | None = None,
    target_column: ColumnRef | Sequence[ColumnRef] | None = None,
    target_kind: TargetKind = "auto",
    task: Task | None = None,
    header: bool | None = None,
) -> Dataset:
    """Read ``path`` into a table dataset: x (N, F) float32 and y as the task needs.

    target_column: a name or 0-based index (several for multi-output regression or
    multilabel); default the last column. target_kind ``numeric`` gives regression,
    ``categorical`` gives classification with ``class_names``; ``auto`` treats text or a
    few whole numbers (≤ 20 distinct, each seen twice on average) as classes.
    task overrides the choice (``binary`` needs exactly two classes).
    """
    path = Path(path)
    if task is not None and task not in TASKS:
        raise DatasetError(f"Unknown task '{task}' for {path} (use one of {', '.join(TASKS)}).")
    if target_kind not in ("auto", "numeric", "categorical"):
        raise DatasetError(f"Unknown target kind '{target_kind}' for {path}.")
    rows = _read_rows(path)
    if not rows:
        raise DatasetError(f"The CSV file {path} is empty.", path=path)
    has_header = _detect_header(rows) if header is None else header
    width = len(rows[0][1])
    names = rows[0][1] if has_header else [f"column {i + 1}" for i in range(width)]
    if has_header:
        names = [n or f"column {i + 1}" for i, n in enumerate(names)]
        rows = rows[1:]
    if not rows:
        raise DatasetError(f"The CSV file {path} has a header but no data rows.", path=path)
    for line, cells in rows:
        if len(cells) != width:
            raise DatasetError(
                f"In {path}, line {line} has {len(cells)} fields but the "
                f"{'header' if has_header else 'first row'} has {width}.",
                path=path,
                line=line,
            )
    if width < 2:
        raise DatasetError(f"The CSV file {path} needs at least two columns.", path=path)

    if target_column is None:
        target_refs: list[ColumnRef] = [width - 1]
    elif isinstance(target_column, str | int):
        target_refs = [target_column]
    else:
        target_refs = list(target_column)
    targets = [_resolve(r, names, path) for r in target_refs]
    if feature_columns is None:
        features = [i for i in range(width) if i not in targets]
    else:
        features = [_resolve(r, names, path) for r in feature_columns]
    if not features:
        raise DatasetError(f"No feature columns were chosen for {path}.", path=path)
    if set(features) & set(targets):
        raise DatasetError(f"In {path}, a target column is also chosen as a feature.", path=path)

    x = np.stack([_numeric_column(rows, c, names[c], path, "feature") for c in features], axis=1)
    feature_names = tuple(names[c] for c in features)

    def build(y: np.ndarray, kind: Task, class_names: tuple[str, ...] | None = None) -> Dataset:
        try:
            return Dataset(
                name=path.stem,
                x=x.astype(np.float32),
                y=y,
                task=kind,
                feature_names=feature_names,
                class_names=class_names,
                description=f"Imported from {path.name}: {len(rows)} rows, "
                f"{len(features)} features.",
            )
        except DatasetError as exc:
            raise DatasetError(f"The data in {path} do not fit: {exc}", path=path) from exc

    if len(targets) > 1:
        if task not in (None, "regression", "multilabel"):
            raise DatasetError(
                f"Several target columns in {path} need the task regression or multilabel.",
                path=path,
            )
        y = np.stack([_numeric_column(rows, c, names[c], path, "target") for c in targets], axis=1)
        return build(y.astype(np.float32), task or "regression")

    t_col = targets[0]
    t_name = names[t_col]
    cells = _target_cells(rows, t_col, t_name, path)
    if _choose_kind(cells, target_kind, task) == "numeric":
        y = _numeric_column(rows, t_col, t_name, path, "target").reshape(-1, 1)
        return build(y.astype(np.float32), task or "regression")
    labels, class_names = encode_categories(cells)
    if task == "binary":
        if len(class_names) != 2:
            raise DatasetError(
                f"Target column '{t_name}' of {path} has {len(class_names)} classes, "
                "but a binary task needs exactly 2.",
                path=path,
                column=t_name,
            )
        return build(labels.astype(np.float32).reshape(-1, 1), "binary", class_names)
    return build(labels, "classification", class_names)


__all__ = ["MISSING", "import_csv"]
