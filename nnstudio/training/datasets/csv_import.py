"""Read a CSV table into a :class:`Dataset` under strict rules (see ``csv_text``).

The delimiter is one of ``, ; TAB``; blank lines are skipped; the first row is a header
when one of its cells is not a number in a column whose other cells (in the first
``HEAD_ROWS`` rows) are numbers, or when ``header`` says so. Header names must be unique.
The target defaults to the last column and the features to all other columns. Missing
values (empty, NA, N/A, NaN, null, none, ?) in a used column are errors naming the line
and column; unused columns may hold anything. A categorical target needs 2 to
``MAX_CLASSES`` classes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from nnstudio.safe_io import echo, shown_path
from nnstudio.training.datasets.csv_reader import (
    CsvColumns,
    CsvHead,
    NotANumberError,
    Rows,
    read_columns,
    read_head,
)
from nnstudio.training.datasets.csv_text import (
    MISSING,
    is_missing,
    is_number,
    python_would_read,
)
from nnstudio.training.datasets.dataset import TASKS, Dataset, Task
from nnstudio.training.datasets.errors import DatasetError, Progress, no_progress
from nnstudio.training.datasets.limits import MAX_CLASSES
from nnstudio.training.datasets.targets import check_classes, encode_categories

TargetKind = Literal["auto", "numeric", "categorical"]
ColumnRef = str | int
#: An integer-valued numeric target with at most this many distinct values is categorical.
MAX_AUTO_CLASSES = 20


@dataclass(frozen=True)
class CsvLayout:
    """How a CSV file is laid out: column names, whether line ``header_line`` is a header
    (0 when there is none), the guess, and the first data rows (line, cells)."""

    head: CsvHead
    names: list[str]
    has_header: bool
    detected_header: bool
    header_line: int
    sample: Rows

    @property
    def width(self) -> int:
        return len(self.names)


def detect_header(rows: Rows) -> bool:
    """True if the first row looks like column names (see the module docstring)."""
    first = rows[0][1]
    rest = [cells for _, cells in rows[1:]]
    for col, cell in enumerate(first):
        if is_number(cell) or is_missing(cell):
            continue
        below = [r[col] for r in rest if col < len(r) and not is_missing(r[col])]
        if below and all(is_number(c) for c in below):
            return True
    return not rest and all(not is_number(c) and not is_missing(c) for c in first)


def csv_layout(path: Path | str, header: bool | None = None) -> CsvLayout:
    """Read the first lines of ``path`` and work out its columns (raises DatasetError)."""
    head = read_head(Path(path))
    path = head.path
    if not head.rows:
        raise DatasetError(f"The CSV file {shown_path(path)} is empty.", path=path)
    detected = detect_header(head.rows)
    has_header = detected if header is None else bool(header)
    first_line, first = head.rows[0]
    if has_header:
        names = [n or f"column {i + 1}" for i, n in enumerate(first)]
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            if name in seen:
                raise DatasetError(
                    f"The header of {shown_path(path)} names column {echo(name)} twice "
                    f"(columns {seen[name] + 1} and {i + 1}); give every column its own name.",
                    path=path, line=first_line, column=name)
            seen[name] = i
    else:
        names = [f"column {i + 1}" for i in range(len(first))]
    sample = head.rows[1:] if has_header else head.rows
    for line, cells in sample:
        if len(cells) != len(names):
            raise DatasetError(
                f"In {shown_path(path)}, line {line} has {len(cells)} fields but the "
                f"{'header' if has_header else 'first row'} has {len(names)}.",
                path=path, line=line)
    return CsvLayout(head, names, has_header, detected, first_line if has_header else 0, sample)


def _resolver(names: list[str], path: Path) -> Callable[[ColumnRef], int]:
    index = {name: i for i, name in enumerate(names)}

    def resolve(ref: ColumnRef) -> int:
        if isinstance(ref, int) and not isinstance(ref, bool):
            if 0 <= ref < len(names):
                return ref
            raise DatasetError(f"The CSV file {shown_path(path)} has no column number {ref} "
                               f"(it has {len(names)}).", path=path)
        if isinstance(ref, str) and ref in index:
            return index[ref]
        shown = ", ".join(names[:12]) + (f", … ({len(names)} in all)" if len(names) > 12 else "")
        raise DatasetError(f"The CSV file {shown_path(path)} has no column "
                           f"{echo(str(ref))} (columns: {shown}).", path=path,
                           column=str(ref)[:200])

    return resolve


def _wanted_kind(kind: TargetKind, task: Task | None) -> str:
    if task in ("classification", "binary"):
        return "categorical"
    if task in ("regression", "multilabel"):
        return "numeric"
    return kind


def import_csv(
    path: Path | str,
    feature_columns: Sequence[ColumnRef] | None = None,
    target_column: ColumnRef | Sequence[ColumnRef] | None = None,
    target_kind: TargetKind = "auto",
    task: Task | None = None,
    header: bool | None = None,
    progress: Progress = no_progress,
) -> Dataset:
    """Read ``path`` into a table dataset: x (N, F) float32 and y as the task needs.

    target_column: a name or 0-based index (several for multi-output regression or
    multilabel); default the last column. target_kind ``numeric`` gives regression,
    ``categorical`` gives classification with ``class_names``; ``auto`` treats text or a
    few whole numbers (≤ 20 distinct, each seen twice on average) as classes.
    task overrides the choice (``binary`` needs exactly two classes). ``progress(done,
    total)`` is called with bytes read and may raise ``LoadCancelledError``.
    """
    path = Path(path)
    if task is not None and task not in TASKS:
        raise DatasetError(f"Unknown task {echo(str(task))} for {shown_path(path)} "
                           f"(use one of {', '.join(TASKS)}).")
    if target_kind not in ("auto", "numeric", "categorical"):
        raise DatasetError(f"Unknown target kind {echo(str(target_kind))} for "
                           f"{shown_path(path)}.")
    layout = csv_layout(path, header)
    names, width = layout.names, layout.width
    if width < 2:
        raise DatasetError(f"The CSV file {shown_path(path)} needs at least two columns.",
                           path=path)
    resolve = _resolver(names, path)
    if target_column is None:
        targets = [width - 1]
    elif isinstance(target_column, str | int):
        targets = [resolve(target_column)]
    else:
        targets = [resolve(r) for r in target_column]
    if feature_columns is None:
        target_set = set(targets)
        features = [i for i in range(width) if i not in target_set]
    else:
        features = [resolve(r) for r in feature_columns]
    if not features:
        raise DatasetError(f"No feature columns were chosen for {shown_path(path)}.", path=path)
    if len(set(features)) != len(features):
        raise DatasetError(f"In {shown_path(path)}, a feature column is chosen twice.",
                           path=path)
    if set(features) & set(targets):
        raise DatasetError(f"In {shown_path(path)}, a target column is also chosen as a "
                           "feature.", path=path)
    if len(targets) > 1 and task not in (None, "regression", "multilabel"):
        raise DatasetError(f"Several target columns in {shown_path(path)} need the task "
                           "regression or multilabel.", path=path)
    wanted = "numeric" if len(targets) > 1 else _wanted_kind(target_kind, task)
    target_text = wanted != "numeric" and _looks_like_text(layout, targets[0], wanted)
    read = _reader(layout, features, targets, progress)
    try:
        columns = read(target_text)
    except NotANumberError as error:
        if (error.column_index != targets[0] or wanted == "numeric"
                or python_would_read(error.cell)):
            raise
        columns = read(True)  # text further down: a categorical target after all
        target_text = True
    return _build(layout, columns, features, targets, target_text, wanted, task)


def _looks_like_text(layout: CsvLayout, column: int, wanted: str) -> bool:
    """True if the first rows hold text in the target column; refuses an ambiguous number
    (``1_000``) there when the kind is automatic."""
    for line, cells in layout.sample:
        cell = cells[column]
        if is_missing(cell) or is_number(cell):
            continue
        if wanted == "auto" and python_would_read(cell):
            _ambiguous(layout, line, column, cell)
        return True
    return False


def _ambiguous(layout: CsvLayout, line: int, column: int, cell: str) -> None:
    path, name = layout.head.path, layout.names[column]
    raise DatasetError(
        f"In {shown_path(path)}, line {line}, target column '{name}' holds {echo(cell)}, "
        f"which Python reads as the number {float(cell):g} but a spreadsheet does not; "
        "write plain digits, or choose the target kind.", path=path, line=line, column=name)


def _reader(layout: CsvLayout, features: list[int], targets: list[int],
            progress: Progress) -> Callable[[bool], CsvColumns]:
    roles = {c: "feature" for c in features} | {c: "target" for c in targets}

    def read(target_text: bool) -> CsvColumns:
        groups = [features] if target_text else [features, targets]
        text = targets if target_text else []
        return read_columns(layout.head, layout.width, layout.header_line, groups, text,
                            layout.names, roles, progress)

    return read


def _build(layout: CsvLayout, columns: CsvColumns, features: list[int], targets: list[int],
           target_text: bool, wanted: str, task: Task | None) -> Dataset:
    path, names = layout.head.path, layout.names
    x = columns.values[0]
    n = x.shape[0]
    if n == 0:
        raise DatasetError(f"The CSV file {shown_path(path)} has a header but no data rows.",
                           path=path)
    n_features = len(features)
    feature_names = tuple(names[c] for c in features)

    def build(y: np.ndarray, kind: Task, class_names: tuple[str, ...] | None = None) -> Dataset:
        try:
            return Dataset(name=path.stem, x=x, y=y, task=kind,
                           feature_names=feature_names, class_names=class_names,
                           description=f"Imported from {path.name}: {n} rows, "
                           f"{n_features} features.")
        except DatasetError as exc:
            raise DatasetError(f"The data in {shown_path(path)} do not fit: {exc}",
                               path=path) from exc

    if not target_text:
        y = columns.values[1]
        if len(targets) > 1 or not _categorical(y[:, 0], wanted):
            return build(y, task or "regression")
        labels, class_names = _classes_from_numbers(y[:, 0])
    else:
        labels, class_names = _classes_from_text(layout, columns, targets[0], wanted)
    t_name = names[targets[0]]
    check_classes(len(class_names), labels, f"Target column '{t_name}' of {shown_path(path)}",
                  names=class_names, path=path)
    if task == "binary":
        if len(class_names) != 2:
            raise DatasetError(f"Target column '{t_name}' of {shown_path(path)} has "
                               f"{len(class_names)} classes, but a binary task needs exactly 2.",
                               path=path, column=t_name)
        return build(labels.astype(np.float32).reshape(-1, 1), "binary", class_names)
    return build(labels, "classification", class_names)


def _categorical(values: np.ndarray, wanted: str) -> bool:
    if wanted != "auto":
        return wanted == "categorical"
    distinct = np.unique(values)
    integral = bool(np.all(distinct == np.round(distinct)))
    return integral and len(distinct) <= MAX_AUTO_CLASSES and 2 * len(distinct) <= len(values)


def _classes_from_numbers(values: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    distinct, labels = np.unique(values, return_inverse=True)
    names = tuple(np.format_float_positional(v, trim="-") for v in distinct)
    return labels.reshape(-1).astype(np.int64), names


def _classes_from_text(layout: CsvLayout, columns: CsvColumns, column: int, wanted: str
                       ) -> tuple[np.ndarray, tuple[str, ...]]:
    path, name = layout.head.path, layout.names[column]
    cells = columns.texts[column]
    missing = np.isin(np.char.lower(cells), list(MISSING))
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        line = columns.lines.line_of(row)
        raise DatasetError(f"In {shown_path(path)}, line {line} has a missing value in target "
                           f"column '{name}' ({echo(str(cells[row]))}); fill it in or remove "
                           "the row.", path=path, line=line, column=name)
    labels, class_names = encode_categories(cells)
    if wanted == "auto" and len(class_names) <= MAX_CLASSES:
        for i, class_name in enumerate(class_names):
            if python_would_read(class_name):
                row = int(np.flatnonzero(labels == i)[0])
                _ambiguous(layout, columns.lines.line_of(row), column, class_name)
    return labels, class_names


__all__ = ["MISSING", "CsvLayout", "csv_layout", "detect_header", "import_csv"]
